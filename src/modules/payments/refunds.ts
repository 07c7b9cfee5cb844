// Refunds: children of a succeeded payment. The amount is reserved under a row lock on the payment
// in one transaction (processing refunds count as spent), so concurrent requests can never together
// exceed what was paid; the channel is called after commit; the outcome is applied once.
import { and, asc, desc, eq, gte, inArray, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { newId } from '../../kernel/ids.js';
import { appendAudit, authorize, canSeeStore, clampLimit, pageOf, publishEvent, requireMerchantId, type AccessContext } from '../platform/index.js';
import { ChannelError, type ChannelAdapter, type ChannelRefundStatus } from './channels/adapter.js';
import { paymentErrors } from './errors.js';
import { refundFeeFen } from './fee-split.js';
import {
  accountOf,
  adapterFor,
  businessDateOf,
  channelFailure,
  getPayment,
  loadPayment,
  notifyUrlOf,
  operatorOf,
  LATE_SUCCESS_REFUND_REASON,
  paymentEventPayload,
  recordPaymentEvent,
  setLateSuccessFollowUp,
  type PaymentRow,
  type PaymentsRuntime,
} from './payment-orders.js';
import { canTransitionRefund, type RefundStatus } from './payment-state.js';
import { checkRefund } from './refundable-amount.js';
import { ledgerEntries, paymentOrders, refunds } from './schema.js';

export type RefundRow = typeof refunds.$inferSelect;

export interface RefundInput {
  readonly amountFen: number;
  readonly outRefundNo?: string | undefined;
  readonly reason: string;
}

/** Reserves the refund (or finds the one already made with this refund number). */
async function reserveRefund(rt: PaymentsRuntime, ctx: AccessContext, paymentId: string, input: RefundInput): Promise<{ refund: RefundRow; fresh: boolean }> {
  const merchantId = requireMerchantId(ctx);
  return rt.db.transaction(async (tx) => {
    const payment = await loadPayment(tx, merchantId, paymentId, true);
    if (!canSeeStore(ctx, payment.storeId)) throw paymentErrors.make('payment_not_found');
    if (input.outRefundNo) {
      const [existing] = await tx.select().from(refunds).where(and(eq(refunds.merchantId, merchantId), eq(refunds.outRefundNo, input.outRefundNo)));
      if (existing) {
        if (existing.paymentId !== paymentId || existing.amountFen !== input.amountFen) throw paymentErrors.make('refund_no_taken', `out_refund_no ${input.outRefundNo} belongs to another refund`);
        return { refund: existing, fresh: false };
      }
    }
    if (payment.status !== 'succeeded') throw paymentErrors.make('payment_not_refundable', `the payment is ${payment.status}`);
    const siblings = await tx.select({ amountFen: refunds.amountFen, status: refunds.status }).from(refunds).where(and(eq(refunds.merchantId, merchantId), eq(refunds.paymentId, paymentId)));
    const check = checkRefund(payment.amountFen, siblings.map((s) => ({ amountFen: s.amountFen, status: s.status as RefundStatus })), input.amountFen);
    if (!check.ok) throw paymentErrors.make('refund_exceeds_paid', `at most ${check.refundableFen} fen can still be refunded`, { refundable_fen: check.refundableFen });
    const id = newId('refund');
    const [refund] = await tx
      .insert(refunds)
      .values({
        merchantId,
        id,
        paymentId,
        storeId: payment.storeId,
        channel: payment.channel,
        outRefundNo: input.outRefundNo ?? id,
        amountFen: input.amountFen,
        reason: input.reason,
        status: 'processing',
        requestedBy: ctx.actor.id,
      })
      .returning();
    await recordPaymentEvent(tx, merchantId, paymentId, 'refund_requested', { amount_fen: input.amountFen, out_refund_no: refund!.outRefundNo, reason: input.reason, by: ctx.actor.label }, id);
    await appendAudit(tx, ctx, { action: 'payment.refund', targetType: 'payment', targetId: paymentId, after: { refund_id: id, amount_fen: input.amountFen, out_refund_no: refund!.outRefundNo, reason: input.reason } });
    return { refund: refund!, fresh: true };
  });
}

export async function createRefund(rt: PaymentsRuntime, ctx: AccessContext, paymentId: string, input: RefundInput): Promise<RefundRow> {
  authorize(ctx, 'payments.refund');
  const { refund, fresh } = await reserveRefund(rt, ctx, paymentId, input);
  if (!fresh && refund.status !== 'processing') return refund;
  return sendRefund(rt, refund, ctx.operatorId);
}

/** Asks the channel for a reserved refund and applies its answer; an unknown outcome throws (the worker asks later). */
async function sendRefund(rt: PaymentsRuntime, refund: RefundRow, operatorId: string): Promise<RefundRow> {
  const paymentId = refund.paymentId;
  const payment = await loadPayment(rt.db, refund.merchantId, paymentId);
  const account = await accountOf(rt.db, payment);
  const adapter = await adapterFor(rt, account, operatorId);
  let status: ChannelRefundStatus;
  try {
    status = await adapter.refund({
      outTradeNo: payment.outTradeNo,
      outRefundNo: refund.outRefundNo,
      refundFen: refund.amountFen,
      totalFen: payment.amountFen,
      reason: refund.reason,
      notifyUrl: notifyUrlOf(rt.config, account),
    });
  } catch (error) {
    await recordPaymentEvent(rt.db, refund.merchantId, paymentId, 'channel_error', { operation: 'refund', error: error instanceof Error ? error.message : String(error) }, refund.id);
    if (error instanceof ChannelError && error.kind === 'rejected') {
      // Refused (e.g. the merchant's balance is short): the reservation is released.
      return (await applyRefundStatus(rt.db, refund, { state: 'failed', outRefundNo: refund.outRefundNo, channelRefundNo: null, amountFen: refund.amountFen, succeededAt: null, channelState: error.channelCode }, 'channel.refund')).refund;
    }
    // Unknown outcome: the refund stays processing and the worker asks the channel.
    throw channelFailure(error);
  }
  return (await applyRefundStatus(rt.db, refund, status, 'channel.refund')).refund;
}

/**
 * Applies a channel refund outcome once: the refund row moves by a guarded UPDATE; on success the
 * payment row is locked to add to refunded_fen and write the ledger entry with the fee given back.
 */
export async function applyRefundStatus(db: Db, refund: RefundRow, status: ChannelRefundStatus, source: string): Promise<{ changed: boolean; refund: RefundRow }> {
  const target: RefundStatus | null = status.state === 'succeeded' ? 'succeeded' : status.state === 'failed' ? 'failed' : status.state === 'closed' ? 'closed' : null;
  if (!target || !canTransitionRefund(refund.status as RefundStatus, target)) return { changed: false, refund };
  if (target === 'succeeded' && status.amountFen !== null && status.amountFen !== refund.amountFen) {
    await recordPaymentEvent(db, refund.merchantId, refund.paymentId, 'amount_mismatch', { refund_amount_fen: refund.amountFen, channel_amount_fen: status.amountFen, source }, refund.id);
    return { changed: false, refund };
  }
  return db.transaction(async (tx) => {
    // Payment first, refund second: the same lock order as reserveRefund, so no deadlock.
    const payment = await loadPayment(tx, refund.merchantId, refund.paymentId, true);
    const now = new Date();
    const [moved] = await tx
      .update(refunds)
      .set({
        status: target,
        channelRefundNo: status.channelRefundNo ?? refund.channelRefundNo,
        succeededAt: target === 'succeeded' ? (status.succeededAt ?? now) : null,
        failureReason: target === 'succeeded' ? null : status.channelState,
        updatedAt: now,
      })
      .where(and(eq(refunds.merchantId, refund.merchantId), eq(refunds.id, refund.id), eq(refunds.status, 'processing')))
      .returning();
    if (!moved) {
      const [current] = await tx.select().from(refunds).where(and(eq(refunds.merchantId, refund.merchantId), eq(refunds.id, refund.id)));
      return { changed: false, refund: current ?? refund };
    }
    await recordPaymentEvent(tx, refund.merchantId, refund.paymentId, 'refund_state_changed', { from: 'processing', to: target, channel_state: status.channelState, source }, refund.id);
    if (target !== 'succeeded') return { changed: true, refund: moved };
    const succeededAt = moved.succeededAt ?? now;
    const [updated] = await tx
      .update(paymentOrders)
      .set({ refundedFen: sql`${paymentOrders.refundedFen} + ${moved.amountFen}`, updatedAt: now })
      .where(and(eq(paymentOrders.merchantId, payment.merchantId), eq(paymentOrders.id, payment.id)))
      .returning();
    await tx.insert(ledgerEntries).values({
      merchantId: refund.merchantId,
      id: newId('ledgerEntry'),
      paymentId: payment.id,
      refundId: refund.id,
      sourceId: refund.id,
      storeId: payment.storeId,
      channel: payment.channel,
      kind: 'refund',
      amountFen: moved.amountFen,
      feeFen: -refundFeeFen(payment.refundedFen, moved.amountFen, payment.feeRatePpm),
      costFen: -refundFeeFen(payment.refundedFen, moved.amountFen, payment.costRatePpm),
      businessDate: businessDateOf(succeededAt),
      occurredAt: succeededAt,
    });
    // A late-paid payment was never a success for the business: its automatic refund is announced
    // apart, so subscribers of payment.refunded never reverse what they never applied.
    await publishEvent(tx, refund.merchantId, payment.status === 'late_paid' ? 'payment.late_paid_refunded' : 'payment.refunded', {
      ...paymentEventPayload(updated!),
      refund_id: refund.id,
      out_refund_no: moved.outRefundNo,
      refund_amount_fen: moved.amountFen,
    });
    return { changed: true, refund: moved };
  });
}

export async function findRefundByNo(db: Db, merchantId: string, outRefundNo: string): Promise<RefundRow | null> {
  const [row] = await db.select().from(refunds).where(and(eq(refunds.merchantId, merchantId), eq(refunds.outRefundNo, outRefundNo)));
  return row ?? null;
}

export async function queryRefundAndApply(db: Db, adapter: ChannelAdapter, refund: RefundRow, outTradeNo: string, source: string) {
  const status = await adapter.queryRefund({ outTradeNo, outRefundNo: refund.outRefundNo });
  await recordPaymentEvent(db, refund.merchantId, refund.paymentId, 'channel_refund_query', { state: status.state, channel_state: status.channelState, source }, refund.id);
  return { status, ...(await applyRefundStatus(db, refund, status, source)) };
}

export interface RefundFilter {
  readonly paymentId?: string | undefined;
  readonly storeId?: string | undefined;
  readonly status?: RefundStatus | undefined;
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
  readonly after?: string | undefined;
  readonly limit?: number | undefined;
}

export async function listRefunds(db: Db, ctx: AccessContext, filter: RefundFilter) {
  authorize(ctx, 'payments.read');
  const merchantId = requireMerchantId(ctx);
  const limit = clampLimit(filter.limit);
  const conditions: SQL[] = [eq(refunds.merchantId, merchantId)];
  if (ctx.storeScope !== 'all') conditions.push(inArray(refunds.storeId, ctx.storeScope.length ? [...ctx.storeScope] : ['__none__']));
  if (filter.paymentId) conditions.push(eq(refunds.paymentId, filter.paymentId));
  if (filter.storeId) conditions.push(eq(refunds.storeId, filter.storeId));
  if (filter.status) conditions.push(eq(refunds.status, filter.status));
  if (filter.from) conditions.push(gte(refunds.createdAt, filter.from));
  if (filter.to) conditions.push(lt(refunds.createdAt, filter.to));
  if (filter.after) conditions.push(lt(refunds.id, filter.after));
  const rows = await db.select().from(refunds).where(and(...conditions)).orderBy(desc(refunds.id)).limit(limit + 1);
  return pageOf(rows, limit);
}

export async function getRefund(db: Db, ctx: AccessContext, refundId: string): Promise<RefundRow> {
  authorize(ctx, 'payments.read');
  const [row] = await db.select().from(refunds).where(and(eq(refunds.merchantId, requireMerchantId(ctx)), eq(refunds.id, refundId)));
  if (!row || !canSeeStore(ctx, row.storeId)) throw paymentErrors.make('refund_not_found');
  return row;
}

/** Refunds whose outcome is still unknown after `afterSeconds` are asked about (worker). */
export async function confirmPendingRefunds(rt: PaymentsRuntime, now: Date, afterSeconds = 30, batch = 100) {
  const rows = await rt.db
    .select()
    .from(refunds)
    .where(and(eq(refunds.status, 'processing'), lte(refunds.updatedAt, new Date(now.getTime() - afterSeconds * 1000))))
    .orderBy(asc(refunds.updatedAt))
    .limit(batch);
  let changed = 0;
  let errors = 0;
  for (const refund of rows) {
    try {
      const payment = await loadPayment(rt.db, refund.merchantId, refund.paymentId);
      const adapter = await adapterFor(rt, await accountOf(rt.db, payment), await operatorOf(rt.db, refund.merchantId));
      const result = await queryRefundAndApply(rt.db, adapter, refund, payment.outTradeNo, 'worker.confirm_refund');
      if (result.status.state === 'not_found') {
        // The channel never received it: send it again under the same refund number (idempotent there).
        const status = await adapter.refund({ outTradeNo: payment.outTradeNo, outRefundNo: refund.outRefundNo, refundFen: refund.amountFen, totalFen: payment.amountFen, reason: refund.reason, notifyUrl: notifyUrlOf(rt.config, await accountOf(rt.db, payment)) });
        if ((await applyRefundStatus(rt.db, refund, status, 'worker.retry_refund')).changed) changed += 1;
      } else if (result.changed) changed += 1;
    } catch {
      errors += 1;
    }
  }
  return { examined: rows.length, changed, errors };
}

/** Sends the automatic refunds of a payment that became late_paid (errors: the refund worker retries). */
export async function sendLateSuccessRefunds(rt: PaymentsRuntime, payment: PaymentRow): Promise<void> {
  const pending = await rt.db
    .select()
    .from(refunds)
    .where(and(eq(refunds.merchantId, payment.merchantId), eq(refunds.paymentId, payment.id), eq(refunds.status, 'processing'), eq(refunds.reason, LATE_SUCCESS_REFUND_REASON)));
  for (const refund of pending) {
    await sendRefund(rt, refund, await operatorOf(rt.db, payment.merchantId)).catch(() => undefined);
  }
}

setLateSuccessFollowUp(sendLateSuccessRefunds);

export { getPayment };
