import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applicablePromotions, pointsForEvent, pointsForPurchase, pointsToReverse, spreadOverLines, type EarnProgram, type Promotion } from './earn-rules.js';

const at = new Date('2026-06-15T04:00:00Z');
const promo = (id: string, multiplierBps: number, start: string, end = '2026-12-31T00:00:00Z', storeIds: string[] | null = null): Promotion => ({
  id,
  multiplierBps,
  startsAt: new Date(start),
  endsAt: new Date(end),
  storeIds,
});

describe('earn rules', () => {
  it('earns per yuan of net spend, dropping fractions once per purchase', () => {
    const program: EarnProgram = { pointsPerYuan: 1 };
    expect(pointsForPurchase([{ netFen: 1999 }], program, { at }).points).toBe(19);
    // 0.5 + 0.5 yuan: floored once on the sum, not per line.
    expect(pointsForPurchase([{ netFen: 50 }, { netFen: 50 }], program, { at }).points).toBe(1);
    expect(pointsForPurchase([{ netFen: 12_345 }], { pointsPerYuan: 2 }, { at }).points).toBe(246);
    expect(pointsForPurchase([{ netFen: 100_000 }], { pointsPerYuan: 0 }, { at }).points).toBe(0);
  });

  it('lets a product multiplier win over its category', () => {
    const program: EarnProgram = {
      pointsPerYuan: 1,
      productMultipliers: [{ id: 'sku-coffee', multiplierBps: 30_000 }],
      categoryMultipliers: [{ id: 'drinks', multiplierBps: 20_000 }],
    };
    const result = pointsForPurchase(
      [
        { productId: 'sku-coffee', categoryId: 'drinks', netFen: 1000 },
        { productId: 'sku-tea', categoryId: 'drinks', netFen: 1000 },
        { productId: 'sku-bread', netFen: 1000 },
      ],
      program,
      { at },
    );
    expect(result.points).toBe(30 + 20 + 10);
    expect(result.snapshot.lines.map((l) => l.multiplierBps)).toEqual([30_000, 20_000, 10_000]);
  });

  it('applies one promotion, the newest, unless stacking is configured', () => {
    const promotions = [promo('double', 20_000, '2026-06-01T00:00:00Z'), promo('triple', 30_000, '2026-06-10T00:00:00Z'), promo('ended', 50_000, '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z')];
    const single = pointsForPurchase([{ netFen: 1000 }], { pointsPerYuan: 1, promotions }, { at });
    expect(single).toMatchObject({ points: 30, promotionIds: ['triple'] });
    const stacked = pointsForPurchase([{ netFen: 1000 }], { pointsPerYuan: 1, promotions, stackPromotions: true }, { at });
    // Extras add: ×2 and ×3 → ×4.
    expect(stacked.points).toBe(40);
    expect(stacked.promotionIds.sort()).toEqual(['double', 'triple']);
  });

  it('limits store-scoped promotions to their stores and stacks the tier multiplier', () => {
    const program: EarnProgram = { pointsPerYuan: 1, promotions: [promo('store-a', 20_000, '2026-06-01T00:00:00Z', '2026-07-01T00:00:00Z', ['sto_a'])] };
    expect(applicablePromotions(program, { at, storeId: 'sto_b' })).toEqual([]);
    expect(pointsForPurchase([{ netFen: 1000 }], program, { at, storeId: 'sto_a', tierMultiplierBps: 15_000 }).points).toBe(30);
  });

  it('reverses exactly what the refunded part earned', () => {
    const { points, snapshot } = pointsForPurchase([{ netFen: 1999 }], { pointsPerYuan: 1 }, { at });
    expect(points).toBe(19);
    const first = pointsToReverse(snapshot, [0], [999]);
    const second = pointsToReverse(snapshot, [999], [1000]);
    expect(first).toBe(9); // 19 − floor(10.00)
    expect(second).toBe(10);
    expect(first + second).toBe(points);
    expect(() => pointsToReverse(snapshot, [999], [1001])).toThrow(RangeError);
  });

  it('partial refunds of any sequence add up to what the purchase earned (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ netFen: fc.integer({ min: 0, max: 200_000 }), multiplierBps: fc.integer({ min: 0, max: 50_000 }) }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 5_000, max: 40_000 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 8 }),
        (lines, pointsPerYuan, tierBps, fractions) => {
          const program: EarnProgram = { pointsPerYuan, productMultipliers: lines.map((l, i) => ({ id: `p${i}`, multiplierBps: l.multiplierBps })) };
          const earned = pointsForPurchase(
            lines.map((l, i) => ({ productId: `p${i}`, netFen: l.netFen })),
            program,
            { at, tierMultiplierBps: tierBps },
          );
          const refunded = lines.map(() => 0);
          let reversed = 0;
          for (const f of fractions) {
            const left = lines.reduce((s, l, i) => s + l.netFen - refunded[i]!, 0);
            const now = spreadOverLines(earned.snapshot, refunded, Math.floor(left * f));
            expect(now.reduce((a, b) => a + b, 0)).toBe(Math.floor(left * f));
            const r = pointsToReverse(earned.snapshot, refunded, now);
            expect(r).toBeGreaterThanOrEqual(0);
            reversed += r;
            now.forEach((v, i) => (refunded[i]! += v));
          }
          const rest = lines.map((l, i) => l.netFen - refunded[i]!);
          reversed += pointsToReverse(earned.snapshot, refunded, rest);
          expect(reversed).toBe(earned.points);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives fixed points for events it knows', () => {
    expect(pointsForEvent({ check_in: 20 }, 'check_in')).toBe(20);
    expect(pointsForEvent({ check_in: 20 }, 'review')).toBe(0);
  });
});
