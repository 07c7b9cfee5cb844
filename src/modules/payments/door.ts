// The payments door for other modules (membership top-ups, checkout remainders): start a payment
// for a purpose, read one, refund one — without touching payments tables. Contract:
// docs/decisions/0006-payments-door.md. Never call these inside a transaction: they talk to channels.
import { and, eq, inArray } from 'drizzle-orm';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { requireMerchantId, type AccessContext } from '../platform/index.js';
import { collectWithBarcode } from './counter.js';
import { paymentErrors } from './errors.js';
import {
  accountOf,
  adapterFor,
  channelFailure,
  closeAtChannelAndHere,
  createQrPayment,
  loadPayment,
  purposeOf,
  runtimeOf,
  type PaymentPurpose,
  type PaymentRow,
} from './payment-orders.js';
import { isTerminal, type PaymentStatus, type RefundStatus } from './payment-state.js';
import { createRefund } from './refunds.js';
import { paymentOrders } from './schema.js';

export type { PaymentPurpose };

export interface StartPaymentInput {
  readonly storeId: string;
  readonly amountFen: number;
  readonly description: string;
  readonly merchantOrderNo?: string;
  readonly purpose: PaymentPurpose;
  readonly method: { readonly kind: 'barcode'; readonly authCode: string } | { readonly kind: 'qr'; readonly channel: 'wechatpay' | 'alipay' };
}

export interface StartedPayment {
  readonly id: string;
  readonly status: PaymentStatus;
  readonly channel: 'wechatpay' | 'alipay';
  readonly amount_fen: number;
  /** The URL to show as a QR code (method qr); null for barcode payments. */
  readonly code_url: string | null;
  readonly paid_at: string | null;
  readonly person_id: string | null;
}

export interface PaymentSummary {
  readonly id: string;
  readonly status: PaymentStatus;
  readonly amount_fen: number;
  readonly refunded_fen: number;
  readonly person_id: string | null;
  readonly store_id: string;
  readonly paid_at: string | null;
  readonly purpose: PaymentPurpose | null;
}

export interface RefundPaymentInput {
  readonly amountFen: number;
  readonly reason: string;
  /** Idempotency: the same number with the same amount returns the first refund. */
  readonly outRefundNo?: string;
  /** When given, the payment must have been made for exactly this purpose. */
  readonly purpose?: PaymentPurpose;
}

export interface RefundSummary {
  readonly id: string;
  readonly payment_id: string;
  readonly status: RefundStatus;
  readonly amount_fen: number;
  readonly out_refund_no: string;
}

const NAME = /^[a-z][a-z0-9_]{0,39}$/;
const REFERENCE = /^[\x21-\x7e]{1,128}$/;
const ORDER_NO = /^[0-9A-Za-z_\-|*]{1,32}$/;

function invalid(field: string, message: string): never {
  throw paymentErrors.make('payment_input_invalid', `${field} ${message}`, { fields: [{ field, message }] });
}

function checkPurpose(purpose: PaymentPurpose): void {
  if (!NAME.test(purpose.module)) invalid('purpose.module', 'must match ^[a-z][a-z0-9_]{0,39}$');
  if (!NAME.test(purpose.kind)) invalid('purpose.kind', 'must match ^[a-z][a-z0-9_]{0,39}$');
  if (!REFERENCE.test(purpose.reference)) invalid('purpose.reference', 'must be 1–128 printable ASCII characters');
}

function checkStart(input: StartPaymentInput): void {
  if (!Number.isSafeInteger(input.amountFen) || input.amountFen < 1 || input.amountFen > 100_000_000) invalid('amountFen', 'must be an integer from 1 to 100000000 fen');
  if (typeof input.description !== 'string' || input.description.length < 1 || input.description.length > 100) invalid('description', 'must be 1–100 characters');
  if (input.merchantOrderNo !== undefined && !ORDER_NO.test(input.merchantOrderNo)) invalid('merchantOrderNo', 'must be 1–32 of [0-9A-Za-z_-|*]');
  checkPurpose(input.purpose);
  const method = input.method as { kind?: unknown; authCode?: unknown; channel?: unknown };
  if (method.kind === 'barcode') {
    if (typeof method.authCode !== 'string' || method.authCode.length < 10 || method.authCode.length > 32) invalid('method.authCode', 'must be a 10–32 character payment code');
  } else if (method.kind === 'qr') {
    if (method.channel !== 'wechatpay' && method.channel !== 'alipay') invalid('method.channel', 'must be wechatpay or alipay');
  } else invalid('method.kind', 'must be barcode or qr');
}

function startedView(p: PaymentRow): StartedPayment {
  return { id: p.id, status: p.status, channel: p.channel, amount_fen: p.amountFen, code_url: p.kind === 'qr' ? p.codeUrl : null, paid_at: p.paidAt?.toISOString() ?? null, person_id: p.personId };
}

const samePurpose = (a: PaymentPurpose | null, b: PaymentPurpose) => a !== null && a.module === b.module && a.kind === b.kind && a.reference === b.reference;

/** The purpose's payment that is live (created, paying) or succeeded: at most one, by a unique index. */
async function livePaymentFor(db: Db, merchantId: string, purpose: PaymentPurpose): Promise<PaymentRow | null> {
  const [row] = await db
    .select()
    .from(paymentOrders)
    .where(
      and(
        eq(paymentOrders.merchantId, merchantId),
        eq(paymentOrders.purposeModule, purpose.module),
        eq(paymentOrders.purposeKind, purpose.kind),
        eq(paymentOrders.purposeReference, purpose.reference),
        inArray(paymentOrders.status, ['created', 'paying', 'succeeded']),
      ),
    );
  return row ?? null;
}

function alreadyPaid(existing: PaymentRow, amountFen: number): StartedPayment {
  if (existing.amountFen !== amountFen) {
    throw paymentErrors.make('purpose_already_paid', `payment ${existing.id} already paid this purpose (${existing.amountFen} fen)`, { payment_id: existing.id, amount_fen: existing.amountFen });
  }
  return startedView(existing);
}

/**
 * Starts a payment for another module's purpose: a 付款码 scanned at the counter (polled while the
 * buyer confirms, reversed if they never do) or a dynamic QR. One purpose is paid at most once: if
 * it already has a succeeded payment of the same amount, that one is answered (nothing is charged);
 * a payment still in progress for it is closed (reversed) first — and if closing finds it paid, that
 * one is answered instead.
 */
export async function startPayment(db: Db, config: Config, ctx: AccessContext, input: StartPaymentInput): Promise<StartedPayment> {
  checkStart(input);
  const rt = runtimeOf(db, config);
  const merchantId = requireMerchantId(ctx);
  const existing = await livePaymentFor(db, merchantId, input.purpose);
  if (existing?.status === 'succeeded') return alreadyPaid(existing, input.amountFen);
  if (existing) {
    const adapter = await adapterFor(rt, await accountOf(db, existing), ctx.operatorId);
    const after = await closeAtChannelAndHere(rt, adapter, existing, 'superseded', 'door.supersede').catch((error: unknown) => {
      throw channelFailure(error);
    });
    if (after.status === 'succeeded') return alreadyPaid(after, input.amountFen);
    if (!isTerminal(after.status)) throw paymentErrors.make('purpose_payment_in_progress', `payment ${existing.id} for this purpose could not be closed yet`, { payment_id: existing.id });
  }
  const common = { storeId: input.storeId, amountFen: input.amountFen, description: input.description, merchantOrderNo: input.merchantOrderNo, purpose: input.purpose };
  const payment =
    input.method.kind === 'barcode'
      ? await collectWithBarcode(rt, ctx, { ...common, authCode: input.method.authCode })
      : await createQrPayment(rt, ctx, { ...common, channel: input.method.channel });
  return startedView(payment);
}

/** A payment as other modules may see it; null when the merchant has no such payment. */
export async function getPaymentSummary(db: Db, merchantId: string, paymentId: string): Promise<PaymentSummary | null> {
  const [p] = await db.select().from(paymentOrders).where(and(eq(paymentOrders.merchantId, merchantId), eq(paymentOrders.id, paymentId)));
  if (!p) return null;
  return { id: p.id, status: p.status, amount_fen: p.amountFen, refunded_fen: p.refundedFen, person_id: p.personId, store_id: p.storeId, paid_at: p.paidAt?.toISOString() ?? null, purpose: purposeOf(p) };
}

/**
 * Refunds part or all of a payment through its channel (e.g. unused stored-value principal). The
 * answer may be `processing` (WeChat settles refunds later); `payment.refunded` announces success.
 */
export async function refundPayment(db: Db, config: Config, ctx: AccessContext, paymentId: string, input: RefundPaymentInput): Promise<RefundSummary> {
  if (!Number.isSafeInteger(input.amountFen) || input.amountFen < 1 || input.amountFen > 100_000_000) invalid('amountFen', 'must be an integer from 1 to 100000000 fen');
  if (typeof input.reason !== 'string' || input.reason.length < 1 || input.reason.length > 80) invalid('reason', 'must be 1–80 characters');
  if (input.outRefundNo !== undefined && !ORDER_NO.test(input.outRefundNo)) invalid('outRefundNo', 'must be 1–32 of [0-9A-Za-z_-|*]');
  if (input.purpose) {
    checkPurpose(input.purpose);
    const payment = await loadPayment(db, requireMerchantId(ctx), paymentId);
    if (!samePurpose(purposeOf(payment), input.purpose)) throw paymentErrors.make('purpose_mismatch', `payment ${paymentId} was not made for this purpose`);
  }
  const refund = await createRefund(runtimeOf(db, config), ctx, paymentId, { amountFen: input.amountFen, reason: input.reason, outRefundNo: input.outRefundNo });
  return { id: refund.id, payment_id: refund.paymentId, status: refund.status, amount_fen: refund.amountFen, out_refund_no: refund.outRefundNo };
}
