// 对账: match a channel's daily bill against our own orders and refunds. A bill lists what the
// channel considers done (paid orders, refunds); we compare on the merchant-side keys we sent
// (out_trade_no, out_refund_no), which both sides know.
import type { ChannelBillLine } from './channels/adapter.js';
import { paidAtChannel } from './payment-state.js';

/** A bill line as the adapters parse it (parseChannelBill); only the fields matching needs. */
export type BillRecord = Pick<ChannelBillLine, 'kind' | 'outTradeNo' | 'outRefundNo' | 'amountFen' | 'channelState'>;

export interface LocalRecord {
  readonly kind: 'payment' | 'refund';
  readonly outTradeNo: string;
  readonly outRefundNo: string | null;
  readonly amountFen: number;
  readonly status: string;
  /** Whether it succeeded within the bill's date (only those must appear on the bill). */
  readonly succeededOnBillDate: boolean;
}

/** late_success: agrees with the channel, but the buyer paid after we gave up (refunded automatically): shown, not hidden. */
export type MismatchKind = 'missing_locally' | 'missing_at_channel' | 'amount_mismatch' | 'status_mismatch' | 'late_success';

export interface MismatchLine {
  readonly kind: MismatchKind;
  readonly recordKind: 'payment' | 'refund';
  readonly outTradeNo: string;
  readonly outRefundNo: string | null;
  readonly localAmountFen: number | null;
  readonly channelAmountFen: number | null;
  readonly localStatus: string | null;
  readonly channelStatus: string | null;
}

export interface MatchResult {
  readonly matched: number;
  readonly lines: MismatchLine[];
}

const keyOf = (r: { kind: string; outTradeNo: string; outRefundNo: string | null }) => `${r.kind}:${r.kind === 'refund' ? (r.outRefundNo ?? '') : r.outTradeNo}`;

/**
 * `local` holds every local record that succeeded on the bill's date plus any local record the bill
 * names (whatever its date or status), so that "paid at the channel, failed here" is found.
 */
export function matchBill(bill: readonly BillRecord[], local: readonly LocalRecord[]): MatchResult {
  const localByKey = new Map(local.map((r) => [keyOf(r), r]));
  const seen = new Set<string>();
  const lines: MismatchLine[] = [];
  let matched = 0;
  // A bill can list one refund twice (e.g. processing then success); amounts of duplicates add up only once.
  for (const entry of bill) {
    const key = keyOf(entry);
    if (seen.has(key)) continue;
    seen.add(key);
    const mine = localByKey.get(key);
    const base = { recordKind: entry.kind, outTradeNo: entry.outTradeNo, outRefundNo: entry.outRefundNo, channelAmountFen: entry.amountFen, channelStatus: entry.channelState };
    if (!mine) {
      lines.push({ kind: 'missing_locally', ...base, localAmountFen: null, localStatus: null });
      continue;
    }
    // A payment paid late (late_paid) is paid at the channel too: it agrees with the bill.
    const paid = mine.kind === 'payment' ? paidAtChannel(mine.status) : mine.status === 'succeeded';
    if (!paid) {
      lines.push({ kind: 'status_mismatch', ...base, localAmountFen: mine.amountFen, localStatus: mine.status });
      continue;
    }
    if (mine.amountFen !== entry.amountFen) {
      lines.push({ kind: 'amount_mismatch', ...base, localAmountFen: mine.amountFen, localStatus: mine.status });
      continue;
    }
    if (mine.status === 'late_paid') {
      lines.push({ kind: 'late_success', ...base, localAmountFen: mine.amountFen, localStatus: mine.status });
      continue;
    }
    matched += 1;
  }
  for (const mine of local) {
    if (!mine.succeededOnBillDate || seen.has(keyOf(mine))) continue;
    lines.push({
      kind: 'missing_at_channel',
      recordKind: mine.kind,
      outTradeNo: mine.outTradeNo,
      outRefundNo: mine.outRefundNo,
      localAmountFen: mine.amountFen,
      channelAmountFen: null,
      localStatus: mine.status,
      channelStatus: null,
    });
  }
  return { matched, lines };
}
