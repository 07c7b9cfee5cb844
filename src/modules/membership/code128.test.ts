import { describe, expect, it } from 'vitest';
import { code128Svg, code128Values, code128Widths } from './code128.js';

describe('Code 128', () => {
  it('packs even digit strings in set C with the mod-103 checksum', () => {
    // Start C (105), 12, 34, checksum (105 + 12×1 + 34×2) mod 103 = 82.
    expect(code128Values('1234')).toEqual([105, 12, 34, 82]);
  });

  it('uses set B otherwise', () => {
    // Start B (104), 'A' = 33, checksum (104 + 33) mod 103 = 34.
    expect(code128Values('A')).toEqual([104, 33, 34]);
    expect(code128Values('123')[0]).toBe(104);
  });

  it('has 11 modules a symbol and 13 for the stop', () => {
    const code = '8123456789012345123456';
    const widths = code128Widths(code);
    const symbols = code128Values(code).length;
    expect(widths.reduce((a, b) => a + b, 0)).toBe(symbols * 11 + 13);
    expect(widths.length % 2).toBe(1); // starts and ends with a bar
    expect(code128Svg(code)).toMatch(/^<svg [^>]*>.*<\/svg>$/);
  });

  it('refuses what it cannot encode', () => {
    expect(() => code128Values('')).toThrow();
    expect(() => code128Values('会员')).toThrow();
  });
});
