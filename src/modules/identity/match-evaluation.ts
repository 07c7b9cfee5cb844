// Precision and recall of duplicate suggestions on a synthetic member book with known truth, so the
// docs can report how often a suggestion is right and how many duplicates it finds. Pairs are only
// scored within blocks (same surname, or same last four phone digits), as the service will do:
// comparing every pair of a merchant's members is quadratic.

import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { latinNameTokens, nameScript, parseBirthday, parseChineseName, phoneDigits, type MatchProfile } from './match-features.js';
import { scoreMatch, SUGGESTION_THRESHOLD } from './match-score.js';
import { countTrueDuplicatePairs, generateSyntheticPersons, type SyntheticPerson } from './synthetic-persons.js';

export interface MatchEvaluation {
  readonly persons: number;
  readonly seed: number;
  readonly threshold: number;
  // Pairs of records of the same customer in the book.
  readonly truePairs: number;
  readonly candidatePairs: number;
  // Share of true pairs that blocking lets through to scoring: the ceiling for recall.
  readonly blockingRecall: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly precision: number;
  // Over all true pairs, including those blocking never compared.
  readonly recall: number;
  readonly f1: number;
}

export interface ScoredPair {
  readonly first: number;
  readonly second: number;
  readonly score: number;
  readonly sameEntity: boolean;
}

// The keys a record is filed under; two records are compared when they share one.
export function blockingKeys(profile: MatchProfile): string[] {
  const keys = new Set<string>();
  if (profile.name !== undefined && profile.name.trim() !== '') {
    if (nameScript(profile.name) === 'chinese') {
      keys.add(`surname:${parseChineseName(profile.name).surname}`);
    } else {
      // Every token: a Latin name may come family name first or last.
      for (const token of latinNameTokens(profile.name)) if (token.length > 1) keys.add(`surname:${token}`);
    }
  }
  for (const phone of profile.phones) {
    const digits = phoneDigits(phone);
    if (digits !== undefined) keys.add(`last4:${digits.last4}`);
  }
  return [...keys];
}

/** The service's keys (identity_person_blocks): those above plus the birthday's month and day. */
export function serviceBlockingKeys(profile: MatchProfile): string[] {
  const keys = new Set(blockingKeys(profile));
  const birthday = parseBirthday(profile.birthday);
  if (birthday) keys.add(`birthday:${String(birthday.month).padStart(2, '0')}-${String(birthday.day).padStart(2, '0')}`);
  return [...keys];
}

// Index pairs (first < second) of profiles sharing at least one blocking key, each pair once.
export function candidatePairs(profiles: readonly MatchProfile[], keysOf: (profile: MatchProfile) => string[] = blockingKeys): Array<readonly [number, number]> {
  const blocks = new Map<string, number[]>();
  profiles.forEach((profile, index) => {
    for (const key of keysOf(profile)) {
      const members = blocks.get(key) ?? [];
      members.push(index);
      blocks.set(key, members);
    }
  });
  const seen = new Set<number>();
  const pairs: Array<readonly [number, number]> = [];
  for (const members of blocks.values()) {
    for (let i = 0; i < members.length; i++) {
      for (let j = i + 1; j < members.length; j++) {
        const first = members[i] ?? 0;
        const second = members[j] ?? 0;
        const pairId = first * profiles.length + second;
        if (seen.has(pairId)) continue;
        seen.add(pairId);
        pairs.push([first, second]);
      }
    }
  }
  return pairs;
}

export function scoreCandidatePairs(persons: readonly SyntheticPerson[], keysOf: (profile: MatchProfile) => string[] = blockingKeys): ScoredPair[] {
  return candidatePairs(persons, keysOf).map(([first, second]) => {
    const a = persons[first];
    const b = persons[second];
    if (a === undefined || b === undefined) throw new RangeError('candidate pair out of range');
    return { first, second, score: scoreMatch(a, b).score, sameEntity: a.entityId === b.entityId };
  });
}

export function measureAt(
  scored: readonly ScoredPair[],
  truePairs: number,
  threshold: number,
): Pick<MatchEvaluation, 'truePositives' | 'falsePositives' | 'falseNegatives' | 'precision' | 'recall' | 'f1'> {
  let truePositives = 0;
  let falsePositives = 0;
  for (const pair of scored) {
    if (pair.score < threshold) continue;
    if (pair.sameEntity) truePositives++;
    else falsePositives++;
  }
  const suggested = truePositives + falsePositives;
  // No suggestion is never wrong, but finds nothing.
  const precision = suggested === 0 ? 1 : truePositives / suggested;
  const recall = truePairs === 0 ? 1 : truePositives / truePairs;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { truePositives, falsePositives, falseNegatives: truePairs - truePositives, precision, recall, f1 };
}

/**
 * `pure`: blocked by surname and phone last 4. `service`: as the suggestions service blocks, with the
 * birthday key too. Both compare masked phones, which the service keeps as `masked_phone` identifiers.
 */
export type EvaluationPath = 'pure' | 'service';

export function evaluateMatching(options: { persons: number; seed: number; threshold?: number; path?: EvaluationPath }): MatchEvaluation {
  const threshold = options.threshold ?? SUGGESTION_THRESHOLD;
  const persons = generateSyntheticPersons({ count: options.persons, seed: options.seed });
  const service = options.path === 'service';
  const truePairs = countTrueDuplicatePairs(persons);
  const scored = scoreCandidatePairs(persons, service ? serviceBlockingKeys : blockingKeys);
  const blocked = scored.filter((pair) => pair.sameEntity).length;
  return {
    persons: persons.length,
    seed: options.seed,
    threshold,
    truePairs,
    candidatePairs: scored.length,
    blockingRecall: truePairs === 0 ? 1 : blocked / truePairs,
    ...measureAt(scored, truePairs, threshold),
  };
}

// `npx tsx src/modules/identity/match-evaluation.ts --persons 2000 --seed 1 [--threshold 0.4] [--path service]`
// prints the figures as JSON for the docs.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: { persons: { type: 'string', default: '2000' }, seed: { type: 'string', default: '1' }, threshold: { type: 'string' }, path: { type: 'string', default: 'pure' } },
  });
  const evaluation = evaluateMatching({
    persons: Number(values.persons),
    seed: Number(values.seed),
    path: values.path === 'service' ? 'service' : 'pure',
    ...(values.threshold === undefined ? {} : { threshold: Number(values.threshold) }),
  });
  process.stdout.write(`${JSON.stringify(evaluation, null, 2)}\n`);
}
