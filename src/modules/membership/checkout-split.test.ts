import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { earnBaseFen, splitCheckoutRefund, spreadProportionally } from './checkout-split.js';

describe('checkout split', () => {
  it('spreads an amount over lines in proportion, adding up exactly', () => {
    expect(spreadProportionally(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(spreadProportionally(5_450, [9_000, 4_000])).toEqual([3_773, 1_677]);
    expect(spreadProportionally(7, [0, 0])).toEqual([7, 0]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 20 }), (total, weights) => {
        const parts = spreadProportionally(total, weights);
        expect(parts.reduce((s, p) => s + p, 0)).toBe(total);
        expect(parts.every((p) => p >= 0)).toBe(true);
      }),
    );
  });

  it('earns on cash and stored-value principal only', () => {
    expect(earnBaseFen({ cashFen: 5_450, storedValuePrincipalFen: 4_000 })).toBe(9_450);
  });

  it('splits refunds over the tenders so that any sequence reaching the payable gives back every tender exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 1, max: 100 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 6 }),
        (pointsValueFen, storedValueFen, cashFen, pointsPerFen, cuts) => {
          const payable = pointsValueFen + storedValueFen + cashFen;
          fc.pre(payable > 0);
          const tenders = { pointsValueFen, pointsSpent: pointsValueFen * pointsPerFen, storedValueFen, cashFen };
          const weight = cuts.reduce((s, c) => s + c, 0);
          let before = 0;
          let acc = 0;
          const total = { cashFen: 0, storedValueFen: 0, points: 0 };
          let full = false;
          for (const c of cuts) {
            acc += c;
            const upTo = Math.floor((payable * acc) / weight);
            if (upTo === before) continue;
            const split = splitCheckoutRefund(tenders, before, upTo - before);
            expect(Math.min(split.cashFen, split.storedValueFen, split.points)).toBeGreaterThanOrEqual(0);
            expect(split.cashFen + split.storedValueFen).toBeLessThanOrEqual(upTo - before);
            total.cashFen += split.cashFen;
            total.storedValueFen += split.storedValueFen;
            total.points += split.points;
            full = split.full;
            before = upTo;
          }
          expect(full).toBe(true);
          expect(total).toEqual({ cashFen, storedValueFen, points: tenders.pointsSpent });
        },
      ),
    );
  });

  it('refuses a refund beyond the payable', () => {
    expect(() => splitCheckoutRefund({ pointsValueFen: 100, pointsSpent: 10_000, storedValueFen: 0, cashFen: 0 }, 50, 51)).toThrow(RangeError);
  });
});
