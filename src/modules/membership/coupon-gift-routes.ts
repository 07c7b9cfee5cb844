// /v1 routes for automatic coupon gifts: the rules (入会礼, 消费返券) and what they gave a member.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { accessOf, errors, IdempotencyHeader, Nullable, StrictObject, Timestamp, type ModuleDeps } from '../../http/route-kit.js';
import { createGiftRule, listGiftRules, listGiftsOfMember, updateGiftRule, type CouponGiftRow, type CouponGiftRuleRow } from './coupon-gifts.js';

const tags = ['membership'];
const StoreIds = Nullable(Type.Array(Type.String({ pattern: '^sto_[0-9a-z]{26}$' }), { maxItems: 200, description: 'only at these stores; null or empty = every store' }));
const TierCodes = Nullable(Type.Array(Type.String({ minLength: 1, maxLength: 32 }), { maxItems: 50, description: 'only members of these tiers; null or empty = every member' }));
const Trigger = Type.Union([Type.Literal('join'), Type.Literal('payment'), Type.Literal('birthday')], { description: 'join (入会礼), payment (消费返券), birthday (生日礼, once a year on the member’s birthday, Beijing time)' });
const MinAmount = Nullable(Type.Integer({ minimum: 1, maximum: 100_000_000, description: 'payment gifts: the payment must reach this many fen' }));

const RuleView = Type.Object({
  id: Type.String(),
  trigger: Trigger,
  template_id: Type.String(),
  min_amount_fen: Nullable(Type.Integer()),
  store_ids: Nullable(Type.Array(Type.String())),
  tier_codes: Nullable(Type.Array(Type.String())),
  enabled: Type.Boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
const ruleView = (r: CouponGiftRuleRow) => ({
  id: r.id,
  trigger: r.trigger as 'join' | 'payment' | 'birthday',
  template_id: r.templateId,
  min_amount_fen: r.minAmountFen,
  store_ids: r.storeIds,
  tier_codes: r.tierCodes,
  enabled: r.enabled,
  created_at: r.createdAt.toISOString(),
  updated_at: r.updatedAt.toISOString(),
});

const GiftView = Type.Object({
  rule_id: Type.String(),
  trigger_reference: Type.String({ description: 'the member id (join) or the payment id (payment)' }),
  coupon_id: Nullable(Type.String()),
  skipped_reason: Nullable(Type.String({ description: 'why no coupon was given, as an error code (coupon_out_of_stock, coupon_member_limit, …)' })),
  created_at: Timestamp,
});
const giftView = (g: CouponGiftRow) => ({ rule_id: g.ruleId, trigger_reference: g.triggerReference, coupon_id: g.couponId, skipped_reason: g.skippedReason, created_at: g.createdAt.toISOString() });

const RuleParams = StrictObject({ giftRuleId: Type.String({ pattern: '^cgr_[0-9a-z]{26}$', description: 'cgr_… id' }) });
const MemberParams = StrictObject({ memberId: Type.String({ pattern: '^mem_[0-9a-z]{26}$', description: 'mem_… id' }) });

export async function couponGiftRoutes(instance: FastifyInstance, { db }: ModuleDeps): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/membership/coupon-gift-rules',
    { schema: { tags, summary: 'Automatic coupon gifts: on joining, on a payment of at least an amount, on birthdays', response: { 200: Type.Object({ items: Type.Array(RuleView) }), ...errors() } } },
    async (request) => ({ items: (await listGiftRules(db, accessOf(request))).map(ruleView) }),
  );

  app.post(
    '/membership/coupon-gift-rules',
    {
      schema: {
        tags,
        summary: 'Add a gift rule: a coupon of a template for every new member (join), every qualifying payment (payment) or each birthday (birthday)',
        headers: IdempotencyHeader,
        body: StrictObject({
          trigger: Trigger,
          template_id: Type.String({ pattern: '^cpt_[0-9a-z]{26}$' }),
          min_amount_fen: Type.Optional(MinAmount),
          store_ids: Type.Optional(StoreIds),
          tier_codes: Type.Optional(TierCodes),
          enabled: Type.Optional(Type.Boolean()),
        }),
        response: { 201: RuleView, ...errors() },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const rule = await createGiftRule(db, accessOf(request), { trigger: b.trigger, templateId: b.template_id, minAmountFen: b.min_amount_fen, storeIds: b.store_ids, tierCodes: b.tier_codes, enabled: b.enabled });
      return reply.status(201).send(ruleView(rule));
    },
  );

  app.patch(
    '/membership/coupon-gift-rules/:giftRuleId',
    {
      schema: {
        tags,
        summary: 'Change a gift rule’s minimum, stores or switch it off (the template is fixed: add a new rule instead)',
        params: RuleParams,
        body: StrictObject({ min_amount_fen: Type.Optional(MinAmount), store_ids: Type.Optional(StoreIds), tier_codes: Type.Optional(TierCodes), enabled: Type.Optional(Type.Boolean()) }, { minProperties: 1 }),
        response: { 200: RuleView, ...errors() },
      },
    },
    async (request) => {
      const b = request.body;
      return ruleView(await updateGiftRule(db, accessOf(request), request.params.giftRuleId, { minAmountFen: b.min_amount_fen, storeIds: b.store_ids, tierCodes: b.tier_codes, enabled: b.enabled }));
    },
  );

  app.get(
    '/members/:memberId/coupon-gifts',
    { schema: { tags, summary: 'What the gift rules gave a member (or why not), newest first', params: MemberParams, response: { 200: Type.Object({ items: Type.Array(GiftView) }), ...errors() } } },
    async (request) => ({ items: (await listGiftsOfMember(db, accessOf(request), request.params.memberId)).map(giftView) }),
  );
}
