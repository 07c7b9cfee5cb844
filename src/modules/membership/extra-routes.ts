// Membership routes for the console and partners, apart from routes.ts so that they grow without
// touching the core API: the member directory search, coupon statistics, and partner-issued coupons.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { accessOf, errors, IdempotencyHeader, iso, Nullable, Page, PageQuery, StrictObject, Timestamp, type ModuleDeps } from '../../http/route-kit.js';
import { clampLimit } from '../platform/index.js';
import { couponCountsByTemplate, templateStats, type CouponCounts } from './coupon-stats.js';
import { searchMembers } from './member-search.js';
import { listPartnerTemplates, partnerIssue, setPartnerIssuing } from './partner-coupons.js';
import { CouponView, couponView, MemberView, memberView, membershipRoutes, TemplateView, templateView } from './routes.js';

const tags = ['membership'];
const TemplateParams = StrictObject({ templateId: Type.String({ pattern: '^cpt_[0-9a-z]{26}$', description: 'cpt_… id' }) });

const CountsFields = {
  template_id: Type.String(),
  issued: Type.Integer(),
  redeemed: Type.Integer(),
  voided: Type.Integer(),
  expired: Type.Integer({ description: 'unused and past validity' }),
  open: Type.Integer({ description: 'unused and still valid' }),
  redemption_rate_bps: Type.Integer({ description: 'redeemed ÷ issued, basis points' }),
};
const countsView = (c: CouponCounts) => ({
  template_id: c.templateId,
  issued: c.issued,
  redeemed: c.redeemed,
  voided: c.voided,
  expired: c.expired,
  open: c.open,
  redemption_rate_bps: c.redemptionRateBps,
});

export async function membershipExtraRoutes(instance: FastifyInstance, { db }: ModuleDeps): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/membership/member-search',
    {
      schema: {
        tags,
        summary: 'Find members by any identifier (card number, phone, member id, name, or a channel identifier resolved through ID+) and filters',
        querystring: Type.Object({
          q: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
          tier_code: Type.Optional(Type.String({ maxLength: 32, description: '"-" for members without a tier' })),
          status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('suspended')])),
          store_id: Type.Optional(Type.String({ pattern: '^sto_[0-9a-z]{26}$', description: 'the store they joined at' })),
          joined_from: Type.Optional(Timestamp),
          joined_to: Type.Optional(Timestamp),
          ...PageQuery,
        }),
        response: { 200: Page(MemberView), ...errors() },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = clampLimit(q.limit);
      const rows = await searchMembers(db, accessOf(request), {
        q: q.q,
        tierCode: q.tier_code,
        status: q.status,
        storeId: q.store_id,
        joinedFrom: q.joined_from ? new Date(q.joined_from) : undefined,
        joinedTo: q.joined_to ? new Date(q.joined_to) : undefined,
        after: q.after,
        limit,
      });
      const items = rows.slice(0, limit);
      return { items: items.map(memberView), next_cursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
    },
  );

  // ---- coupon statistics ----
  app.get(
    '/membership/coupon-stats',
    { schema: { tags, summary: 'Issued, redeemed, voided, expired and open coupons per template', response: { 200: Type.Object({ items: Type.Array(Type.Object(CountsFields)) }), ...errors() } } },
    async (request) => ({ items: (await couponCountsByTemplate(db, accessOf(request))).map(countsView) }),
  );
  app.get(
    '/membership/coupon-templates/:templateId/stats',
    {
      schema: {
        tags,
        summary: 'A template’s coupon statistics with a per-day series of issues and redemptions (merchant’s calendar days)',
        params: TemplateParams,
        querystring: Type.Object({ days: Type.Integer({ minimum: 1, maximum: 366, default: 30 }) }),
        response: {
          200: Type.Object({
            ...CountsFields,
            time_zone: Type.String(),
            series: Type.Array(Type.Object({ date: Type.String({ description: 'YYYY-MM-DD' }), issued: Type.Integer(), redeemed: Type.Integer() })),
          }),
          ...errors(),
        },
      },
    },
    async (request) => {
      const s = await templateStats(db, accessOf(request), request.params.templateId, request.query.days);
      return { ...countsView(s), time_zone: s.timeZone, series: s.series };
    },
  );

  // ---- partner-issued coupons ----
  app.put(
    '/membership/coupon-templates/:templateId/partner-issuing',
    {
      schema: {
        tags,
        summary: 'Let partners (API keys with the scope membership:coupons.issue) issue this template, or stop them',
        params: TemplateParams,
        body: StrictObject({ enabled: Type.Boolean() }),
        response: { 200: Type.Object({ template_id: Type.String(), enabled: Type.Boolean(), enabled_at: Nullable(Timestamp) }), ...errors() },
      },
    },
    async (request) => {
      const r = await setPartnerIssuing(db, accessOf(request), request.params.templateId, request.body.enabled);
      return { template_id: request.params.templateId, enabled: r.enabled, enabled_at: iso(r.enabledAt) };
    },
  );
  app.get(
    '/membership/partner/coupon-templates',
    {
      schema: {
        tags,
        summary: 'Templates the merchant enabled for partners (what a partner key may issue)',
        response: { 200: Type.Object({ items: Type.Array(Type.Object({ ...TemplateView.properties, partner_enabled_at: Timestamp })) }), ...errors() },
      },
    },
    async (request) => ({
      items: (await listPartnerTemplates(db, accessOf(request))).map((p) => ({ ...templateView(p.template), partner_enabled_at: p.enabledAt.toISOString() })),
    }),
  );
  app.post(
    '/membership/partner/coupon-templates/:templateId/issues',
    {
      schema: {
        tags,
        summary: 'A partner issues a coupon of an enabled template to a member (named by member id, card number or phone)',
        description: 'Needs an API key with the scope membership:coupons.issue (or *). `reference` is the partner’s own id for the issue and is applied once (409 duplicate_reference).',
        headers: IdempotencyHeader,
        params: TemplateParams,
        body: StrictObject({
          member_id: Type.Optional(Type.String({ pattern: '^mem_[0-9a-z]{26}$' })),
          card_number: Type.Optional(Type.String({ pattern: '^[0-9]{6,20}$' })),
          phone: Type.Optional(Type.String({ minLength: 5, maxLength: 20, pattern: '^[0-9+ -]+$' })),
          reference: Type.String({ minLength: 1, maxLength: 128 }),
        }),
        response: { 201: CouponView, ...errors(409) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const coupon = await partnerIssue(db, accessOf(request), request.params.templateId, { memberId: b.member_id, cardNumber: b.card_number, phone: b.phone, reference: b.reference });
      return reply.status(201).send(couponView(coupon));
    },
  );
}

/** The module's routes: the core API (routes.ts) and these. */
export async function membershipModuleRoutes(instance: FastifyInstance, deps: ModuleDeps): Promise<void> {
  await membershipRoutes(instance, deps);
  await membershipExtraRoutes(instance, deps);
}
