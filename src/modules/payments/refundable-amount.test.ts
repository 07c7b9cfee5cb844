import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { refundStatuses } from './payment-state.js';
import { checkRefund, committedRefundFen, refundableAmount, type RefundLike } from './refundable-amount.js';

describe('refundable amount', () => {
  it('counts processing and succeeded refunds, frees failed and closed ones', () => {
    const refunds: RefundLike[] = [
      { amountFen: 100, status: 'succeeded' },
      { amountFen: 50, status: 'processing' },
      { amountFen: 500, status: 'failed' },
      { amountFen: 500, status: 'closed' },
    ];
    expect(committedRefundFen(refunds)).toBe(150);
    expect(refundableAmount(1000, refunds)).toBe(850);
    expect(checkRefund(1000, refunds, 850)).toEqual({ ok: true });
    expect(checkRefund(1000, refunds, 851)).toEqual({ ok: false, reason: 'exceeds_refundable', refundableFen: 850 });
    expect(checkRefund(1000, refunds, 0)).toMatchObject({ ok: false, reason: 'not_positive' });
  });

  it('never lets accepted refunds exceed what was paid, whatever the sequence (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.array(fc.record({ amount: fc.integer({ min: -10, max: 600_000 }), outcome: fc.constantFrom(...refundStatuses) }), { maxLength: 40 }),
        (paid, requests) => {
          const accepted: { amountFen: number; status: (typeof refundStatuses)[number] }[] = [];
          for (const request of requests) {
            if (checkRefund(paid, accepted, request.amount).ok) accepted.push({ amountFen: request.amount, status: request.outcome });
            expect(committedRefundFen(accepted)).toBeLessThanOrEqual(paid);
          }
        },
      ),
    );
  });
});
