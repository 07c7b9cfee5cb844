// Partner-issued coupons: a merchant enables some templates for partners (a bank, a delivery app)
// and gives the partner an API key with the scope `membership:coupons.issue`. Such a key can list
// the enabled templates and issue their coupons to the merchant's members, and nothing else; every
// partner issue names the partner's own reference and is applied once.
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { normaliseIdentifier } from '../identity/index.js';
import { appendAudit, authorize, isAllowed, requireMerchantId, type AccessContext } from '../platform/index.js';
import { commonErrors } from '../../kernel/errors.js';
import { getTemplate, issueInTransaction, type CouponRow, type CouponTemplateRow } from './coupons.js';
import { membershipErrors } from './errors.js';
import { claimReference } from './points-ledger.js';
import { couponTemplates, members, partnerCouponTemplates } from './schema.js';

export interface PartnerTemplate {
  readonly template: CouponTemplateRow;
  readonly enabledAt: Date;
}

/** Turns partner issuing of one template on or off (the owner's decision, audited). */
export async function setPartnerIssuing(db: Db, ctx: AccessContext, templateId: string, enabled: boolean): Promise<{ enabled: boolean; enabledAt: Date | null }> {
  authorize(ctx, 'membership.coupons.write');
  const merchantId = requireMerchantId(ctx);
  await getTemplate(db, ctx, templateId);
  return db.transaction(async (tx) => {
    const key = and(eq(partnerCouponTemplates.merchantId, merchantId), eq(partnerCouponTemplates.templateId, templateId));
    const [before] = await tx.select().from(partnerCouponTemplates).where(key);
    let enabledAt: Date | null = null;
    if (enabled) {
      const [row] = await tx.insert(partnerCouponTemplates).values({ merchantId, templateId, enabledBy: ctx.actor.id }).onConflictDoNothing().returning();
      enabledAt = (row ?? before)?.createdAt ?? null;
    } else {
      await tx.delete(partnerCouponTemplates).where(key);
    }
    if (Boolean(before) !== enabled) {
      await appendAudit(tx, ctx, { action: 'membership.coupon_template.partner_issuing', targetType: 'coupon_template', targetId: templateId, before: { enabled: Boolean(before) }, after: { enabled } });
    }
    return { enabled, enabledAt };
  });
}

/** Templates enabled for partners: what a partner key may issue, and what the console marks. */
export async function listPartnerTemplates(db: Db, ctx: AccessContext): Promise<PartnerTemplate[]> {
  if (!isAllowed(ctx, 'membership.coupons.partner_issue')) authorize(ctx, 'membership.read');
  const merchantId = requireMerchantId(ctx);
  const enabled = await db.select().from(partnerCouponTemplates).where(eq(partnerCouponTemplates.merchantId, merchantId)).orderBy(desc(partnerCouponTemplates.templateId));
  if (!enabled.length) return [];
  const templates = await db
    .select()
    .from(couponTemplates)
    .where(and(eq(couponTemplates.merchantId, merchantId), inArray(couponTemplates.id, enabled.map((e) => e.templateId))));
  const byId = new Map(templates.map((t) => [t.id, t]));
  return enabled.flatMap((e) => {
    const template = byId.get(e.templateId);
    return template ? [{ template, enabledAt: e.createdAt }] : [];
  });
}

export interface PartnerIssueInput {
  readonly memberId?: string | undefined;
  readonly cardNumber?: string | undefined;
  readonly phone?: string | undefined;
  /** The partner's own id for this issue (its order, campaign entry): applied once. */
  readonly reference: string;
}

export async function partnerIssue(db: Db, ctx: AccessContext, templateId: string, input: PartnerIssueInput): Promise<CouponRow> {
  authorize(ctx, 'membership.coupons.partner_issue');
  const merchantId = requireMerchantId(ctx);
  const named = [input.memberId, input.cardNumber, input.phone].filter((v) => v !== undefined);
  if (named.length !== 1) throw commonErrors.make('validation_failed', 'name the member by exactly one of member_id, card_number or phone');
  return db.transaction(async (tx) => {
    const [enabled] = await tx
      .select()
      .from(partnerCouponTemplates)
      .where(and(eq(partnerCouponTemplates.merchantId, merchantId), eq(partnerCouponTemplates.templateId, templateId)));
    // A template not enabled for partners does not exist for a partner.
    if (!enabled) throw membershipErrors.make('coupon_template_not_found');
    const memberId = await memberIdOf(tx, merchantId, input);
    await claimReference(tx, merchantId, 'coupon.partner_issue', input.reference, templateId);
    return issueInTransaction(tx, ctx, merchantId, templateId, { memberId, source: 'partner', reference: input.reference });
  });
}

async function memberIdOf(tx: Db, merchantId: string, input: PartnerIssueInput): Promise<string> {
  if (input.memberId) return input.memberId;
  let condition;
  if (input.cardNumber) condition = eq(members.cardNumber, input.cardNumber);
  else {
    const phone = normaliseIdentifier('phone', input.phone ?? '');
    if (!phone.ok) throw commonErrors.make('validation_failed', 'phone is not a valid phone number');
    condition = eq(members.phone, phone.value);
  }
  const [row] = await tx.select({ id: members.id }).from(members).where(and(eq(members.merchantId, merchantId), condition));
  if (!row) throw membershipErrors.make('member_not_found');
  return row.id;
}
