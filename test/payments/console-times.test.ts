// Console times are Beijing times whatever the browser's zone: what is shown and what a picker sends.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatShanghaiTime, shanghaiWallClockToIso } from '../../web/console/src/components/money.js';
import { formatShanghaiDateTime } from '../../src/modules/payments/channels/shanghai-time.js';

describe('console Beijing times', () => {
  it('reads a picked wall-clock time as Beijing time', () => {
    expect(shanghaiWallClockToIso(2026, 10, 26, 0, 0, 0)).toBe('2026-11-25T16:00:00.000Z');
    expect(shanghaiWallClockToIso(2026, 10, 26, 14, 3, 5)).toBe('2026-11-26T06:03:05.000Z');
    expect(formatShanghaiTime('2026-11-26T06:03:05.000Z')).toBe('2026-11-26 14:03:05');
  });

  it('agrees with the server’s formatting and round-trips (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 0, 1) }), (ms) => {
        const at = new Date(Math.floor(ms / 1000) * 1000);
        const shown = formatShanghaiTime(at.toISOString());
        expect(shown).toBe(formatShanghaiDateTime(at));
        const [date, time] = shown.split(' ') as [string, string];
        const [y, m, d] = date.split('-').map(Number) as [number, number, number];
        const [hh, mm, ss] = time.split(':').map(Number) as [number, number, number];
        expect(shanghaiWallClockToIso(y, m - 1, d, hh, mm, ss)).toBe(at.toISOString());
      }),
    );
  });
});
