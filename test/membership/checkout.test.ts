import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { caller, codeOf, enrol, type Caller, type MemberBody } from './support.js';

let t: TestApp;
let owner: Caller;
let cashier: Caller;
let storeId: string;
let templateId: string;

interface Checkout {
  amount_fen: number;
  member_discount_fen: number;
  coupons: { coupon_id: string; discount_fen: number }[];
  points: { spent: number; value_fen: number };
  stored_value: { spent_fen: number; principal_fen: number; bonus_fen: number };
  remainder_due_fen: number;
}

beforeAll(async () => {
  t = await startTestApp();
  owner = caller(t, { cookie: await t.login('owner') });
  cashier = caller(t, { cookie: await t.login('cashier') });
  storeId = t.demo.storeIds[0]!;
  await owner.ok('PATCH', '/v1/membership/program', { redeem_points_per_yuan: 100, top_up_plans: [{ pay_fen: 10_000, bonus_fen: 1_000 }] });
  await owner.ok('PUT', '/v1/membership/tiers', { tiers: [{ code: 'member', name: '会员', rank: 1, threshold: 0, discount_bps: 500 }] });
  templateId = (await owner.ok<{ id: string }>('POST', '/v1/membership/coupon-templates', { name: '满100减20', kind: 'threshold', value_fen: 2_000, min_spend_fen: 10_000, validity: { kind: 'relative', days: 30 } })).id;
});
afterAll(() => t.close());

async function loadedMember(): Promise<{ member: MemberBody; couponId: string }> {
  const member = await enrol(cashier);
  await cashier.ok('POST', `/v1/members/${member.id}/points/earn`, { amount_fen: 100_000, reference: `seed-${member.id}` });
  await cashier.ok('POST', `/v1/members/${member.id}/stored-value/top-ups`, { amount_fen: 10_000, payment_reference: `seed-${member.id}` });
  const coupon = await owner.ok<{ id: string }>('POST', `/v1/membership/coupon-templates/${templateId}/issues`, { member_id: member.id });
  return { member, couponId: coupon.id };
}

describe('checkout', () => {
  it('spends member discount → coupon → points → stored value in one go and answers the remainder', async () => {
    const { member, couponId } = await loadedMember();
    const result = await cashier.ok<Checkout>('POST', '/v1/checkouts', {
      member_id: member.id,
      store_id: storeId,
      reference: 'order-100',
      lines: [
        { product_sku: 'latte', unit_price_fen: 3_000, quantity: 3 },
        { product_sku: 'cake', unit_price_fen: 4_000, quantity: 1 },
      ],
      coupon_ids: [couponId],
      points: 500,
      stored_value_fen: 4_400,
    });
    // 13 000 − 5 % (650) = 12 350 − 2 000 coupon − 500 points (¥5) − 4 400 stored value = 5 450 due.
    expect(result).toMatchObject({
      amount_fen: 13_000,
      member_discount_fen: 650,
      coupons: [{ coupon_id: couponId, discount_fen: 2_000 }],
      points: { spent: 500, value_fen: 500 },
      stored_value: { spent_fen: 4_400, principal_fen: 4_000, bonus_fen: 400 },
      remainder_due_fen: 5_450,
    });
    expect((await cashier.ok<{ status: string }>('GET', `/v1/membership/coupons/${couponId}`)).status).toBe('redeemed');
    expect((await cashier.ok<{ total: number }>('GET', `/v1/members/${member.id}/points`)).total).toBe(500);
    expect((await cashier.ok<{ balance_fen: number }>('GET', `/v1/members/${member.id}/stored-value`)).balance_fen).toBe(11_000 - 4_400);
    expect(codeOf(await cashier.raw('POST', '/v1/checkouts', { member_id: member.id, store_id: storeId, reference: 'order-100', amount_fen: 100 }))).toBe('duplicate_reference');
  });

  it('commits nothing when any part fails: the coupon stays usable and no value moves', async () => {
    const { member, couponId } = await loadedMember();
    const failed = await cashier.raw('POST', '/v1/checkouts', {
      member_id: member.id,
      store_id: storeId,
      reference: 'order-fail',
      amount_fen: 50_000,
      coupon_ids: [couponId],
      points: 500,
      stored_value_fen: 20_000,
    });
    expect(failed.statusCode).toBe(409);
    expect(codeOf(failed)).toBe('insufficient_stored_value');
    expect((await cashier.ok<{ status: string }>('GET', `/v1/membership/coupons/${couponId}`)).status).toBe('issued');
    expect((await cashier.ok<{ total: number }>('GET', `/v1/members/${member.id}/points`)).total).toBe(1_000);
    expect((await cashier.ok<{ balance_fen: number }>('GET', `/v1/members/${member.id}/stored-value`)).balance_fen).toBe(11_000);
    // The same reference is free again: the failed checkout left nothing behind.
    const ok = await cashier.ok<Checkout>('POST', '/v1/checkouts', { member_id: member.id, store_id: storeId, reference: 'order-fail', amount_fen: 50_000, coupon_ids: [couponId] });
    expect(ok.remainder_due_fen).toBe(50_000 - 2_500 - 2_000);
  });

  it('refuses to pay more than is due, and coupons of another member', async () => {
    const { member } = await loadedMember();
    const other = await loadedMember();
    expect(codeOf(await cashier.raw('POST', '/v1/checkouts', { member_id: member.id, store_id: storeId, reference: 'order-over', amount_fen: 1_000, points: 1_000 }))).toBe('checkout_exceeds_due');
    expect(codeOf(await cashier.raw('POST', '/v1/checkouts', { member_id: member.id, store_id: storeId, reference: 'order-theirs', amount_fen: 20_000, coupon_ids: [other.couponId] }))).toBe('coupon_not_found');
    expect(codeOf(await cashier.raw('POST', '/v1/checkouts', { member_id: member.id, store_id: storeId, reference: 'order-mismatch', amount_fen: 1, lines: [{ unit_price_fen: 2, quantity: 1 }] }))).toBe('checkout_amount_mismatch');
  });

  it('of concurrent checkouts spending one coupon, exactly one commits', async () => {
    const { member, couponId } = await loadedMember();
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_v, i) => cashier.raw('POST', '/v1/checkouts', { member_id: member.id, store_id: storeId, reference: `order-race-${i}`, amount_fen: 20_000, coupon_ids: [couponId], stored_value_fen: 100 })),
    );
    expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(1);
    for (const r of responses.filter((x) => x.statusCode !== 201)) expect(codeOf(r)).toBe('coupon_already_redeemed');
    expect((await cashier.ok<{ balance_fen: number }>('GET', `/v1/members/${member.id}/stored-value`)).balance_fen).toBe(11_000 - 100);
    expect((await owner.ok<{ ok: boolean }>('GET', '/v1/membership/ledger-check')).ok).toBe(true);
  });
});
