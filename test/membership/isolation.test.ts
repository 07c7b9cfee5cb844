import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { caller, codeOf, enrol, type Caller, type MemberBody } from './support.js';

// Stored value never crosses merchants, and nothing of a merchant's members is visible to another:
// merchant B, with its own session and an API key of scope *, gets 404 for every one of A's ids.

let t: TestApp;
let a: Caller;
let bOwner: Caller;
let bKey: Caller;
let member: MemberBody;
let couponId: string;
let spendEntryId: string;
let templateId: string;

beforeAll(async () => {
  t = await startTestApp();
  a = caller(t, { cookie: await t.login('owner') });
  const operator = caller(t, { cookie: await t.login('operator') });
  await operator.ok('POST', '/v1/merchants', { name: 'Merchant B', owner: { login: 'mem-b-owner', display_name: 'B', password: 'mem-b-owner-2026' } });
  bOwner = caller(t, { cookie: await t.login('mem-b-owner', 'mem-b-owner-2026') });
  bKey = caller(t, { apiKey: (await bOwner.ok<{ secret: string }>('POST', '/v1/api-keys', { name: 'b', scopes: ['*'] })).secret });

  member = await enrol(a);
  await a.ok('POST', `/v1/members/${member.id}/points/earn`, { amount_fen: 10_000, reference: 'a-order' });
  await a.ok('POST', `/v1/members/${member.id}/stored-value/top-ups`, { amount_fen: 10_000, payment_reference: 'a-top-up' });
  spendEntryId = (await a.ok<{ entry: { id: string } }>('POST', `/v1/members/${member.id}/stored-value/spends`, { amount_fen: 100 })).entry.id;
  templateId = (await a.ok<{ id: string }>('POST', '/v1/membership/coupon-templates', { name: 'A', kind: 'cash_off', value_fen: 100, validity: { kind: 'relative', days: 3 } })).id;
  couponId = (await a.ok<{ id: string }>('POST', `/v1/membership/coupon-templates/${templateId}/issues`, { member_id: member.id })).id;
});
afterAll(() => t.close());

describe('another merchant', () => {
  it('cannot read A’s members, ledgers or coupons (404)', async () => {
    for (const b of [bOwner, bKey]) {
      for (const url of [
        `/v1/members/${member.id}`,
        `/v1/members/${member.id}/points`,
        `/v1/members/${member.id}/points/entries`,
        `/v1/members/${member.id}/stored-value`,
        `/v1/members/${member.id}/stored-value/entries`,
        `/v1/members/${member.id}/coupons`,
        `/v1/membership/coupons/${couponId}`,
        `/v1/membership/coupon-templates/${templateId}`,
      ]) {
        const response = await b.raw('GET', url);
        expect(response.statusCode, `${url} ${response.body}`).toBe(404);
      }
      const search = await b.ok<{ items: unknown[] }>('GET', `/v1/members?q=${member.card_number}`);
      expect(search.items).toEqual([]);
    }
  });

  it('cannot spend, top up, refund or redeem A’s value (404), and A is untouched', async () => {
    const bStore = await bOwner.ok<{ id: string }>('POST', '/v1/stores', { name: 'B store' });
    for (const b of [bOwner, bKey]) {
      const attempts = [
        b.raw('POST', `/v1/members/${member.id}/points/spend`, { points: 1 }),
        b.raw('POST', `/v1/members/${member.id}/points/earn`, { amount_fen: 100, reference: 'b-try' }),
        b.raw('POST', `/v1/members/${member.id}/stored-value/spends`, { amount_fen: 1 }),
        b.raw('POST', `/v1/members/${member.id}/stored-value/top-ups`, { amount_fen: 1, payment_reference: 'b-try' }),
        b.raw('POST', `/v1/members/${member.id}/stored-value/refunds`, { spend_entry_id: spendEntryId, amount_fen: 1 }),
        b.raw('POST', `/v1/members/${member.id}/stored-value/principal-refund`, { reason: 'b' }),
        b.raw('POST', `/v1/membership/coupons/${couponId}/void`, { reason: 'b' }),
        b.raw('POST', `/v1/membership/coupon-templates/${templateId}/issues`, { member_id: member.id }),
      ];
      for (const response of await Promise.all(attempts)) expect(response.statusCode, response.body).toBe(404);
      // B's own store with A's coupon: still not found.
      expect(codeOf(await b.raw('POST', `/v1/membership/coupons/${couponId}/redeem`, { store_id: bStore.id, amount_fen: 1000 }))).toBe('coupon_not_found');
    }
    // A's own store named by B is not found either.
    expect(codeOf(await bOwner.raw('POST', `/v1/membership/coupons/${couponId}/redeem`, { store_id: t.demo.storeIds[0], amount_fen: 1000 }))).toBe('store_not_found');
    const points = await a.ok<{ total: number }>('GET', `/v1/members/${member.id}/points`);
    const card = await a.ok<{ balance_fen: number }>('GET', `/v1/members/${member.id}/stored-value`);
    const coupon = await a.ok<{ status: string }>('GET', `/v1/membership/coupons/${couponId}`);
    expect({ points: points.total, card: card.balance_fen, coupon: coupon.status }).toEqual({ points: 100, card: 9_900, coupon: 'issued' });
  });
});
