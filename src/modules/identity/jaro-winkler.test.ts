import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jaro, jaroWinkler } from './jaro-winkler.js';

describe('jaro', () => {
  // Published values: Winkler (1990) and the Jaro–Winkler literature's standard examples.
  it.each([
    ['MARTHA', 'MARHTA', 0.944],
    ['DWAYNE', 'DUANE', 0.822],
    ['DIXON', 'DICKSONX', 0.767],
    ['JELLYFISH', 'SMELLYFISH', 0.896],
  ])('jaro(%s, %s) = %s', (a, b, expected) => {
    expect(jaro(a, b)).toBeCloseTo(expected, 3);
  });

  it('is 1 for equal strings, 0 with nothing in common or one side empty', () => {
    expect(jaro('', '')).toBe(1);
    expect(jaro('abc', 'abc')).toBe(1);
    expect(jaro('abc', 'xyz')).toBe(0);
    expect(jaro('abc', '')).toBe(0);
  });
});

describe('jaroWinkler', () => {
  it.each([
    ['MARTHA', 'MARHTA', 0.961],
    ['DWAYNE', 'DUANE', 0.84],
    ['DIXON', 'DICKSONX', 0.813],
    ['JELLYFISH', 'SMELLYFISH', 0.896],
  ])('jaroWinkler(%s, %s) = %s', (a, b, expected) => {
    expect(jaroWinkler(a, b)).toBeCloseTo(expected, 3);
  });

  it('compares Chinese characters as single characters', () => {
    expect(jaroWinkler('王小明', '王小明')).toBe(1);
    expect(jaroWinkler('王小明', '王晓明')).toBeGreaterThan(0.7);
    expect(jaroWinkler('王小明', '李大伟')).toBe(0);
  });

  it('stays in 0..1, is symmetric, and never falls below jaro', () => {
    const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd', '王', '明'), maxLength: 10 });
    fc.assert(
      fc.property(word, word, (a, b) => {
        const similarity = jaroWinkler(a, b);
        expect(similarity).toBeGreaterThanOrEqual(0);
        expect(similarity).toBeLessThanOrEqual(1 + 1e-12);
        expect(similarity).toBeCloseTo(jaroWinkler(b, a), 12);
        expect(similarity).toBeGreaterThanOrEqual(jaro(a, b));
      }),
    );
  });
});
