// The counter's and the console's checkout routes: the breakdown before anything is spent
// (POST /checkouts/preview, checkout-preview.ts) and the receipts list (GET /checkouts).
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { accessOf, errors, iso, Nullable, Page, PageQuery, StrictObject, Timestamp, type ModuleDeps } from '../../http/route-kit.js';
import { clampLimit } from '../platform/index.js';
import { listCheckouts, type CheckoutListRow } from './checkout-list.js';
import { previewCheckout } from './checkout-preview.js';
import { memberIdOf } from './member-codes.js';

const tags = ['membership'];
const Fen = Type.Integer({ minimum: 0, maximum: 100_000_000_000, description: 'fen (分)' });
const PositiveFen = Type.Integer({ minimum: 1, maximum: 100_000_000_000, description: 'fen (分)' });
const StoreId = Type.String({ pattern: '^sto_[0-9a-z]{26}$' });
const MemberId = Type.String({ pattern: '^mem_[0-9a-z]{26}$' });

const PreviewBody = StrictObject({
  member_id: Type.Optional(Type.String({ pattern: '^mem_[0-9a-z]{26}$', description: 'the member; or member_code' })),
  member_code: Type.Optional(Type.String({ pattern: '^\\s*[0-9]{12,26}\\s*$', description: 'the dynamic code scanned from the member card, instead of member_id' })),
  store_id: StoreId,
  reference: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'the order reference the checkout will use (optional: a used one is refused, as the checkout would)' })),
  amount_fen: Type.Optional(PositiveFen),
  lines: Type.Optional(
    Type.Array(
      StrictObject({
        product_sku: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        category: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        unit_price_fen: Fen,
        quantity: Type.Integer({ minimum: 1, maximum: 10_000 }),
      }),
      { minItems: 1, maxItems: 500 },
    ),
  ),
  coupon_ids: Type.Optional(Type.Array(Type.String({ pattern: '^cpn_[0-9a-z]{26}$' }), { maxItems: 10 })),
  points: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000 })),
  stored_value_fen: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000_000 })),
});

const PreviewView = Type.Object({
  member_id: Type.String(),
  status: Type.Union([Type.Literal('completed'), Type.Literal('remainder_due')], { description: 'completed: nothing left to pay' }),
  amount_fen: Type.Integer(),
  member_discount_fen: Type.Integer(),
  coupons: Type.Array(Type.Object({ coupon_id: Type.String(), discount_fen: Type.Integer() })),
  points: Type.Object({ spent: Type.Integer(), value_fen: Type.Integer() }),
  stored_value: Type.Object({ spent_fen: Type.Integer(), principal_fen: Type.Integer(), bonus_fen: Type.Integer() }),
  remainder_due_fen: Type.Integer({ description: 'what the buyer would pay in money' }),
  points_earned: Type.Integer({ description: 'when nothing is left to pay: the points completing earns; else 0 (earned on the money when it is paid)' }),
});

const CheckoutSummary = Type.Object({
  id: Type.String(),
  reference: Type.String(),
  member_id: Type.String(),
  store_id: Type.String(),
  status: Type.String({ description: 'remainder_due | awaiting_payment | completed | released | refunded' }),
  amount_fen: Type.Integer(),
  member_discount_fen: Type.Integer(),
  coupon_discount_fen: Type.Integer(),
  points_spent: Type.Integer(),
  points_value_fen: Type.Integer(),
  stored_value_fen: Type.Integer(),
  remainder_due_fen: Type.Integer(),
  payment_id: Nullable(Type.String()),
  payment_method: Nullable(Type.String()),
  points_earned: Type.Integer(),
  refunded_fen: Type.Integer(),
  created_at: Timestamp,
  completed_at: Nullable(Timestamp),
  released_at: Nullable(Timestamp),
});
const summaryView = (r: CheckoutListRow) => ({
  id: r.id,
  reference: r.reference,
  member_id: r.memberId,
  store_id: r.storeId,
  status: r.status,
  amount_fen: r.amountFen,
  member_discount_fen: r.memberDiscountFen,
  coupon_discount_fen: r.coupons.reduce((s, c) => s + c.discount_fen, 0),
  points_spent: r.pointsSpent,
  points_value_fen: r.pointsValueFen,
  stored_value_fen: r.storedValueFen,
  remainder_due_fen: r.remainderDueFen,
  payment_id: r.paymentId,
  payment_method: r.paymentMethod,
  points_earned: r.pointsEarned,
  refunded_fen: r.refundedFen,
  created_at: r.createdAt.toISOString(),
  completed_at: iso(r.completedAt),
  released_at: iso(r.releasedAt),
});

export async function checkoutConsoleRoutes(instance: FastifyInstance, { db }: ModuleDeps): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/checkouts/preview',
    {
      schema: {
        tags,
        summary: 'The checkout’s breakdown for this order, without spending anything',
        description:
          'Runs the same pricing as POST /v1/checkouts (member discount → coupons → points → stored value), with its rules and errors, in a transaction that is rolled back: nothing is spent, locked, audited or published.',
        body: PreviewBody,
        response: { 200: PreviewView, ...errors(409) },
      },
    },
    async (request) => {
      const b = request.body;
      const ctx = accessOf(request);
      const r = await previewCheckout(db, ctx, {
        memberId: await memberIdOf(db, ctx, { memberId: b.member_id, memberCode: b.member_code }),
        storeId: b.store_id,
        reference: b.reference,
        amountFen: b.amount_fen,
        lines: b.lines?.map((l) => ({ productId: l.product_sku, categoryId: l.category, unitPriceFen: l.unit_price_fen, quantity: l.quantity })),
        couponIds: b.coupon_ids ?? [],
        points: b.points ?? 0,
        storedValueFen: b.stored_value_fen ?? 0,
      });
      return {
        member_id: r.memberId,
        status: r.remainderDueFen === 0 ? ('completed' as const) : ('remainder_due' as const),
        amount_fen: r.amountFen,
        member_discount_fen: r.memberDiscountFen,
        coupons: r.coupons.map((c) => ({ coupon_id: c.couponId, discount_fen: c.discountFen })),
        points: { spent: r.pointsSpent, value_fen: r.pointsValueFen },
        stored_value: { spent_fen: r.storedValue.spentFen, principal_fen: r.storedValue.principalFen, bonus_fen: r.storedValue.bonusFen },
        remainder_due_fen: r.remainderDueFen,
        points_earned: r.pointsEarned,
      };
    },
  );

  app.get(
    '/checkouts',
    {
      schema: {
        tags,
        summary: 'Checkout receipts, newest first (a member’s, a store’s, by status)',
        querystring: Type.Object({
          ...PageQuery,
          member_id: Type.Optional(MemberId),
          store_id: Type.Optional(StoreId),
          status: Type.Optional(Type.Union(['remainder_due', 'awaiting_payment', 'completed', 'released', 'refunded'].map((s) => Type.Literal(s)))),
        }),
        response: { 200: Page(CheckoutSummary), ...errors() },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = clampLimit(q.limit);
      const rows = await listCheckouts(db, accessOf(request), { memberId: q.member_id, storeId: q.store_id, status: q.status, after: q.after, limit });
      const items = rows.slice(0, limit);
      return { items: items.map(summaryView), next_cursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
    },
  );
}
