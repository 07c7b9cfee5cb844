import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { afterFailedAttempt, firstAttemptAt, webhookMaxAttempts, webhookRetryDelaysMs, webhookRetrySpanMs } from './webhook-schedule.js';

const hour = 3_600_000;

describe('webhook retry schedule', () => {
  it('spans at least 24 hours from the first attempt to the last', () => {
    // 0 + 1m + 5m + 10m + 30m + 1h + 2h + 4h + 8h + 8h + 8h = 31 h 46 min over 11 attempts.
    expect(webhookMaxAttempts).toBe(11);
    expect(webhookRetrySpanMs).toBe(31 * hour + 46 * 60_000);
    expect(webhookRetrySpanMs).toBeGreaterThanOrEqual(24 * hour);
  });

  it('sends the first attempt at once and never shortens the wait between retries', () => {
    const now = new Date('2026-03-01T00:00:00Z');
    expect(firstAttemptAt(now)).toEqual(now);
    for (let i = 2; i < webhookRetryDelaysMs.length; i++) expect(webhookRetryDelaysMs[i]!).toBeGreaterThanOrEqual(webhookRetryDelaysMs[i - 1]!);
  });

  it('walks the schedule attempt by attempt and ends in failed after the last', () => {
    const start = new Date('2026-03-01T00:00:00Z');
    let at = firstAttemptAt(start);
    let attempts = 0;
    for (;;) {
      attempts++;
      const next = afterFailedAttempt(attempts, at);
      if (next.status === 'failed') break;
      expect(next.nextAttemptAt.getTime() - at.getTime()).toBe(webhookRetryDelaysMs[attempts]);
      at = next.nextAttemptAt;
    }
    expect(attempts).toBe(webhookMaxAttempts);
    expect(at.getTime() - start.getTime()).toBe(webhookRetrySpanMs);
  });

  it('is pending with a future time before the last attempt and failed from then on', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), (made, now) => {
        const next = afterFailedAttempt(made, now);
        if (made < webhookMaxAttempts) {
          expect(next.status).toBe('pending');
          expect(next.nextAttemptAt!.getTime()).toBeGreaterThan(now.getTime());
        } else {
          expect(next).toEqual({ status: 'failed', nextAttemptAt: null });
        }
      }),
    );
  });

  it('rejects an attempt count that is not a positive integer', () => {
    expect(() => afterFailedAttempt(0, new Date())).toThrow(RangeError);
    expect(() => afterFailedAttempt(1.5, new Date())).toThrow(RangeError);
  });
});
