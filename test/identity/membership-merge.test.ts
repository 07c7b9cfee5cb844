import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestApp, type TestApp } from '../support/app.js';
import { caller, enrol, type Caller, type MemberBody } from '../membership/support.js';

// ID+ merges through the HTTP API, with membership's handler: the survivor's member absorbs the
// other member's points, stored value and coupons with transfer_on_merge entries, the absorbed
// member resolves to it, and an unmerge gives everything back — or records what was used meanwhile.

let t: TestApp;
let owner: Caller;
beforeAll(async () => {
  t = await startTestApp();
  owner = caller(t, { cookie: await t.login('owner') });
});
afterAll(() => t.close());

interface Points {
  total: number;
  available: number;
  cached: number;
  debt: number;
}
interface Card {
  principal_fen: number;
  bonus_fen: number;
}
interface Merge {
  id: string;
  modules: string[];
  moves: { module: string; counts: Record<string, number> }[];
}
interface LedgerCheck {
  ok: boolean;
  mismatches: unknown[];
}

const points = (m: { id: string }) => owner.ok<Points>('GET', `/v1/members/${m.id}/points`);
const card = (m: { id: string }) => owner.ok<Card>('GET', `/v1/members/${m.id}/stored-value`);
const member = (id: string) => owner.ok<MemberBody & { status: string }>('GET', `/v1/members/${id}`);
const ledgersOk = async () => {
  const check = await owner.ok<LedgerCheck>('GET', '/v1/membership/ledger-check');
  expect(check.mismatches).toEqual([]);
  expect(check.ok).toBe(true);
};
let refs = 0;
const ref = (p: string) => `${p}-${++refs}-${Date.now()}`;

async function memberWithValue(pointsToEarn: number, topUpFen: number): Promise<MemberBody> {
  const m = await enrol(owner);
  if (pointsToEarn) await owner.ok('POST', `/v1/members/${m.id}/points/earn`, { points: pointsToEarn, reason: 'welcome' });
  if (topUpFen) await owner.ok('POST', `/v1/members/${m.id}/stored-value/top-ups`, { amount_fen: topUpFen, payment_reference: ref('top') });
  return m;
}

async function couponFor(memberId: string): Promise<{ id: string; member_id: string; status: string }> {
  const template = await owner.ok<{ id: string }>('POST', '/v1/membership/coupon-templates', {
    name: '满 100 减 10',
    kind: 'cash_off',
    value_fen: 1000,
    stackable: false,
    validity: { kind: 'fixed', from: new Date(Date.now() - 86_400_000).toISOString(), until: new Date(Date.now() + 30 * 86_400_000).toISOString() },
  });
  return owner.ok('POST', `/v1/membership/coupon-templates/${template.id}/issues`, { member_id: memberId });
}

const merge = (survivor: MemberBody, absorbed: MemberBody) => owner.ok<Merge>('POST', '/v1/identity/merges', { survivor_id: survivor.person_id, absorbed_id: absorbed.person_id, reason: 'same customer' });
const unmerge = (m: Merge) => owner.ok<Merge>('POST', `/v1/identity/merges/${m.id}/unmerge`, { reason: 'two people after all' });

describe('merging two members through ID+', () => {
  it('moves points, stored value and coupons to the survivor, and unmerge restores both exactly', async () => {
    const s = await memberWithValue(300, 10_000);
    const a = await memberWithValue(200, 5_000);
    const coupon = await couponFor(a.id);
    const before = { s: [await points(s), await card(s)], a: [await points(a), await card(a)] };

    const m = await merge(s, a);
    expect(m.modules).toEqual(['membership', 'payments']);
    expect(m.moves.find((x) => x.module === 'membership')!.counts).toMatchObject({ members: 1, points: 200, stored_value_fen: 5_000, coupons: 1 });
    expect((await points(s)).total).toBe(500);
    expect((await card(s)).principal_fen).toBe(15_000);
    // The absorbed member's own ledger is emptied by its transfer entries; its id resolves to the survivor.
    expect((await points(a)).total).toBe(0);
    const absorbed = await member(a.id);
    expect(absorbed.id).toBe(s.id);
    expect((await owner.ok<{ member_id: string }>('GET', `/v1/membership/coupons/${coupon.id}`)).member_id).toBe(s.id);
    // Both sides of every transfer are entries: the ledgers still add up.
    const entries = await owner.ok<{ items: { type: string; delta: number }[] }>('GET', `/v1/members/${s.id}/points/entries`);
    expect(entries.items.filter((e) => e.type === 'transfer_on_merge').map((e) => e.delta)).toEqual([200]);
    await ledgersOk();
    // The person page says what each module moved.
    const person = json<{ merges: Merge[] }>(await t.app.inject({ method: 'GET', url: `/v1/identity/persons/${s.person_id}`, headers: { cookie: await t.login('owner') } }));
    expect(person.merges[0]!.moves.find((x) => x.module === 'membership')!.counts.coupons).toBe(1);

    await unmerge(m);
    expect({ s: [await points(s), await card(s)], a: [await points(a), await card(a)] }).toEqual(before);
    expect((await member(a.id)).id).toBe(a.id);
    expect((await owner.ok<{ member_id: string }>('GET', `/v1/membership/coupons/${coupon.id}`)).member_id).toBe(a.id);
    await ledgersOk();
  });

  it('keeps what the survivor earned while merged, and records what it spent of the absorbed value', async () => {
    const s = await memberWithValue(0, 0);
    const a = await memberWithValue(400, 8_000);
    const m = await merge(s, a);
    await owner.ok('POST', `/v1/members/${s.id}/points/earn`, { points: 50, reason: 'earned while merged' });
    // The oldest lot burns first: the absorbed member's.
    await owner.ok('POST', `/v1/members/${s.id}/points/spend`, { points: 100 });
    await owner.ok('POST', `/v1/members/${s.id}/stored-value/spends`, { amount_fen: 6_000 });
    await unmerge(m);

    expect((await points(s)).total).toBe(50);
    expect((await points(a)).total).toBe(300);
    expect((await card(a)).principal_fen).toBe(2_000);
    expect((await card(s)).principal_fen).toBe(0);
    await ledgersOk();
    const rows = await t.database.db.execute(`select kind, amount, owed_to_member_id, owed_by_member_id from membership_merge_shortfalls where merge_id = '${m.id}' order by kind`);
    const shortfalls = (rows as unknown as { rows: { kind: string; amount: string | number; owed_to_member_id: string; owed_by_member_id: string }[] }).rows;
    expect(shortfalls.map((r) => [r.kind, Number(r.amount), r.owed_to_member_id, r.owed_by_member_id])).toEqual([
      ['points', 100, a.id, s.id],
      ['stored_value_principal', 6_000, a.id, s.id],
    ]);
  });

  it('re-points the member when only the absorbed person is one', async () => {
    const a = await memberWithValue(10, 0);
    const response = await owner.raw('POST', '/v1/identity/resolve', { identifiers: [{ kind: 'email', value: `x${Date.now()}@example.com` }], create: true, context: 'manual' });
    expect(response.statusCode, response.body).toBeLessThan(300);
    const other = response.json<{ person_id: string }>();
    const m = await owner.ok<Merge>('POST', '/v1/identity/merges', { survivor_id: other.person_id, absorbed_id: a.person_id, reason: 'same' });
    expect(m.moves.find((x) => x.module === 'membership')!.counts).toEqual({ members: 1 });
    expect((await member(a.id)).person_id).toBe(other.person_id);
    await unmerge(m);
    expect((await member(a.id)).person_id).toBe(a.person_id);
  });

  it('moves debt to the survivor and back; debt the survivor repaid meanwhile comes back to it as points', async () => {
    await owner.ok('PATCH', '/v1/membership/program', { allow_negative_points: true });
    const s = await memberWithValue(300, 0);
    const a = await memberWithValue(100, 0);
    await owner.ok('POST', `/v1/members/${a.id}/points/spend`, { points: 150 });
    expect(await points(a)).toMatchObject({ total: -50, debt: 50 });

    const first = await merge(s, a);
    expect((await points(s)).total).toBe(250);
    await ledgersOk();
    await unmerge(first);
    expect(await points(a)).toMatchObject({ total: -50, debt: 50 });
    expect((await points(s)).total).toBe(300);
    await ledgersOk();

    // Merged again (a new person decision), the survivor spends its points, so the next earn repays
    // the absorbed member's debt; unmerging gives the debt back and the survivor its repayment.
    const fresh = await enrol(owner);
    await owner.ok('POST', `/v1/members/${fresh.id}/points/earn`, { points: 10, reason: 'welcome' });
    const second = await merge(fresh, a);
    expect(await points(fresh)).toMatchObject({ total: -40 });
    await owner.ok('POST', `/v1/members/${fresh.id}/points/earn`, { points: 30, reason: 'earned while merged' });
    expect(await points(fresh)).toMatchObject({ total: -10, debt: 10 });
    await unmerge(second);
    expect(await points(a)).toMatchObject({ total: -50, debt: 50 });
    expect(await points(fresh)).toMatchObject({ total: 40, debt: 0 });
    await ledgersOk();
    await owner.ok('PATCH', '/v1/membership/program', { allow_negative_points: false });
  });
});
