// A checkout whose remainder is collected through the payments module (docs/decisions/0006 door):
//   value spends commit first (checkout.ts, one transaction, status awaiting_payment) →
//   startPayment with purpose {membership, checkout, <checkout id>} (outside any transaction) →
//   completed when the payment succeeds (accrual in the same transaction), or released when it fails
//   or closes: coupons, points and stored value come back exactly, with ledger entries, once.
// The same completion and release run from the request (a 付款码 answered at once), from the
// `membership.payments` subscriber (payment events) and from the worker sweep; each is a guarded
// transition on the checkout row (locked first), so whichever comes first wins and the others no-op.
import { and, asc, eq, inArray, isNull, lt, or, isNotNull } from 'drizzle-orm';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { AppError } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import { getPaymentSummary, refundPayment, startPayment, type StartedPayment } from '../payments/index.js';
import { appendAudit, authorize, publishEvent, requireMerchantId, type AccessContext } from '../platform/index.js';
import { accrueForCheckout, checkout, type CheckoutInput } from './checkout.js';
import { splitCheckoutRefund } from './checkout-split.js';
import { restoreInTransaction as restoreCouponInTransaction } from './coupons.js';
import { membershipErrors } from './errors.js';
import { findMember } from './members.js';
import { forwardToSurvivor, valueChainOf } from './merged-forward.js';
import { earnerOf, survivingMemberId } from './merged-members.js';
import { lockPointsAccount, restoreSpendInTransaction, reverseInTransaction } from './points-ledger.js';
import { appliedReferences, checkoutRefunds, checkouts, coupons, storedValueEntries } from './schema.js';
import { lockStoredValueAccount, refundSpendInTransaction } from './stored-value.js';

export type CheckoutRow = typeof checkouts.$inferSelect;
export type CheckoutRefundRow = typeof checkoutRefunds.$inferSelect;
export type PaymentMethodInput = { readonly kind: 'barcode'; readonly authCode: string } | { readonly kind: 'qr'; readonly channel: 'wechatpay' | 'alipay' };

export const checkoutPurpose = (checkoutId: string) => ({ module: 'membership', kind: 'checkout', reference: checkoutId });

export async function loadCheckout(db: Db, merchantId: string, checkoutId: string, lock = false): Promise<CheckoutRow> {
  const query = db
    .select()
    .from(checkouts)
    .where(and(eq(checkouts.merchantId, merchantId), eq(checkouts.id, checkoutId)));
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw membershipErrors.make('checkout_not_found');
  return row;
}

export interface CheckoutOutcome {
  readonly checkout: CheckoutRow;
  /** The payment started in this request (null when nothing was left to collect or none was asked). */
  readonly payment: StartedPayment | null;
}

/**
 * POST /v1/checkouts with `payment`: spends the value, then collects the remainder. A 付款码 that
 * succeeds at once completes the checkout in this request; one refused at once releases it. A
 * payment that never started (bad code, channel not set up) releases it and answers the error.
 */
export async function checkoutAndPay(db: Db, config: Config, ctx: AccessContext, input: CheckoutInput & { payment?: PaymentMethodInput | undefined }): Promise<CheckoutOutcome> {
  const merchantId = requireMerchantId(ctx);
  const created = await checkout(db, ctx, { ...input, collect: input.payment?.kind });
  if (created.status !== 'awaiting_payment' || !input.payment) return { checkout: await loadCheckout(db, merchantId, created.id), payment: null };
  let started: StartedPayment;
  try {
    started = await startPayment(db, config, ctx, {
      storeId: input.storeId,
      amountFen: created.remainderDueFen,
      description: `会员结账 ${input.reference}`.slice(0, 100),
      purpose: checkoutPurpose(created.id),
      method: input.payment,
    });
  } catch (error) {
    if (error instanceof AppError && error.status < 500) {
      await db.transaction((tx) => releaseCheckoutInTransaction(tx, ctx, merchantId, created.id, { reason: `payment not started: ${error.code}`, paymentId: null }));
    }
    // Unknown outcome (the channel did not answer): the checkout waits for payment.closed or the sweep.
    throw error;
  }
  await db
    .update(checkouts)
    .set({ paymentId: started.id, updatedAt: new Date() })
    .where(and(eq(checkouts.merchantId, merchantId), eq(checkouts.id, created.id), isNull(checkouts.paymentId)));
  if (started.status === 'succeeded') {
    await db.transaction((tx) => completeCheckoutInTransaction(tx, ctx, merchantId, created.id, { paymentId: started.id }));
  } else if (started.status === 'failed' || started.status === 'closed') {
    await db.transaction((tx) => releaseCheckoutInTransaction(tx, ctx, merchantId, created.id, { reason: `payment ${started.status}`, paymentId: started.id }));
  }
  return { checkout: await loadCheckout(db, merchantId, created.id), payment: started };
}

async function principalSpent(tx: Db, row: CheckoutRow): Promise<number> {
  if (!row.storedValueEntryId) return 0;
  const [entry] = await tx
    .select({ principalDelta: storedValueEntries.principalDelta })
    .from(storedValueEntries)
    .where(and(eq(storedValueEntries.merchantId, row.merchantId), eq(storedValueEntries.id, row.storedValueEntryId)));
  return -(entry?.principalDelta ?? 0);
}

const linesOf = (row: CheckoutRow) =>
  row.lines?.map((l) => ({ productId: l.product_id ?? undefined, categoryId: l.category_id ?? undefined, unitPriceFen: l.unit_price_fen, quantity: l.quantity })) ?? null;

export type CompletionOutcome = 'completed' | 'unchanged' | 'orphan';

/**
 * The remainder was paid: awaiting_payment → completed, and the checkout earns (once, reference
 * `checkout:<id>`) on the cash and stored-value principal. A payment that succeeds for a checkout
 * already released is an orphan: recorded here, refunded by the worker (it never re-spends value).
 */
export async function completeCheckoutInTransaction(tx: Db, ctx: AccessContext, merchantId: string, checkoutId: string, input: { paymentId: string }, now = new Date()): Promise<CompletionOutcome> {
  const row = await loadCheckout(tx, merchantId, checkoutId, true);
  if (row.status === 'awaiting_payment') {
    // Merged since the checkout (ID+): the surviving member earns.
    const member = await findMember(tx, merchantId, await survivingMemberId(tx, merchantId, row.memberId));
    const pointsEarned =
      member.status === 'active'
        ? await accrueForCheckout(tx, ctx, merchantId, { id: row.id, memberId: member.id, storeId: row.storeId, amountFen: row.amountFen, lines: linesOf(row), cashFen: row.remainderDueFen, storedValuePrincipalFen: await principalSpent(tx, row) }, now)
        : 0;
    await tx
      .update(checkouts)
      .set({ status: 'completed', paymentId: input.paymentId, completedAt: now, pointsEarned, updatedAt: now })
      .where(and(eq(checkouts.merchantId, merchantId), eq(checkouts.id, checkoutId)));
    await appendAudit(tx, ctx, { action: 'membership.checkout.complete', targetType: 'checkout', targetId: checkoutId, after: { payment_id: input.paymentId, remainder_fen: row.remainderDueFen, points_earned: pointsEarned } });
    await publishEvent(tx, merchantId, 'checkout.completed', { checkout_id: checkoutId, member_id: row.memberId, reference: row.reference, amount_fen: row.amountFen, remainder_due_fen: row.remainderDueFen, payment_id: input.paymentId, status: 'completed' });
    return 'completed';
  }
  if (row.status === 'released' && row.paymentId !== input.paymentId && row.orphanPaymentId === null) {
    await tx.update(checkouts).set({ orphanPaymentId: input.paymentId, updatedAt: now }).where(and(eq(checkouts.merchantId, merchantId), eq(checkouts.id, checkoutId)));
    await appendAudit(tx, ctx, { action: 'membership.checkout.orphan_payment', targetType: 'checkout', targetId: checkoutId, after: { payment_id: input.paymentId } });
    return 'orphan';
  }
  if (row.status === 'released' && row.paymentId === input.paymentId && row.orphanPaymentId === null) {
    // Released on this payment's failure that then succeeded after all: refund it as well.
    await tx.update(checkouts).set({ orphanPaymentId: input.paymentId, updatedAt: now }).where(and(eq(checkouts.merchantId, merchantId), eq(checkouts.id, checkoutId)));
    await appendAudit(tx, ctx, { action: 'membership.checkout.orphan_payment', targetType: 'checkout', targetId: checkoutId, after: { payment_id: input.paymentId } });
    return 'orphan';
  }
  return 'unchanged';
}

/** Locks the rows a checkout's value lives in, in the one fixed order (points, coupons by id, card). */
async function lockValueRows(tx: Db, row: CheckoutRow, couponIds: readonly string[]): Promise<void> {
  // The member, and the members it was merged into since (ID+: value coming back goes on to them), in id order.
  const holders = await valueChainOf(tx, row.merchantId, row.memberId);
  for (const id of holders) await lockPointsAccount(tx, row.merchantId, id);
  if (couponIds.length) {
    await tx
      .select({ id: coupons.id })
      .from(coupons)
      .where(and(eq(coupons.merchantId, row.merchantId), inArray(coupons.id, [...couponIds].sort())))
      .orderBy(coupons.id)
      .for('update');
  }
  for (const id of holders) await lockStoredValueAccount(tx, row.merchantId, id);
}

/**
 * The remainder will not be paid (failed, closed, never started): awaiting_payment → released. The
 * coupons are issued again, the points go back into the lots they came from, the stored value back
 * as principal and bonus exactly as taken — each with its ledger entries — and the order reference is
 * free for the cashier's retry. A failure of an older attempt (another payment id) changes nothing.
 */
export async function releaseCheckoutInTransaction(tx: Db, ctx: AccessContext, merchantId: string, checkoutId: string, input: { reason: string; paymentId: string | null }, now = new Date()): Promise<boolean> {
  const row = await loadCheckout(tx, merchantId, checkoutId, true);
  if (row.status !== 'awaiting_payment') return false;
  if (input.paymentId && row.paymentId && row.paymentId !== input.paymentId) return false;
  const couponIds = row.coupons.map((c) => c.coupon_id);
  await lockValueRows(tx, row, couponIds);
  const reference = `checkout-release:${row.id}`;
  if (row.pointsSpent > 0 && row.pointsOperationId) {
    await restoreSpendInTransaction(tx, ctx, merchantId, row.memberId, { spendOperationId: row.pointsOperationId, points: row.pointsSpent, reference, reason: 'checkout released' }, now);
  }
  for (const couponId of [...couponIds].sort()) await restoreCouponInTransaction(tx, ctx, merchantId, couponId, `checkout ${row.id} released: ${input.reason}`, now);
  if (row.storedValueFen > 0 && row.storedValueEntryId) {
    await refundSpendInTransaction(tx, ctx, merchantId, row.memberId, { spendEntryId: row.storedValueEntryId, amountFen: row.storedValueFen, reference, reason: 'checkout released' }, now);
  }
  // Merged (ID+) while the payment was open: what came back goes on to the surviving member.
  await forwardToSurvivor(tx, ctx, merchantId, row.memberId, now);
  await tx
    .update(checkouts)
    .set({ status: 'released', releasedAt: now, releaseReason: input.reason.slice(0, 200), paymentId: row.paymentId ?? input.paymentId, updatedAt: now })
    .where(and(eq(checkouts.merchantId, merchantId), eq(checkouts.id, checkoutId)));
  await tx.delete(appliedReferences).where(and(eq(appliedReferences.merchantId, merchantId), eq(appliedReferences.kind, 'checkout'), eq(appliedReferences.reference, row.reference)));
  await appendAudit(tx, ctx, {
    action: 'membership.checkout.release',
    targetType: 'checkout',
    targetId: checkoutId,
    after: { reason: input.reason, payment_id: row.paymentId ?? input.paymentId, coupons: couponIds, points: row.pointsSpent, stored_value_fen: row.storedValueFen },
  });
  await publishEvent(tx, merchantId, 'checkout.released', { checkout_id: checkoutId, member_id: row.memberId, reference: row.reference, reason: input.reason });
  return true;
}

export interface CheckoutRefundInput {
  /** Fen of the payable (points value + stored value + remainder) to refund; all that is left if absent. */
  readonly amountFen?: number | undefined;
  readonly reason: string;
}

/**
 * Refunds (part of) a completed checkout. The refund splits over the tenders in proportion
 * (checkout-split.ts); the cash part goes back through payments first, and only once the channel
 * has accepted it (or is processing it) do the value parts come back — points into their lots, stored
 * value as taken, coupons on a full refund — and the points the refunded money earned are reversed.
 * A refund the channel refuses gives the reservation back and answers the error.
 */
export async function refundCheckout(db: Db, config: Config, ctx: AccessContext, checkoutId: string, input: CheckoutRefundInput): Promise<{ checkout: CheckoutRow; refund: CheckoutRefundRow }> {
  authorize(ctx, 'membership.checkout.refund');
  const merchantId = requireMerchantId(ctx);
  const refundId = newId('checkoutRefund');
  const reserved = await db.transaction(async (tx) => {
    const row = await loadCheckout(tx, merchantId, checkoutId, true);
    if (row.status !== 'completed') throw membershipErrors.make('checkout_not_refundable', `the checkout is ${row.status}`);
    const cashFen = row.paymentId ? row.remainderDueFen : 0;
    const payable = row.pointsValueFen + row.storedValueFen + cashFen;
    const amountFen = input.amountFen ?? payable - row.refundedFen;
    let split;
    try {
      split = splitCheckoutRefund({ pointsValueFen: row.pointsValueFen, pointsSpent: row.pointsSpent, storedValueFen: row.storedValueFen, cashFen }, row.refundedFen, amountFen);
    } catch (error) {
      if (error instanceof RangeError) throw membershipErrors.make('checkout_refund_exceeds', error.message, { refundable_fen: payable - row.refundedFen });
      throw error;
    }
    const [refund] = await tx
      .insert(checkoutRefunds)
      .values({
        merchantId,
        id: refundId,
        checkoutId,
        memberId: row.memberId,
        amountFen,
        cashFen: split.cashFen,
        storedValueFen: split.storedValueFen,
        pointsRestored: split.points,
        pointsReversed: 0,
        couponsRestored: split.full,
        paymentRefundStatus: split.cashFen > 0 ? 'requested' : null,
        reason: input.reason,
        actorId: ctx.actor.id,
      })
      .returning();
    await tx
      .update(checkouts)
      .set({ refundedFen: row.refundedFen + amountFen, updatedAt: new Date() })
      .where(and(eq(checkouts.merchantId, merchantId), eq(checkouts.id, checkoutId)));
    await appendAudit(tx, ctx, { action: 'membership.checkout.refund', targetType: 'checkout', targetId: checkoutId, after: { refund_id: refundId, amount_fen: amountFen, cash_fen: split.cashFen, stored_value_fen: split.storedValueFen, points: split.points, coupons: split.full, reason: input.reason } });
    return { row, refund: refund! };
  });

  let paymentRefund: { id: string; status: string } | null = null;
  if (reserved.refund.cashFen > 0 && reserved.row.paymentId) {
    try {
      paymentRefund = await refundPayment(db, config, ctx, reserved.row.paymentId, {
        amountFen: reserved.refund.cashFen,
        reason: input.reason.slice(0, 80),
        outRefundNo: refundId,
        purpose: checkoutPurpose(checkoutId),
      });
    } catch (error) {
      if (error instanceof AppError && error.status < 500) {
        await undoRefundReservation(db, merchantId, reserved.refund, 'failed');
        throw error;
      }
      // Unknown outcome: payments keeps the refund processing and finishes it; the value parts follow it.
      paymentRefund = { id: '', status: 'processing' };
    }
    if (paymentRefund.status === 'failed') {
      await undoRefundReservation(db, merchantId, reserved.refund, 'failed');
      throw membershipErrors.make('checkout_not_refundable', 'the channel refused the refund of the paid remainder');
    }
  }

  const refund = await db.transaction(async (tx) => {
    const row = await loadCheckout(tx, merchantId, checkoutId, true);
    const r = reserved.refund;
    const couponIds = r.couponsRestored ? row.coupons.map((c) => c.coupon_id) : [];
    await lockValueRows(tx, row, couponIds);
    const now = new Date();
    const reference = `checkout-refund:${r.id}`;
    if (r.pointsRestored > 0 && row.pointsOperationId) {
      await restoreSpendInTransaction(tx, ctx, merchantId, row.memberId, { spendOperationId: row.pointsOperationId, points: r.pointsRestored, reference, reason: input.reason }, now);
    }
    let principalBack = 0;
    if (r.storedValueFen > 0 && row.storedValueEntryId) {
      const back = await refundSpendInTransaction(tx, ctx, merchantId, row.memberId, { spendEntryId: row.storedValueEntryId, amountFen: r.storedValueFen, reference, reason: input.reason }, now);
      principalBack = back.entry.principalDelta;
    }
    for (const couponId of [...couponIds].sort()) await restoreCouponInTransaction(tx, ctx, merchantId, couponId, `checkout ${row.id} refunded: ${input.reason}`, now);
    await forwardToSurvivor(tx, ctx, merchantId, row.memberId, now); // merged since (ID+): the value goes on to the survivor
    let pointsReversed = 0;
    const refundedBase = r.cashFen + principalBack;
    if (row.pointsEarned > 0 && refundedBase > 0) {
      const reversal = await reverseInTransaction(tx, ctx, merchantId, (await earnerOf(tx, merchantId, `checkout:${row.id}`)) ?? row.memberId, { reference: `checkout:${row.id}`, refundReference: reference, refundAmountFen: refundedBase }, now);
      pointsReversed = reversal.points;
    }
    const [updated] = await tx
      .update(checkoutRefunds)
      .set({ pointsReversed, paymentRefundId: paymentRefund?.id || null, paymentRefundStatus: paymentRefund ? paymentRefund.status : null })
      .where(and(eq(checkoutRefunds.merchantId, merchantId), eq(checkoutRefunds.id, r.id)))
      .returning();
    if (r.couponsRestored) await tx.update(checkouts).set({ status: 'refunded', updatedAt: now }).where(and(eq(checkouts.merchantId, merchantId), eq(checkouts.id, checkoutId)));
    await publishEvent(tx, merchantId, 'checkout.refunded', { checkout_id: checkoutId, member_id: row.memberId, refund_id: r.id, amount_fen: r.amountFen, cash_fen: r.cashFen, full: r.couponsRestored });
    return updated!;
  });
  return { checkout: await loadCheckout(db, merchantId, checkoutId), refund };
}

async function undoRefundReservation(db: Db, merchantId: string, refund: CheckoutRefundRow, status: string): Promise<void> {
  await db.transaction(async (tx) => {
    const row = await loadCheckout(tx, merchantId, refund.checkoutId, true);
    await tx
      .update(checkouts)
      .set({ refundedFen: row.refundedFen - refund.amountFen, updatedAt: new Date() })
      .where(and(eq(checkouts.merchantId, merchantId), eq(checkouts.id, refund.checkoutId)));
    await tx.update(checkoutRefunds).set({ paymentRefundStatus: status, amountFen: 0, cashFen: 0, storedValueFen: 0, pointsRestored: 0, couponsRestored: false }).where(and(eq(checkoutRefunds.merchantId, merchantId), eq(checkoutRefunds.id, refund.id)));
  });
}

export async function getCheckout(db: Db, ctx: AccessContext, checkoutId: string): Promise<{ checkout: CheckoutRow; refunds: CheckoutRefundRow[]; storedValuePrincipalFen: number }> {
  authorize(ctx, 'membership.read');
  const merchantId = requireMerchantId(ctx);
  const row = await loadCheckout(db, merchantId, checkoutId);
  const refunds = await db
    .select()
    .from(checkoutRefunds)
    .where(and(eq(checkoutRefunds.merchantId, merchantId), eq(checkoutRefunds.checkoutId, checkoutId)))
    .orderBy(asc(checkoutRefunds.id));
  return { checkout: row, refunds, storedValuePrincipalFen: await principalSpent(db, row) };
}

/** A payment.refunded about a checkout's payment: ours (by out_refund_no) is marked; another's reverses the points of that money. */
export async function applyCheckoutPaymentRefund(
  tx: Db,
  ctx: AccessContext,
  merchantId: string,
  checkoutId: string,
  event: { refundId: string; outRefundNo: string | null; amountFen: number },
): Promise<void> {
  const row = await loadCheckout(tx, merchantId, checkoutId, true);
  const [ours] = event.outRefundNo
    ? await tx.select().from(checkoutRefunds).where(and(eq(checkoutRefunds.merchantId, merchantId), eq(checkoutRefunds.id, event.outRefundNo)))
    : [];
  if (ours) {
    await tx.update(checkoutRefunds).set({ paymentRefundId: event.refundId, paymentRefundStatus: 'succeeded' }).where(and(eq(checkoutRefunds.merchantId, merchantId), eq(checkoutRefunds.id, ours.id)));
    return;
  }
  if (event.outRefundNo === row.id) {
    await tx.update(checkouts).set({ orphanRefundId: event.refundId, updatedAt: new Date() }).where(and(eq(checkouts.merchantId, merchantId), eq(checkouts.id, row.id)));
    return;
  }
  // Refunded from the payments console: the value parts stay spent; the money refunded earns nothing.
  const refundReference = `payment-refund:${event.refundId}`;
  const [done] = await tx
    .select({ kind: appliedReferences.kind })
    .from(appliedReferences)
    .where(and(eq(appliedReferences.merchantId, merchantId), eq(appliedReferences.kind, 'points.reverse'), eq(appliedReferences.reference, refundReference)));
  if (done) return;
  if (row.status === 'completed' && row.pointsEarned > 0) {
    const earner = (await earnerOf(tx, merchantId, `checkout:${row.id}`)) ?? row.memberId; // after an ID+ merge, the survivor
    const reversal = await reverseInTransaction(tx, ctx, merchantId, earner, { reference: `checkout:${row.id}`, refundReference, refundAmountFen: event.amountFen });
    await appendAudit(tx, ctx, { action: 'membership.checkout.external_refund', targetType: 'checkout', targetId: row.id, after: { refund_id: event.refundId, amount_fen: event.amountFen, points_reversed: reversal.points } });
  }
}

/**
 * The worker's pass over checkouts: settle those still awaiting a payment that has ended (a missed
 * event), release those whose payment never started, refund orphan payments. Paced by the caller.
 */
export async function sweepCheckouts(db: Db, config: Config, contextOf: (merchantId: string) => Promise<AccessContext>, now: Date): Promise<{ completed: number; released: number; orphansRefunded: number }> {
  let completed = 0;
  let released = 0;
  let orphansRefunded = 0;
  const neverStarted = new Date(now.getTime() - (config.PAYMENTS_ORDER_TTL_MINUTES + 5) * 60_000);
  const settled = new Date(now.getTime() - 60_000);
  const rows = await db
    .select()
    .from(checkouts)
    .where(
      or(
        and(eq(checkouts.status, 'awaiting_payment'), lt(checkouts.createdAt, settled)),
        and(isNotNull(checkouts.orphanPaymentId), isNull(checkouts.orphanRefundId)),
      ),
    )
    .orderBy(asc(checkouts.createdAt))
    .limit(100);
  for (const row of rows) {
    const ctx = await contextOf(row.merchantId);
    if (row.status === 'awaiting_payment') {
      if (row.paymentId) {
        const payment = await getPaymentSummary(db, row.merchantId, row.paymentId);
        if (payment?.status === 'succeeded') {
          if ((await db.transaction((tx) => completeCheckoutInTransaction(tx, ctx, row.merchantId, row.id, { paymentId: payment.id }, now))) === 'completed') completed++;
        } else if (!payment || payment.status === 'failed' || payment.status === 'closed') {
          if (await db.transaction((tx) => releaseCheckoutInTransaction(tx, ctx, row.merchantId, row.id, { reason: `payment ${payment?.status ?? 'missing'}`, paymentId: row.paymentId }, now))) released++;
        }
        // Still live: the payments worker closes it at its expiry, and payment.closed releases this.
      } else if (row.createdAt < neverStarted) {
        if (await db.transaction((tx) => releaseCheckoutInTransaction(tx, ctx, row.merchantId, row.id, { reason: 'payment never started', paymentId: null }, now))) released++;
      }
    } else if (row.orphanPaymentId) {
      const payment = await getPaymentSummary(db, row.merchantId, row.orphanPaymentId);
      const left = payment ? payment.amount_fen - payment.refunded_fen : 0;
      if (payment?.status === 'succeeded' && left > 0) {
        const refund = await refundPayment(db, config, ctx, payment.id, { amountFen: left, reason: 'checkout released before the payment succeeded', outRefundNo: row.id }).catch(() => null);
        if (!refund || refund.status === 'failed') continue;
        await db.update(checkouts).set({ orphanRefundId: refund.id, updatedAt: now }).where(and(eq(checkouts.merchantId, row.merchantId), eq(checkouts.id, row.id)));
        orphansRefunded++;
      } else {
        await db.update(checkouts).set({ orphanRefundId: 'none', updatedAt: now }).where(and(eq(checkouts.merchantId, row.merchantId), eq(checkouts.id, row.id)));
      }
    }
  }
  return { completed, released, orphansRefunded };
}
