import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ALIPAY_RETRY_WAITS_MS, isAcknowledged, nextNotificationAttempt, WECHATPAY_RETRY_WAITS_MS } from './notification-schedule.js';

describe('notification retry schedule', () => {
  it('spans about a day for both channels and gives up after the last attempt', () => {
    const total = (waits: readonly number[]) => waits.reduce((sum, wait) => sum + wait, 0) / 3_600_000;
    expect(WECHATPAY_RETRY_WAITS_MS).toHaveLength(16);
    expect(total(WECHATPAY_RETRY_WAITS_MS)).toBeCloseTo(24.07, 2);
    expect(total(ALIPAY_RETRY_WAITS_MS)).toBeCloseTo(24.4, 1);
    const last = new Date('2026-11-25T00:00:00Z');
    expect(nextNotificationAttempt('wechatpay', 16, last)).toBeNull();
    expect(nextNotificationAttempt('alipay', 8, last)).toBeNull();
  });

  it('sends the first attempt at once and then waits the documented gaps', () => {
    const t0 = new Date('2026-11-25T00:00:00Z');
    expect(nextNotificationAttempt('wechatpay', 0, t0)).toEqual(t0);
    expect(nextNotificationAttempt('wechatpay', 1, t0)?.getTime()).toBe(t0.getTime() + 15_000);
    expect(nextNotificationAttempt('alipay', 1, t0)?.getTime()).toBe(t0.getTime() + 240_000);
  });

  it('never schedules an attempt before the previous one', () => {
    fc.assert(
      fc.property(fc.constantFrom('wechatpay' as const, 'alipay' as const), fc.nat(20), fc.integer({ min: 0, max: 4e12 }), (channel, made, ms) => {
        const next = nextNotificationAttempt(channel, made, new Date(ms));
        return next === null || next.getTime() >= ms;
      }),
    );
  });

  it('reads acknowledgements exactly as each channel does', () => {
    expect(isAcknowledged('wechatpay', 204, '')).toBe(true);
    expect(isAcknowledged('wechatpay', 200, '{"code":"SUCCESS"}')).toBe(true);
    expect(isAcknowledged('wechatpay', 500, '')).toBe(false);
    expect(isAcknowledged('alipay', 200, 'success')).toBe(true);
    expect(isAcknowledged('alipay', 200, 'SUCCESS')).toBe(false);
    expect(isAcknowledged('alipay', 200, '{"code":"success"}')).toBe(false);
    expect(isAcknowledged('alipay', 500, 'success')).toBe(false);
  });
});
