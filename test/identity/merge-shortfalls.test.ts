import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { caller, enrol, type Caller, type MemberBody } from '../membership/support.js';

// What an unmerge could not give back (ADR 0007): listed per merchant, member and merge; settled once
// by an owner or admin (value moves with merge_settlement entries on both sides) or written off with
// a reason; and the per-member coupon limit across a merge.

let t: TestApp;
let owner: Caller;
let manager: Caller;
let storeId: string;
beforeAll(async () => {
  t = await startTestApp();
  owner = caller(t, { cookie: await t.login('owner') });
  manager = caller(t, { cookie: await t.login('manager') });
  storeId = t.demo.storeIds[0]!;
});
afterAll(() => t.close());

interface Shortfall {
  id: string;
  merge_id: string;
  kind: string;
  item_id: string | null;
  amount: number;
  owed_to_member_id: string;
  owed_by_member_id: string;
  status: string;
  resolved_by: string | null;
  resolution_reason: string | null;
  resolution_reference: string | null;
}
interface Merge {
  id: string;
}
interface Coupon {
  id: string;
  member_id: string;
  status: string;
  template_id: string;
}

let refs = 0;
const ref = (p: string) => `${p}-${++refs}-${Date.now()}`;
const points = async (m: { id: string }) => (await owner.ok<{ total: number }>('GET', `/v1/members/${m.id}/points`)).total;
const card = (m: { id: string }) => owner.ok<{ principal_fen: number; bonus_fen: number }>('GET', `/v1/members/${m.id}/stored-value`);
const merge = (s: MemberBody, a: MemberBody) => owner.ok<Merge>('POST', '/v1/identity/merges', { survivor_id: s.person_id, absorbed_id: a.person_id, reason: 'same customer' });
const unmerge = (m: Merge) => owner.ok('POST', `/v1/identity/merges/${m.id}/unmerge`, { reason: 'two people after all' });
const shortfallsOf = (query: string) => owner.ok<{ items: Shortfall[]; next_cursor: string | null }>('GET', query);
async function ledgersOk() {
  const check = await owner.ok<{ ok: boolean; mismatches: unknown[] }>('GET', '/v1/membership/ledger-check');
  expect(check.mismatches).toEqual([]);
}
async function template(extra: Record<string, unknown> = {}): Promise<string> {
  return (
    await owner.ok<{ id: string }>('POST', '/v1/membership/coupon-templates', {
      name: `减 10 ${ref('t')}`,
      kind: 'cash_off',
      value_fen: 1000,
      validity: { kind: 'relative', days: 30 },
      ...extra,
    })
  ).id;
}
const issue = (templateId: string, memberId: string) => owner.raw('POST', `/v1/membership/coupon-templates/${templateId}/issues`, { member_id: memberId });

describe('merge shortfalls', () => {
  it('lists a points shortfall per merchant, member and merge; an owner settles it once, moving points with entries on both sides', async () => {
    const s = await enrol(owner);
    const a = await enrol(owner);
    await owner.ok('POST', `/v1/members/${a.id}/points/earn`, { points: 400, reason: 'welcome' });
    const m = await merge(s, a);
    await owner.ok('POST', `/v1/members/${s.id}/points/spend`, { points: 100 });
    await unmerge(m);
    expect([await points(a), await points(s)]).toEqual([300, 0]);

    const [shortfall] = (await shortfallsOf(`/v1/membership/merge-shortfalls?merge_id=${m.id}`)).items;
    expect(shortfall).toMatchObject({ merge_id: m.id, kind: 'points', amount: 100, owed_to_member_id: a.id, owed_by_member_id: s.id, status: 'open' });
    expect((await shortfallsOf('/v1/membership/merge-shortfalls')).items.map((x) => x.id)).toContain(shortfall!.id);
    expect((await shortfallsOf(`/v1/members/${a.id}/merge-shortfalls`)).items.map((x) => x.id)).toEqual([shortfall!.id]);
    expect((await shortfallsOf(`/v1/members/${s.id}/merge-shortfalls`)).items.map((x) => x.id)).toEqual([shortfall!.id]);
    // The cashier's manager may read but not settle: an owner's or admin's decision.
    expect((await manager.raw('POST', `/v1/membership/merge-shortfalls/${shortfall!.id}/settle`, { reason: 'give back' })).statusCode).toBe(403);
    // The survivor holds no points now: refused, nothing written.
    const poor = await owner.raw('POST', `/v1/membership/merge-shortfalls/${shortfall!.id}/settle`, { reason: 'give back' });
    expect(poor.statusCode, poor.body).toBe(409);
    expect(poor.json<{ code: string }>().code).toBe('insufficient_points');

    await owner.ok('POST', `/v1/members/${s.id}/points/earn`, { points: 150, reason: 'later' });
    const settled = await owner.ok<Shortfall>('POST', `/v1/membership/merge-shortfalls/${shortfall!.id}/settle`, { reason: 'give back' });
    expect(settled).toMatchObject({ status: 'settled', resolution_reason: 'give back' });
    expect(settled.resolution_reference).toMatch(/^mop_/);
    expect([await points(a), await points(s)]).toEqual([400, 50]);
    const entries = async (m: MemberBody) =>
      (await owner.ok<{ items: { type: string; delta: number }[] }>('GET', `/v1/members/${m.id}/points/entries`)).items.filter((e) => e.type === 'merge_settlement').map((e) => e.delta);
    expect(await entries(a)).toEqual([100]);
    expect(await entries(s)).toEqual([-100]);
    await ledgersOk();

    // Exactly once: a second settle and a write-off are refused and move nothing.
    for (const action of ['settle', 'write-off']) {
      const again = await owner.raw('POST', `/v1/membership/merge-shortfalls/${shortfall!.id}/${action}`, { reason: 'again' });
      expect(again.statusCode).toBe(409);
      expect(again.json<{ code: string }>().code).toBe('merge_shortfall_resolved');
    }
    expect([await points(a), await points(s)]).toEqual([400, 50]);
    expect((await shortfallsOf(`/v1/members/${a.id}/merge-shortfalls`)).items).toEqual([]);
    expect((await shortfallsOf(`/v1/members/${a.id}/merge-shortfalls?status=settled`)).items.map((x) => x.id)).toEqual([shortfall!.id]);
    const audit = await owner.ok<{ items: { action: string }[] }>('GET', `/v1/audit-log?action=membership.merge_shortfall.settle&target_id=${a.id}`);
    expect(audit.items).toHaveLength(1);
  });

  it('settles a stored-value shortfall principal from principal, once under concurrent attempts', async () => {
    const s = await enrol(owner);
    const a = await enrol(owner);
    await owner.ok('POST', `/v1/members/${a.id}/stored-value/top-ups`, { amount_fen: 8_000, payment_reference: ref('top') });
    const m = await merge(s, a);
    await owner.ok('POST', `/v1/members/${s.id}/stored-value/spends`, { amount_fen: 6_000 });
    await unmerge(m);
    const [shortfall] = (await shortfallsOf(`/v1/membership/merge-shortfalls?merge_id=${m.id}`)).items;
    expect(shortfall).toMatchObject({ kind: 'stored_value_principal', item_id: null, amount: 6_000 });

    await owner.ok('POST', `/v1/members/${s.id}/stored-value/top-ups`, { amount_fen: 10_000, payment_reference: ref('top') });
    const attempts = await Promise.all([1, 2, 3].map(() => owner.raw('POST', `/v1/membership/merge-shortfalls/${shortfall!.id}/settle`, { reason: 'refund what was used' })));
    expect(attempts.map((r) => r.statusCode).sort()).toEqual([200, 409, 409]);
    expect((await card(a)).principal_fen).toBe(8_000);
    expect((await card(s)).principal_fen).toBe(4_000);
    await ledgersOk();
  });

  it('writes a coupon shortfall off with a reason, or replaces the coupon past the per-member limit', async () => {
    const templateId = await template({ per_member_limit: 1 });
    const s = await enrol(owner);
    const a = await enrol(owner);
    const b = await enrol(owner);
    const couponOfA = (await issue(templateId, a.id)).json<Coupon>();
    const couponOfB = (await issue(templateId, b.id)).json<Coupon>();

    const first = await merge(s, a);
    await owner.ok('POST', `/v1/membership/coupons/${couponOfA.id}/redeem`, { store_id: storeId, amount_fen: 5_000 });
    await unmerge(first);
    const [lost] = (await shortfallsOf(`/v1/membership/merge-shortfalls?merge_id=${first.id}`)).items;
    expect(lost).toMatchObject({ kind: 'coupon', item_id: couponOfA.id, amount: 1, owed_to_member_id: a.id });
    expect((await owner.raw('POST', `/v1/membership/merge-shortfalls/${lost!.id}/write-off`, {})).statusCode).toBe(400);
    const written = await owner.ok<Shortfall>('POST', `/v1/membership/merge-shortfalls/${lost!.id}/write-off`, { reason: 'customer agreed' });
    expect(written).toMatchObject({ status: 'written_off', resolution_reason: 'customer agreed', resolution_reference: null });
    expect((await owner.raw('POST', `/v1/membership/merge-shortfalls/${lost!.id}/settle`, { reason: 'x' })).json<{ code: string }>().code).toBe('merge_shortfall_resolved');

    const second = await merge(s, b);
    await owner.ok('POST', `/v1/membership/coupons/${couponOfB.id}/redeem`, { store_id: storeId, amount_fen: 5_000 });
    await unmerge(second);
    const [owed] = (await shortfallsOf(`/v1/membership/merge-shortfalls?merge_id=${second.id}`)).items;
    // b is at its limit (it holds the redeemed coupon): the replacement is not a new grant.
    expect((await issue(templateId, b.id)).json<{ code: string }>().code).toBe('coupon_member_limit');
    const settled = await owner.ok<Shortfall>('POST', `/v1/membership/merge-shortfalls/${owed!.id}/settle`, { reason: 'replace it' });
    const replacement = await owner.ok<Coupon>('GET', `/v1/membership/coupons/${settled.resolution_reference}`);
    expect(replacement).toMatchObject({ member_id: b.id, status: 'issued', template_id: templateId });
  });

  it('answers 404 for an unknown shortfall', async () => {
    const response = await owner.raw('POST', `/v1/membership/merge-shortfalls/msf_${'0'.repeat(26)}/settle`, { reason: 'x' });
    expect(response.statusCode).toBe(404);
  });
});

describe('per-member coupon limit across a merge', () => {
  it('lets the survivor keep coupons above the limit, and issues no more until it is under it', async () => {
    const limitOne = await template({ per_member_limit: 1 });
    const limitThree = await template({ per_member_limit: 3 });
    const s = await enrol(owner);
    const a = await enrol(owner);
    for (const id of [limitOne, limitThree]) {
      for (const m of [s, a]) expect((await issue(id, m.id)).statusCode).toBe(201);
    }
    const m = await merge(s, a);
    const held = async (templateId: string) => (await owner.ok<{ items: Coupon[] }>('GET', `/v1/members/${s.id}/coupons?limit=100`)).items.filter((c) => c.template_id === templateId).length;
    // Both coupons were issued legitimately: the survivor keeps 2 of a template limited to 1.
    expect(await held(limitOne)).toBe(2);
    const refused = await issue(limitOne, s.id);
    expect(refused.statusCode).toBe(409);
    expect(refused.json<{ code: string; held: number; limit: number }>()).toMatchObject({ code: 'coupon_member_limit', held: 2, limit: 1 });
    // The absorbed member gets nothing either: it is merged.
    expect((await issue(limitOne, a.id)).json<{ code: string }>().code).toBe('member_inactive');
    // Under a limit of 3 the merged 2 leave room for one more, then no more.
    expect((await issue(limitThree, s.id)).statusCode).toBe(201);
    expect((await issue(limitThree, s.id)).json<{ code: string }>().code).toBe('coupon_member_limit');

    await unmerge(m);
    // Each side holds its own again: 1 of the limit-1 template each, still at the limit.
    expect(await held(limitOne)).toBe(1);
    expect((await issue(limitOne, s.id)).json<{ code: string }>().code).toBe('coupon_member_limit');
    expect((await issue(limitOne, a.id)).json<{ code: string }>().code).toBe('coupon_member_limit');
    expect(await held(limitThree)).toBe(2);
  });
});
