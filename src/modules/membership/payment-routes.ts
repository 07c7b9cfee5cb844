// Membership routes that move money through the payments module: the checkout's receipt and
// refunds, stored-value top-ups paid at the counter (付款码) or by QR, and top-up plans. The checkout
// POST itself stays in routes.ts and uses `CheckoutPayment` / `checkoutOutcomeView` from here.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { accessOf, errors, IdempotencyHeader, iso, Nullable, Page, PageQuery, StrictObject, Timestamp, type ModuleDeps } from '../../http/route-kit.js';
import { getPaymentSummary, type StartedPayment } from '../payments/index.js';
import { clampLimit, requireMerchantId } from '../platform/index.js';
import { getCheckout, refundCheckout, type CheckoutRefundRow, type CheckoutRow, type PaymentMethodInput } from './checkout-payments.js';
import { membershipErrors } from './errors.js';
import { getProgram, updateProgram } from './program.js';
import { getTopUp, listTopUps, orderTopUp, refundTopUp, type TopUpRefundRow, type TopUpRow } from './top-ups.js';

const tags = ['membership'];
const PositiveFen = Type.Integer({ minimum: 1, maximum: 100_000_000, description: 'fen (分)' });
const Reason = Type.String({ minLength: 1, maxLength: 80 });
const StoreId = Type.String({ pattern: '^sto_[0-9a-z]{26}$' });
const CheckoutParams = StrictObject({ checkoutId: Type.String({ pattern: '^chk_[0-9a-z]{26}$', description: 'chk_… id' }) });
const TopUpParams = StrictObject({ topUpId: Type.String({ pattern: '^mtu_[0-9a-z]{26}$', description: 'mtu_… id' }) });
const MemberParams = StrictObject({ memberId: Type.String({ pattern: '^mem_[0-9a-z]{26}$', description: 'mem_… id' }) });

/** How the remainder (or a top-up) is paid: the buyer's 付款码 scanned at the counter, or a QR the buyer scans. */
export const CheckoutPayment = Type.Union([
  StrictObject({ auth_code: Type.String({ minLength: 10, maxLength: 32, description: 'the buyer’s payment code (付款码), scanned at the counter' }) }),
  StrictObject({ method: Type.Literal('qr'), channel: Type.Union([Type.Literal('wechatpay'), Type.Literal('alipay')]) }),
]);
export type CheckoutPaymentBody = { auth_code: string } | { method: 'qr'; channel: 'wechatpay' | 'alipay' };

export function paymentMethodOf(body: CheckoutPaymentBody): PaymentMethodInput {
  return 'auth_code' in body ? { kind: 'barcode', authCode: body.auth_code } : { kind: 'qr', channel: body.channel };
}

const PaymentView = Type.Object({
  payment_id: Type.String(),
  status: Type.String({ description: 'the payment’s status: paying, succeeded, failed, closed, …' }),
  method: Nullable(Type.String()),
  channel: Nullable(Type.String()),
  code_url: Nullable(Type.String({ description: 'QR payments: what the buyer scans (only in the answer that started it)' })),
});

const CheckoutRefundView = Type.Object({
  id: Type.String(),
  amount_fen: Type.Integer(),
  cash_fen: Type.Integer({ description: 'refunded through payments' }),
  stored_value_fen: Type.Integer(),
  points_restored: Type.Integer(),
  points_reversed: Type.Integer({ description: 'points the refunded money had earned, taken back' }),
  coupons_restored: Type.Boolean(),
  payment_refund_id: Nullable(Type.String()),
  payment_refund_status: Nullable(Type.String()),
  reason: Type.String(),
  created_at: Timestamp,
});
const checkoutRefundView = (r: CheckoutRefundRow) => ({
  id: r.id,
  amount_fen: r.amountFen,
  cash_fen: r.cashFen,
  stored_value_fen: r.storedValueFen,
  points_restored: r.pointsRestored,
  points_reversed: r.pointsReversed,
  coupons_restored: r.couponsRestored,
  payment_refund_id: r.paymentRefundId,
  payment_refund_status: r.paymentRefundStatus,
  reason: r.reason,
  created_at: r.createdAt.toISOString(),
});

export const CheckoutView = Type.Object({
  id: Type.String(),
  reference: Type.String(),
  member_id: Type.String(),
  store_id: Type.String(),
  status: Type.String({ description: 'remainder_due (collected elsewhere) | awaiting_payment → completed | released; completed → refunded' }),
  amount_fen: Type.Integer(),
  member_discount_fen: Type.Integer(),
  coupons: Type.Array(Type.Object({ coupon_id: Type.String(), discount_fen: Type.Integer() })),
  points: Type.Object({ spent: Type.Integer(), value_fen: Type.Integer() }),
  stored_value: Type.Object({ spent_fen: Type.Integer(), principal_fen: Type.Integer(), bonus_fen: Type.Integer(), entry_id: Nullable(Type.String()) }),
  remainder_due_fen: Type.Integer({ description: 'what the buyer pays in money (through the payments module when `payment` was given)' }),
  remainder_payment: Nullable(PaymentView),
  points_earned: Type.Integer({ description: 'earned on completion, on the money paid (remainder + stored-value principal)' }),
  refunded_fen: Type.Integer(),
  refunds: Type.Array(CheckoutRefundView),
  created_at: Timestamp,
  completed_at: Nullable(Timestamp),
  released_at: Nullable(Timestamp),
  release_reason: Nullable(Type.String()),
});

export function checkoutOutcomeView(row: CheckoutRow, extra: { principalFen: number; payment: StartedPayment | null; paymentStatus?: string | null; refunds?: CheckoutRefundRow[] }) {
  const payment = extra.payment
    ? { payment_id: extra.payment.id, status: extra.payment.status, method: row.paymentMethod, channel: extra.payment.channel, code_url: extra.payment.code_url }
    : row.paymentId
      ? { payment_id: row.paymentId, status: extra.paymentStatus ?? 'unknown', method: row.paymentMethod, channel: null, code_url: null }
      : null;
  return {
    id: row.id,
    reference: row.reference,
    member_id: row.memberId,
    store_id: row.storeId,
    status: row.status,
    amount_fen: row.amountFen,
    member_discount_fen: row.memberDiscountFen,
    coupons: row.coupons.map((c) => ({ coupon_id: c.coupon_id, discount_fen: c.discount_fen })),
    points: { spent: row.pointsSpent, value_fen: row.pointsValueFen },
    stored_value: { spent_fen: row.storedValueFen, principal_fen: extra.principalFen, bonus_fen: row.storedValueFen - extra.principalFen, entry_id: row.storedValueEntryId },
    remainder_due_fen: row.remainderDueFen,
    remainder_payment: payment,
    points_earned: row.pointsEarned,
    refunded_fen: row.refundedFen,
    refunds: (extra.refunds ?? []).map(checkoutRefundView),
    created_at: row.createdAt.toISOString(),
    completed_at: iso(row.completedAt),
    released_at: iso(row.releasedAt),
    release_reason: row.releaseReason,
  };
}

const TopUpRefundView = Type.Object({
  id: Type.String(),
  principal_fen: Type.Integer(),
  forfeited_bonus_fen: Type.Integer(),
  payment_refund_id: Nullable(Type.String()),
  status: Type.String(),
  reason: Type.String(),
  created_at: Timestamp,
});
const topUpRefundView = (r: TopUpRefundRow) => ({
  id: r.id,
  principal_fen: r.principalFen,
  forfeited_bonus_fen: r.forfeitedBonusFen,
  payment_refund_id: r.paymentRefundId,
  status: r.status,
  reason: r.reason,
  created_at: r.createdAt.toISOString(),
});
const TopUpView = Type.Object({
  id: Type.String(),
  member_id: Type.String(),
  store_id: Type.String(),
  principal_fen: Type.Integer(),
  bonus_fen: Type.Integer({ description: 'the plan’s bonus, fixed when the top-up was ordered' }),
  status: Type.String({ description: 'awaiting_payment → credited | failed' }),
  method: Type.String(),
  payment: Nullable(PaymentView),
  failure_reason: Nullable(Type.String()),
  entry_id: Nullable(Type.String()),
  refunded_principal_fen: Type.Integer(),
  forfeited_bonus_fen: Type.Integer(),
  refunds: Type.Array(TopUpRefundView),
  created_at: Timestamp,
  credited_at: Nullable(Timestamp),
});
const topUpView = (row: TopUpRow, extra: { payment?: StartedPayment | null; refunds?: TopUpRefundRow[] } = {}) => ({
  id: row.id,
  member_id: row.memberId,
  store_id: row.storeId,
  principal_fen: row.principalFen,
  bonus_fen: row.bonusFen,
  status: row.status,
  method: row.method,
  payment: extra.payment
    ? { payment_id: extra.payment.id, status: extra.payment.status, method: row.method, channel: extra.payment.channel, code_url: extra.payment.code_url }
    : row.paymentId
      ? { payment_id: row.paymentId, status: row.status === 'credited' ? 'succeeded' : row.status === 'failed' ? 'ended' : 'paying', method: row.method, channel: null, code_url: null }
      : null,
  failure_reason: row.failureReason,
  entry_id: row.entryId,
  refunded_principal_fen: row.refundedPrincipalFen,
  forfeited_bonus_fen: row.forfeitedBonusFen,
  refunds: (extra.refunds ?? []).map(topUpRefundView),
  created_at: row.createdAt.toISOString(),
  credited_at: iso(row.creditedAt),
});

const TopUpPlan = StrictObject({ pay_fen: PositiveFen, bonus_fen: Type.Integer({ minimum: 0, maximum: 100_000_000 }) });
const TopUpPlans = Type.Object({ items: Type.Array(Type.Object({ pay_fen: Type.Integer(), bonus_fen: Type.Integer() })) });

export async function membershipPaymentRoutes(instance: FastifyInstance, { db, config }: ModuleDeps): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  // ---- checkouts ----
  app.get(
    '/checkouts/:checkoutId',
    { schema: { tags, summary: 'A checkout: status and breakdown for the receipt', params: CheckoutParams, response: { 200: CheckoutView, ...errors() } } },
    async (request) => {
      const ctx = accessOf(request);
      const { checkout, refunds, storedValuePrincipalFen } = await getCheckout(db, ctx, request.params.checkoutId);
      const payment = checkout.paymentId ? await getPaymentSummary(db, requireMerchantId(ctx), checkout.paymentId) : null;
      return checkoutOutcomeView(checkout, { principalFen: storedValuePrincipalFen, payment: null, paymentStatus: payment?.status ?? null, refunds });
    },
  );
  app.post(
    '/checkouts/:checkoutId/refunds',
    {
      schema: {
        tags,
        summary: 'Refund (part of) a completed checkout',
        description:
          'The amount (default: all that is left of the payable — points value + stored value + remainder) splits over the tenders in proportion. The money part is refunded through payments first; then points and stored value come back exactly, coupons on a full refund, and the points the refunded money earned are reversed.',
        headers: IdempotencyHeader,
        params: CheckoutParams,
        body: StrictObject({ amount_fen: Type.Optional(PositiveFen), reason: Reason }),
        response: { 201: CheckoutView, ...errors(409, 502) },
      },
    },
    async (request, reply) => {
      const ctx = accessOf(request);
      await refundCheckout(db, config, ctx, request.params.checkoutId, { amountFen: request.body.amount_fen, reason: request.body.reason });
      const { checkout, refunds, storedValuePrincipalFen } = await getCheckout(db, ctx, request.params.checkoutId);
      const payment = checkout.paymentId ? await getPaymentSummary(db, requireMerchantId(ctx), checkout.paymentId) : null;
      return reply.status(201).send(checkoutOutcomeView(checkout, { principalFen: storedValuePrincipalFen, payment: null, paymentStatus: payment?.status ?? null, refunds }));
    },
  );

  // ---- top-ups paid through payments ----
  app.post(
    '/membership/top-ups',
    {
      schema: {
        tags,
        summary: 'Top up a member’s card, paid by 付款码 at the counter or by QR',
        description:
          'The card’s cap is checked before anything is charged (counting other top-ups still awaiting payment). The plan’s bonus is fixed now. A 付款码 payment that succeeds at once credits the card in this answer; a QR top-up is credited when its payment succeeds.',
        headers: IdempotencyHeader,
        body: StrictObject({ member_id: Type.String({ pattern: '^mem_[0-9a-z]{26}$' }), store_id: StoreId, amount_fen: PositiveFen, payment: CheckoutPayment }),
        response: { 201: TopUpView, ...errors(409, 502) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const { topUp, payment } = await orderTopUp(db, config, accessOf(request), { memberId: b.member_id, storeId: b.store_id, amountFen: b.amount_fen, method: paymentMethodOf(b.payment) });
      return reply.status(201).send(topUpView(topUp, { payment }));
    },
  );
  app.get('/membership/top-ups/:topUpId', { schema: { tags, summary: 'A top-up and its refunds', params: TopUpParams, response: { 200: TopUpView, ...errors() } } }, async (request) => {
    const { topUp, refunds } = await getTopUp(db, accessOf(request), request.params.topUpId);
    return topUpView(topUp, { refunds });
  });
  app.get(
    '/members/:memberId/top-ups',
    { schema: { tags, summary: 'A member’s top-ups, newest first', params: MemberParams, querystring: Type.Object(PageQuery), response: { 200: Page(TopUpView), ...errors() } } },
    async (request) => {
      const limit = clampLimit(request.query.limit);
      const rows = await listTopUps(db, accessOf(request), request.params.memberId, { after: request.query.after, limit });
      const items = rows.slice(0, limit);
      return { items: items.map((r) => topUpView(r)), next_cursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
    },
  );
  app.post(
    '/membership/top-ups/:topUpId/refunds',
    {
      schema: {
        tags,
        summary: 'Refund unused principal of a top-up through its payment (the bonus that came with it lapses)',
        headers: IdempotencyHeader,
        params: TopUpParams,
        body: StrictObject({ amount_fen: Type.Optional(PositiveFen), reason: Reason }),
        response: { 201: TopUpView, ...errors(409, 502) },
      },
    },
    async (request, reply) => {
      const ctx = accessOf(request);
      await refundTopUp(db, config, ctx, request.params.topUpId, { amountFen: request.body.amount_fen, reason: request.body.reason });
      const { topUp, refunds } = await getTopUp(db, ctx, request.params.topUpId);
      return reply.status(201).send(topUpView(topUp, { refunds }));
    },
  );

  // ---- top-up plans (pay ¥1,000 get ¥1,100): the program's list, managed on its own ----
  app.get('/membership/top-up-plans', { schema: { tags, summary: 'Top-up plans (pay X, get a bonus)', response: { 200: TopUpPlans, ...errors() } } }, async (request) => ({
    items: (await getProgram(db, accessOf(request))).topUpPlans,
  }));
  app.put(
    '/membership/top-up-plans',
    {
      schema: {
        tags,
        summary: 'Replace the top-up plans',
        description: 'A top-up gets the bonus of the largest plan it reaches. Pay amounts are distinct; a bonus is below its pay amount.',
        body: StrictObject({ items: Type.Array(TopUpPlan, { maxItems: 20 }) }),
        response: { 200: TopUpPlans, ...errors() },
      },
    },
    async (request) => {
      const items = request.body.items;
      const problems = items.flatMap((p, i) => [
        ...(items.findIndex((q) => q.pay_fen === p.pay_fen) !== i ? [`items[${i}].pay_fen: duplicate`] : []),
        ...(p.bonus_fen >= p.pay_fen ? [`items[${i}].bonus_fen: must be below pay_fen`] : []),
      ]);
      if (problems.length) throw membershipErrors.make('program_invalid', problems.join('; '));
      const sorted = [...items].sort((a, b) => a.pay_fen - b.pay_fen);
      return { items: (await updateProgram(db, accessOf(request), { topUpPlans: sorted })).topUpPlans };
    },
  );
}

/** The module's routes followed by these (index.ts composes without importing Fastify types). */
export function withPaymentRoutes(routes: (instance: FastifyInstance, deps: ModuleDeps) => Promise<void>) {
  return async (instance: FastifyInstance, deps: ModuleDeps): Promise<void> => {
    await routes(instance, deps);
    await membershipPaymentRoutes(instance, deps);
  };
}
