import { describe, expect, it } from 'vitest';
import { dailySeries, localDate, redemptionRateBps, startOfLocalDate, windowDates } from './coupon-stats-days.js';

const shanghai = 480;

describe('coupon statistics days', () => {
  it('buckets by the merchant’s calendar day, not UTC', () => {
    // 2026-11-25 17:30 UTC is already 2026-11-26 01:30 in Shanghai.
    expect(localDate(new Date('2026-11-25T17:30:00Z'), shanghai)).toBe('2026-11-26');
    expect(localDate(new Date('2026-11-25T15:59:59Z'), shanghai)).toBe('2026-11-25');
    expect(startOfLocalDate('2026-11-26', shanghai).toISOString()).toBe('2026-11-25T16:00:00.000Z');
  });

  it('lists every day of the window oldest first, ending today, across a month end', () => {
    expect(windowDates(new Date('2026-12-01T17:00:00Z'), 4, shanghai)).toEqual(['2026-11-29', '2026-11-30', '2026-12-01', '2026-12-02']);
    expect(windowDates(new Date('2026-03-01T00:00:00Z'), 2, 0)).toEqual(['2026-02-28', '2026-03-01']);
  });

  it('fills missing days with zero and leaves out counts outside the window', () => {
    const dates = ['2026-11-24', '2026-11-25', '2026-11-26'];
    expect(dailySeries(dates, [{ date: '2026-11-25', count: 3 }, { date: '2026-10-01', count: 9 }], [{ date: '2026-11-26', count: 1 }])).toEqual([
      { date: '2026-11-24', issued: 0, redeemed: 0 },
      { date: '2026-11-25', issued: 3, redeemed: 0 },
      { date: '2026-11-26', issued: 0, redeemed: 1 },
    ]);
  });

  it('gives the redemption rate in basis points, floored, and 0 with nothing issued', () => {
    expect(redemptionRateBps(1, 3)).toBe(3333);
    expect(redemptionRateBps(2, 2)).toBe(10_000);
    expect(redemptionRateBps(0, 0)).toBe(0);
  });
});
