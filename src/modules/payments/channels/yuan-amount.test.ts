import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fenToYuan, yuanToFen } from './yuan-amount.js';

describe('yuanToFen', () => {
  it.each([
    ['0', 0],
    ['0.00', 0],
    ['0.01', 1],
    ['0.1', 10],
    ['12', 1200],
    ['12.3', 1230],
    ['12.30', 1230],
    ['1.15', 115], // 1.15 * 100 is 114.99999999999999 in floating point
    ['0.29', 29], // 0.29 * 100 is 28.999999999999996
    ['100000000.00', 10_000_000_000],
    ['90071992547409.91', Number.MAX_SAFE_INTEGER],
  ])('reads %s as %i fen', (yuan, fen) => {
    expect(yuanToFen(yuan)).toEqual({ ok: true, fen });
  });

  it.each(['-1', '-0.01', '-0'])('rejects %s as negative', (yuan) => {
    expect(yuanToFen(yuan)).toEqual({ ok: false, reason: 'negative' });
  });

  it.each(['1.234', '0.001', '12.300'])('rejects %s for more than two decimals', (yuan) => {
    expect(yuanToFen(yuan)).toEqual({ ok: false, reason: 'too_many_decimals' });
  });

  it.each(['', ' 1', '1 ', '+1', '1.', '.5', '01', '00.10', '1e3', '1,000.00', '１２', '0x10', 'NaN', 'Infinity', '12.3.4', '¥12'])(
    'rejects %j as malformed',
    (yuan) => {
      expect(yuanToFen(yuan)).toEqual({ ok: false, reason: 'malformed' });
    },
  );

  it('rejects amounts beyond safe integers of fen', () => {
    expect(yuanToFen('90071992547409.92')).toEqual({ ok: false, reason: 'out_of_range' });
    expect(yuanToFen('1'.repeat(40))).toEqual({ ok: false, reason: 'out_of_range' });
  });
});

describe('fenToYuan', () => {
  it.each([
    [0, '0.00'],
    [1, '0.01'],
    [10, '0.10'],
    [99, '0.99'],
    [100, '1.00'],
    [1230, '12.30'],
    [Number.MAX_SAFE_INTEGER, '90071992547409.91'],
  ])('writes %i fen as %s', (fen, yuan) => {
    expect(fenToYuan(fen)).toBe(yuan);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1])('throws on %d', (fen) => {
    expect(() => fenToYuan(fen)).toThrow(RangeError);
  });
});

describe('yuan ↔ fen round trips (property)', () => {
  const fen = fc.bigInt({ min: 0n, max: 1_000_000_000_000n }).map(Number);

  it('yuanToFen(fenToYuan(n)) === n for every n in 0..1e12', () => {
    fc.assert(
      fc.property(fen, (n) => {
        expect(yuanToFen(fenToYuan(n))).toEqual({ ok: true, fen: n });
      }),
      { examples: [[0], [1], [99], [100], [1_000_000_000_000]] },
    );
  });

  it('fenToYuan(yuanToFen(s)) gives s back with two decimals', () => {
    const yuan = fc.tuple(fc.bigInt({ min: 0n, max: 10_000_000_000n }), fc.constantFrom('', '.', '.0', '.00', '.5', '.05', '.50', '.99'));
    fc.assert(
      fc.property(yuan, ([whole, fraction]) => {
        const text = `${String(whole)}${fraction === '.' ? '' : fraction}`;
        const parsed = yuanToFen(text);
        expect(parsed.ok).toBe(true);
        if (parsed.ok) expect(fenToYuan(parsed.fen)).toBe(`${String(whole)}.${fraction.slice(1).padEnd(2, '0')}`);
      }),
    );
  });
});
