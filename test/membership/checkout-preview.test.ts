import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { caller, codeOf, enrol, type Caller } from './support.js';

// POST /v1/checkouts/preview prices exactly as the checkout will and leaves nothing behind;
// GET /v1/checkouts lists the receipts a member's drawer and the console show.

let t: TestApp;
let owner: Caller;
let cashier: Caller;
let storeId: string;
let templateId: string;

beforeAll(async () => {
  t = await startTestApp();
  owner = caller(t, { cookie: await t.login('owner') });
  cashier = caller(t, { cookie: await t.login('cashier') });
  storeId = t.demo.storeIds[0]!;
  await owner.ok('PATCH', '/v1/membership/program', { redeem_points_per_yuan: 100, points_pending_days: 0, top_up_plans: [{ pay_fen: 10_000, bonus_fen: 1_000 }] });
  await owner.ok('PUT', '/v1/membership/tiers', { tiers: [{ code: 'member', name: '会员', rank: 1, threshold: 0, discount_bps: 500 }] });
  templateId = (await owner.ok<{ id: string }>('POST', '/v1/membership/coupon-templates', { name: '满100减20', kind: 'threshold', value_fen: 2_000, min_spend_fen: 10_000, validity: { kind: 'relative', days: 30 } })).id;
});
afterAll(() => t.close());

async function loadedMember() {
  const member = await enrol(cashier);
  await cashier.ok('POST', `/v1/members/${member.id}/points/earn`, { amount_fen: 100_000, reference: `seed-${member.id}` });
  await cashier.ok('POST', `/v1/members/${member.id}/stored-value/top-ups`, { amount_fen: 10_000, payment_reference: `seed-${member.id}` });
  const coupon = await owner.ok<{ id: string }>('POST', `/v1/membership/coupon-templates/${templateId}/issues`, { member_id: member.id });
  return { member, couponId: coupon.id };
}

async function rows(query: string): Promise<Record<string, unknown>[]> {
  const result = (await t.database.db.execute(sql.raw(query))) as unknown as { rows: Record<string, unknown>[] };
  return result.rows;
}

/** Everything a checkout writes or moves, as row counts and the audit chain's heads. */
async function footprint(): Promise<Record<string, unknown>> {
  const tables = [
    'platform_audit_entries',
    'platform_outbox_events',
    'membership_applied_references',
    'membership_points_entries',
    'membership_points_lots',
    'membership_stored_value_entries',
    'membership_checkouts',
  ];
  const counts: Record<string, unknown> = {};
  for (const table of tables) {
    counts[table] = (await rows(`select count(*)::int as n from ${table}`))[0]!.n;
  }
  counts.heads = await rows('select * from platform_audit_heads order by 1');
  counts.coupons = await rows('select * from membership_coupons order by id');
  counts.balances = await rows('select * from membership_stored_value_accounts order by member_id');
  counts.points = await rows('select * from membership_points_accounts order by member_id');
  return counts;
}

describe('checkout preview', () => {
  it('answers the same breakdown the checkout then commits, and writes nothing', async () => {
    const { member, couponId } = await loadedMember();
    const order = {
      member_id: member.id,
      store_id: storeId,
      lines: [
        { product_sku: 'latte', unit_price_fen: 3_000, quantity: 3 },
        { product_sku: 'cake', unit_price_fen: 4_000, quantity: 1 },
      ],
      coupon_ids: [couponId],
      points: 500,
      stored_value_fen: 4_400,
    };
    const before = await footprint();
    const preview = await cashier.ok<Record<string, unknown>>('POST', '/v1/checkouts/preview', { ...order, reference: 'order-p1' });
    const again = await cashier.ok<Record<string, unknown>>('POST', '/v1/checkouts/preview', order);
    expect(await footprint()).toEqual(before);
    expect(again).toEqual(preview);
    // 13 000 − 5 % (650) = 12 350 − 2 000 coupon − 500 points (¥5) − 4 400 stored value = 5 450 due.
    expect(preview).toEqual({
      member_id: member.id,
      status: 'remainder_due',
      amount_fen: 13_000,
      member_discount_fen: 650,
      coupons: [{ coupon_id: couponId, discount_fen: 2_000 }],
      points: { spent: 500, value_fen: 500 },
      stored_value: { spent_fen: 4_400, principal_fen: 4_000, bonus_fen: 400 },
      remainder_due_fen: 5_450,
      points_earned: 0,
    });

    // The real checkout (same rows, same locks: none survived the preview) commits that breakdown.
    const real = await cashier.ok<Record<string, unknown>>('POST', '/v1/checkouts', { ...order, reference: 'order-p1' });
    expect(real).toMatchObject({
      amount_fen: preview.amount_fen,
      member_discount_fen: preview.member_discount_fen,
      coupons: preview.coupons,
      points: preview.points,
      stored_value: preview.stored_value,
      remainder_due_fen: preview.remainder_due_fen,
    });
    // Now the coupon is spent and the reference used: the preview says so as the checkout would.
    expect(codeOf(await cashier.raw('POST', '/v1/checkouts/preview', { ...order, reference: 'order-p1' }))).toBe('duplicate_reference');
    const spentCoupon = await cashier.raw('POST', '/v1/checkouts/preview', order);
    expect(spentCoupon.statusCode).toBe(409);
  });

  it('a fully covered order previews as completed with the points completing would earn', async () => {
    const { member } = await loadedMember();
    const before = await footprint();
    const preview = await cashier.ok<{ status: string; remainder_due_fen: number; points_earned: number }>('POST', '/v1/checkouts/preview', { member_id: member.id, store_id: storeId, amount_fen: 2_000, stored_value_fen: 1_900 });
    expect(await footprint()).toEqual(before);
    const real = await cashier.ok<{ status: string; points_earned: number }>('POST', '/v1/checkouts', { member_id: member.id, store_id: storeId, reference: 'order-p2', amount_fen: 2_000, stored_value_fen: 1_900 });
    expect(preview).toMatchObject({ status: 'completed', remainder_due_fen: 0, points_earned: real.points_earned });
    expect(real.status).toBe('completed');
  });

  it('refuses what the checkout refuses (more stored value than is due), with the same problem', async () => {
    const { member } = await loadedMember();
    const body = { member_id: member.id, store_id: storeId, amount_fen: 1_000, stored_value_fen: 5_000 };
    const preview = await cashier.raw('POST', '/v1/checkouts/preview', body);
    const real = await cashier.raw('POST', '/v1/checkouts', { ...body, reference: 'order-p3' });
    expect(preview.statusCode).toBe(real.statusCode);
    expect(codeOf(preview)).toBe(codeOf(real));
    expect(codeOf(preview)).toBe('checkout_exceeds_due');
  });
});

describe('checkout receipts list', () => {
  it('lists a member’s checkouts newest first, filters by status, pages, and hides other members’', async () => {
    const { member } = await loadedMember();
    const { member: other } = await loadedMember();
    for (const [i, amount] of [1_000, 2_000, 3_000].entries()) {
      await cashier.ok('POST', '/v1/checkouts', { member_id: member.id, store_id: storeId, reference: `list-${i}`, amount_fen: amount, ...(i === 0 && { stored_value_fen: 950 }) });
    }
    await cashier.ok('POST', '/v1/checkouts', { member_id: other.id, store_id: storeId, reference: 'list-other', amount_fen: 500 });
    const page = await cashier.ok<{ items: { reference: string; status: string; amount_fen: number; member_discount_fen: number; stored_value_fen: number }[]; next_cursor: string | null }>(
      'GET',
      `/v1/checkouts?member_id=${member.id}`,
    );
    expect(page.items.map((c) => c.reference)).toEqual(['list-2', 'list-1', 'list-0']);
    expect(page.items[2]).toMatchObject({ status: 'completed', amount_fen: 1_000, member_discount_fen: 50, stored_value_fen: 950 });
    const completed = await cashier.ok<{ items: { reference: string }[] }>('GET', `/v1/checkouts?member_id=${member.id}&status=completed`);
    expect(completed.items.map((c) => c.reference)).toEqual(['list-0']);
    const first = await cashier.ok<{ items: { id: string }[]; next_cursor: string }>('GET', `/v1/checkouts?member_id=${member.id}&limit=2`);
    expect(first.items).toHaveLength(2);
    const second = await cashier.ok<{ items: { reference: string }[]; next_cursor: string | null }>('GET', `/v1/checkouts?member_id=${member.id}&limit=2&after=${first.next_cursor}`);
    expect(second).toMatchObject({ items: [{ reference: 'list-0' }], next_cursor: null });
    const all = await owner.ok<{ items: { reference: string }[] }>('GET', '/v1/checkouts?limit=200');
    expect(all.items.map((c) => c.reference)).toEqual(expect.arrayContaining(['list-0', 'list-other']));
  });
});
