import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bonusForTopUp, checkCap, escrowRequiredFen, InsufficientStoredValue, quarterBounds, splitRefund, splitSpend } from './stored-value-split.js';

describe('stored value split', () => {
  it('splits a spend in proportion, odd fen from the bonus', () => {
    // ¥1,000 paid, ¥100 bonus: a ¥110 spend takes ¥100 principal and ¥10 bonus.
    expect(splitSpend({ principalFen: 100_000, bonusFen: 10_000 }, 11_000)).toEqual({ principalFen: 10_000, bonusFen: 1_000 });
    // 1 fen from 1:1 → floor(0.5) principal = 0, so the bonus gives it.
    expect(splitSpend({ principalFen: 1, bonusFen: 1 }, 1)).toEqual({ principalFen: 0, bonusFen: 1 });
    expect(splitSpend({ principalFen: 500, bonusFen: 0 }, 500)).toEqual({ principalFen: 500, bonusFen: 0 });
    expect(() => splitSpend({ principalFen: 10, bonusFen: 5 }, 16)).toThrow(InsufficientStoredValue);
  });

  it('refunds partial spends exactly (example)', () => {
    const spend = splitSpend({ principalFen: 100_000, bonusFen: 10_000 }, 333);
    expect(spend).toEqual({ principalFen: 302, bonusFen: 31 });
    const a = splitRefund(spend, 0, 100);
    const b = splitRefund(spend, 100, 100);
    const c = splitRefund(spend, 200, 133);
    expect(a.principalFen + b.principalFen + c.principalFen).toBe(302);
    expect(a.bonusFen + b.bonusFen + c.bonusFen).toBe(31);
    expect(() => splitRefund(spend, 200, 134)).toThrow(RangeError);
  });

  it('never takes more principal or bonus than the card holds, and refunds add up to the spend (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 500_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 10 }),
        (principalFen, bonusFen, f, refunds) => {
          const amount = Math.floor((principalFen + bonusFen) * f);
          const spend = splitSpend({ principalFen, bonusFen }, amount);
          expect(spend.principalFen + spend.bonusFen).toBe(amount);
          expect(spend.principalFen).toBeLessThanOrEqual(principalFen);
          expect(spend.bonusFen).toBeLessThanOrEqual(bonusFen);
          expect(spend.principalFen).toBeGreaterThanOrEqual(0);
          let refunded = 0;
          let p = 0;
          let b = 0;
          for (const r of [...refunds, 1]) {
            const now = Math.floor((amount - refunded) * r);
            const back = splitRefund(spend, refunded, now);
            expect(back.principalFen).toBeGreaterThanOrEqual(0);
            expect(back.bonusFen).toBeGreaterThanOrEqual(0);
            p += back.principalFen;
            b += back.bonusFen;
            refunded += now;
          }
          expect({ p, b }).toEqual({ p: spend.principalFen, b: spend.bonusFen });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('picks the richest plan the payment reaches', () => {
    const plans = [
      { payFen: 50_000, bonusFen: 3_000 },
      { payFen: 100_000, bonusFen: 10_000 },
    ];
    expect(bonusForTopUp(plans, 49_999)).toBe(0);
    expect(bonusForTopUp(plans, 50_000)).toBe(3_000);
    expect(bonusForTopUp(plans, 120_000)).toBe(10_000);
  });

  it('enforces the cap on the card value', () => {
    expect(checkCap({ principalFen: 400_000, bonusFen: 40_000 }, 60_000, 500_000)).toEqual({ ok: true });
    expect(checkCap({ principalFen: 400_000, bonusFen: 40_000 }, 60_001, 500_000)).toEqual({ ok: false, roomFen: 60_000 });
  });

  it('rounds escrow up and bounds quarters in the merchant zone', () => {
    expect(escrowRequiredFen(100_001, 4_000)).toBe(40_001);
    expect(escrowRequiredFen(100_000, 4_000)).toBe(40_000);
    expect(quarterBounds('2026Q3')).toEqual({ start: new Date('2026-06-30T16:00:00Z'), end: new Date('2026-09-30T16:00:00Z') });
    expect(quarterBounds('2026Q4').end).toEqual(new Date('2026-12-31T16:00:00Z'));
    expect(() => quarterBounds('2026Q5')).toThrow(RangeError);
  });
});
