import { Type, type TString } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { accessOf, errors, IdempotencyHeader, iso, NoBody, Nullable, Page, PageQuery, StrictObject, Timestamp, type ModuleDeps } from '../../http/route-kit.js';
import { IDENTIFIER_KINDS } from '../identity/index.js';
import { clampLimit } from '../platform/index.js';
import { checkoutAndPay, getCheckout } from './checkout-payments.js';
import { COUPON_KINDS } from './coupon-eligibility.js';
import * as couponService from './coupons.js';
import { CheckoutPayment, CheckoutView, checkoutOutcomeView, paymentMethodOf } from './payment-routes.js';
import { checkLedgers } from './ledger-check.js';
import { memberIdOf } from './member-codes.js';
import * as memberService from './members.js';
import * as pointsService from './points-ledger.js';
import * as programService from './program.js';
import * as storedValueService from './stored-value.js';
import * as tierService from './tiers.js';

const tags = ['membership'];

function idParams<K extends string>(params: Record<K, string>) {
  const properties = {} as Record<K, TString>;
  for (const [name, prefix] of Object.entries(params) as [K, string][]) {
    properties[name] = Type.String({ pattern: `^${prefix}_[0-9a-z]{26}$`, description: `${prefix}_… id` });
  }
  return StrictObject(properties);
}
const MemberParams = idParams({ memberId: 'mem' });
const TemplateParams = idParams({ templateId: 'cpt' });
const CouponParams = idParams({ couponId: 'cpn' });

const Fen = Type.Integer({ minimum: 0, maximum: 100_000_000_000, description: 'fen (分)' });
const PositiveFen = Type.Integer({ minimum: 1, maximum: 100_000_000_000, description: 'fen (分)' });
const Bps = Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'basis points (10 000 = ×1 or 100 %)' });
const Reason = Type.String({ minLength: 1, maxLength: 500 });
const Reference = Type.String({ minLength: 1, maxLength: 128, description: 'an external reference (payment, order, refund): applied once' });
const StoreId = Type.String({ pattern: '^sto_[0-9a-z]{26}$' });
const Sku = Type.String({ minLength: 1, maxLength: 64, description: 'the merchant’s product code' });
const Points = Type.Integer({ minimum: 1, maximum: 1_000_000_000 });

const limitOf = (query: { limit?: number | undefined }) => clampLimit(query.limit);
function page<T extends { id: string }, V>(rows: T[], limit: number, view: (row: T) => V) {
  const items = rows.slice(0, limit);
  return { items: items.map(view), next_cursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
}

// ---- program and tiers ----

const CardDesign = StrictObject({
  title: Type.Optional(Type.String({ maxLength: 60 })),
  background_color: Type.Optional(Type.String({ pattern: '^#[0-9a-fA-F]{6}$' })),
  text_color: Type.Optional(Type.String({ pattern: '^#[0-9a-fA-F]{6}$' })),
  logo_url: Type.Optional(Type.String({ format: 'uri', maxLength: 500 })),
});
const JoinRules = Type.Object({ at_payment: Type.Boolean(), h5: Type.Boolean(), counter: Type.Boolean(), require_phone: Type.Boolean() });
const Multiplier = StrictObject({ id: Type.String({ minLength: 1, maxLength: 64 }), multiplier_bps: Bps });
const Promotion = StrictObject({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  multiplier_bps: Bps,
  starts_at: Timestamp,
  ends_at: Timestamp,
  store_ids: Nullable(Type.Array(StoreId, { maxItems: 200 })),
});
const EarnConfig = Type.Object({
  product_multipliers: Type.Array(Multiplier),
  category_multipliers: Type.Array(Multiplier),
  promotions: Type.Array(Promotion),
  stack_promotions: Type.Boolean(),
  event_points: Type.Record(Type.String(), Type.Integer({ minimum: 0 })),
});
const TopUpPlan = StrictObject({ pay_fen: PositiveFen, bonus_fen: Fen });
const TierBasis = Type.Union([Type.Literal('points_earned'), Type.Literal('spend')]);
const DowngradeMode = Type.Union([Type.Literal('none'), Type.Literal('automatic'), Type.Literal('after_days')]);

const ProgramView = Type.Object({
  name: Type.String(),
  card_design: Type.Object({}, { additionalProperties: true }),
  join_rules: JoinRules,
  consent_version: Type.String(),
  points_per_yuan: Type.Integer(),
  points_pending_days: Type.Integer(),
  points_expiry_days: Nullable(Type.Integer()),
  allow_negative_points: Type.Boolean(),
  redeem_points_per_yuan: Type.Integer(),
  earn_config: EarnConfig,
  stored_value_cap_fen: Type.Integer(),
  escrow_ratio_bps: Type.Integer(),
  top_up_plans: Type.Array(Type.Object({ pay_fen: Type.Integer(), bonus_fen: Type.Integer() })),
  top_up_earns_points: Type.Boolean({ description: 'a paid top-up earns points on its principal (off: spending the value earns them)' }),
  retro_earn_hours: Type.Integer({ description: 'a payer who joins within this many hours after paying earns that payment' }),
  tier_basis: Type.String(),
  tier_window_days: Type.Integer(),
  tier_downgrade_mode: Type.String(),
  tier_downgrade_after_days: Type.Integer(),
  saved: Type.Boolean({ description: 'false while the merchant runs on the defaults' }),
});
const programView = (p: programService.Program) => ({
  name: p.name,
  card_design: p.cardDesign,
  join_rules: p.joinRules,
  consent_version: p.consentVersion,
  points_per_yuan: p.pointsPerYuan,
  points_pending_days: p.pointsPendingDays,
  points_expiry_days: p.pointsExpiryDays,
  allow_negative_points: p.allowNegativePoints,
  redeem_points_per_yuan: p.redeemPointsPerYuan,
  earn_config: p.earnConfig,
  stored_value_cap_fen: p.storedValueCapFen,
  escrow_ratio_bps: p.escrowRatioBps,
  top_up_plans: p.topUpPlans,
  top_up_earns_points: p.topUpEarnsPoints,
  retro_earn_hours: p.retroEarnHours,
  tier_basis: p.tierBasis,
  tier_window_days: p.tierWindowDays,
  tier_downgrade_mode: p.tierDowngradeMode,
  tier_downgrade_after_days: p.tierDowngradeAfterDays,
  saved: p.createdAt.getTime() > 0,
});
const ProgramPatch = StrictObject(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    card_design: Type.Optional(CardDesign),
    join_rules: Type.Optional(StrictObject({ at_payment: Type.Optional(Type.Boolean()), h5: Type.Optional(Type.Boolean()), counter: Type.Optional(Type.Boolean()), require_phone: Type.Optional(Type.Boolean()) })),
    consent_version: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    points_per_yuan: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
    points_pending_days: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 })),
    points_expiry_days: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 3650 }))),
    allow_negative_points: Type.Optional(Type.Boolean()),
    redeem_points_per_yuan: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    earn_config: Type.Optional(
      StrictObject({
        product_multipliers: Type.Optional(Type.Array(Multiplier, { maxItems: 1000 })),
        category_multipliers: Type.Optional(Type.Array(Multiplier, { maxItems: 1000 })),
        promotions: Type.Optional(Type.Array(Promotion, { maxItems: 100 })),
        stack_promotions: Type.Optional(Type.Boolean()),
        event_points: Type.Optional(Type.Record(Type.String({ maxLength: 40 }), Type.Integer({ minimum: 0, maximum: 1_000_000 }))),
      }),
    ),
    stored_value_cap_fen: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000 })),
    escrow_ratio_bps: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
    top_up_plans: Type.Optional(Type.Array(TopUpPlan, { maxItems: 20 })),
    top_up_earns_points: Type.Optional(Type.Boolean()),
    retro_earn_hours: Type.Optional(Type.Integer({ minimum: 0, maximum: 720 })),
    tier_basis: Type.Optional(TierBasis),
    tier_window_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
    tier_downgrade_mode: Type.Optional(DowngradeMode),
    tier_downgrade_after_days: Type.Optional(Type.Integer({ minimum: 0, maximum: 3650 })),
  },
  { minProperties: 1 },
);

const TierBody = StrictObject({
  code: Type.String({ minLength: 1, maxLength: 32, pattern: '^[a-z0-9_-]+$' }),
  name: Type.String({ minLength: 1, maxLength: 60 }),
  rank: Type.Integer({ minimum: 0, maximum: 100 }),
  threshold: Type.Integer({ minimum: 0, maximum: 100_000_000_000, description: 'points earned, or fen spent, in the window' }),
  points_multiplier_bps: Type.Optional(Bps),
  discount_bps: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
  birthday_gift: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
});
const TierView = Type.Object({
  code: Type.String(),
  name: Type.String(),
  rank: Type.Integer(),
  threshold: Type.Integer(),
  points_multiplier_bps: Type.Integer(),
  discount_bps: Type.Integer(),
  birthday_gift: Nullable(Type.String()),
});
const tierView = (t: programService.TierRow) => ({
  code: t.code,
  name: t.name,
  rank: t.rank,
  threshold: t.threshold,
  points_multiplier_bps: t.pointsMultiplierBps,
  discount_bps: t.discountBps,
  birthday_gift: t.birthdayGift,
});

// ---- members ----

const IdentifierBody = StrictObject({
  kind: Type.Union(IDENTIFIER_KINDS.map((k) => Type.Literal(k))),
  value: Type.String({ minLength: 1, maxLength: 300 }),
  app_id: Type.Optional(Type.String({ maxLength: 64 })),
});
const Phone = Type.String({ minLength: 5, maxLength: 20, pattern: '^[0-9+ -]+$' });
const Birthday = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
const Purposes = Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { minItems: 1, maxItems: 20, description: 'must include "membership"; marketing is a separate opt-in' });

export const MemberView = Type.Object({
  id: Type.String(),
  person_id: Nullable(Type.String()),
  card_number: Type.String(),
  phone: Nullable(Type.String()),
  display_name: Nullable(Type.String()),
  birthday: Nullable(Type.String()),
  identifiers: Type.Array(Type.Object({ kind: Type.String(), value: Type.String() })),
  join_channel: Type.String(),
  store_id: Nullable(Type.String()),
  joined_at: Timestamp,
  consent_version: Type.String(),
  consent_purposes: Type.Array(Type.String()),
  marketing_opt_in: Type.Boolean(),
  marketing_opt_in_at: Nullable(Timestamp),
  status: Type.String(),
  tier: Type.Object({
    code: Nullable(Type.String()),
    since: Nullable(Timestamp),
    below_since: Nullable(Timestamp),
    floor: Nullable(Type.Object({ code: Type.String(), expires_at: Nullable(Timestamp), reason: Nullable(Type.String()) })),
  }),
});
export const memberView = (m: memberService.MemberRow) => ({
  id: m.id,
  person_id: m.personId,
  card_number: m.cardNumber,
  phone: m.phone,
  display_name: m.displayName,
  birthday: m.birthday,
  identifiers: m.identifiers,
  join_channel: m.joinChannel,
  store_id: m.storeId,
  joined_at: m.joinedAt.toISOString(),
  consent_version: m.consentVersion,
  consent_purposes: m.consentPurposes,
  marketing_opt_in: m.marketingOptIn,
  marketing_opt_in_at: iso(m.marketingOptInAt),
  status: m.status,
  tier: {
    code: m.tierCode,
    since: iso(m.tierSince),
    below_since: iso(m.tierBelowSince),
    floor: m.tierFloorCode ? { code: m.tierFloorCode, expires_at: iso(m.tierFloorExpiresAt), reason: m.tierFloorReason } : null,
  },
});
const TierChangeView = Type.Object({
  id: Type.String(),
  from_tier: Nullable(Type.String()),
  to_tier: Nullable(Type.String()),
  reason: Type.String(),
  detail: Nullable(Type.String()),
  metric: Nullable(Type.Integer()),
  actor_id: Type.String(),
  occurred_at: Timestamp,
});

// ---- points ----

const BalanceFields = {
  total: Type.Integer({ description: 'Σ ledger entries' }),
  available: Type.Integer({ description: 'spendable now; negative is debt' }),
  pending: Type.Integer(),
  expired_unswept: Type.Integer(),
  debt: Type.Integer(),
};
const BalanceView = Type.Object(BalanceFields);
const balanceView = (b: { total: number; available: number; pending: number; expiredUnswept: number; debt: number }) => ({
  total: b.total,
  available: b.available,
  pending: b.pending,
  expired_unswept: b.expiredUnswept,
  debt: b.debt,
});
const PointsSummaryView = Type.Object({ ...BalanceFields, cached: Type.Integer(), next_expiry: Nullable(Type.Object({ at: Timestamp, points: Type.Integer() })) });
const PointsEntryView = Type.Object({
  id: Type.String(),
  lot_id: Type.String(),
  operation_id: Type.String(),
  type: Type.String(),
  delta: Type.Integer(),
  reason: Nullable(Type.String()),
  reference: Nullable(Type.String()),
  actor_id: Type.String(),
  occurred_at: Timestamp,
});
const pointsEntryView = (e: pointsService.PointsEntryRow) => ({
  id: e.id,
  lot_id: e.lotId,
  operation_id: e.operationId,
  type: e.type,
  delta: e.delta,
  reason: e.reason,
  reference: e.reference,
  actor_id: e.actorId,
  occurred_at: e.occurredAt.toISOString(),
});
const PointsOperationView = Type.Object({
  operation_id: Type.String(),
  points: Type.Integer(),
  lot_id: Nullable(Type.String()),
  shortfall: Type.Integer({ description: 'points a reversal could not take back (the program forbids debt)' }),
  entries: Type.Array(PointsEntryView),
  balance: BalanceView,
});
const operationView = (r: pointsService.PointsOperationResult) => ({
  operation_id: r.operationId,
  points: r.points,
  lot_id: r.lotId,
  shortfall: r.shortfall,
  entries: r.entries.map(pointsEntryView),
  balance: balanceView(r.balance),
});
const LotView = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  points: Type.Integer(),
  remaining: Type.Integer(),
  earned_at: Timestamp,
  available_at: Timestamp,
  expires_at: Nullable(Timestamp),
  source: Type.String(),
  source_ref: Nullable(Type.String()),
});
const PurchaseLineBody = StrictObject({
  product_sku: Type.Optional(Sku),
  category: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  net_fen: Fen,
});

// ---- stored value ----

const AccountView = Type.Object({
  id: Type.String(),
  member_id: Type.String(),
  principal_fen: Type.Integer(),
  bonus_fen: Type.Integer(),
  balance_fen: Type.Integer(),
  cap_fen: Type.Integer(),
  status: Type.String(),
});
const accountView = (a: storedValueService.StoredValueAccountRow, capFen: number) => ({
  id: a.id,
  member_id: a.memberId,
  principal_fen: a.principalFen,
  bonus_fen: a.bonusFen,
  balance_fen: a.principalFen + a.bonusFen,
  cap_fen: capFen,
  status: a.status,
});
const SvEntryView = Type.Object({
  id: Type.String(),
  type: Type.String(),
  principal_fen: Type.Integer({ description: 'signed change of principal' }),
  bonus_fen: Type.Integer({ description: 'signed change of bonus' }),
  payment_reference: Nullable(Type.String()),
  reference: Nullable(Type.String()),
  spend_entry_id: Nullable(Type.String()),
  store_id: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  actor_id: Type.String(),
  occurred_at: Timestamp,
});
const svEntryView = (e: storedValueService.StoredValueEntryRow) => ({
  id: e.id,
  type: e.type,
  principal_fen: e.principalDelta,
  bonus_fen: e.bonusDelta,
  payment_reference: e.paymentReference,
  reference: e.reference,
  spend_entry_id: e.spendEntryId,
  store_id: e.storeId,
  reason: e.reason,
  actor_id: e.actorId,
  occurred_at: e.occurredAt.toISOString(),
});
const SvResultView = Type.Object({ entry: SvEntryView, account: Type.Object({ principal_fen: Type.Integer(), bonus_fen: Type.Integer(), balance_fen: Type.Integer() }) });
const svResultView = (r: storedValueService.StoredValueResult) => ({
  entry: svEntryView(r.entry),
  account: { principal_fen: r.account.principalFen, bonus_fen: r.account.bonusFen, balance_fen: r.account.principalFen + r.account.bonusFen },
});

// ---- coupons ----

const CouponKind = Type.Union(COUPON_KINDS.map((k) => Type.Literal(k)));
const Validity = Type.Union([
  StrictObject({ kind: Type.Literal('fixed'), from: Timestamp, until: Timestamp }),
  StrictObject({ kind: Type.Literal('relative'), days: Type.Integer({ minimum: 1, maximum: 3650 }) }),
]);
const TemplateBody = StrictObject({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  description: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
  kind: CouponKind,
  value_fen: Type.Optional(Nullable(PositiveFen)),
  percent_bps: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 10_000 }))),
  cap_fen: Type.Optional(Nullable(Fen)),
  min_spend_fen: Type.Optional(Nullable(Fen)),
  product_sku: Type.Optional(Nullable(Sku)),
  exchange_price_fen: Type.Optional(Nullable(Fen)),
  store_ids: Type.Optional(Nullable(Type.Array(StoreId, { maxItems: 200 }))),
  product_skus: Type.Optional(Nullable(Type.Array(Sku, { maxItems: 1000 }))),
  stackable: Type.Optional(Type.Boolean({ default: false })),
  validity: Validity,
  stock: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 100_000_000 }))),
  per_member_limit: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 10_000 }))),
});
export const TemplateView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  kind: Type.String(),
  value_fen: Nullable(Type.Integer()),
  percent_bps: Nullable(Type.Integer()),
  cap_fen: Nullable(Type.Integer()),
  min_spend_fen: Nullable(Type.Integer()),
  product_sku: Nullable(Type.String()),
  exchange_price_fen: Nullable(Type.Integer()),
  store_ids: Nullable(Type.Array(Type.String())),
  product_skus: Nullable(Type.Array(Type.String())),
  stackable: Type.Boolean(),
  validity: Type.Object({ kind: Type.String(), from: Nullable(Timestamp), until: Nullable(Timestamp), days: Nullable(Type.Integer()) }),
  stock: Nullable(Type.Integer()),
  issued_count: Type.Integer(),
  per_member_limit: Nullable(Type.Integer()),
  status: Type.String(),
  created_at: Timestamp,
});
export const templateView = (t: couponService.CouponTemplateRow) => ({
  id: t.id,
  name: t.name,
  description: t.description,
  kind: t.kind,
  value_fen: t.valueFen,
  percent_bps: t.percentBps,
  cap_fen: t.capFen,
  min_spend_fen: t.minSpendFen,
  product_sku: t.productSku,
  exchange_price_fen: t.exchangePriceFen,
  store_ids: t.storeIds,
  product_skus: t.productSkus,
  stackable: t.stackable,
  validity: { kind: t.validityKind, from: iso(t.validFrom), until: iso(t.validUntil), days: t.validDays },
  stock: t.stock,
  issued_count: t.issuedCount,
  per_member_limit: t.perMemberLimit,
  status: t.status,
  created_at: t.createdAt.toISOString(),
});
export const CouponView = Type.Object({
  id: Type.String(),
  template_id: Type.String(),
  member_id: Type.String(),
  code: Type.String(),
  status: Type.String({ description: 'issued | locked | redeemed | expired | void, as of now' }),
  issued_at: Timestamp,
  valid_from: Timestamp,
  valid_until: Timestamp,
  issue_source: Type.String(),
  lock_holder: Nullable(Type.String()),
  locked_until: Nullable(Timestamp),
  redeemed_at: Nullable(Timestamp),
  redeemed_store_id: Nullable(Type.String()),
  redemption_reference: Nullable(Type.String()),
  discount_fen: Nullable(Type.Integer()),
  voided_at: Nullable(Timestamp),
  void_reason: Nullable(Type.String()),
});
export const couponView = (c: couponService.CouponRow) => {
  const status = couponService.effectiveStatus(c, new Date());
  return {
    id: c.id,
    template_id: c.templateId,
    member_id: c.memberId,
    code: c.code,
    status,
    issued_at: c.issuedAt.toISOString(),
    valid_from: c.validFrom.toISOString(),
    valid_until: c.validUntil.toISOString(),
    issue_source: c.issueSource,
    lock_holder: status === 'locked' ? c.lockHolder : null,
    locked_until: status === 'locked' ? iso(c.lockedUntil) : null,
    redeemed_at: iso(c.redeemedAt),
    redeemed_store_id: c.redeemedStoreId,
    redemption_reference: c.redemptionReference,
    discount_fen: c.discountFen,
    voided_at: iso(c.voidedAt),
    void_reason: c.voidReason,
  };
};
const CheckoutLineBody = StrictObject({
  product_sku: Type.Optional(Sku),
  category: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  unit_price_fen: Fen,
  quantity: Type.Integer({ minimum: 1, maximum: 10_000 }),
});
const UseBody = {
  store_id: StoreId,
  amount_fen: PositiveFen,
  lines: Type.Optional(Type.Array(CheckoutLineBody, { maxItems: 500 })),
};
const toCheckoutLines = (lines: { product_sku?: string | undefined; unit_price_fen: number; quantity: number }[] | undefined) =>
  lines?.map((l) => ({ productId: l.product_sku, unitPriceFen: l.unit_price_fen, quantity: l.quantity }));
const Holder = Type.String({ minLength: 1, maxLength: 128, description: 'who holds the lock: the checkout or order' });

// ---- checkout ----

const CheckoutBody = StrictObject({
  member_id: Type.Optional(Type.String({ pattern: '^mem_[0-9a-z]{26}$', description: 'the member; or member_code' })),
  member_code: Type.Optional(Type.String({ pattern: '^\\s*[0-9]{12,26}\\s*$', description: 'the dynamic code scanned from the member card, instead of member_id' })),
  store_id: StoreId,
  reference: Reference,
  amount_fen: Type.Optional(PositiveFen),
  lines: Type.Optional(Type.Array(CheckoutLineBody, { minItems: 1, maxItems: 500 })),
  coupon_ids: Type.Optional(Type.Array(Type.String({ pattern: '^cpn_[0-9a-z]{26}$' }), { maxItems: 10 })),
  points: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000, description: 'points to spend as payment' })),
  stored_value_fen: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000_000, description: 'stored value to spend; at most what is left' })),
  payment: Type.Optional(CheckoutPayment),
});

export async function membershipRoutes(instance: FastifyInstance, { db, config }: ModuleDeps): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  // ---- program ----
  app.get('/membership/program', { schema: { tags, summary: 'The membership program (defaults until saved)', response: { 200: ProgramView, ...errors() } } }, async (request) =>
    programView(await programService.getProgram(db, accessOf(request))),
  );
  app.patch('/membership/program', { schema: { tags, summary: 'Update the membership program', body: ProgramPatch, response: { 200: ProgramView, ...errors() } } }, async (request) => {
    const b = request.body;
    return programView(
      await programService.updateProgram(db, accessOf(request), {
        name: b.name,
        cardDesign: b.card_design,
        joinRules: b.join_rules,
        consentVersion: b.consent_version,
        pointsPerYuan: b.points_per_yuan,
        pointsPendingDays: b.points_pending_days,
        pointsExpiryDays: b.points_expiry_days,
        allowNegativePoints: b.allow_negative_points,
        redeemPointsPerYuan: b.redeem_points_per_yuan,
        earnConfig: b.earn_config,
        storedValueCapFen: b.stored_value_cap_fen,
        escrowRatioBps: b.escrow_ratio_bps,
        topUpPlans: b.top_up_plans,
        topUpEarnsPoints: b.top_up_earns_points,
        retroEarnHours: b.retro_earn_hours,
        tierBasis: b.tier_basis,
        tierWindowDays: b.tier_window_days,
        tierDowngradeMode: b.tier_downgrade_mode,
        tierDowngradeAfterDays: b.tier_downgrade_after_days,
      }),
    );
  });

  app.get('/membership/tiers', { schema: { tags, summary: 'The tier ladder', response: { 200: Type.Object({ items: Type.Array(TierView) }), ...errors() } } }, async (request) => ({
    items: (await programService.listTiers(db, accessOf(request))).map(tierView),
  }));
  app.put(
    '/membership/tiers',
    { schema: { tags, summary: 'Replace the tier ladder', body: StrictObject({ tiers: Type.Array(TierBody, { maxItems: 20 }) }), response: { 200: Type.Object({ items: Type.Array(TierView) }), ...errors(409) } } },
    async (request) => {
      const tiers = request.body.tiers.map((t) => ({
        code: t.code,
        name: t.name,
        rank: t.rank,
        threshold: t.threshold,
        pointsMultiplierBps: t.points_multiplier_bps ?? 10_000,
        discountBps: t.discount_bps ?? 0,
        birthdayGift: t.birthday_gift ?? null,
      }));
      const rows = await programService.replaceTiers(db, accessOf(request), tiers, (tx) => memberService.heldTierCodes(tx, accessOf(request)));
      return { items: rows.map(tierView) };
    },
  );
  app.post(
    '/membership/tiers/evaluate',
    { schema: { tags, summary: 'Re-evaluate every member’s tier now (rolling windows, downgrades, expired floors)', body: NoBody, response: { 200: Type.Object({ evaluated: Type.Integer(), changed: Type.Integer() }), ...errors() } } },
    async (request) => tierService.evaluateAllTiers(db, accessOf(request)),
  );
  app.post(
    '/membership/points/expire',
    { schema: { tags, summary: 'Sweep expired points lots now', body: NoBody, response: { 200: Type.Object({ members: Type.Integer(), points: Type.Integer() }), ...errors() } } },
    async (request) => pointsService.expirePoints(db, accessOf(request)),
  );
  app.get(
    '/membership/ledger-check',
    {
      schema: {
        tags,
        summary: 'Check that every cached balance equals the sum of its entries',
        response: {
          200: Type.Object({
            ok: Type.Boolean(),
            points_accounts: Type.Integer(),
            points_lots: Type.Integer(),
            stored_value_accounts: Type.Integer(),
            mismatches: Type.Array(Type.Object({ kind: Type.String(), id: Type.String(), cached: Type.Integer(), sum_of_entries: Type.Integer() })),
          }),
          ...errors(),
        },
      },
    },
    async (request) => {
      const c = await checkLedgers(db, accessOf(request));
      return {
        ok: c.ok,
        points_accounts: c.pointsAccounts,
        points_lots: c.pointsLots,
        stored_value_accounts: c.storedValueAccounts,
        mismatches: c.mismatches.map((m) => ({ kind: m.kind, id: m.id, cached: m.cached, sum_of_entries: m.sumOfEntries })),
      };
    },
  );
  app.get(
    '/membership/stored-value/escrow-report',
    {
      schema: {
        tags,
        summary: 'Escrow (存管) owed: outstanding principal at the quarter’s end × the configured ratio',
        querystring: Type.Object({ quarter: Type.Optional(Type.String({ pattern: '^\\d{4}Q[1-4]$', description: 'e.g. 2026Q3; default: the last quarter that ended' })) }),
        response: {
          200: Type.Object({
            quarter: Type.String(),
            as_of: Timestamp,
            outstanding_principal_fen: Type.Integer(),
            outstanding_bonus_fen: Type.Integer(),
            ratio_bps: Type.Integer(),
            required_escrow_fen: Type.Integer(),
            accounts: Type.Integer({ description: 'cards with entries before the quarter’s end' }),
          }),
          ...errors(),
        },
      },
    },
    async (request) => {
      const r = await storedValueService.escrowReport(db, accessOf(request), request.query.quarter ?? lastEndedQuarter(new Date()));
      return {
        quarter: r.quarter,
        as_of: r.asOf.toISOString(),
        outstanding_principal_fen: r.outstandingPrincipalFen,
        outstanding_bonus_fen: r.outstandingBonusFen,
        ratio_bps: r.ratioBps,
        required_escrow_fen: r.requiredEscrowFen,
        accounts: r.accounts,
      };
    },
  );

  // ---- members ----
  app.post(
    '/members',
    {
      schema: {
        tags,
        summary: 'Enrol a member (staff at the counter, the H5 page, or at payment)',
        description: 'Phone and channel identifiers resolve a person through identity (ID+); the consent version and purposes are recorded; marketing is a separate opt-in.',
        headers: IdempotencyHeader,
        body: StrictObject({
          phone: Type.Optional(Phone),
          display_name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          birthday: Type.Optional(Birthday),
          identifiers: Type.Optional(Type.Array(IdentifierBody, { maxItems: 10 })),
          card_number: Type.Optional(Type.String({ pattern: '^[0-9]{6,20}$' })),
          store_id: Type.Optional(StoreId),
          join_channel: Type.Optional(Type.Union([Type.Literal('counter'), Type.Literal('h5'), Type.Literal('payment')], { default: 'counter' })),
          consent_version: Type.String({ minLength: 1, maxLength: 40 }),
          consent_purposes: Purposes,
          marketing_opt_in: Type.Optional(Type.Boolean({ default: false })),
        }),
        response: { 201: MemberView, ...errors(409) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const { member } = await memberService.enrolMember(db, accessOf(request), {
        phone: b.phone,
        displayName: b.display_name,
        birthday: b.birthday,
        identifiers: b.identifiers?.map((i) => ({ kind: i.kind, value: i.value, appId: i.app_id })),
        cardNumber: b.card_number,
        storeId: b.store_id,
        joinChannel: b.join_channel ?? 'counter',
        consentVersion: b.consent_version,
        consentPurposes: b.consent_purposes,
        marketingOptIn: b.marketing_opt_in ?? false,
      });
      return reply.status(201).send(memberView(member));
    },
  );
  app.get(
    '/members',
    {
      schema: {
        tags,
        summary: 'List and search members (card number, phone, name or id)',
        querystring: Type.Object({
          q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          tier_code: Type.Optional(Type.String({ maxLength: 32 })),
          status: Type.Optional(Type.String({ maxLength: 20 })),
          person_id: Type.Optional(Type.String({ maxLength: 40 })),
          ...PageQuery,
        }),
        response: { 200: Page(MemberView), ...errors() },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = limitOf(q);
      const rows = await memberService.listMembers(db, accessOf(request), { q: q.q, tierCode: q.tier_code, status: q.status, personId: q.person_id, after: q.after, limit });
      return page(rows, limit, memberView);
    },
  );
  app.get('/members/:memberId', { schema: { tags, summary: 'A member', params: MemberParams, response: { 200: MemberView, ...errors() } } }, async (request) =>
    memberView(await memberService.getMember(db, accessOf(request), request.params.memberId)),
  );
  app.patch(
    '/members/:memberId',
    {
      schema: {
        tags,
        summary: 'Update a member’s profile, consent or marketing opt-in',
        params: MemberParams,
        body: StrictObject(
          {
            display_name: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 100 }))),
            birthday: Type.Optional(Nullable(Birthday)),
            marketing_opt_in: Type.Optional(Type.Boolean()),
            consent_version: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
            consent_purposes: Type.Optional(Purposes),
            status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('suspended')])),
          },
          { minProperties: 1 },
        ),
        response: { 200: MemberView, ...errors(409) },
      },
    },
    async (request) => {
      const b = request.body;
      return memberView(
        await memberService.updateMember(db, accessOf(request), request.params.memberId, {
          displayName: b.display_name,
          birthday: b.birthday,
          marketingOptIn: b.marketing_opt_in,
          consentVersion: b.consent_version,
          consentPurposes: b.consent_purposes,
          status: b.status,
        }),
      );
    },
  );
  app.put(
    '/members/:memberId/tier-floor',
    {
      schema: {
        tags,
        summary: 'Set (or clear, with tier_code null) a manual tier: a floor with an expiry and a reason',
        params: MemberParams,
        body: StrictObject({ tier_code: Nullable(Type.String({ minLength: 1, maxLength: 32 })), expires_at: Type.Optional(Nullable(Timestamp)), reason: Reason }),
        response: { 200: MemberView, ...errors() },
      },
    },
    async (request) => {
      const ctx = accessOf(request);
      const b = request.body;
      await tierService.setTierFloor(db, ctx, request.params.memberId, { tierCode: b.tier_code, expiresAt: b.expires_at ? new Date(b.expires_at) : null, reason: b.reason });
      return memberView(await memberService.getMember(db, ctx, request.params.memberId));
    },
  );
  app.get(
    '/members/:memberId/tier-history',
    { schema: { tags, summary: 'A member’s tier changes, newest first', params: MemberParams, querystring: Type.Object(PageQuery), response: { 200: Page(TierChangeView), ...errors() } } },
    async (request) => {
      const ctx = accessOf(request);
      await memberService.getMember(db, ctx, request.params.memberId);
      const limit = limitOf(request.query);
      const rows = await tierService.listTierHistory(db, ctx, request.params.memberId, { after: request.query.after, limit });
      return page(rows, limit, (h) => ({
        id: h.id,
        from_tier: h.fromTier,
        to_tier: h.toTier,
        reason: h.reason,
        detail: h.detail,
        metric: h.metric,
        actor_id: h.actorId,
        occurred_at: h.occurredAt.toISOString(),
      }));
    },
  );

  // ---- points ----
  app.get('/members/:memberId/points', { schema: { tags, summary: 'Points balance: available, pending, debt, next expiry', params: MemberParams, response: { 200: PointsSummaryView, ...errors() } } }, async (request) => {
    const s = await pointsService.getPointsBalance(db, accessOf(request), request.params.memberId);
    return { ...balanceView(s), cached: s.cached, next_expiry: s.nextExpiry ? { at: s.nextExpiry.at.toISOString(), points: s.nextExpiry.points } : null };
  });
  app.get(
    '/members/:memberId/points/entries',
    { schema: { tags, summary: 'The points ledger, newest first', params: MemberParams, querystring: Type.Object(PageQuery), response: { 200: Page(PointsEntryView), ...errors() } } },
    async (request) => {
      const limit = limitOf(request.query);
      return page(await pointsService.listPointsEntries(db, accessOf(request), request.params.memberId, { after: request.query.after, limit }), limit, pointsEntryView);
    },
  );
  app.get(
    '/members/:memberId/points/lots',
    { schema: { tags, summary: 'Points lots with their pending and expiry dates', params: MemberParams, querystring: Type.Object(PageQuery), response: { 200: Page(LotView), ...errors() } } },
    async (request) => {
      const limit = limitOf(request.query);
      return page(await pointsService.listPointsLots(db, accessOf(request), request.params.memberId, { after: request.query.after, limit }), limit, (l) => ({
        id: l.id,
        kind: l.kind,
        points: l.points,
        remaining: l.remaining,
        earned_at: l.earnedAt.toISOString(),
        available_at: l.availableAt.toISOString(),
        expires_at: iso(l.expiresAt),
        source: l.source,
        source_ref: l.sourceRef,
      }));
    },
  );
  app.post(
    '/members/:memberId/points/earn',
    {
      schema: {
        tags,
        summary: 'Earn points: by rule from a purchase (amount_fen or lines, with its reference), or a number of points with a reason',
        headers: IdempotencyHeader,
        params: MemberParams,
        body: StrictObject({
          points: Type.Optional(Points),
          reason: Type.Optional(Reason),
          amount_fen: Type.Optional(Fen),
          lines: Type.Optional(Type.Array(PurchaseLineBody, { minItems: 1, maxItems: 500 })),
          store_id: Type.Optional(StoreId),
          reference: Type.Optional(Reference),
        }),
        response: { 200: PointsOperationView, ...errors(409) },
      },
    },
    async (request) => {
      const b = request.body;
      return operationView(
        await pointsService.earnPoints(db, accessOf(request), request.params.memberId, {
          points: b.points,
          reason: b.reason,
          amountFen: b.amount_fen,
          lines: b.lines?.map((l) => ({ productId: l.product_sku, categoryId: l.category, netFen: l.net_fen })),
          storeId: b.store_id,
          reference: b.reference,
        }),
      );
    },
  );
  app.post(
    '/members/:memberId/points/adjust',
    {
      schema: {
        tags,
        summary: 'Adjust points with a reason (positive credits a lot, negative burns oldest first)',
        headers: IdempotencyHeader,
        params: MemberParams,
        body: StrictObject({ points: Type.Integer({ minimum: -1_000_000_000, maximum: 1_000_000_000, not: { const: 0 } }), reason: Reason, reference: Type.Optional(Reference) }),
        response: { 200: PointsOperationView, ...errors(409) },
      },
    },
    async (request) => operationView(await pointsService.adjustPoints(db, accessOf(request), request.params.memberId, request.body)),
  );
  app.post(
    '/members/:memberId/points/spend',
    {
      schema: {
        tags,
        summary: 'Spend points (oldest lots first)',
        headers: IdempotencyHeader,
        params: MemberParams,
        body: StrictObject({ points: Points, reason: Type.Optional(Reason), reference: Type.Optional(Reference), store_id: Type.Optional(StoreId) }),
        response: { 200: PointsOperationView, ...errors(409) },
      },
    },
    async (request) => {
      const b = request.body;
      return operationView(await pointsService.spendPoints(db, accessOf(request), request.params.memberId, { points: b.points, reason: b.reason, reference: b.reference, storeId: b.store_id }));
    },
  );
  app.post(
    '/members/:memberId/points/reversals',
    {
      schema: {
        tags,
        summary: 'Reverse the points a refunded part of a purchase earned (exactly)',
        headers: IdempotencyHeader,
        params: MemberParams,
        body: StrictObject({
          reference: Reference,
          refund_reference: Reference,
          refund_amount_fen: Type.Optional(PositiveFen),
          refund_lines: Type.Optional(Type.Array(Fen, { minItems: 1, maxItems: 500, description: 'fen refunded per purchase line, in its order' })),
        }),
        response: { 200: PointsOperationView, ...errors(409) },
      },
    },
    async (request) => {
      const b = request.body;
      return operationView(
        await pointsService.reversePoints(db, accessOf(request), request.params.memberId, { reference: b.reference, refundReference: b.refund_reference, refundAmountFen: b.refund_amount_fen, refundLines: b.refund_lines }),
      );
    },
  );

  // ---- stored value ----
  app.get('/members/:memberId/stored-value', { schema: { tags, summary: 'The member’s stored-value card (储值)', params: MemberParams, response: { 200: AccountView, ...errors() } } }, async (request) => {
    const a = await storedValueService.getStoredValue(db, accessOf(request), request.params.memberId);
    return accountView(a, a.effectiveCapFen);
  });
  app.get(
    '/members/:memberId/stored-value/entries',
    { schema: { tags, summary: 'The stored-value ledger, newest first', params: MemberParams, querystring: Type.Object(PageQuery), response: { 200: Page(SvEntryView), ...errors() } } },
    async (request) => {
      const limit = limitOf(request.query);
      return page(await storedValueService.listStoredValueEntries(db, accessOf(request), request.params.memberId, { after: request.query.after, limit }), limit, svEntryView);
    },
  );
  app.post(
    '/members/:memberId/stored-value/top-ups',
    {
      schema: {
        tags,
        summary: 'Top up the card (bonus from the program’s top-up plans; cap enforced)',
        description: 'The top-up is recorded against the payment that paid for it (payment_reference, applied once).',
        headers: IdempotencyHeader,
        params: MemberParams,
        body: StrictObject({ amount_fen: PositiveFen, payment_reference: Reference, store_id: Type.Optional(StoreId) }),
        response: { 200: Type.Object({ ...SvResultView.properties, bonus_fen: Type.Integer() }), ...errors(409) },
      },
    },
    async (request) => {
      const b = request.body;
      const r = await storedValueService.topUp(db, accessOf(request), request.params.memberId, { amountFen: b.amount_fen, paymentReference: b.payment_reference, storeId: b.store_id });
      return { ...svResultView(r), bonus_fen: r.bonusFen };
    },
  );
  app.post(
    '/members/:memberId/stored-value/spends',
    {
      schema: {
        tags,
        summary: 'Spend stored value (principal and bonus in proportion)',
        headers: IdempotencyHeader,
        params: MemberParams,
        body: StrictObject({ amount_fen: PositiveFen, store_id: Type.Optional(StoreId), reference: Type.Optional(Reference) }),
        response: { 200: SvResultView, ...errors(409) },
      },
    },
    async (request) => {
      const b = request.body;
      return svResultView(await storedValueService.spendStoredValue(db, accessOf(request), request.params.memberId, { amountFen: b.amount_fen, storeId: b.store_id, reference: b.reference }));
    },
  );
  app.post(
    '/members/:memberId/stored-value/refunds',
    {
      schema: {
        tags,
        summary: 'Put (part of) a spend back on the card, principal and bonus exactly as taken',
        headers: IdempotencyHeader,
        params: MemberParams,
        body: StrictObject({ spend_entry_id: Type.String({ pattern: '^sve_[0-9a-z]{26}$' }), amount_fen: PositiveFen, reference: Type.Optional(Reference) }),
        response: { 200: SvResultView, ...errors(409) },
      },
    },
    async (request) => {
      const b = request.body;
      return svResultView(await storedValueService.refundSpend(db, accessOf(request), request.params.memberId, { spendEntryId: b.spend_entry_id, amountFen: b.amount_fen, reference: b.reference }));
    },
  );
  app.post(
    '/members/:memberId/stored-value/principal-refund',
    {
      schema: {
        tags,
        summary: 'Refund the unused principal to the holder (退卡); the bonus lapses',
        headers: IdempotencyHeader,
        params: MemberParams,
        body: StrictObject({ reason: Reason, refund_reference: Type.Optional(Reference) }),
        response: { 200: Type.Object({ ...SvResultView.properties, forfeited_bonus_fen: Type.Integer() }), ...errors(409) },
      },
    },
    async (request) => {
      const r = await storedValueService.refundPrincipal(db, accessOf(request), request.params.memberId, { reason: request.body.reason, refundReference: request.body.refund_reference });
      return { ...svResultView(r.refund), forfeited_bonus_fen: r.forfeitedBonusFen };
    },
  );

  // ---- coupons ----
  app.post(
    '/membership/coupon-templates',
    { schema: { tags, summary: 'Create a coupon template (卡券)', body: TemplateBody, response: { 201: TemplateView, ...errors() } } },
    async (request, reply) => {
      const b = request.body;
      const row = await couponService.createTemplate(db, accessOf(request), {
        name: b.name,
        description: b.description,
        kind: b.kind,
        valueFen: b.value_fen,
        percentBps: b.percent_bps,
        capFen: b.cap_fen,
        minSpendFen: b.min_spend_fen,
        productSku: b.product_sku,
        exchangePriceFen: b.exchange_price_fen,
        storeIds: b.store_ids,
        productSkus: b.product_skus,
        stackable: b.stackable ?? false,
        validity: b.validity.kind === 'fixed' ? { kind: 'fixed', from: new Date(b.validity.from), until: new Date(b.validity.until) } : { kind: 'relative', days: b.validity.days },
        stock: b.stock,
        perMemberLimit: b.per_member_limit,
      });
      return reply.status(201).send(templateView(row));
    },
  );
  app.get(
    '/membership/coupon-templates',
    { schema: { tags, summary: 'Coupon templates', querystring: Type.Object({ status: Type.Optional(Type.String({ maxLength: 20 })), ...PageQuery }), response: { 200: Page(TemplateView), ...errors() } } },
    async (request) => {
      const limit = limitOf(request.query);
      return page(await couponService.listTemplates(db, accessOf(request), { status: request.query.status, after: request.query.after, limit }), limit, templateView);
    },
  );
  app.get('/membership/coupon-templates/:templateId', { schema: { tags, summary: 'A coupon template', params: TemplateParams, response: { 200: TemplateView, ...errors() } } }, async (request) =>
    templateView(await couponService.getTemplate(db, accessOf(request), request.params.templateId)),
  );
  app.patch(
    '/membership/coupon-templates/:templateId',
    {
      schema: {
        tags,
        summary: 'Rename, restock, limit or archive a template (its terms are fixed)',
        params: TemplateParams,
        body: StrictObject(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            description: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
            stock: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 100_000_000 }))),
            per_member_limit: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 10_000 }))),
            status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('archived')])),
          },
          { minProperties: 1 },
        ),
        response: { 200: TemplateView, ...errors() },
      },
    },
    async (request) => {
      const b = request.body;
      return templateView(
        await couponService.updateTemplate(db, accessOf(request), request.params.templateId, { name: b.name, description: b.description, stock: b.stock, perMemberLimit: b.per_member_limit, status: b.status }),
      );
    },
  );
  app.post(
    '/membership/coupon-templates/:templateId/issues',
    {
      schema: {
        tags,
        summary: 'Issue a coupon of this template to a member (stock and per-member limit enforced)',
        headers: IdempotencyHeader,
        params: TemplateParams,
        body: StrictObject({
          member_id: Type.String({ pattern: '^mem_[0-9a-z]{26}$' }),
          source: Type.Optional(Type.Union(couponService.ISSUE_SOURCES.map((s) => Type.Literal(s)), { default: 'manual' })),
          reference: Type.Optional(Reference),
        }),
        response: { 201: CouponView, ...errors(409) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const coupon = await couponService.issueCoupon(db, accessOf(request), request.params.templateId, { memberId: b.member_id, source: b.source ?? 'manual', reference: b.reference });
      return reply.status(201).send(couponView(coupon));
    },
  );
  app.get(
    '/membership/coupons',
    {
      schema: {
        tags,
        summary: 'Find coupons: by code (the cashier scans it), member or template',
        querystring: Type.Object({
          code: Type.Optional(Type.String({ minLength: 4, maxLength: 32 })),
          member_id: Type.Optional(Type.String({ pattern: '^mem_[0-9a-z]{26}$' })),
          template_id: Type.Optional(Type.String({ pattern: '^cpt_[0-9a-z]{26}$' })),
          ...PageQuery,
        }),
        response: { 200: Page(CouponView), ...errors() },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = limitOf(q);
      return page(await couponService.listCoupons(db, accessOf(request), { code: q.code, memberId: q.member_id, templateId: q.template_id, after: q.after, limit }), limit, couponView);
    },
  );
  app.get(
    '/members/:memberId/coupons',
    { schema: { tags, summary: 'A member’s coupons', params: MemberParams, querystring: Type.Object(PageQuery), response: { 200: Page(CouponView), ...errors() } } },
    async (request) => {
      const limit = limitOf(request.query);
      return page(await couponService.listCoupons(db, accessOf(request), { memberId: request.params.memberId, after: request.query.after, limit }), limit, couponView);
    },
  );
  app.get('/membership/coupons/:couponId', { schema: { tags, summary: 'A coupon', params: CouponParams, response: { 200: CouponView, ...errors() } } }, async (request) =>
    couponView(await couponService.getCoupon(db, accessOf(request), request.params.couponId)),
  );
  const UseResult = Type.Object({ coupon: CouponView, discount_fen: Type.Integer() });
  app.post(
    '/membership/coupons/:couponId/lock',
    {
      schema: {
        tags,
        summary: 'Hold a coupon for a checkout (the lock lapses after ttl_seconds)',
        headers: IdempotencyHeader,
        params: CouponParams,
        body: StrictObject({ ...UseBody, holder: Holder, ttl_seconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 3600 })) }),
        response: { 200: UseResult, ...errors(409) },
      },
    },
    async (request) => {
      const b = request.body;
      const r = await couponService.lockCouponForCheckout(db, accessOf(request), request.params.couponId, {
        storeId: b.store_id,
        amountFen: b.amount_fen,
        lines: toCheckoutLines(b.lines),
        holder: b.holder,
        ttlSeconds: b.ttl_seconds,
      });
      return { coupon: couponView(r.coupon), discount_fen: r.discountFen };
    },
  );
  app.post(
    '/membership/coupons/:couponId/redeem',
    {
      schema: {
        tags,
        summary: 'Redeem a coupon (single use: of concurrent redemptions exactly one succeeds)',
        headers: IdempotencyHeader,
        params: CouponParams,
        body: StrictObject({ ...UseBody, holder: Type.Optional(Holder), reference: Type.Optional(Reference) }),
        response: { 200: UseResult, ...errors(409) },
      },
    },
    async (request) => {
      const b = request.body;
      const r = await couponService.redeemCoupon(db, accessOf(request), request.params.couponId, {
        storeId: b.store_id,
        amountFen: b.amount_fen,
        lines: toCheckoutLines(b.lines),
        holder: b.holder,
        reference: b.reference,
      });
      return { coupon: couponView(r.coupon), discount_fen: r.discountFen };
    },
  );
  app.post(
    '/membership/coupons/:couponId/release',
    { schema: { tags, summary: 'Release a coupon held by a checkout', params: CouponParams, body: StrictObject({ holder: Holder }), response: { 200: CouponView, ...errors(409) } } },
    async (request) => couponView(await couponService.releaseCoupon(db, accessOf(request), request.params.couponId, request.body.holder)),
  );
  app.post(
    '/membership/coupons/:couponId/void',
    { schema: { tags, summary: 'Void an unused coupon', params: CouponParams, body: StrictObject({ reason: Reason }), response: { 200: CouponView, ...errors(409) } } },
    async (request) => couponView(await couponService.voidCoupon(db, accessOf(request), request.params.couponId, request.body.reason)),
  );
  app.post(
    '/membership/coupons/:couponId/restore',
    { schema: { tags, summary: 'Give a redeemed coupon back (its purchase was refunded)', headers: IdempotencyHeader, params: CouponParams, body: StrictObject({ reason: Reason }), response: { 200: CouponView, ...errors(409) } } },
    async (request) => couponView(await couponService.restoreCoupon(db, accessOf(request), request.params.couponId, request.body.reason)),
  );

  // ---- checkout ----
  app.post(
    '/checkouts',
    {
      schema: {
        tags,
        summary: 'One checkout: member discount → coupons → points → stored value, all or nothing; the remainder through payments',
        description:
          'Everything that spends value commits together or not at all. With `payment` (the buyer’s 付款码, or a QR) the remainder is collected through the payments module: the checkout is `awaiting_payment` until the payment succeeds (`completed`, points earned on the money paid) or fails/closes (`released`: coupons, points and stored value restored exactly). A 付款码 that succeeds at once completes the checkout in this answer. Without `payment` the remainder is only answered (`remainder_due`).',
        headers: IdempotencyHeader,
        body: CheckoutBody,
        response: { 201: CheckoutView, ...errors(409, 502) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const ctx = accessOf(request);
      const { checkout: row, payment } = await checkoutAndPay(db, config, ctx, {
        memberId: await memberIdOf(db, accessOf(request), { memberId: b.member_id, memberCode: b.member_code }),
        storeId: b.store_id,
        reference: b.reference,
        amountFen: b.amount_fen,
        lines: b.lines?.map((l) => ({ productId: l.product_sku, categoryId: l.category, unitPriceFen: l.unit_price_fen, quantity: l.quantity })),
        couponIds: b.coupon_ids ?? [],
        points: b.points ?? 0,
        storedValueFen: b.stored_value_fen ?? 0,
        payment: b.payment ? paymentMethodOf(b.payment) : undefined,
      });
      const { storedValuePrincipalFen } = await getCheckout(db, ctx, row.id);
      return reply.status(201).send(checkoutOutcomeView(row, { principalFen: storedValuePrincipalFen, payment }));
    },
  );
}

/** The quarter that ended last, in China time (UTC+8): 2026-11-26 → 2026Q3. */
function lastEndedQuarter(now: Date): string {
  const local = new Date(now.getTime() + 8 * 3_600_000);
  const q = Math.floor(local.getUTCMonth() / 3);
  return q === 0 ? `${local.getUTCFullYear() - 1}Q4` : `${local.getUTCFullYear()}Q${q}`;
}
