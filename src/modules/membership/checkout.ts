// Checkout: the one flow that spends several kinds of value, in one transaction —
//   amount → member discount (tier) → coupons → points → stored value → remainder due.
// Every row that will be spent is locked first, in one fixed order (points account, coupons by id,
// stored-value account), before anything is written or audited: the audit chain's head is the
// last lock any membership transaction takes, so checkouts and single spends never deadlock.
// A failure anywhere rolls everything back, locks included.
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { newId } from '../../kernel/ids.js';
import { appendAudit, authorize, publishEvent, requireMerchantId, withDeferredAudit, type AccessContext } from '../platform/index.js';
import { canStack, type CheckoutLine } from './coupon-eligibility.js';
import { redeemInTransaction, termsOf } from './coupons.js';
import { membershipErrors } from './errors.js';
import { earnBaseFen, spreadProportionally } from './checkout-split.js';
import { findMember } from './members.js';
import { claimReference, earnInTransaction, lockPointsAccount, spendInTransaction as spendPointsInTransaction } from './points-ledger.js';
import { findTier, loadProgram } from './program.js';
import { checkouts, couponTemplates, coupons } from './schema.js';
import { assertStore } from './stores.js';
import { lockStoredValueAccount, spendInTransaction as spendValueInTransaction } from './stored-value.js';

export interface CheckoutInput {
  readonly memberId: string;
  readonly storeId: string;
  /** The order: a checkout is applied once per reference. */
  readonly reference: string;
  readonly amountFen?: number | undefined;
  readonly lines?: readonly (CheckoutLine & { categoryId?: string | undefined })[] | undefined;
  readonly couponIds: readonly string[];
  readonly points: number;
  readonly storedValueFen: number;
  /**
   * The remainder will be collected through the payments module (checkout-payments.ts): the checkout
   * waits for it (`awaiting_payment`). Without it the remainder is only answered (`remainder_due`).
   */
  readonly collect?: 'barcode' | 'qr' | undefined;
}

export interface CheckoutResult {
  readonly id: string;
  readonly reference: string;
  readonly memberId: string;
  readonly amountFen: number;
  readonly memberDiscountFen: number;
  readonly coupons: { couponId: string; discountFen: number }[];
  readonly pointsSpent: number;
  readonly pointsValueFen: number;
  readonly storedValue: { spentFen: number; principalFen: number; bonusFen: number; entryId: string | null };
  readonly remainderDueFen: number;
  /** completed (nothing left to pay) | awaiting_payment | remainder_due */
  readonly status: CheckoutStatus;
  readonly pointsEarned: number;
}

export type CheckoutStatus = 'remainder_due' | 'awaiting_payment' | 'completed' | 'released' | 'refunded';

/** Points as payment: fen = floor(points × 100 / points per yuan); a fraction of a fen is never paid. */
export function pointsValueFen(points: number, redeemPointsPerYuan: number): number {
  return Math.floor((points * 100) / redeemPointsPerYuan);
}

export async function checkout(db: Db, ctx: AccessContext, input: CheckoutInput): Promise<CheckoutResult> {
  authorize(ctx, 'membership.checkout');
  const merchantId = requireMerchantId(ctx);
  await assertStore(db, ctx, input.storeId);
  const linesTotal = input.lines?.reduce((s, l) => s + l.unitPriceFen * l.quantity, 0);
  if (input.amountFen === undefined && linesTotal === undefined) throw membershipErrors.make('checkout_amount_mismatch', 'give amount_fen or lines');
  if (input.amountFen !== undefined && linesTotal !== undefined && input.amountFen !== linesTotal) {
    throw membershipErrors.make('checkout_amount_mismatch', `lines add up to ${linesTotal} fen, amount_fen is ${input.amountFen}`);
  }
  const amountFen = input.amountFen ?? linesTotal ?? 0;
  const couponIds = [...new Set(input.couponIds)];

  // Audit entries are chained at the end, so the merchant's chain head is not held while value moves.
  return db.transaction((tx) => withDeferredAudit(tx, async () => {
    const now = new Date();
    const id = newId('checkout');
    const member = await findMember(tx, merchantId, input.memberId);
    if (member.status !== 'active') throw membershipErrors.make('member_inactive');

    // Locks first, in the fixed order.
    await lockPointsAccount(tx, merchantId, member.id);
    const held = couponIds.length
      ? await tx
          .select()
          .from(coupons)
          .where(and(eq(coupons.merchantId, merchantId), inArray(coupons.id, [...couponIds].sort())))
          .orderBy(coupons.id)
          .for('update')
      : [];
    if (held.length !== couponIds.length || held.some((c) => c.memberId !== member.id)) throw membershipErrors.make('coupon_not_found');
    await lockStoredValueAccount(tx, merchantId, member.id);

    await claimReference(tx, merchantId, 'checkout', input.reference, id);

    // Member discount from the tier's benefit; floored, so the merchant never gives a fraction more.
    const tier = member.tierCode ? await findTier(tx, merchantId, member.tierCode) : undefined;
    const memberDiscountFen = Math.floor((amountFen * (tier?.discountBps ?? 0)) / 10_000);
    let due = amountFen - memberDiscountFen;

    if (held.length) {
      const templates = await tx
        .select()
        .from(couponTemplates)
        .where(and(eq(couponTemplates.merchantId, merchantId), inArray(couponTemplates.id, [...new Set(held.map((c) => c.templateId))])));
      const termsOfCoupon = held.map((c) => templates.find((t) => t.id === c.templateId)).map((t) => (t ? termsOf(t) : null));
      if (termsOfCoupon.some((t) => t === null)) throw membershipErrors.make('coupon_template_not_found');
      if (!canStack(termsOfCoupon.filter((t) => t !== null))) throw membershipErrors.make('coupons_not_stackable');
    }
    const couponResults: { couponId: string; discountFen: number }[] = [];
    for (const couponId of couponIds) {
      // A coupon held by this checkout (locked with the order's reference as holder) is redeemed by it.
      const r = await redeemInTransaction(tx, ctx, merchantId, couponId, { storeId: input.storeId, amountFen: due, lines: input.lines, holder: input.reference, reference: input.reference, memberId: member.id }, now);
      couponResults.push({ couponId, discountFen: r.discountFen });
      due -= r.discountFen;
    }

    let pointsValue = 0;
    let pointsOperationId: string | null = null;
    if (input.points > 0) {
      const program = await loadProgram(tx, merchantId);
      pointsValue = pointsValueFen(input.points, program.redeemPointsPerYuan);
      if (pointsValue > due) throw membershipErrors.make('checkout_exceeds_due', `${input.points} points are worth ${pointsValue} fen, ${due} fen is due`);
      const spent = await spendPointsInTransaction(tx, ctx, merchantId, member.id, { points: input.points, reason: 'checkout', reference: `checkout:${id}`, storeId: input.storeId }, now);
      pointsOperationId = spent.operationId;
      due -= pointsValue;
    }

    const storedValue = { spentFen: 0, principalFen: 0, bonusFen: 0, entryId: null as string | null };
    if (input.storedValueFen > 0) {
      if (input.storedValueFen > due) throw membershipErrors.make('checkout_exceeds_due', `stored value ${input.storedValueFen} fen, ${due} fen is due`);
      const spent = await spendValueInTransaction(tx, ctx, merchantId, member.id, { amountFen: input.storedValueFen, storeId: input.storeId, reference: `checkout:${id}` }, now);
      Object.assign(storedValue, { spentFen: input.storedValueFen, principalFen: -spent.entry.principalDelta, bonusFen: -spent.entry.bonusDelta, entryId: spent.entry.id });
      due -= input.storedValueFen;
    }

    const status: CheckoutStatus = due === 0 ? 'completed' : input.collect ? 'awaiting_payment' : 'remainder_due';
    // Nothing left to pay: the checkout completes here and earns on the stored-value principal.
    const pointsEarned = status === 'completed' ? await accrueForCheckout(tx, ctx, merchantId, { id, memberId: member.id, storeId: input.storeId, amountFen, lines: input.lines, cashFen: 0, storedValuePrincipalFen: storedValue.principalFen }, now) : 0;
    const result: CheckoutResult = {
      id,
      reference: input.reference,
      memberId: member.id,
      amountFen,
      memberDiscountFen,
      coupons: couponResults,
      pointsSpent: input.points,
      pointsValueFen: pointsValue,
      storedValue,
      remainderDueFen: due,
      status,
      pointsEarned,
    };
    await tx.insert(checkouts).values({
      merchantId,
      id,
      reference: input.reference,
      memberId: member.id,
      storeId: input.storeId,
      amountFen,
      memberDiscountFen,
      coupons: couponResults.map((c) => ({ coupon_id: c.couponId, discount_fen: c.discountFen })),
      pointsSpent: input.points,
      pointsValueFen: pointsValue,
      pointsOperationId,
      storedValueFen: storedValue.spentFen,
      storedValueEntryId: storedValue.entryId,
      remainderDueFen: due,
      status,
      lines: input.lines?.map((l) => ({ product_id: l.productId ?? null, category_id: l.categoryId ?? null, unit_price_fen: l.unitPriceFen, quantity: l.quantity })) ?? null,
      paymentMethod: status === 'awaiting_payment' ? (input.collect ?? null) : null,
      pointsEarned,
      completedAt: status === 'completed' ? now : null,
      createdAt: now,
      updatedAt: now,
    });
    await appendAudit(tx, ctx, { action: 'membership.checkout', targetType: 'checkout', targetId: id, after: { ...result } });
    await publishEvent(tx, merchantId, status === 'completed' ? 'checkout.completed' : 'checkout.created', { checkout_id: id, member_id: member.id, reference: input.reference, amount_fen: amountFen, remainder_due_fen: due, status });
    return result;
  }));
}

/**
 * Earns a completed checkout's points on what the member paid in money (checkout-split.ts earnBaseFen),
 * spread over the order lines so product multipliers still apply; reference `checkout:<id>`, once.
 */
export async function accrueForCheckout(
  tx: Db,
  ctx: AccessContext,
  merchantId: string,
  c: { id: string; memberId: string; storeId: string; amountFen: number; lines?: readonly (CheckoutLine & { categoryId?: string | undefined })[] | null | undefined; cashFen: number; storedValuePrincipalFen: number },
  now: Date,
): Promise<number> {
  const base = earnBaseFen({ cashFen: c.cashFen, storedValuePrincipalFen: c.storedValuePrincipalFen });
  if (base <= 0) return 0;
  const lines = c.lines?.length ? c.lines : null;
  const parts = lines ? spreadProportionally(base, lines.map((l) => l.unitPriceFen * l.quantity)) : [base];
  const purchaseLines = lines ? lines.map((l, i) => ({ netFen: parts[i] ?? 0, productId: l.productId, categoryId: l.categoryId })) : [{ netFen: base }];
  const earned = await earnInTransaction(tx, ctx, merchantId, c.memberId, { lines: purchaseLines, storeId: c.storeId, reference: `checkout:${c.id}` }, now);
  return earned.points;
}
