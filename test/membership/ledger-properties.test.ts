import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/kernel/errors.js';
import { checkLedgersOf, earnInTransaction, expirePoints, reverseInTransaction, spendPointsInTransaction } from '../../src/modules/membership/index.js';
import { systemContext, type AccessContext } from '../../src/modules/platform/index.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { caller, enrol, type Caller } from './support.js';

// Random earn / spend / refund / expire sequences against the real database, with the clock moved
// by the sequence itself: after every step the cached balances equal the sum of the entries, the
// API's balance equals the ledger, and the balance is never negative (the program forbids debt).

let t: TestApp;
let owner: Caller;
let ctx: AccessContext;
const day = 86_400_000;

beforeAll(async () => {
  t = await startTestApp();
  owner = caller(t, { cookie: await t.login('owner') });
  ctx = systemContext(t.demo.operatorId, t.demo.merchantId, 'ledger property test');
  await owner.ok('PATCH', '/v1/membership/program', { points_pending_days: 2, points_expiry_days: 10, allow_negative_points: false });
});
afterAll(() => t.close());

type Op =
  | { kind: 'purchase'; fen: number }
  | { kind: 'manual'; points: number }
  | { kind: 'spend'; points: number }
  | { kind: 'refund'; pick: number; share: number }
  | { kind: 'expire' }
  | { kind: 'wait'; days: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('purchase' as const), fen: fc.integer({ min: 0, max: 50_000 }) }),
  fc.record({ kind: fc.constant('manual' as const), points: fc.integer({ min: 1, max: 300 }) }),
  fc.record({ kind: fc.constant('spend' as const), points: fc.integer({ min: 1, max: 400 }) }),
  fc.record({ kind: fc.constant('refund' as const), pick: fc.nat(), share: fc.double({ min: 0.01, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('expire' as const) }),
  fc.record({ kind: fc.constant('wait' as const), days: fc.integer({ min: 1, max: 6 }) }),
);

let run = 0;

describe('points ledger against the database', () => {
  it('refunds a purchase too small to earn without error, and still refuses an unknown purchase', async () => {
    // The property's shrunk counterexample: a 4-fen purchase (0 points), then a refund of part of it.
    const member = await enrol(owner);
    const db = t.database.db;
    const earned = await db.transaction((tx) => earnInTransaction(tx, ctx, t.demo.merchantId, member.id, { amountFen: 4, reference: 'tiny-purchase' }));
    expect(earned.points).toBe(0);
    const reversed = await db.transaction((tx) => reverseInTransaction(tx, ctx, t.demo.merchantId, member.id, { reference: 'tiny-purchase', refundReference: 'tiny-refund', refundAmountFen: 1 }));
    expect(reversed.points).toBe(0);
    // Applied once: the same refund again is a duplicate, not a second reversal.
    await expect(db.transaction((tx) => reverseInTransaction(tx, ctx, t.demo.merchantId, member.id, { reference: 'tiny-purchase', refundReference: 'tiny-refund', refundAmountFen: 1 }))).rejects.toMatchObject({ code: 'duplicate_reference' });
    await expect(db.transaction((tx) => reverseInTransaction(tx, ctx, t.demo.merchantId, member.id, { reference: 'never-bought', refundReference: 'ghost-refund', refundAmountFen: 1 }))).rejects.toMatchObject({ code: 'earn_not_found' });
    expect((await checkLedgersOf(db, t.demo.merchantId)).mismatches).toEqual([]);
  });

  it('keeps cache = Σ entries, API balance = ledger, and never goes negative (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), async (ops) => {
        run += 1;
        const member = await enrol(owner);
        const db = t.database.db;
        let now = new Date(Date.now() + run * 1000 * day);
        const purchases: { ref: string; fen: number; refunded: number }[] = [];
        let seq = 0;
        for (const op of ops) {
          seq += 1;
          const at = now;
          try {
            if (op.kind === 'wait') {
              now = new Date(now.getTime() + op.days * day);
              continue;
            }
            if (op.kind === 'purchase') {
              const ref = `prop-${run}-${seq}`;
              await db.transaction((tx) => earnInTransaction(tx, ctx, t.demo.merchantId, member.id, { amountFen: op.fen, reference: ref }, at));
              purchases.push({ ref, fen: op.fen, refunded: 0 });
            }
            if (op.kind === 'manual') await db.transaction((tx) => earnInTransaction(tx, ctx, t.demo.merchantId, member.id, { points: op.points, reason: 'property' }, at));
            if (op.kind === 'spend') {
              await db.transaction((tx) => spendPointsInTransaction(tx, ctx, t.demo.merchantId, member.id, { points: op.points }, at));
            }
            if (op.kind === 'refund' && purchases.length) {
              const p = purchases[op.pick % purchases.length]!;
              const amount = Math.floor((p.fen - p.refunded) * op.share);
              if (amount > 0) {
                await db.transaction((tx) => reverseInTransaction(tx, ctx, t.demo.merchantId, member.id, { reference: p.ref, refundReference: `${p.ref}-r${seq}`, refundAmountFen: amount }, at));
                p.refunded += amount;
              }
            }
            if (op.kind === 'expire') await expirePoints(db, ctx, at);
          } catch (error) {
            // The only refusals a valid sequence can meet: spending more than is available.
            expect(error).toBeInstanceOf(AppError);
            expect((error as AppError).code).toBe('insufficient_points');
          }
          const check = await checkLedgersOf(db, t.demo.merchantId);
          expect(check.mismatches).toEqual([]);
          const { rows } = (await db.execute(sql`select balance::int as balance from membership_points_accounts where member_id = ${member.id}`)) as unknown as { rows: { balance: number }[] };
          expect(rows[0]!.balance).toBeGreaterThanOrEqual(0);
        }
        // Through the API, once per sequence: the balance shown is the ledger's.
        const balance = await owner.ok<{ total: number; cached: number; available: number; debt: number }>('GET', `/v1/members/${member.id}/points`);
        expect(balance.cached).toBe(balance.total);
        expect(balance.total).toBeGreaterThanOrEqual(0);
        expect(balance.debt).toBe(0);
        const entries = await owner.ok<{ items: { delta: number }[] }>('GET', `/v1/members/${member.id}/points/entries?limit=200`);
        expect(entries.items.reduce((s, e) => s + e.delta, 0)).toBe(balance.total);
      }),
      { numRuns: 8 },
    );
  }, 300_000);
});
