import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { caller, codeOf, enrol, type Caller, type MemberBody } from './support.js';

let t: TestApp;
let owner: Caller;
let manager: Caller;
let cashier: Caller;
let storeId: string;
let otherStoreId: string;

interface Template {
  id: string;
  issued_count: number;
}
interface Coupon {
  id: string;
  code: string;
  status: string;
  valid_until: string;
  discount_fen: number | null;
  lock_holder: string | null;
}

const inMonth = () => ({ kind: 'fixed', from: new Date(Date.now() - 86_400_000).toISOString(), until: new Date(Date.now() + 30 * 86_400_000).toISOString() });

beforeAll(async () => {
  t = await startTestApp();
  owner = caller(t, { cookie: await t.login('owner') });
  manager = caller(t, { cookie: await t.login('manager') });
  cashier = caller(t, { cookie: await t.login('cashier') });
  storeId = t.demo.storeIds[0]!;
  otherStoreId = t.demo.storeIds[1]!;
});
afterAll(() => t.close());

async function template(body: Record<string, unknown>): Promise<Template> {
  const response = await owner.raw('POST', '/v1/membership/coupon-templates', { name: 'T', stackable: false, validity: inMonth(), ...body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<Template>();
}
const issue = (templateId: string, memberId: string, c: Caller = manager) => c.raw('POST', `/v1/membership/coupon-templates/${templateId}/issues`, { member_id: memberId });

describe('coupon templates', () => {
  it('validates the terms of each kind', async () => {
    expect(codeOf(await owner.raw('POST', '/v1/membership/coupon-templates', { name: 'bad', kind: 'threshold', value_fen: 5000, validity: inMonth() }))).toBe('coupon_terms_invalid');
    expect(codeOf(await owner.raw('POST', '/v1/membership/coupon-templates', { name: 'bad', kind: 'exchange', product_sku: 'latte', validity: inMonth() }))).toBe('coupon_terms_invalid');
    expect((await cashier.raw('POST', '/v1/membership/coupon-templates', { name: 'x', kind: 'cash_off', value_fen: 100, validity: inMonth() })).statusCode).toBe(403);
    const t1 = await template({ kind: 'percent_off', percent_bps: 1500, cap_fen: 2000, store_ids: [storeId] });
    const read = await cashier.ok<{ kind: string; store_ids: string[]; validity: { kind: string } }>('GET', `/v1/membership/coupon-templates/${t1.id}`);
    expect(read).toMatchObject({ kind: 'percent_off', store_ids: [storeId], validity: { kind: 'fixed' } });
  });
});

describe('issuing', () => {
  it('enforces stock and the per-member limit atomically under concurrent issues', async () => {
    const members = await Promise.all(Array.from({ length: 4 }, () => enrol(cashier)));
    const limited = await template({ kind: 'cash_off', value_fen: 500, stock: 5, per_member_limit: 2 });
    // 4 members × 3 tries = 12 concurrent issues: the limit allows 8, the stock only 5.
    const responses = await Promise.all(members.flatMap((m) => [0, 1, 2].map(() => issue(limited.id, m.id))));
    const issued = responses.filter((r) => r.statusCode === 201);
    expect(issued).toHaveLength(5);
    for (const r of responses.filter((x) => x.statusCode !== 201)) expect(['coupon_out_of_stock', 'coupon_member_limit']).toContain(codeOf(r));
    const perMember = new Map<string, number>();
    for (const r of issued) perMember.set(r.json<{ member_id: string }>().member_id, (perMember.get(r.json<{ member_id: string }>().member_id) ?? 0) + 1);
    for (const n of perMember.values()) expect(n).toBeLessThanOrEqual(2);
    expect((await owner.ok<Template>('GET', `/v1/membership/coupon-templates/${limited.id}`)).issued_count).toBe(5);
    const codes = new Set(issued.map((r) => r.json<Coupon>().code));
    expect(codes.size).toBe(5);
  });

  it('sets validity N days from issue, and stops issuing an archived template', async () => {
    const m = await enrol(cashier);
    const relative = await template({ kind: 'cash_off', value_fen: 300, validity: { kind: 'relative', days: 7 } });
    const coupon = (await issue(relative.id, m.id)).json<Coupon & { issued_at: string }>();
    expect(new Date(coupon.valid_until).getTime() - new Date(coupon.issued_at).getTime()).toBe(7 * 86_400_000);
    await owner.ok('PATCH', `/v1/membership/coupon-templates/${relative.id}`, { status: 'archived' });
    expect(codeOf(await issue(relative.id, m.id))).toBe('coupon_template_inactive');
  });
});

describe('redemption', () => {
  let member: MemberBody;
  beforeAll(async () => {
    member = await enrol(cashier);
  });

  it('of 100 concurrent redemptions of one single-use coupon, exactly one succeeds', async () => {
    const single = await template({ kind: 'cash_off', value_fen: 1000 });
    const coupon = (await issue(single.id, member.id)).json<Coupon>();
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_v, i) => cashier.raw('POST', `/v1/membership/coupons/${coupon.id}/redeem`, { store_id: storeId, amount_fen: 5000, reference: `race-${i}` })),
    );
    const won = responses.filter((r) => r.statusCode === 200);
    expect(won).toHaveLength(1);
    expect(won[0]!.json()).toMatchObject({ discount_fen: 1000, coupon: { status: 'redeemed' } });
    const lost = responses.filter((r) => r.statusCode !== 200);
    expect(lost).toHaveLength(99);
    for (const r of lost) {
      expect(r.statusCode).toBe(409);
      expect(codeOf(r)).toBe('coupon_already_redeemed');
    }
    const audit = await owner.ok<{ items: { action: string }[] }>('GET', `/v1/audit-log?target_id=${coupon.id}`);
    expect(audit.items.filter((e) => e.action === 'membership.coupon.redeem')).toHaveLength(1);
  });

  it('locks for a checkout, refuses other holders, releases, and the lock can be taken again', async () => {
    const c = (await issue((await template({ kind: 'threshold', value_fen: 2000, min_spend_fen: 10_000 })).id, member.id)).json<Coupon>();
    expect(codeOf(await cashier.raw('POST', `/v1/membership/coupons/${c.id}/lock`, { store_id: storeId, amount_fen: 9_999, holder: 'order-a' }))).toBe('coupon_not_eligible');
    const locked = await cashier.ok<{ discount_fen: number; coupon: Coupon }>('POST', `/v1/membership/coupons/${c.id}/lock`, { store_id: storeId, amount_fen: 12_000, holder: 'order-a' });
    expect(locked).toMatchObject({ discount_fen: 2000, coupon: { status: 'locked', lock_holder: 'order-a' } });
    expect(codeOf(await cashier.raw('POST', `/v1/membership/coupons/${c.id}/redeem`, { store_id: storeId, amount_fen: 12_000, holder: 'order-b' }))).toBe('coupon_locked');
    expect(codeOf(await cashier.raw('POST', `/v1/membership/coupons/${c.id}/release`, { holder: 'order-b' }))).toBe('coupon_not_locked');
    expect((await cashier.ok<Coupon>('POST', `/v1/membership/coupons/${c.id}/release`, { holder: 'order-a' })).status).toBe('issued');
    await cashier.ok('POST', `/v1/membership/coupons/${c.id}/lock`, { store_id: storeId, amount_fen: 12_000, holder: 'order-b' });
    const redeemed = await cashier.ok<{ coupon: Coupon }>('POST', `/v1/membership/coupons/${c.id}/redeem`, { store_id: storeId, amount_fen: 12_000, holder: 'order-b' });
    expect(redeemed.coupon.status).toBe('redeemed');
  });

  it('applies store and product rules, finds a coupon by code, voids and restores', async () => {
    const onlyStoreA = await template({ kind: 'free_item', product_sku: 'latte', store_ids: [storeId] });
    const c = (await issue(onlyStoreA.id, member.id)).json<Coupon>();
    const byCode = await cashier.ok<{ items: Coupon[] }>('GET', `/v1/membership/coupons?code=${c.code.toLowerCase()}`);
    expect(byCode.items.map((x) => x.id)).toEqual([c.id]);
    // The cashier works in store A only; the owner may try store B, where the coupon does not apply.
    expect(codeOf(await owner.raw('POST', `/v1/membership/coupons/${c.id}/redeem`, { store_id: otherStoreId, amount_fen: 3000, lines: [{ product_sku: 'latte', unit_price_fen: 3000, quantity: 1 }] }))).toBe('coupon_not_eligible');
    expect((await cashier.raw('POST', `/v1/membership/coupons/${c.id}/redeem`, { store_id: otherStoreId, amount_fen: 3000 })).statusCode).toBe(404);
    const r = await cashier.ok<{ discount_fen: number }>('POST', `/v1/membership/coupons/${c.id}/redeem`, {
      store_id: storeId,
      amount_fen: 4200,
      lines: [
        { product_sku: 'latte', unit_price_fen: 3000, quantity: 1 },
        { product_sku: 'bagel', unit_price_fen: 1200, quantity: 1 },
      ],
    });
    expect(r.discount_fen).toBe(3000);
    expect(codeOf(await manager.raw('POST', `/v1/membership/coupons/${c.id}/void`, { reason: 'x' }))).toBe('coupon_not_voidable');
    const restored = await manager.ok<Coupon>('POST', `/v1/membership/coupons/${c.id}/restore`, { reason: 'order refunded' });
    expect(restored).toMatchObject({ status: 'issued', discount_fen: null });
    const voided = await manager.ok<Coupon & { void_reason: string }>('POST', `/v1/membership/coupons/${c.id}/void`, { reason: 'issued by mistake' });
    expect(voided).toMatchObject({ status: 'void', void_reason: 'issued by mistake' });
    expect(codeOf(await cashier.raw('POST', `/v1/membership/coupons/${c.id}/redeem`, { store_id: storeId, amount_fen: 3000 }))).toBe('coupon_not_usable');
    const mine = await cashier.ok<{ items: Coupon[] }>('GET', `/v1/members/${member.id}/coupons`);
    expect(mine.items.find((x) => x.id === c.id)?.status).toBe('void');
  });
});
