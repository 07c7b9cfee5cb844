import { describe, expect, it } from 'vitest';
import { fittingSize, outlineText, parseUnicodeRanges } from './text-outline.js';

describe('text outlines', () => {
  it('reads unicode-range lists', () => {
    expect(parseUnicodeRanges('U+4e00-4e0f,U+3001, U+ff01')).toEqual([
      [0x4e00, 0x4e0f],
      [0x3001, 0x3001],
      [0xff01, 0xff01],
    ]);
  });

  it('draws Chinese and Latin glyphs as paths, wider for longer text', () => {
    const name = outlineText('人民广场店', 28, 0, 40);
    expect(name.d).toMatch(/^M[\d.-]+ [\d.-]+/);
    // CJK glyphs are one em wide.
    expect(name.width).toBeCloseTo(5 * 28, 0);
    const longer = outlineText('人民广场店 People’s Square', 28, 0, 40);
    expect(longer.width).toBeGreaterThan(name.width);
    expect(outlineText('', 28, 0, 40)).toEqual({ d: '', width: 0 });
  });

  it('centres on the anchor', () => {
    const started = outlineText('收银台', 20, 100, 30, 'start');
    const centred = outlineText('收银台', 20, 100, 30, 'middle');
    const firstX = (d: string) => Number(/^M(-?[\d.]+)/.exec(d)![1]);
    expect(firstX(started.d) - firstX(centred.d)).toBeCloseTo(centred.width / 2, 1);
  });

  it('keeps the spacing of characters it has no glyph for', () => {
    const withEmoji = outlineText('店\u{1FAE8}店', 20, 0, 20);
    expect(withEmoji.width).toBeCloseTo(20 + 10 + 20, 0);
  });

  it('shrinks a line until it fits, but not below the minimum', () => {
    expect(fittingSize('店', 28, 400)).toBe(28);
    const long = '上海市黄浦区人民大道一百号人民广场旗舰店二楼';
    const size = fittingSize(long, 28, 300);
    expect(size).toBeLessThan(28);
    expect(outlineText(long, size, 0, 0).width).toBeLessThanOrEqual(300);
    expect(fittingSize(long.repeat(10), 28, 50, 10)).toBe(10);
  });
});
