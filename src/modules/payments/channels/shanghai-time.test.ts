import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatShanghaiDateTime, formatShanghaiRfc3339, parseShanghaiDateTime } from './shanghai-time.js';

// Swedish locale writes `yyyy-MM-dd HH:mm:ss`; Intl with the tz database is the independent oracle.
const intlShanghai = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

describe('Shanghai time', () => {
  it('formats Alipay and WeChat Pay timestamps in Beijing time', () => {
    const at = new Date('2025-12-31T16:00:05.999Z');
    expect(formatShanghaiDateTime(at)).toBe('2026-01-01 00:00:05');
    expect(formatShanghaiRfc3339(at)).toBe('2026-01-01T00:00:05+08:00');
  });

  it('agrees with the time-zone database for every instant since 1992 (property)', () => {
    const since1992 = fc.integer({ min: Date.UTC(1992, 0, 1) / 1000, max: Date.UTC(2100, 0, 1) / 1000 }).map((s) => new Date(s * 1000));
    fc.assert(
      fc.property(since1992, (at) => {
        expect(formatShanghaiDateTime(at)).toBe(intlShanghai.format(at));
      }),
    );
  });

  it('parses what it formats, to the second', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800 }), (seconds) => {
        const at = new Date(seconds * 1000);
        expect(parseShanghaiDateTime(formatShanghaiDateTime(at))?.getTime()).toBe(at.getTime());
      }),
    );
    expect(parseShanghaiDateTime('2015-06-11 10:22:23')?.toISOString()).toBe('2015-06-11T02:22:23.000Z');
  });

  it.each(['2025-02-30 00:00:00', '2025-13-01 00:00:00', '2025-06-18 24:00:00', '2025-06-18T10:00:00', '2025-06-18 10:00', '', 'soon'])(
    'does not parse %j',
    (text) => {
      expect(parseShanghaiDateTime(text)).toBeUndefined();
    },
  );

  it('throws on an invalid date', () => {
    expect(() => formatShanghaiDateTime(new Date(Number.NaN))).toThrow(RangeError);
  });
});
