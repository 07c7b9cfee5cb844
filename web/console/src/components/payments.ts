import { useEffect, useMemo, useState } from 'react';
import { fetchAll, type Store } from '../api.js';

// Views of the payments API (snake_case, as src/modules/payments/routes.ts answers them) and what
// the payments pages share. Money helpers live in money.ts (no imports, so tests can load them).
export { addDays, formatFen, formatPpm, formatShanghaiTime, parsePercentToPpm, parseYuan, shanghaiToday, shanghaiWallClockToIso, yuan } from './money.js';

export type ChannelName = 'wechatpay' | 'alipay';
export const channels: readonly ChannelName[] = ['wechatpay', 'alipay'];
export const paymentStatuses = ['created', 'paying', 'succeeded', 'failed', 'closed', 'late_paid'] as const;

export interface Payment {
  id: string;
  store_id: string;
  qr_code_id: string | null;
  desk: string | null;
  channel: ChannelName;
  kind: string;
  merchant_order_no: string;
  out_trade_no: string;
  description: string;
  amount_fen: number;
  refunded_fen: number;
  status: string;
  channel_trade_no: string | null;
  code_url: string | null;
  payer_identifiers: { kind: string; value: string; app_id?: string }[];
  person_id: string | null;
  /** What another module collected it for (membership top-up, checkout). */
  purpose: { module: string; kind: string; reference: string } | null;
  failure_reason: string | null;
  fee_rate_ppm: number;
  expires_at: string;
  paid_at: string | null;
  closed_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface Refund {
  id: string;
  payment_id: string;
  store_id: string;
  channel: ChannelName;
  out_refund_no: string;
  amount_fen: number;
  reason: string;
  status: string;
  channel_refund_no: string | null;
  failure_reason: string | null;
  succeeded_at: string | null;
  created_at: string;
}

export interface TimelineItem {
  id: string;
  type: string;
  refund_id: string | null;
  detail: unknown;
  occurred_at: string;
}

export interface PaymentDetail extends Payment {
  refunds: Refund[];
  timeline: TimelineItem[];
}

export interface QrCode {
  id: string;
  store_id: string;
  desk: string | null;
  label: string | null;
  status: string;
  url: string;
  png_url: string;
  svg_url: string;
  created_at: string;
}

export interface ChannelAccount {
  id: string;
  channel: ChannelName;
  mode: string;
  environment: string;
  config: Record<string, unknown>;
  secret_fingerprints: Record<string, string>;
  fee_rate_ppm: number;
  status: string;
  notify_url: string;
  updated_at: string;
}

export interface OperatorChannel {
  channel: ChannelName;
  environment: string;
  config: Record<string, unknown>;
  secret_fingerprints: Record<string, string>;
  updated_at: string;
}

export interface Figures {
  payment_count: number;
  refund_count: number;
  gross_fen: number;
  refunds_fen: number;
  fees_fen: number;
  cost_fen: number;
  net_fen: number;
  margin_fen: number;
}

export interface MerchantStatement {
  date: string;
  totals: Figures;
  by_channel: { channel: string; figures: Figures }[];
  by_store: { store_id: string; figures: Figures }[];
}

export interface OperatorStatement {
  date: string;
  merchants: { merchant_id: string; merchant_name: string; agent_id: string | null; figures: Figures; agent_commission_fen: number }[];
  agents: { agent_id: string; agent_name: string; share_bps: number; merchant_count: number; margin_fen: number; commission_fen: number }[];
  totals: Figures & { agent_commission_fen: number; operator_keeps_fen: number };
}

export interface Reconciliation {
  id: string;
  channel: ChannelName;
  date: string;
  source: string;
  bill_records: number;
  matched: number;
  mismatches: number;
  created_at: string;
}

export interface ReconciliationLine {
  id: string;
  kind: string;
  record_kind: string;
  out_trade_no: string;
  out_refund_no: string | null;
  local_amount_fen: number | null;
  channel_amount_fen: number | null;
  local_status: string | null;
  channel_status: string | null;
  resolution: string;
  note: string | null;
  resolved_at: string | null;
}

export interface ReconciliationDetail extends Reconciliation {
  lines: ReconciliationLine[];
}

/** The merchant's stores by id, for names in tables and the store filter. */
export function useStores(enabled = true): { stores: Store[]; storeName: (id: string) => string } {
  const [stores, setStores] = useState<Store[]>([]);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    fetchAll<Store>('/v1/stores')
      .then((list) => live && setStores(list))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [enabled]);
  const names = useMemo(() => new Map(stores.map((s) => [s.id, s.name])), [stores]);
  return { stores, storeName: (id: string) => names.get(id) ?? id };
}
