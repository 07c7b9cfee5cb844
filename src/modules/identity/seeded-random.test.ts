import { describe, expect, it } from 'vitest';
import { seededRandom } from './seeded-random.js';

describe('seededRandom', () => {
  it('replays the same sequence for the same seed and differs for another', () => {
    const first = seededRandom(42);
    const second = seededRandom(42);
    const other = seededRandom(43);
    const a = Array.from({ length: 5 }, () => first.next());
    expect(Array.from({ length: 5 }, () => second.next())).toEqual(a);
    expect(Array.from({ length: 5 }, () => other.next())).not.toEqual(a);
  });

  it('stays in range and is roughly uniform', () => {
    const random = seededRandom(7);
    const counts = [0, 0, 0, 0];
    let lowest = 1;
    let highest = 0;
    for (let i = 0; i < 40_000; i++) {
      const value = random.int(0, 3);
      counts[value] = (counts[value] ?? 0) + 1;
      const unit = random.next();
      lowest = Math.min(lowest, unit);
      highest = Math.max(highest, unit);
    }
    expect(lowest).toBeGreaterThanOrEqual(0);
    expect(highest).toBeLessThan(1);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(40_000);
    for (const count of counts) expect(count).toBeGreaterThan(9_500);
  });

  it('picks by weight', () => {
    const random = seededRandom(1);
    let heavy = 0;
    for (let i = 0; i < 10_000; i++) if (random.weighted([['heavy', 9], ['light', 1]] as const) === 'heavy') heavy++;
    expect(heavy).toBeGreaterThan(8_700);
    expect(heavy).toBeLessThan(9_300);
    expect(() => random.pick([])).toThrow(RangeError);
  });
});
