// Text as vector outlines, for printable QR cards. Servers rarely have a CJK font (this one has only
// DejaVu), and an SVG whose <text> names a font prints in whatever the viewer has. So the glyphs are
// taken from Noto Sans SC (npm @fontsource-variable/noto-sans-sc, SIL OFL) and written as paths: the
// SVG looks the same everywhere and the PNG renderer needs no fonts at all.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as fontkit from 'fontkit';

type Font = fontkit.Font;

const require = createRequire(import.meta.url);
const fontDir = dirname(require.resolve('@fontsource-variable/noto-sans-sc/unicode.json'));

/** [from, to] code point ranges of each subset file, as the package's unicode.json lists them. */
interface Subset {
  readonly file: string;
  readonly ranges: readonly (readonly [number, number])[];
}

export function parseUnicodeRanges(text: string): [number, number][] {
  return text
    .split(',')
    .map((part) => part.trim().replace(/^U\+/i, ''))
    .filter(Boolean)
    .map((part) => {
      const [from, to] = part.split('-');
      const lo = Number.parseInt(from!, 16);
      return [lo, to ? Number.parseInt(to, 16) : lo] as [number, number];
    });
}

let subsets: Subset[] | null = null;
function subsetList(): Subset[] {
  if (!subsets) {
    const map = JSON.parse(readFileSync(join(fontDir, 'unicode.json'), 'utf8')) as Record<string, string>;
    subsets = Object.entries(map).map(([name, ranges]) => ({ file: join(fontDir, 'files', `noto-sans-sc-${name.replace(/[[\]]/g, '')}-wght-normal.woff2`), ranges: parseUnicodeRanges(ranges) }));
  }
  return subsets;
}

// Each subset is a small WOFF2 file; the few a store name needs are parsed once and kept.
const fonts = new Map<string, Font>();
function fontFor(codePoint: number): Font | null {
  const subset = subsetList().find((s) => s.ranges.some(([lo, hi]) => codePoint >= lo && codePoint <= hi));
  if (!subset) return null;
  let font = fonts.get(subset.file);
  if (!font) {
    font = fontkit.create(readFileSync(subset.file)) as Font;
    fonts.set(subset.file, font);
  }
  return font;
}

export interface Outline {
  /** SVG path data, positioned. */
  readonly d: string;
  /** Advance width in px at the requested size. */
  readonly width: number;
}

/** Measures and draws `text` at `size` px with its baseline at y; `anchor` is the x the text centres on (or starts at). */
export function outlineText(text: string, size: number, x: number, y: number, anchor: 'start' | 'middle' = 'start'): Outline {
  const glyphs: { glyph: fontkit.Glyph | null; scale: number; advance: number }[] = [];
  for (const char of text) {
    const codePoint = char.codePointAt(0)!;
    const font = fontFor(codePoint);
    const glyph = font?.hasGlyphForCodePoint(codePoint) ? font.glyphForCodePoint(codePoint) : null;
    // No glyph (an emoji, a rare character): keep the spacing, draw nothing.
    if (!font || !glyph) glyphs.push({ glyph: null, scale: 0, advance: size * 0.5 });
    else glyphs.push({ glyph, scale: size / font.unitsPerEm, advance: (glyph.advanceWidth * size) / font.unitsPerEm });
  }
  const width = glyphs.reduce((sum, g) => sum + g.advance, 0);
  let cursor = anchor === 'middle' ? x - width / 2 : x;
  const parts: string[] = [];
  for (const g of glyphs) {
    if (g.glyph) parts.push(g.glyph.path.scale(g.scale, -g.scale).translate(cursor, y).toSVG());
    cursor += g.advance;
  }
  return { d: parts.join(''), width: Math.round(width * 100) / 100 };
}

/** The largest size ≤ `size` at which `text` fits in `maxWidth` (never below `minSize`). */
export function fittingSize(text: string, size: number, maxWidth: number, minSize = 10): number {
  const width = outlineText(text, size, 0, 0).width;
  if (width <= maxWidth || width === 0) return size;
  return Math.max(minSize, Math.floor((size * maxWidth) / width));
}
