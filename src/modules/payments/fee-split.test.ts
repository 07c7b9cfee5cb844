import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agentCommissionFen, dailyFigures, feeFen, refundFeeFen, roundHalfUp, type LedgerLine } from './fee-split.js';

describe('round half up', () => {
  it('rounds halves towards +∞ and everything else to the nearest', () => {
    expect(roundHalfUp(5n, 10n)).toBe(1n);
    expect(roundHalfUp(4n, 10n)).toBe(0n);
    expect(roundHalfUp(15n, 10n)).toBe(2n);
    expect(roundHalfUp(-5n, 10n)).toBe(0n);
    expect(roundHalfUp(-6n, 10n)).toBe(-1n);
    expect(roundHalfUp(-15n, 10n)).toBe(-1n);
  });

  it('is within half a unit of the exact quotient (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.bigInt({ min: 1n, max: 10n ** 7n }), (n, d) => {
        const r = roundHalfUp(n, d);
        // |r·d − n| ≤ d/2, and exactly d/2 only when rounding up
        const diff = r * d - n;
        expect(2n * diff <= d && 2n * diff > -d).toBe(true);
      }),
    );
  });
});

describe('fees', () => {
  it('charges 0.38 % per order, rounded half up', () => {
    expect(feeFen(10_000, 3800)).toBe(38); // ¥100.00 → ¥0.38
    expect(feeFen(1_000, 3800)).toBe(4); // 3.8 → 4
    expect(feeFen(100, 3800)).toBe(0); // 0.38 → 0
    expect(feeFen(132, 3800)).toBe(1); // 0.5016 → 1
    expect(feeFen(13_158, 3800)).toBe(50); // 50.0004 → 50
    expect(() => feeFen(1.5, 3800)).toThrow(RangeError);
    expect(() => feeFen(100, -1)).toThrow(RangeError);
  });

  it('gives back exactly the whole fee over any sequence of refunds that empties the order (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 0, max: 60_000 }), fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 12 }), (amount, rate, weights) => {
        const total = weights.reduce((a, b) => a + b, 0);
        const parts = weights.map((w) => Math.floor((amount * w) / total));
        parts[parts.length - 1]! += amount - parts.reduce((a, b) => a + b, 0);
        let refunded = 0;
        let returned = 0;
        for (const part of parts) {
          const back = refundFeeFen(refunded, part, rate);
          expect(back).toBeGreaterThanOrEqual(0);
          returned += back;
          refunded += part;
        }
        expect(returned).toBe(feeFen(amount, rate));
      }),
    );
  });

  it('computes agent commission from the margin, also when it is negative', () => {
    expect(agentCommissionFen(100, 3000)).toBe(30);
    expect(agentCommissionFen(5, 3000)).toBe(2); // 1.5 → 2
    expect(agentCommissionFen(-5, 3000)).toBe(-1); // -1.5 → -1
  });
});

describe('daily figures', () => {
  const line = fc.oneof(
    fc.record({ kind: fc.constant('payment' as const), amountFen: fc.integer({ min: 1, max: 1_000_000 }) }),
    fc.record({ kind: fc.constant('refund' as const), amountFen: fc.integer({ min: 1, max: 1_000_000 }) }),
  );

  it('is reproducible: the same ledger in any order gives the same statement (property)', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 10_000 }), (raw, rate, cost) => {
        const lines: LedgerLine[] = raw.map((l) => ({
          ...l,
          feeFen: (l.kind === 'payment' ? 1 : -1) * feeFen(l.amountFen, rate),
          costFen: (l.kind === 'payment' ? 1 : -1) * feeFen(l.amountFen, cost),
        }));
        const a = dailyFigures(lines);
        const b = dailyFigures([...lines].reverse());
        expect(b).toEqual(a);
        expect(a.netFen).toBe(a.grossFen - a.refundsFen - a.feesFen);
        expect(a.marginFen).toBe(a.feesFen - a.costFen);
        expect(a.paymentCount + a.refundCount).toBe(lines.length);
      }),
    );
  });
});
