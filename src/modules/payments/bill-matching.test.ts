import { describe, expect, it } from 'vitest';
import { matchBill, type BillRecord, type LocalRecord } from './bill-matching.js';

const pay = (outTradeNo: string, amountFen: number, status = 'succeeded', onDate = true): LocalRecord => ({ kind: 'payment', outTradeNo, outRefundNo: null, amountFen, status, succeededOnBillDate: onDate });
const billPay = (outTradeNo: string, amountFen: number): BillRecord => ({ kind: 'payment', outTradeNo, outRefundNo: null, amountFen, channelState: 'SUCCESS' });

describe('bill matching', () => {
  it('finds each kind of mismatch and counts the rest as matched', () => {
    const bill: BillRecord[] = [
      billPay('a', 100),
      billPay('b', 200), // amount differs
      billPay('c', 300), // failed here
      billPay('d', 400), // unknown here
      { kind: 'refund', outTradeNo: 'a', outRefundNo: 'r1', amountFen: 50, channelState: 'REFUND' },
    ];
    const local: LocalRecord[] = [
      pay('a', 100),
      pay('b', 250),
      pay('c', 300, 'failed', false),
      pay('e', 500), // not on the bill
      pay('f', 600, 'succeeded', false), // another day: not expected
      { kind: 'refund', outTradeNo: 'a', outRefundNo: 'r1', amountFen: 50, status: 'succeeded', succeededOnBillDate: true },
    ];
    const result = matchBill(bill, local);
    expect(result.matched).toBe(2);
    expect(result.lines.map((l) => [l.kind, l.outTradeNo]).sort()).toEqual(
      [
        ['amount_mismatch', 'b'],
        ['missing_at_channel', 'e'],
        ['missing_locally', 'd'],
        ['status_mismatch', 'c'],
      ].sort(),
    );
    expect(result.lines.find((l) => l.kind === 'amount_mismatch')).toMatchObject({ localAmountFen: 250, channelAmountFen: 200 });
  });

  it('shows a payment paid after we gave up as late_success, not as a status mismatch', () => {
    const bill: BillRecord[] = [billPay('g', 700), { kind: 'refund', outTradeNo: 'g', outRefundNo: 'rl', amountFen: 700, channelState: 'REFUND' }];
    const local: LocalRecord[] = [pay('g', 700, 'late_paid'), { kind: 'refund', outTradeNo: 'g', outRefundNo: 'rl', amountFen: 700, status: 'succeeded', succeededOnBillDate: true }];
    const result = matchBill(bill, local);
    expect(result.matched).toBe(1);
    expect(result.lines).toEqual([expect.objectContaining({ kind: 'late_success', outTradeNo: 'g', localStatus: 'late_paid', channelStatus: 'SUCCESS' })]);
    // Missing from the bill, a late-paid payment is missing at the channel like any paid one.
    expect(matchBill([], [pay('h', 800, 'late_paid')]).lines.map((l) => l.kind)).toEqual(['missing_at_channel']);
  });

  it('keys refunds by refund number, not by order', () => {
    const bill: BillRecord[] = [{ kind: 'refund', outTradeNo: 'a', outRefundNo: 'r2', amountFen: 10, channelState: 'REFUND' }];
    const result = matchBill(bill, [{ kind: 'refund', outTradeNo: 'a', outRefundNo: 'r1', amountFen: 10, status: 'succeeded', succeededOnBillDate: true }]);
    expect(result.lines.map((l) => l.kind).sort()).toEqual(['missing_at_channel', 'missing_locally']);
  });
});
