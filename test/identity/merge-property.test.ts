import fc from 'fast-check';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergePersons, registerMergeHandler, resolve, unmergePersons, type MoveRecord } from '../../src/modules/identity/index.js';
import { identifiers, persons } from '../../src/modules/identity/schema.js';
import { checkLedgersOf } from '../../src/modules/membership/index.js';
import { coupons, members, pointsAccounts, pointsLots, storedValueAccounts } from '../../src/modules/membership/schema.js';
import { paymentOrders } from '../../src/modules/payments/schema.js';
import { contextForUserId, type AccessContext } from '../../src/modules/platform/index.js';
import { startTestApp, type TestApp } from '../support/app.js';

// The lossless-merge property on the real database, the counterpart of person-graph.test.ts: build
// a random graph of persons (strong, medium and shared weak identifiers, some attributes), apply a
// random sequence of merges, undo them in reverse order, and the full identity state of those
// persons — every column that is not a modification time — equals the state before. The modules'
// state is part of it: some persons are members with points, stored value and coupons, some paid
// (payment rows carry their person), and a test handler keeps "points" in memory. Merging keeps all
// value somewhere (the ledgers still add up); undoing gives every member, lot, card, coupon and
// payment back to whom it belonged.

let t: TestApp;
let ctx: AccessContext;
const points = new Map<string, number>();
let unregister: () => void;
let cookie: string;
beforeAll(async () => {
  t = await startTestApp();
  cookie = await t.login('owner');
  ctx = (await contextForUserId(t.database.db, t.demo.logins.find((l) => l.login === 'owner')!.userId))!;
  unregister = registerMergeHandler({
    module: 'test_points',
    async merge(_tx, _ctx, { survivorId, absorbedId }) {
      const moved = points.get(absorbedId) ?? 0;
      points.set(survivorId, (points.get(survivorId) ?? 0) + moved);
      points.set(absorbedId, 0);
      return { moved };
    },
    async unmerge(_tx, _ctx, record: MoveRecord, { survivorId, absorbedId }) {
      const { moved } = record as { moved: number };
      points.set(survivorId, (points.get(survivorId) ?? 0) - moved);
      points.set(absorbedId, (points.get(absorbedId) ?? 0) + moved);
    },
  });
});
afterAll(async () => {
  unregister();
  await t.close();
});

const personSpec = fc.record({
  extra: fc.subarray(['wechat_unionid', 'card_number', 'phone_verified', 'phone', 'wechat_openid'] as const),
  devices: fc.subarray([0, 1, 2]),
  name: fc.option(fc.constantFrom('王伟', '李娜', 'Anna Li'), { nil: undefined }),
  birthday: fc.option(fc.constantFrom('1990-05-17', '--03-04'), { nil: undefined }),
  address: fc.option(fc.constantFrom('上海市徐汇区漕溪北路 88 号', '南京西路 1 号'), { nil: undefined }),
  points: fc.nat({ max: 1000 }),
  member: fc.option(
    fc.record({ points: fc.nat({ max: 500 }), spend: fc.nat({ max: 100 }), topUpFen: fc.nat({ max: 20_000 }), coupons: fc.nat({ max: 2 }) }),
    { nil: undefined },
  ),
  payments: fc.nat({ max: 2 }),
});
const scenario = fc.record({
  people: fc.array(personSpec, { minLength: 2, maxLength: 5 }),
  merges: fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 6 }),
});

let run = 0;
const exercised = new Map<string, number>();

async function stateOf(personIds: string[]) {
  const db = t.database.db;
  const merchantId = t.demo.merchantId;
  const personRows = await db
    .select({ id: persons.id, status: persons.status, mergedInto: persons.mergedInto, mergedAt: persons.mergedAt, displayName: persons.displayName, birthday: persons.birthday, address: persons.address, createdAt: persons.createdAt })
    .from(persons)
    .where(and(eq(persons.merchantId, merchantId), inArray(persons.id, personIds)))
    .orderBy(persons.id);
  const identifierRows = await db
    .select()
    .from(identifiers)
    .where(and(eq(identifiers.merchantId, merchantId), inArray(identifiers.personId, personIds)))
    .orderBy(identifiers.id);
  const memberRows = await db
    .select()
    .from(members)
    .where(and(eq(members.merchantId, merchantId), inArray(members.personId, personIds)))
    .orderBy(members.id);
  const memberIds = memberRows.map((m) => m.id);
  const some = memberIds.length ? memberIds : ['none'];
  const accounts = await db.select({ memberId: pointsAccounts.memberId, balance: pointsAccounts.balance }).from(pointsAccounts).where(and(eq(pointsAccounts.merchantId, merchantId), inArray(pointsAccounts.memberId, some))).orderBy(pointsAccounts.memberId);
  // Lots that hold points or debt (an emptied debt lot left behind is no value).
  const lots = (await db.select().from(pointsLots).where(and(eq(pointsLots.merchantId, merchantId), inArray(pointsLots.memberId, some))).orderBy(pointsLots.id)).filter((l) => l.kind === 'earn' || l.remaining !== 0);
  const cards = await db
    .select({ memberId: storedValueAccounts.memberId, principal: storedValueAccounts.principalFen, bonus: storedValueAccounts.bonusFen, status: storedValueAccounts.status })
    .from(storedValueAccounts)
    .where(and(eq(storedValueAccounts.merchantId, merchantId), inArray(storedValueAccounts.memberId, some)))
    .orderBy(storedValueAccounts.memberId);
  const couponRows = await db.select({ id: coupons.id, memberId: coupons.memberId, status: coupons.status }).from(coupons).where(and(eq(coupons.merchantId, merchantId), inArray(coupons.memberId, some))).orderBy(coupons.id);
  const payments = await db
    .select({ id: paymentOrders.id, personId: paymentOrders.personId })
    .from(paymentOrders)
    .where(and(eq(paymentOrders.merchantId, merchantId), inArray(paymentOrders.personId, personIds)))
    .orderBy(paymentOrders.id);
  return {
    persons: personRows,
    identifiers: identifierRows,
    points: personIds.map((id) => points.get(id) ?? 0),
    members: memberRows.map(({ updatedAt: _u, ...rest }) => rest),
    accounts,
    lots,
    cards,
    coupons: couponRows,
    payments,
  };
}


let template: string | undefined;
async function api<T>(method: 'POST' | 'GET', url: string, payload?: object): Promise<T> {
  const response = await t.app.inject({ method, url, headers: { cookie }, ...(payload && { payload }) });
  expect(response.statusCode, `${method} ${url} ${response.body}`).toBeLessThan(300);
  return response.json<T>();
}

/** A member of the person holding this email, with some value: points (some spent), stored value, coupons. */
async function makeMember(email: string, spec: { points: number; spend: number; topUpFen: number; coupons: number }): Promise<void> {
  const m = await api<{ id: string }>('POST', '/v1/members', { identifiers: [{ kind: 'email', value: email }], consent_version: 'v1', consent_purposes: ['membership'] });
  if (spec.points) await api('POST', `/v1/members/${m.id}/points/earn`, { points: spec.points, reason: 'property' });
  if (spec.points && spec.spend) await api('POST', `/v1/members/${m.id}/points/spend`, { points: Math.min(spec.spend, spec.points) });
  if (spec.topUpFen) await api('POST', `/v1/members/${m.id}/stored-value/top-ups`, { amount_fen: spec.topUpFen, payment_reference: `prop-${email}` });
  template ??= (
    await api<{ id: string }>('POST', '/v1/membership/coupon-templates', {
      name: 'property',
      kind: 'cash_off',
      value_fen: 500,
      stackable: false,
      validity: { kind: 'fixed', from: new Date(Date.now() - 86_400_000).toISOString(), until: new Date(Date.now() + 30 * 86_400_000).toISOString() },
    })
  ).id;
  for (let k = 0; k < spec.coupons; k++) await api('POST', `/v1/membership/coupon-templates/${template}/issues`, { member_id: m.id });
}

/** A paid payment whose payer resolved to this person (the row payments writes, as it writes it). */
async function paymentOf(personId: string, tag: string): Promise<void> {
  await t.database.db.insert(paymentOrders).values({
    merchantId: t.demo.merchantId,
    id: `pay_prop${tag.replace(/[^0-9a-z]/gi, '')}${Date.now()}`,
    storeId: 'sto_property',
    channel: 'wechatpay',
    channelAccountId: 'pca_property',
    kind: 'barcode',
    merchantOrderNo: `prop-${tag}-${Date.now()}`,
    outTradeNo: `prop-${tag}-${Date.now()}`,
    description: 'property',
    amountFen: 100,
    status: 'succeeded',
    feeRatePpm: 0,
    costRatePpm: 0,
    personId,
    expiresAt: new Date(),
    paidAt: new Date(),
  });
}

describe('merge then unmerge in reverse order', () => {
  it('restores the full identity state and every module’s moves', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ people, merges }) => {
        run++;
        const ids: string[] = [];
        for (const [index, spec] of people.entries()) {
          const tag = `${run}x${index}`;
          const extra = spec.extra.map((kind) => {
            switch (kind) {
              case 'wechat_unionid':
                return { kind, value: `u${tag}` };
              case 'card_number':
                return { kind, value: `CARD${tag}` };
              case 'phone_verified':
                return { kind: 'phone', value: `139${String(run * 10 + index).padStart(8, '0')}`, verified: true };
              case 'phone':
                return { kind, value: `137${String(run * 10 + index).padStart(8, '0')}` };
              case 'wechat_openid':
                return { kind, value: `wx1111111111111111:o${tag}` };
            }
          });
          // Device ids are shared across persons of one run: the weak identifiers both may hold.
          const devices = spec.devices.map((d) => ({ kind: 'device_id', value: `dev-${run}-${d}` }));
          const result = await resolve(t.database.db, ctx, {
            identifiers: [{ kind: 'email', value: `p${tag}@example.com` }, ...extra, ...devices],
            create: true,
            context: 'manual',
            profile: { displayName: spec.name, birthday: spec.birthday, address: spec.address },
          });
          expect(result.created).toBe(true);
          ids.push(result.personId!);
          points.set(result.personId!, spec.points);
          if (spec.member) await makeMember(`p${tag}@example.com`, spec.member);
          for (let k = 0; k < spec.payments; k++) await paymentOf(result.personId!, `${tag}-${k}`);
        }
        const before = await stateOf(ids);

        const done: string[] = [];
        for (const [i, j] of merges) {
          const active = (await stateOf(ids)).persons.filter((p) => p.status === 'active').map((p) => p.id);
          if (active.length < 2) break;
          const survivorId = active[i % active.length]!;
          const absorbedId = active[j % active.length]!;
          if (survivorId === absorbedId) continue;
          const view = await mergePersons(t.database.db, ctx, { survivorId, absorbedId, reason: 'property' });
          done.push(view.id);
          for (const move of view.moves) for (const [kind, n] of Object.entries(move.counts)) if (n > 0) exercised.set(`${move.module}.${kind}`, (exercised.get(`${move.module}.${kind}`) ?? 0) + 1);
        }
        const merged = await stateOf(ids);
        // Merging loses nothing: every identifier still exists and all points, value, coupons and payments are somewhere.
        const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
        expect(merged.identifiers.map((i) => i.id).sort()).toEqual(before.identifiers.map((i) => i.id).sort());
        expect(sum(merged.points)).toBe(sum(before.points));
        expect(sum(merged.accounts.map((a) => a.balance))).toBe(sum(before.accounts.map((a) => a.balance)));
        expect(sum(merged.cards.map((c) => c.principal))).toBe(sum(before.cards.map((c) => c.principal)));
        expect(sum(merged.cards.map((c) => c.bonus))).toBe(sum(before.cards.map((c) => c.bonus)));
        expect(merged.coupons.map((c) => c.id)).toEqual(before.coupons.map((c) => c.id));
        expect(merged.payments.map((p) => p.id)).toEqual(before.payments.map((p) => p.id));
        // Every active person holds the payments and (at most one) member of those it absorbed.
        const active = new Set(merged.persons.filter((p) => p.status === 'active').map((p) => p.id));
        for (const p of merged.payments) expect(active.has(p.personId!)).toBe(true);
        const liveMembers = merged.members.filter((m) => m.status !== 'merged');
        expect(new Set(liveMembers.map((m) => m.personId)).size).toBe(liveMembers.length);
        for (const m of liveMembers) expect(active.has(m.personId!)).toBe(true);
        expect((await checkLedgersOf(t.database.db, t.demo.merchantId)).mismatches).toEqual([]);

        for (const mergeId of done.reverse()) await unmergePersons(t.database.db, ctx, mergeId, 'property undo');
        expect(await stateOf(ids)).toEqual(before);
        expect((await checkLedgersOf(t.database.db, t.demo.merchantId)).mismatches).toEqual([]);
      }),
      { numRuns: 12, endOnFailure: true },
    );
    // The random graphs did reach the interesting moves: members absorbing members, moved payments.
    for (const kind of ['membership.members', 'membership.points_lots', 'membership.stored_value_fen', 'membership.coupons', 'payments.payments']) expect(exercised.get(kind) ?? 0, kind).toBeGreaterThan(0);
  });
});
