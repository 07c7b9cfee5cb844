// Coupons given automatically: when a person joins (入会礼), when a member pays at least an amount
// (消费返券), and on a member's birthday (生日礼, once a year, birthday-gifts.ts). A rule names a template; the template's stock, per-member limit and validity still
// decide. Each rule acts once per join or payment (membership_coupon_gifts), and a gift that cannot be
// given is recorded with its reason instead of retrying forever.

import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { AppError } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import type { PaymentEventPayload } from '../payments/index.js';
import { appendAudit, authorize, requireMerchantId, subscribeToEvents, type AccessContext, type DomainEvent } from '../platform/index.js';
import { issueInTransaction } from './coupons.js';
import { memberOfPerson } from './consumer.js';
import { membershipErrors } from './errors.js';
import { ruleApplies, type GiftCircumstances, type GiftTrigger } from './gift-rule-match.js';
import { findMember } from './members.js';
import { loadTiers } from './program.js';
import { membershipSystemContext } from './payment-events.js';
import { couponGiftRules, couponGifts, couponTemplates } from './schema.js';
import { assertStore } from './stores.js';

export type CouponGiftRuleRow = typeof couponGiftRules.$inferSelect;
export type CouponGiftRow = typeof couponGifts.$inferSelect;
export type { GiftTrigger };

export interface GiftRuleInput {
  readonly trigger: GiftTrigger;
  readonly templateId: string;
  readonly minAmountFen?: number | null | undefined;
  readonly storeIds?: readonly string[] | null | undefined;
  readonly tierCodes?: readonly string[] | null | undefined;
  readonly enabled?: boolean | undefined;
}

export interface GiftRulePatch {
  readonly minAmountFen?: number | null | undefined;
  readonly storeIds?: readonly string[] | null | undefined;
  readonly tierCodes?: readonly string[] | null | undefined;
  readonly enabled?: boolean | undefined;
}

async function assertTierCodes(db: Db, merchantId: string, tierCodes: readonly string[] | null | undefined): Promise<void> {
  if (!tierCodes?.length) return;
  const known = new Set((await loadTiers(db, merchantId)).map((tier) => tier.code));
  const unknown = tierCodes.filter((code) => !known.has(code));
  if (unknown.length) throw membershipErrors.make('coupon_gift_rule_invalid', `no tier with code ${unknown.join(', ')}`, { fields: [{ field: 'tier_codes', message: `unknown: ${unknown.join(', ')}` }] });
}

const own = (merchantId: string, ruleId: string) => and(eq(couponGiftRules.merchantId, merchantId), eq(couponGiftRules.id, ruleId));

export async function listGiftRules(db: Db, ctx: AccessContext): Promise<CouponGiftRuleRow[]> {
  authorize(ctx, 'membership.read');
  const merchantId = requireMerchantId(ctx);
  return db.select().from(couponGiftRules).where(eq(couponGiftRules.merchantId, merchantId)).orderBy(asc(couponGiftRules.id));
}

export async function createGiftRule(db: Db, ctx: AccessContext, input: GiftRuleInput): Promise<CouponGiftRuleRow> {
  authorize(ctx, 'membership.coupons.write');
  const merchantId = requireMerchantId(ctx);
  if (input.trigger !== 'payment' && input.minAmountFen != null) {
    throw membershipErrors.make('coupon_gift_rule_invalid', `a ${input.trigger} gift has no minimum amount`, { fields: [{ field: 'min_amount_fen', message: 'only for payment gifts' }] });
  }
  for (const storeId of input.storeIds ?? []) await assertStore(db, ctx, storeId);
  await assertTierCodes(db, merchantId, input.tierCodes);
  return db.transaction(async (tx) => {
    const [template] = await tx.select({ id: couponTemplates.id }).from(couponTemplates).where(and(eq(couponTemplates.merchantId, merchantId), eq(couponTemplates.id, input.templateId)));
    if (!template) throw membershipErrors.make('coupon_template_not_found');
    const [row] = await tx
      .insert(couponGiftRules)
      .values({
        merchantId,
        id: newId('couponGiftRule'),
        trigger: input.trigger,
        templateId: input.templateId,
        minAmountFen: input.minAmountFen ?? null,
        storeIds: input.storeIds?.length ? [...input.storeIds] : null,
        tierCodes: input.tierCodes?.length ? [...input.tierCodes] : null,
        enabled: input.enabled ?? true,
      })
      .returning();
    await appendAudit(tx, ctx, { action: 'membership.coupon_gift_rule.create', targetType: 'coupon_gift_rule', targetId: row!.id, after: ruleSummary(row!) });
    return row!;
  });
}

export async function updateGiftRule(db: Db, ctx: AccessContext, ruleId: string, patch: GiftRulePatch): Promise<CouponGiftRuleRow> {
  authorize(ctx, 'membership.coupons.write');
  const merchantId = requireMerchantId(ctx);
  for (const storeId of patch.storeIds ?? []) await assertStore(db, ctx, storeId);
  await assertTierCodes(db, merchantId, patch.tierCodes);
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(couponGiftRules).where(own(merchantId, ruleId)).for('update');
    if (!before) throw membershipErrors.make('coupon_gift_rule_not_found');
    if (before.trigger !== 'payment' && patch.minAmountFen != null) {
      throw membershipErrors.make('coupon_gift_rule_invalid', `a ${before.trigger} gift has no minimum amount`, { fields: [{ field: 'min_amount_fen', message: 'only for payment gifts' }] });
    }
    const [after] = await tx
      .update(couponGiftRules)
      .set({
        ...(patch.minAmountFen !== undefined && { minAmountFen: patch.minAmountFen }),
        ...(patch.storeIds !== undefined && { storeIds: patch.storeIds?.length ? [...patch.storeIds] : null }),
        ...(patch.tierCodes !== undefined && { tierCodes: patch.tierCodes?.length ? [...patch.tierCodes] : null }),
        ...(patch.enabled !== undefined && { enabled: patch.enabled }),
        updatedAt: new Date(),
      })
      .where(own(merchantId, ruleId))
      .returning();
    await appendAudit(tx, ctx, { action: 'membership.coupon_gift_rule.update', targetType: 'coupon_gift_rule', targetId: ruleId, before: ruleSummary(before), after: ruleSummary(after!) });
    return after!;
  });
}

/** What the rules gave (or could not give) one member, newest first. */
export async function listGiftsOfMember(db: Db, ctx: AccessContext, memberId: string): Promise<CouponGiftRow[]> {
  authorize(ctx, 'membership.read');
  const merchantId = requireMerchantId(ctx);
  await findMember(db, merchantId, memberId);
  const rows = await db.select().from(couponGifts).where(and(eq(couponGifts.merchantId, merchantId), eq(couponGifts.memberId, memberId)));
  return rows.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
}

function ruleSummary(row: CouponGiftRuleRow) {
  return { trigger: row.trigger, template_id: row.templateId, min_amount_fen: row.minAmountFen, store_ids: row.storeIds, tier_codes: row.tierCodes, enabled: row.enabled };
}

export interface GiftOccasion extends GiftCircumstances {
  readonly memberId: string;
  /** The member id (join), the payment id (payment), `<member id>:<year>` (birthday): one gift per rule per reference. */
  readonly reference: string;
}

/**
 * Gives the gifts of every applicable rule inside `tx`. A rule already applied to this reference is
 * skipped; an issue refused by the template (stock, limit, inactive, expired) is recorded as skipped,
 * its partial writes undone by the savepoint.
 */
export async function giveGiftsInTransaction(tx: Db, ctx: AccessContext, merchantId: string, occasion: GiftOccasion, now = new Date()): Promise<CouponGiftRow[]> {
  const rules = (await tx.select().from(couponGiftRules).where(and(eq(couponGiftRules.merchantId, merchantId), eq(couponGiftRules.trigger, occasion.trigger)))).filter((rule) => ruleApplies(rule, occasion));
  const given: CouponGiftRow[] = [];
  for (const rule of rules.sort((a, b) => a.id.localeCompare(b.id))) {
    const [claimed] = await tx
      .insert(couponGifts)
      .values({ merchantId, ruleId: rule.id, triggerReference: occasion.reference, memberId: occasion.memberId, createdAt: now })
      .onConflictDoNothing()
      .returning();
    if (!claimed) continue;
    let couponId: string | null = null;
    let skippedReason: string | null = null;
    try {
      const coupon = await tx.transaction((savepoint) =>
        issueInTransaction(savepoint, ctx, merchantId, rule.templateId, { memberId: occasion.memberId, source: occasion.trigger, reference: `${rule.id}:${occasion.reference}` }, now),
      );
      couponId = coupon.id;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      skippedReason = error.code;
    }
    const [row] = await tx
      .update(couponGifts)
      .set({ couponId, skippedReason })
      .where(and(eq(couponGifts.merchantId, merchantId), eq(couponGifts.ruleId, rule.id), eq(couponGifts.triggerReference, occasion.reference)))
      .returning();
    given.push(row!);
  }
  return given;
}

async function handleGiftEvent(tx: Db, event: DomainEvent): Promise<void> {
  const ctx = await membershipSystemContext(tx, event.merchantId, 'membership.coupon-gifts');
  if (event.type === 'member.joined') {
    const p = event.payload as { member_id: string; store_id: string | null };
    const member = await findMember(tx, event.merchantId, p.member_id);
    await giveGiftsInTransaction(tx, ctx, event.merchantId, { trigger: 'join', memberId: p.member_id, reference: p.member_id, storeId: p.store_id ?? null, amountFen: null, tierCode: member.tierCode }, event.occurredAt);
    return;
  }
  const p = event.payload as PaymentEventPayload;
  // Buying stored value is not spending: a top-up earns no purchase gift.
  if (p.purpose?.kind === 'top_up') return;
  const member = await memberOfPerson(tx, event.merchantId, p.person_id);
  if (!member || member.status !== 'active') return;
  await giveGiftsInTransaction(tx, ctx, event.merchantId, { trigger: 'payment', memberId: member.id, reference: p.payment_id, storeId: p.store_id, amountFen: p.amount_fen, tierCode: member.tierCode }, event.occurredAt);
}

let registered = false;

/** Registers the gift subscriber (once, when membership's index loads). */
export function registerCouponGiftSubscriber(): void {
  if (registered) return;
  registered = true;
  subscribeToEvents({ name: 'membership.coupon-gifts', types: ['member.joined', 'payment.succeeded'], handle: handleGiftEvent });
}
