// The payments module's door (流量入口): payment orders over WeChat Pay and Alipay, refunds, channel
// notifications, the store QR, the counter, settlements and reconciliation.
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { processStoredNotifications } from './notifications.js';
import { closeExpiredPayments, confirmPendingPayments, recheckGivenUpPayments, runtimeOf } from './payment-orders.js';
import { registerPaymentsMergeHandler } from './identity-merge.js';
import { registerPaymentPolicies } from './policies.js';
import { confirmPendingRefunds } from './refunds.js';

registerPaymentPolicies();
// ID+ merges move the payer person of the absorbed person's payments (identity-merge.ts).
registerPaymentsMergeHandler();

export type { ChannelName, ChannelPayer } from './channels/adapter.js';
export type { PaymentStatus, RefundStatus } from './payment-state.js';
export { configureSandboxChannels } from './demo-channels.js';
export { runSandboxNotifications } from './sandbox/index.js';

// The door for other modules (docs/decisions/0006-payments-door.md).
export { startPayment, getPaymentSummary, refundPayment } from './door.js';
export type { PaymentPurpose, PaymentSummary, RefundPaymentInput, RefundSummary, StartedPayment, StartPaymentInput } from './door.js';
// The paying browser's proof (payer-ticket.ts): what comes after the H5 pay flow (join at payment) asks for it.
export { PAYER_TICKET_COOKIE, readPayerTicket } from './payer-ticket.js';

/**
 * Payload of `payment.succeeded` / `payment.failed` / `payment.closed` / `payment.refunded` events,
 * and of `payment.late_paid` / `payment.late_paid_refunded` (a buyer charged after the order was
 * given up: never a success, refunded in full automatically — docs/decisions/0008-late-success.md).
 */
export interface PaymentEventPayload {
  readonly payment_id: string;
  readonly store_id: string;
  readonly qr_code_id: string | null;
  readonly merchant_order_no: string;
  readonly channel: 'wechatpay' | 'alipay';
  readonly kind: 'barcode' | 'qr' | 'in_app';
  readonly status: string;
  readonly amount_fen: number;
  readonly refunded_fen: number;
  readonly payer_identifiers: readonly { kind: string; value: string; appId?: string }[];
  readonly person_id: string | null;
  readonly paid_at: string | null;
  /** What another module collected this payment for (startPayment); null for plain collections. */
  readonly purpose: { readonly module: string; readonly kind: string; readonly reference: string } | null;
  /** payment.refunded, payment.late_paid and payment.late_paid_refunded only */
  readonly refund_id?: string;
  readonly out_refund_no?: string;
  readonly refund_amount_fen?: number;
}

/**
 * One round of the payments background work: finish stored-but-unprocessed notifications, confirm
 * orders and refunds whose notification is late, close expired orders, and ask once more about
 * orders given up a few minutes ago (late success, ADR 0008). Idempotent; safe to run in
 * several processes (every change is a guarded update).
 */
export async function runPaymentWorkers(db: Db, config: Config, now: Date = new Date()) {
  const rt = runtimeOf(db, config);
  const notifications = await processStoredNotifications(db, now);
  // Asking channels about waiting orders is paced: at most every 15 s, whatever the worker's tick.
  const last = lastChannelPass.get(db) ?? 0;
  if (now.getTime() - last < 15_000) return { notifications, payments: null, refunds: null, expired: null, lateChecks: null };
  lastChannelPass.set(db, now.getTime());
  return {
    notifications,
    payments: await confirmPendingPayments(rt, now),
    refunds: await confirmPendingRefunds(rt, now),
    expired: await closeExpiredPayments(rt, now),
    lateChecks: await recheckGivenUpPayments(rt, now),
  };
}

const lastChannelPass = new WeakMap<Db, number>();

export { confirmPendingPayments, closeExpiredPayments, processStoredNotifications, confirmPendingRefunds, recheckGivenUpPayments };

export { paymentsModule } from './routes.js';
