import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyMovements,
  balanceOf,
  burn,
  byAge,
  credit,
  DEBT_LOT,
  expire,
  InsufficientPoints,
  lotDates,
  lotState,
  NEW_LOT,
  restoreSpend,
  reverse,
  type LotPolicy,
  type Movement,
  type PointsLot,
} from './points-lots.js';

const day = 86_400_000;
const t0 = new Date('2026-01-01T00:00:00Z');
const at = (days: number) => new Date(t0.getTime() + days * day);

function lot(id: string, earnedDay: number, remaining: number, opts: { pendingDays?: number; expiryDays?: number | null } = {}): PointsLot {
  const dates = lotDates(at(earnedDay), { pendingDays: opts.pendingDays ?? 0, expiryDays: opts.expiryDays === undefined ? 365 : opts.expiryDays });
  return { id, kind: 'earn', earnedAt: at(earnedDay), ...dates, points: remaining, remaining };
}

const sum = (movements: readonly Movement[]) => movements.reduce((s, m) => s + m.delta, 0);

describe('points lots', () => {
  it('knows pending, available and expired', () => {
    const l = lot('a', 0, 100, { pendingDays: 7, expiryDays: 30 });
    expect(lotState(l, at(6))).toBe('pending');
    expect(lotState(l, at(7))).toBe('available');
    expect(lotState(l, at(36.99))).toBe('available');
    expect(lotState(l, at(37))).toBe('expired');
    expect(lotDates(at(0), { pendingDays: 0, expiryDays: null }).expiresAt).toBeNull();
  });

  it('burns the oldest available lot first, skipping pending and expired lots', () => {
    const lots = [lot('c', 20, 50), lot('a', 0, 30, { expiryDays: 10 }), lot('b', 5, 40), lot('d', 24, 70, { pendingDays: 10 })];
    const movements = burn(lots, 60, at(25), { allowNegative: false }, 'spend');
    // a expired at day 10, d is pending until day 34: b (day 5) then c (day 20).
    expect(movements).toEqual([
      { lotId: 'b', type: 'spend', delta: -40 },
      { lotId: 'c', type: 'spend', delta: -20 },
    ]);
    expect(balanceOf(lots, at(25))).toEqual({ total: 190, available: 90, pending: 70, expiredUnswept: 30, debt: 0 });
  });

  it('refuses to overspend unless the program allows debt, then records it on the debt lot', () => {
    const lots = [lot('a', 0, 30)];
    expect(() => burn(lots, 31, at(1), { allowNegative: false }, 'spend')).toThrow(InsufficientPoints);
    const movements = burn(lots, 50, at(1), { allowNegative: true }, 'spend');
    expect(movements).toEqual([
      { lotId: 'a', type: 'spend', delta: -30 },
      { lotId: 'debt_lot', type: 'spend', delta: -20 },
    ]);
    const after = applyMovements(lots, movements, { debtLot: 'debt' });
    expect(balanceOf(after, at(1))).toMatchObject({ total: -20, available: -20, debt: 20 });
    // The next credit repays the debt first.
    const earn = credit(after, 100, at(2), 'earn');
    const repaid = applyMovements(after, earn, { newLot: 'n' }, { earnedAt: at(2), ...lotDates(at(2), { pendingDays: 0, expiryDays: 365 }) });
    expect(balanceOf(repaid, at(2))).toMatchObject({ total: 80, available: 80, debt: 0 });
    expect(repaid.find((l) => l.id === 'n')?.remaining).toBe(80);
  });

  it('reverses a refunded purchase from its own lot first, then FIFO, then reports a shortfall', () => {
    const lots = [lot('old', 0, 10), lot('own', 5, 15), lot('young', 6, 100)];
    const r = reverse(lots, 40, 'own', at(7), { allowNegative: false });
    expect(r.movements).toEqual([
      { lotId: 'own', type: 'refund_reversal', delta: -15 },
      { lotId: 'old', type: 'refund_reversal', delta: -10 },
      { lotId: 'young', type: 'refund_reversal', delta: -15 },
    ]);
    expect(r.shortfall).toBe(0);
    const short = reverse([lot('own', 0, 5)], 12, 'own', at(1), { allowNegative: false });
    expect(sum(short.movements)).toBe(-5);
    expect(short.shortfall).toBe(7);
    const indebted = reverse([lot('own', 0, 5)], 12, 'own', at(1), { allowNegative: true });
    expect(sum(indebted.movements)).toBe(-12);
    expect(indebted.shortfall).toBe(0);
  });

  it('takes reversal from a still-pending own lot', () => {
    const r = reverse([lot('own', 0, 20, { pendingDays: 7 })], 20, 'own', at(1), { allowNegative: false });
    expect(r).toEqual({ movements: [{ lotId: 'own', type: 'refund_reversal', delta: -20 }], shortfall: 0 });
  });

  it('expires whole lots once past their date', () => {
    const lots = [lot('a', 0, 30, { expiryDays: 10 }), lot('b', 0, 0, { expiryDays: 10 }), lot('c', 5, 40, { expiryDays: null })];
    expect(expire(lots, at(9))).toEqual([]);
    expect(expire(lots, at(10))).toEqual([{ lotId: 'a', type: 'expire', delta: -30 }]);
  });

  it('rejects non-positive or fractional amounts', () => {
    expect(() => credit([], 0, t0, 'earn')).toThrow(RangeError);
    expect(() => burn([], 1.5, t0, { allowNegative: true }, 'spend')).toThrow(RangeError);
  });
});

// ---- properties: random earn / spend / adjust / reverse / expire sequences ----

type Op =
  | { kind: 'earn'; points: number; pendingDays: number; expiryDays: number | null }
  | { kind: 'spend'; points: number }
  | { kind: 'reverse'; points: number; lotIndex: number }
  | { kind: 'expire' }
  | { kind: 'wait'; days: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('earn' as const), points: fc.integer({ min: 1, max: 500 }), pendingDays: fc.integer({ min: 0, max: 5 }), expiryDays: fc.option(fc.integer({ min: 1, max: 30 }), { nil: null }) }),
  fc.record({ kind: fc.constant('spend' as const), points: fc.integer({ min: 1, max: 600 }) }),
  fc.record({ kind: fc.constant('reverse' as const), points: fc.integer({ min: 1, max: 300 }), lotIndex: fc.nat(20) }),
  fc.record({ kind: fc.constant('expire' as const) }),
  fc.record({ kind: fc.constant('wait' as const), days: fc.integer({ min: 0, max: 10 }) }),
);

describe('points ledger properties', () => {
  it('balance = Σ entries, spends burn oldest first, never negative unless allowed', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), fc.boolean(), (ops, allowNegative) => {
        const policy: Pick<LotPolicy, 'allowNegative'> = { allowNegative };
        let lots: PointsLot[] = [];
        const ledger: Movement[] = [];
        let now = t0;
        let seq = 0;
        for (const op of ops) {
          let movements: Movement[] = [];
          const newLot = `l${String(seq++).padStart(4, '0')}`;
          if (op.kind === 'wait') {
            now = new Date(now.getTime() + op.days * day);
            continue;
          }
          if (op.kind === 'earn') movements = credit(lots, op.points, now, 'earn');
          if (op.kind === 'expire') movements = expire(lots, now);
          if (op.kind === 'reverse') {
            const earnLots = lots.filter((l) => l.kind === 'earn');
            const source = earnLots[op.lotIndex % Math.max(earnLots.length, 1)]?.id ?? null;
            const before = balanceOf(lots, now).total;
            const r = reverse(lots, op.points, source, now, policy);
            movements = r.movements;
            expect(-sum(movements) + r.shortfall).toBe(op.points);
            if (r.shortfall > 0) expect(before + sum(movements)).toBeGreaterThanOrEqual(0);
          }
          if (op.kind === 'spend') {
            const spendable = balanceOf(lots, now).available;
            try {
              movements = burn(lots, op.points, now, policy, 'spend');
              expect(-sum(movements)).toBe(op.points);
              // FIFO: a burnt lot never has an older available lot left holding points.
              const burnt = new Set(movements.map((m) => m.lotId));
              const after = applyMovements(lots, movements, { debtLot: 'debt' });
              const available = after.filter((l) => l.kind === 'earn' && lotState(l, now) === 'available').sort(byAge);
              const youngestBurnt = available.filter((l) => burnt.has(l.id)).at(-1);
              if (youngestBurnt) for (const older of available.filter((l) => byAge(l, youngestBurnt) < 0)) expect(older.remaining).toBe(0);
            } catch (error) {
              expect(error).toBeInstanceOf(InsufficientPoints);
              expect(allowNegative).toBe(false);
              expect(spendable).toBeLessThan(op.points);
              continue;
            }
          }
          lots = applyMovements(lots, movements, { newLot, debtLot: 'debt' }, op.kind === 'earn' ? { earnedAt: now, ...lotDates(now, op) } : undefined);
          ledger.push(...movements.map((m) => ({ ...m, lotId: m.lotId === NEW_LOT ? newLot : m.lotId === DEBT_LOT ? 'debt' : m.lotId })));
          const balance = balanceOf(lots, now);
          expect(balance.total).toBe(sum(ledger));
          for (const l of lots) {
            if (l.kind === 'earn') expect(l.remaining).toBeGreaterThanOrEqual(0);
            else expect(l.remaining).toBeLessThanOrEqual(0);
            expect(l.remaining).toBe(sum(ledger.filter((m) => m.lotId === l.id)));
          }
          if (!allowNegative) {
            expect(balance.debt).toBe(0);
            expect(balance.total).toBeGreaterThanOrEqual(0);
          }
          // Debt and spendable points never sit side by side.
          if (balance.debt > 0) expect(lots.filter((l) => l.kind === 'earn' && lotState(l, now) === 'available').every((l) => l.remaining === 0)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('restores a spend exactly into the lots it burned, over any split of the restore', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 500 }), { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 100 }), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 }), (sizes, pct, parts) => {
        const lots0 = sizes.map((n, i) => lot(`l${i}`, i, n));
        const total = sizes.reduce((s, n) => s + n, 0);
        const spend = Math.max(1, Math.floor((total * pct) / 100));
        const burned = burn(lots0, spend, at(10), { allowNegative: false }, 'spend');
        const taken = burned.filter((m) => m.type === 'spend').map((m) => ({ lotId: m.lotId, points: -m.delta }));
        let lots = applyMovements(lots0, burned, {});
        // Give the spend back in several pieces (a sequence of partial refunds): the pieces add up to the spend.
        const weights = parts.reduce((s, p) => s + p, 0);
        const restored = new Map<string, number>();
        let given = 0;
        parts.forEach((p, i) => {
          const upTo = i === parts.length - 1 ? spend : Math.floor((spend * parts.slice(0, i + 1).reduce((s, q) => s + q, 0)) / weights);
          const now = upTo - given;
          given = upTo;
          if (now <= 0) return;
          const movements = restoreSpend(lots, taken, restored, now);
          expect(sum(movements)).toBe(now);
          expect(movements.every((m) => m.lotId !== NEW_LOT)).toBe(true);
          for (const m of movements) restored.set(m.lotId, (restored.get(m.lotId) ?? 0) + m.delta);
          lots = applyMovements(lots, movements, {});
        });
        // Every lot holds again exactly what it held before the spend.
        expect(lots.map((l) => l.remaining)).toEqual(lots0.map((l) => l.remaining));
      }),
    );
  });

  it('restores the debt part of a spend to the debt still owed, and the rest as a new lot', () => {
    const lots0 = [lot('a', 0, 30)];
    const spent = burn(lots0, 50, at(1), { allowNegative: true }, 'spend');
    const taken = spent.filter((m) => m.type === 'spend').map((m) => ({ lotId: m.lotId, points: -m.delta }));
    let lots = applyMovements(lots0, spent, { debtLot: 'debt' });
    // 10 of the 20 points of debt were repaid by a later earn.
    lots = lots.map((l) => (l.kind === 'debt' ? { ...l, remaining: -10 } : l));
    const movements = restoreSpend(lots, taken.map((t) => (t.lotId === DEBT_LOT ? { ...t, lotId: 'debt' } : t)), new Map(), 50);
    expect(movements).toEqual([
      { lotId: 'debt', type: 'restore', delta: 10 },
      { lotId: 'a', type: 'restore', delta: 30 },
      { lotId: NEW_LOT, type: 'restore', delta: 10 },
    ]);
  });
});
