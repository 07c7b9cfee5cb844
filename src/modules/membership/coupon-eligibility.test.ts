import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canStack, evaluateCoupon, termsProblems, validityAtIssue, type CouponTerms, type PurchaseContext } from './coupon-eligibility.js';

const now = new Date('2026-05-01T06:00:00Z');
const validity = { validFrom: new Date('2026-04-01T00:00:00Z'), validUntil: new Date('2026-06-01T00:00:00Z') };
const purchase = (amountFen: number, extra: Partial<PurchaseContext> = {}): PurchaseContext => ({ now, storeId: 'sto_a', amountFen, ...extra });
const terms = (t: Partial<CouponTerms> & Pick<CouponTerms, 'kind'>): CouponTerms => ({ stackable: false, ...t });

describe('coupon eligibility', () => {
  it('takes cash off, never more than the purchase', () => {
    expect(evaluateCoupon(terms({ kind: 'cash_off', valueFen: 1000 }), validity, purchase(5000))).toEqual({ eligible: true, discountFen: 1000 });
    expect(evaluateCoupon(terms({ kind: 'cash_off', valueFen: 1000 }), validity, purchase(600))).toEqual({ eligible: true, discountFen: 600 });
  });

  it('takes a percentage off, floored and capped', () => {
    const tenPercentMax5 = terms({ kind: 'percent_off', percentBps: 1000, capFen: 500 });
    expect(evaluateCoupon(tenPercentMax5, validity, purchase(1999))).toEqual({ eligible: true, discountFen: 199 });
    expect(evaluateCoupon(tenPercentMax5, validity, purchase(100_000))).toEqual({ eligible: true, discountFen: 500 });
  });

  it('applies 满减 only from the threshold', () => {
    const t = terms({ kind: 'threshold', valueFen: 2000, minSpendFen: 10_000 });
    expect(evaluateCoupon(t, validity, purchase(9999))).toEqual({ eligible: false, reason: 'below_minimum_spend' });
    expect(evaluateCoupon(t, validity, purchase(10_000))).toEqual({ eligible: true, discountFen: 2000 });
  });

  it('gives a free item or an exchange only when the product is on the order', () => {
    const lines = [
      { productId: 'latte', unitPriceFen: 2800, quantity: 2 },
      { productId: 'bagel', unitPriceFen: 1200, quantity: 1 },
    ];
    expect(evaluateCoupon(terms({ kind: 'free_item', productId: 'latte' }), validity, purchase(6800, { lines }))).toEqual({ eligible: true, discountFen: 2800 });
    expect(evaluateCoupon(terms({ kind: 'exchange', productId: 'latte', exchangePriceFen: 990 }), validity, purchase(6800, { lines }))).toEqual({ eligible: true, discountFen: 1810 });
    expect(evaluateCoupon(terms({ kind: 'free_item', productId: 'cake' }), validity, purchase(6800, { lines }))).toEqual({ eligible: false, reason: 'no_eligible_items' });
    expect(evaluateCoupon(terms({ kind: 'free_item', productId: 'latte' }), validity, purchase(6800))).toEqual({ eligible: false, reason: 'no_eligible_items' });
  });

  it('limits to applicable products and stores', () => {
    const lines = [
      { productId: 'latte', unitPriceFen: 2800, quantity: 1 },
      { productId: 'bagel', unitPriceFen: 1200, quantity: 1 },
    ];
    const drinksOnly = terms({ kind: 'percent_off', percentBps: 5000, productIds: ['latte'] });
    expect(evaluateCoupon(drinksOnly, validity, purchase(4000, { lines }))).toEqual({ eligible: true, discountFen: 1400 });
    expect(evaluateCoupon(drinksOnly, validity, purchase(4000))).toEqual({ eligible: false, reason: 'no_eligible_items' });
    expect(evaluateCoupon(terms({ kind: 'cash_off', valueFen: 100, storeIds: ['sto_b'] }), validity, purchase(4000))).toEqual({ eligible: false, reason: 'wrong_store' });
  });

  it('respects validity, fixed or N days from issue', () => {
    const issued = new Date('2026-05-01T00:00:00Z');
    const relative = validityAtIssue({ kind: 'relative', days: 7 }, issued);
    expect(relative).toEqual({ validFrom: issued, validUntil: new Date('2026-05-08T00:00:00Z') });
    const c = terms({ kind: 'cash_off', valueFen: 100 });
    expect(evaluateCoupon(c, relative, purchase(1000, { now: new Date('2026-05-07T23:59:59Z') })).eligible).toBe(true);
    expect(evaluateCoupon(c, relative, purchase(1000, { now: new Date('2026-05-08T00:00:00Z') }))).toEqual({ eligible: false, reason: 'expired' });
    expect(evaluateCoupon(c, validity, purchase(1000, { now: new Date('2026-03-31T00:00:00Z') }))).toEqual({ eligible: false, reason: 'not_yet_valid' });
  });

  it('stacks only stackable coupons', () => {
    expect(canStack([terms({ kind: 'cash_off', valueFen: 1 })])).toBe(true);
    expect(canStack([terms({ kind: 'cash_off', valueFen: 1, stackable: true }), terms({ kind: 'cash_off', valueFen: 1 })])).toBe(false);
    expect(canStack([terms({ kind: 'cash_off', valueFen: 1, stackable: true }), terms({ kind: 'percent_off', percentBps: 1, stackable: true })])).toBe(true);
  });

  it('checks what each kind of template must say', () => {
    expect(termsProblems(terms({ kind: 'cash_off' })).map((p) => p.field)).toEqual(['valueFen']);
    expect(termsProblems(terms({ kind: 'threshold', valueFen: 5000, minSpendFen: 1000 })).map((p) => p.message)).toEqual(['threshold takes off at most its threshold']);
    expect(termsProblems(terms({ kind: 'percent_off', percentBps: 10_001 }))).toHaveLength(1);
    expect(termsProblems(terms({ kind: 'exchange', productId: 'latte', exchangePriceFen: 0 }))).toEqual([]);
  });

  it('never discounts more than the purchase or less than zero (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('cash_off', 'percent_off', 'threshold') as fc.Arbitrary<CouponTerms['kind']>,
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: null }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (kind, valueFen, percentBps, capFen, amountFen) => {
          const result = evaluateCoupon(terms({ kind, valueFen, percentBps, capFen, minSpendFen: kind === 'threshold' ? valueFen : null }), validity, purchase(amountFen));
          if (result.eligible) {
            expect(result.discountFen).toBeGreaterThanOrEqual(0);
            expect(result.discountFen).toBeLessThanOrEqual(amountFen);
            if (capFen !== null && kind === 'percent_off') expect(result.discountFen).toBeLessThanOrEqual(capFen);
          }
        },
      ),
    );
  });
});
