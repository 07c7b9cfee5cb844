// Coupons (卡券): templates, issue (stock and per-member limit under the template's row lock),
// lock for checkout, redeem, release, void and restore. Every change to a coupon locks its row
// (SELECT … FOR UPDATE), so of any number of concurrent redemptions exactly one wins.
import { randomInt } from 'node:crypto';
import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { newId } from '../../kernel/ids.js';
import { appendAudit, authorize, publishEvent, requireMerchantId, type AccessContext } from '../platform/index.js';
import { couponsCountedForLimit } from './coupon-limit.js';
import { evaluateCoupon, termsProblems, validityAtIssue, type CheckoutLine, type CouponKind, type CouponTerms, type ValidityRule } from './coupon-eligibility.js';
import { membershipErrors } from './errors.js';
import { findMember } from './members.js';
import { couponTemplates, coupons } from './schema.js';
import { assertStore } from './stores.js';

export type CouponTemplateRow = typeof couponTemplates.$inferSelect;
export type CouponRow = typeof coupons.$inferSelect;
export type CouponStatus = 'issued' | 'locked' | 'redeemed' | 'expired' | 'void';

export const ISSUE_SOURCES = ['manual', 'join', 'payment', 'birthday', 'campaign', 'partner'] as const;
/** merge_settlement: a replacement for a coupon used while merged (merge-shortfalls.ts); never from the API. */
export type IssueSource = (typeof ISSUE_SOURCES)[number] | 'merge_settlement';

/** Locks lapse on their own: a checkout that died never holds a coupon for good. */
export const DEFAULT_LOCK_SECONDS = 300;

export function termsOf(t: CouponTemplateRow): CouponTerms {
  return {
    kind: t.kind as CouponKind,
    valueFen: t.valueFen,
    percentBps: t.percentBps,
    capFen: t.capFen,
    minSpendFen: t.minSpendFen,
    productId: t.productSku,
    exchangePriceFen: t.exchangePriceFen,
    storeIds: t.storeIds,
    productIds: t.productSkus,
    stackable: t.stackable,
  };
}

/** What a coupon is now: issued/locked coupons past their window are expired; lapsed locks are issued. */
export function effectiveStatus(c: Pick<CouponRow, 'status' | 'validUntil' | 'lockedUntil'>, now: Date): CouponStatus {
  if ((c.status === 'issued' || c.status === 'locked') && now.getTime() >= c.validUntil.getTime()) return 'expired';
  if (c.status === 'locked' && (!c.lockedUntil || c.lockedUntil.getTime() <= now.getTime())) return 'issued';
  return c.status as CouponStatus;
}

// ---- templates ----

export interface TemplateInput {
  readonly name: string;
  readonly description?: string | null | undefined;
  readonly kind: CouponKind;
  readonly valueFen?: number | null | undefined;
  readonly percentBps?: number | null | undefined;
  readonly capFen?: number | null | undefined;
  readonly minSpendFen?: number | null | undefined;
  readonly productSku?: string | null | undefined;
  readonly exchangePriceFen?: number | null | undefined;
  readonly storeIds?: string[] | null | undefined;
  readonly productSkus?: string[] | null | undefined;
  readonly stackable: boolean;
  readonly validity: ValidityRule;
  readonly stock?: number | null | undefined;
  readonly perMemberLimit?: number | null | undefined;
}

export async function createTemplate(db: Db, ctx: AccessContext, input: TemplateInput): Promise<CouponTemplateRow> {
  authorize(ctx, 'membership.coupons.write');
  const merchantId = requireMerchantId(ctx);
  const terms: CouponTerms = {
    kind: input.kind,
    valueFen: input.valueFen,
    percentBps: input.percentBps,
    capFen: input.capFen,
    minSpendFen: input.minSpendFen,
    productId: input.productSku,
    exchangePriceFen: input.exchangePriceFen,
    stackable: input.stackable,
  };
  const problems = termsProblems(terms);
  if (input.validity.kind === 'fixed' && !(input.validity.from.getTime() < input.validity.until.getTime())) problems.push({ field: 'validity', message: 'must start before it ends' });
  if (problems.length) throw membershipErrors.make('coupon_terms_invalid', problems.map((p) => p.message).join('; '), { fields: problems });
  for (const storeId of input.storeIds ?? []) await assertStore(db, ctx, storeId);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(couponTemplates)
      .values({
        merchantId,
        id: newId('couponTemplate'),
        name: input.name,
        description: input.description ?? null,
        kind: input.kind,
        valueFen: input.valueFen ?? null,
        percentBps: input.percentBps ?? null,
        capFen: input.capFen ?? null,
        minSpendFen: input.minSpendFen ?? null,
        productSku: input.productSku ?? null,
        exchangePriceFen: input.exchangePriceFen ?? null,
        storeIds: input.storeIds?.length ? input.storeIds : null,
        productSkus: input.productSkus?.length ? input.productSkus : null,
        stackable: input.stackable,
        validityKind: input.validity.kind,
        validFrom: input.validity.kind === 'fixed' ? input.validity.from : null,
        validUntil: input.validity.kind === 'fixed' ? input.validity.until : null,
        validDays: input.validity.kind === 'relative' ? input.validity.days : null,
        stock: input.stock ?? null,
        perMemberLimit: input.perMemberLimit ?? null,
      })
      .returning();
    await appendAudit(tx, ctx, { action: 'membership.coupon_template.create', targetType: 'coupon_template', targetId: row!.id, after: input });
    return row!;
  });
}

export async function getTemplate(db: Db, ctx: AccessContext, templateId: string): Promise<CouponTemplateRow> {
  authorize(ctx, 'membership.read');
  const [row] = await db.select().from(couponTemplates).where(and(eq(couponTemplates.merchantId, requireMerchantId(ctx)), eq(couponTemplates.id, templateId)));
  if (!row) throw membershipErrors.make('coupon_template_not_found');
  return row;
}

export async function listTemplates(db: Db, ctx: AccessContext, page: { status?: string | undefined; after?: string | undefined; limit: number }): Promise<CouponTemplateRow[]> {
  authorize(ctx, 'membership.read');
  const merchantId = requireMerchantId(ctx);
  return db
    .select()
    .from(couponTemplates)
    .where(and(eq(couponTemplates.merchantId, merchantId), page.status ? eq(couponTemplates.status, page.status) : undefined, page.after ? lt(couponTemplates.id, page.after) : undefined))
    .orderBy(desc(couponTemplates.id))
    .limit(page.limit + 1);
}

/** Terms are fixed once a template exists (issued coupons carry them); name, stock, limit and status change. */
export interface TemplatePatch {
  readonly name?: string | undefined;
  readonly description?: string | null | undefined;
  readonly stock?: number | null | undefined;
  readonly perMemberLimit?: number | null | undefined;
  readonly status?: 'active' | 'archived' | undefined;
}

export async function updateTemplate(db: Db, ctx: AccessContext, templateId: string, patch: TemplatePatch): Promise<CouponTemplateRow> {
  authorize(ctx, 'membership.coupons.write');
  const merchantId = requireMerchantId(ctx);
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(couponTemplates).where(and(eq(couponTemplates.merchantId, merchantId), eq(couponTemplates.id, templateId))).for('update');
    if (!before) throw membershipErrors.make('coupon_template_not_found');
    if (patch.stock !== undefined && patch.stock !== null && patch.stock < before.issuedCount) {
      throw membershipErrors.make('coupon_terms_invalid', `stock cannot go below the ${before.issuedCount} already issued`);
    }
    const set: Partial<typeof couponTemplates.$inferInsert> = { updatedAt: new Date() };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.description !== undefined) set.description = patch.description;
    if (patch.stock !== undefined) set.stock = patch.stock;
    if (patch.perMemberLimit !== undefined) set.perMemberLimit = patch.perMemberLimit;
    if (patch.status !== undefined) set.status = patch.status;
    const [row] = await tx.update(couponTemplates).set(set).where(and(eq(couponTemplates.merchantId, merchantId), eq(couponTemplates.id, templateId))).returning();
    await appendAudit(tx, ctx, { action: 'membership.coupon_template.update', targetType: 'coupon_template', targetId: templateId, before: { name: before.name, stock: before.stock, per_member_limit: before.perMemberLimit, status: before.status }, after: patch });
    return row!;
  });
}

// ---- issue ----

const codeAlphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function couponCode(): string {
  // 12 characters of 32 (60 bits): unguessable at the counter, no 0/O or 1/I to misread.
  let code = '';
  for (let i = 0; i < 12; i++) code += codeAlphabet[randomInt(codeAlphabet.length)];
  return code;
}

export interface IssueInput {
  readonly memberId: string;
  readonly source: IssueSource;
  readonly reference?: string | undefined;
  /** A replacement for a coupon the member was given and lost to a merge: not a new grant, so the per-member limit does not apply. */
  readonly replacement?: boolean | undefined;
}

export async function issueInTransaction(tx: Db, ctx: AccessContext, merchantId: string, templateId: string, input: IssueInput, now = new Date()): Promise<CouponRow> {
  // The template row is the lock that makes stock and the per-member limit atomic.
  const [template] = await tx.select().from(couponTemplates).where(and(eq(couponTemplates.merchantId, merchantId), eq(couponTemplates.id, templateId))).for('update');
  if (!template) throw membershipErrors.make('coupon_template_not_found');
  const member = await findMember(tx, merchantId, input.memberId);
  if (member.status !== 'active') throw membershipErrors.make('member_inactive');
  if (template.status !== 'active') throw membershipErrors.make('coupon_template_inactive');
  if (template.stock !== null && template.issuedCount >= template.stock) throw membershipErrors.make('coupon_out_of_stock');
  if (template.perMemberLimit !== null && !input.replacement) {
    // A merge may leave the member above the limit (ADR 0007): it keeps them, and gets no more.
    const held = await couponsCountedForLimit(tx, merchantId, templateId, input.memberId);
    if (held >= template.perMemberLimit) throw membershipErrors.make('coupon_member_limit', `the member holds ${held} of this template; the limit is ${template.perMemberLimit}`, { held, limit: template.perMemberLimit });
  }
  const rule: ValidityRule =
    template.validityKind === 'fixed' ? { kind: 'fixed', from: template.validFrom!, until: template.validUntil! } : { kind: 'relative', days: template.validDays ?? 0 };
  const validity = validityAtIssue(rule, now);
  if (validity.validUntil.getTime() <= now.getTime()) throw membershipErrors.make('coupon_template_expired');
  let coupon: CouponRow | undefined;
  for (let attempt = 0; attempt < 5 && !coupon; attempt++) {
    [coupon] = await tx
      .insert(coupons)
      .values({
        merchantId,
        id: newId('coupon'),
        templateId,
        memberId: input.memberId,
        code: couponCode(),
        status: 'issued',
        issuedAt: now,
        validFrom: validity.validFrom,
        validUntil: validity.validUntil,
        issueSource: input.source,
        issueReference: input.reference ?? null,
      })
      .onConflictDoNothing()
      .returning();
  }
  if (!coupon) throw new Error('could not draw a free coupon code');
  await tx
    .update(couponTemplates)
    .set({ issuedCount: template.issuedCount + 1, updatedAt: now })
    .where(and(eq(couponTemplates.merchantId, merchantId), eq(couponTemplates.id, templateId)));
  await appendAudit(tx, ctx, { action: 'membership.coupon.issue', targetType: 'coupon', targetId: coupon.id, after: { template_id: templateId, member_id: input.memberId, source: input.source, reference: input.reference ?? null } });
  await publishEvent(tx, merchantId, 'coupon.issued', { coupon_id: coupon.id, template_id: templateId, member_id: input.memberId, source: input.source });
  return coupon;
}

export async function issueCoupon(db: Db, ctx: AccessContext, templateId: string, input: IssueInput): Promise<CouponRow> {
  authorize(ctx, 'membership.coupons.issue');
  const merchantId = requireMerchantId(ctx);
  return db.transaction((tx) => issueInTransaction(tx, ctx, merchantId, templateId, input));
}

// ---- use ----

export interface UseContext {
  readonly storeId: string;
  readonly amountFen: number;
  readonly lines?: readonly CheckoutLine[] | undefined;
}

async function lockCoupon(tx: Db, merchantId: string, couponId: string): Promise<{ coupon: CouponRow; template: CouponTemplateRow }> {
  const [coupon] = await tx.select().from(coupons).where(and(eq(coupons.merchantId, merchantId), eq(coupons.id, couponId))).for('update');
  if (!coupon) throw membershipErrors.make('coupon_not_found');
  const [template] = await tx.select().from(couponTemplates).where(and(eq(couponTemplates.merchantId, merchantId), eq(couponTemplates.id, coupon.templateId)));
  if (!template) throw membershipErrors.make('coupon_template_not_found');
  return { coupon, template };
}

function assertUsable(coupon: CouponRow, holder: string | null, now: Date): void {
  const status = effectiveStatus(coupon, now);
  if (status === 'redeemed') throw membershipErrors.make('coupon_already_redeemed');
  if (status === 'void' || status === 'expired') throw membershipErrors.make('coupon_not_usable', `the coupon is ${status}`);
  if (status === 'locked' && coupon.lockHolder !== holder) throw membershipErrors.make('coupon_locked');
}

function discountFor(template: CouponTemplateRow, coupon: CouponRow, use: UseContext, now: Date): number {
  const result = evaluateCoupon(termsOf(template), { validFrom: coupon.validFrom, validUntil: coupon.validUntil }, { now, storeId: use.storeId, amountFen: use.amountFen, lines: use.lines });
  if (!result.eligible) throw membershipErrors.make('coupon_not_eligible', result.reason, { reason: result.reason });
  return result.discountFen;
}

export async function lockCouponForCheckout(db: Db, ctx: AccessContext, couponId: string, input: UseContext & { holder: string; ttlSeconds?: number | undefined }): Promise<{ coupon: CouponRow; discountFen: number }> {
  authorize(ctx, 'membership.coupons.redeem');
  const merchantId = requireMerchantId(ctx);
  await assertStore(db, ctx, input.storeId);
  return db.transaction(async (tx) => {
    const now = new Date();
    const { coupon, template } = await lockCoupon(tx, merchantId, couponId);
    assertUsable(coupon, input.holder, now);
    const discountFen = discountFor(template, coupon, input, now);
    const [row] = await tx
      .update(coupons)
      .set({ status: 'locked', lockHolder: input.holder, lockedUntil: new Date(now.getTime() + (input.ttlSeconds ?? DEFAULT_LOCK_SECONDS) * 1000), updatedAt: now })
      .where(and(eq(coupons.merchantId, merchantId), eq(coupons.id, couponId)))
      .returning();
    await appendAudit(tx, ctx, { action: 'membership.coupon.lock', targetType: 'coupon', targetId: couponId, after: { holder: input.holder, locked_until: row!.lockedUntil } });
    return { coupon: row!, discountFen };
  });
}

export async function redeemInTransaction(
  tx: Db,
  ctx: AccessContext,
  merchantId: string,
  couponId: string,
  input: UseContext & { holder?: string | undefined; reference?: string | undefined; memberId?: string | undefined },
  now = new Date(),
): Promise<{ coupon: CouponRow; discountFen: number }> {
  const { coupon, template } = await lockCoupon(tx, merchantId, couponId);
  if (input.memberId && coupon.memberId !== input.memberId) throw membershipErrors.make('coupon_not_found', 'the coupon belongs to another member');
  assertUsable(coupon, input.holder ?? null, now);
  const discountFen = discountFor(template, coupon, input, now);
  const [row] = await tx
    .update(coupons)
    .set({
      status: 'redeemed',
      lockHolder: null,
      lockedUntil: null,
      redeemedAt: now,
      redeemedStoreId: input.storeId,
      redemptionReference: input.reference ?? null,
      discountFen,
      updatedAt: now,
    })
    .where(and(eq(coupons.merchantId, merchantId), eq(coupons.id, couponId)))
    .returning();
  await appendAudit(tx, ctx, { action: 'membership.coupon.redeem', targetType: 'coupon', targetId: couponId, after: { discount_fen: discountFen, store_id: input.storeId, reference: input.reference ?? null } });
  await publishEvent(tx, merchantId, 'coupon.redeemed', { coupon_id: couponId, member_id: coupon.memberId, template_id: coupon.templateId, discount_fen: discountFen, store_id: input.storeId });
  return { coupon: row!, discountFen };
}

export async function redeemCoupon(db: Db, ctx: AccessContext, couponId: string, input: UseContext & { holder?: string | undefined; reference?: string | undefined }) {
  authorize(ctx, 'membership.coupons.redeem');
  const merchantId = requireMerchantId(ctx);
  await assertStore(db, ctx, input.storeId);
  return db.transaction((tx) => redeemInTransaction(tx, ctx, merchantId, couponId, input));
}

export async function releaseCoupon(db: Db, ctx: AccessContext, couponId: string, holder: string): Promise<CouponRow> {
  authorize(ctx, 'membership.coupons.redeem');
  const merchantId = requireMerchantId(ctx);
  return db.transaction(async (tx) => {
    const { coupon } = await lockCoupon(tx, merchantId, couponId);
    if (coupon.status !== 'locked' || coupon.lockHolder !== holder) throw membershipErrors.make('coupon_not_locked');
    const now = new Date();
    const [row] = await tx.update(coupons).set({ status: 'issued', lockHolder: null, lockedUntil: null, updatedAt: now }).where(and(eq(coupons.merchantId, merchantId), eq(coupons.id, couponId))).returning();
    await appendAudit(tx, ctx, { action: 'membership.coupon.release', targetType: 'coupon', targetId: couponId, after: { holder } });
    return row!;
  });
}

export async function voidCoupon(db: Db, ctx: AccessContext, couponId: string, reason: string): Promise<CouponRow> {
  authorize(ctx, 'membership.coupons.void');
  const merchantId = requireMerchantId(ctx);
  return db.transaction(async (tx) => {
    const { coupon } = await lockCoupon(tx, merchantId, couponId);
    if (coupon.status !== 'issued' && coupon.status !== 'locked') throw membershipErrors.make('coupon_not_voidable');
    const now = new Date();
    const [row] = await tx
      .update(coupons)
      .set({ status: 'void', lockHolder: null, lockedUntil: null, voidedAt: now, voidReason: reason, updatedAt: now })
      .where(and(eq(coupons.merchantId, merchantId), eq(coupons.id, couponId)))
      .returning();
    await appendAudit(tx, ctx, { action: 'membership.coupon.void', targetType: 'coupon', targetId: couponId, before: { status: coupon.status }, after: { status: 'void', reason } });
    return row!;
  });
}

/** A refunded purchase gives its coupon back (usable again until its own validity ends). */
export async function restoreInTransaction(tx: Db, ctx: AccessContext, merchantId: string, couponId: string, reason: string, now = new Date()): Promise<CouponRow> {
  const { coupon } = await lockCoupon(tx, merchantId, couponId);
  if (coupon.status !== 'redeemed') throw membershipErrors.make('coupon_not_redeemed');
  const [row] = await tx
    .update(coupons)
    .set({ status: 'issued', redeemedAt: null, redeemedStoreId: null, redemptionReference: null, discountFen: null, updatedAt: now })
    .where(and(eq(coupons.merchantId, merchantId), eq(coupons.id, couponId)))
    .returning();
  await appendAudit(tx, ctx, {
    action: 'membership.coupon.restore',
    targetType: 'coupon',
    targetId: couponId,
    before: { status: 'redeemed', redeemed_at: coupon.redeemedAt, redemption_reference: coupon.redemptionReference, discount_fen: coupon.discountFen },
    after: { status: 'issued', reason },
  });
  return row!;
}

export async function restoreCoupon(db: Db, ctx: AccessContext, couponId: string, reason: string): Promise<CouponRow> {
  authorize(ctx, 'membership.coupons.void');
  const merchantId = requireMerchantId(ctx);
  return db.transaction((tx) => restoreInTransaction(tx, ctx, merchantId, couponId, reason));
}

export async function getCoupon(db: Db, ctx: AccessContext, couponId: string): Promise<CouponRow> {
  authorize(ctx, 'membership.read');
  const [row] = await db.select().from(coupons).where(and(eq(coupons.merchantId, requireMerchantId(ctx)), eq(coupons.id, couponId)));
  if (!row) throw membershipErrors.make('coupon_not_found');
  return row;
}

export async function listCoupons(db: Db, ctx: AccessContext, filter: { memberId?: string | undefined; code?: string | undefined; templateId?: string | undefined; after?: string | undefined; limit: number }): Promise<CouponRow[]> {
  authorize(ctx, 'membership.read');
  const merchantId = requireMerchantId(ctx);
  if (filter.memberId) await findMember(db, merchantId, filter.memberId);
  const conditions: (SQL | undefined)[] = [eq(coupons.merchantId, merchantId)];
  if (filter.memberId) conditions.push(eq(coupons.memberId, filter.memberId));
  if (filter.code) conditions.push(eq(coupons.code, filter.code.trim().toUpperCase()));
  if (filter.templateId) conditions.push(eq(coupons.templateId, filter.templateId));
  if (filter.after) conditions.push(lt(coupons.id, filter.after));
  return db
    .select()
    .from(coupons)
    .where(and(...conditions))
    .orderBy(desc(coupons.id))
    .limit(filter.limit + 1);
}
