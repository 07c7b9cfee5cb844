import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MatchProfile } from './match-features.js';
import { agreementWeight, type AgreementProbabilities, MATCH_MODEL, PRIOR_MATCH_PROBABILITY, scoreMatch, SUGGESTION_THRESHOLD } from './match-score.js';
import { generateSyntheticPersons } from './synthetic-persons.js';

const customer: MatchProfile = {
  id: 'per_1',
  name: '王晓明',
  birthday: '1988-03-04',
  phones: ['13812345678'],
  address: '上海市徐汇区漕溪北路88号',
};

describe('MATCH_MODEL', () => {
  it('gives each feature level distributions that sum to 1 for matches and non-matches', () => {
    for (const [feature, table] of Object.entries(MATCH_MODEL)) {
      if (feature === 'nameScripts') continue;
      const levels = Object.values<AgreementProbabilities>(table);
      expect(levels.reduce((sum, level) => sum + level.m, 0), `${feature} m`).toBeCloseTo(1, 9);
      expect(levels.reduce((sum, level) => sum + level.u, 0), `${feature} u`).toBeCloseTo(1, 9);
    }
  });

  it('weighs agreement in bits of log-odds', () => {
    expect(agreementWeight({ m: 0.5, u: 0.25 })).toBe(1);
    expect(agreementWeight({ m: 0.25, u: 0.5 })).toBe(-1);
  });
});

describe('scoreMatch', () => {
  it('is nearly certain for a second record with the usual slips', () => {
    const second: MatchProfile = { id: 'per_2', name: '王小明', birthday: '--03-04', phones: ['138****5678'], address: '漕溪北路88' };
    const result = scoreMatch(customer, second);
    expect(result.score).toBeGreaterThan(0.99);
    expect(result.explanation.map((item) => [item.feature, item.level])).toEqual([
      ['name', 'same_surname_similar_given'],
      ['birthday', 'same_month_day'],
      ['phone', 'same_visible_digits'],
      ['address', 'same'],
    ]);
  });

  it('does not take a parent and child sharing a home and a phone for one person', () => {
    const child: MatchProfile = { id: 'per_3', name: '王浩', birthday: '2012-09-01', phones: ['13812345678'], address: '徐汇区漕溪北路88号' };
    const result = scoreMatch(customer, child);
    expect(result.score).toBeLessThan(SUGGESTION_THRESHOLD);
    const name = result.explanation.find((item) => item.feature === 'name');
    // Within a household a shared surname is expected, so it counts against being one person.
    expect(name?.weight).toBeLessThan(0);
  });

  it('does not suggest strangers with a common name and nothing else in common', () => {
    const stranger: MatchProfile = { id: 'per_4', name: '王晓明', birthday: '1975-11-20', phones: ['13900001111'], address: '南京西路1号' };
    // Far below the suggestion threshold: an equal name against a different birthday, phone and address.
    expect(scoreMatch(customer, stranger).score).toBeLessThan(0.1);
    expect(scoreMatch(customer, stranger).score).toBeLessThan(SUGGESTION_THRESHOLD / 4);
  });

  it('weighs an equal name with a one-character given name less than one with two', () => {
    const single = scoreMatch({ id: 'a', name: '王伟', phones: [] }, { id: 'b', name: '王伟', phones: [] });
    const double = scoreMatch({ id: 'a', name: '王晓明', phones: [] }, { id: 'b', name: '王晓明', phones: [] });
    expect(single.explanation[0]).toMatchObject({ feature: 'name', level: 'exact_single_given' });
    expect(double.explanation[0]).toMatchObject({ feature: 'name', level: 'exact' });
    expect(single.explanation[0]!.weight).toBeLessThan(double.explanation[0]!.weight - 3);
    // A common name alone is not enough to suggest; a rarer one alone is, for a reviewer to judge.
    expect(single.score).toBeLessThan(SUGGESTION_THRESHOLD);
    expect(double.score).toBeGreaterThan(SUGGESTION_THRESHOLD);
  });

  it('returns the prior when nothing can be compared, with zero weights', () => {
    const empty: MatchProfile = { id: 'per_5', phones: [] };
    const result = scoreMatch(customer, empty);
    expect(result.score).toBeCloseTo(PRIOR_MATCH_PROBABILITY, 12);
    expect(result.explanation.every((item) => item.weight === 0 && item.contribution === 0)).toBe(true);
    expect(result.explanation.every((item) => item.level === 'missing')).toBe(true);
  });

  it('counts a Chinese and a Latin spelling as mild evidence against', () => {
    const result = scoreMatch(customer, { id: 'per_6', name: 'Wang Xiaoming', phones: [] });
    expect(result.explanation[0]).toMatchObject({ feature: 'name', level: 'incomparable' });
    expect(result.explanation[0]?.weight).toBeLessThan(0);
  });

  it('explains with weights that add up to the log-odds and contributions that share out the evidence', () => {
    const second: MatchProfile = { id: 'per_7', name: '王晓明', birthday: '1988-04-03', phones: ['13987654321'], address: '漕溪北路90号' };
    const result = scoreMatch(customer, second);
    const prior = Math.log2(PRIOR_MATCH_PROBABILITY / (1 - PRIOR_MATCH_PROBABILITY));
    const weights = result.explanation.reduce((sum, item) => sum + item.weight, 0);
    expect(result.logOdds).toBeCloseTo(prior + weights, 10);
    expect(result.explanation.reduce((sum, item) => sum + Math.abs(item.contribution), 0)).toBeCloseTo(1, 10);
    expect(result.explanation.find((item) => item.feature === 'birthday')?.level).toBe('transposed_day_month');
    expect(result.explanation.every((item) => item.detail.length > 0)).toBe(true);
  });

  it('is symmetric and within 0..1 on generated records', () => {
    const persons = generateSyntheticPersons({ count: 300, seed: 11 });
    const index = fc.integer({ min: 0, max: persons.length - 1 });
    fc.assert(
      fc.property(index, index, (i, j) => {
        const a = persons[i];
        const b = persons[j];
        if (a === undefined || b === undefined) return;
        const forward = scoreMatch(a, b);
        expect(forward.score).toBeGreaterThanOrEqual(0);
        expect(forward.score).toBeLessThanOrEqual(1);
        expect(forward.logOdds).toBeCloseTo(scoreMatch(b, a).logOdds, 9);
      }),
      { numRuns: 300 },
    );
  });
});
