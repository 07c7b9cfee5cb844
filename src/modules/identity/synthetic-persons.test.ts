import { afterEach, describe, expect, it, vi } from 'vitest';
import { compareAddresses, compareBirthdays, compareNames, comparePhones, parseBirthday, phoneDigits } from './match-features.js';
import { countTrueDuplicatePairs, generateSyntheticPersons, type SyntheticPerson } from './synthetic-persons.js';

function duplicatePairs(persons: readonly SyntheticPerson[]): Array<[SyntheticPerson, SyntheticPerson]> {
  const byEntity = new Map<string, SyntheticPerson[]>();
  for (const person of persons) byEntity.set(person.entityId, [...(byEntity.get(person.entityId) ?? []), person]);
  const pairs: Array<[SyntheticPerson, SyntheticPerson]> = [];
  for (const records of byEntity.values()) {
    for (let i = 0; i < records.length; i++) {
      for (let j = i + 1; j < records.length; j++) pairs.push([records[i] as SyntheticPerson, records[j] as SyntheticPerson]);
    }
  }
  return pairs;
}

describe('generateSyntheticPersons', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('is reproducible from its seed and never asks Math.random', () => {
    const random = vi.spyOn(Math, 'random');
    const first = generateSyntheticPersons({ count: 300, seed: 5 });
    expect(generateSyntheticPersons({ count: 300, seed: 5 })).toEqual(first);
    expect(generateSyntheticPersons({ count: 300, seed: 6 })).not.toEqual(first);
    expect(random).not.toHaveBeenCalled();
  });

  it('makes exactly the requested number of records with unique ids', () => {
    const persons = generateSyntheticPersons({ count: 1000, seed: 1 });
    expect(persons).toHaveLength(1000);
    expect(new Set(persons.map((person) => person.id)).size).toBe(1000);
  });

  it('records some customers more than once, at about the configured rate', () => {
    const persons = generateSyntheticPersons({ count: 2000, seed: 1 });
    const pairs = countTrueDuplicatePairs(persons);
    expect(pairs).toBe(duplicatePairs(persons).length);
    expect(pairs).toBeGreaterThan(200);
    expect(pairs).toBeLessThan(500);
    expect(countTrueDuplicatePairs(generateSyntheticPersons({ count: 500, seed: 1, duplicateRate: 0 }))).toBe(0);
  });

  it('writes fields the matcher can read', () => {
    for (const person of generateSyntheticPersons({ count: 1000, seed: 2 })) {
      for (const phone of person.phones) expect(phoneDigits(phone), phone).toBeDefined();
      if (person.birthday !== undefined) expect(parseBirthday(person.birthday), person.birthday).toBeDefined();
      if (person.name !== undefined) expect(person.name.trim()).not.toBe('');
    }
  });

  it('includes each kind of error a second record can carry', () => {
    const pairs = duplicatePairs(generateSyntheticPersons({ count: 2000, seed: 3 }));
    const seen = new Set<string>();
    for (const [a, b] of pairs) {
      seen.add(`name:${compareNames(a.name, b.name).level}`);
      seen.add(`birthday:${compareBirthdays(a.birthday, b.birthday).level}`);
      seen.add(`phone:${comparePhones(a.phones, b.phones).level}`);
      const address = compareAddresses(a.address, b.address).level;
      seen.add(`address:${address}`);
      if (address === 'same' && a.address !== b.address) seen.add('address:same-written-differently');
    }
    for (const expected of [
      'name:exact',
      'name:same_surname_similar_given',
      'name:different',
      'name:missing',
      'birthday:exact',
      'birthday:same_month_day',
      'birthday:transposed_day_month',
      'birthday:missing',
      'phone:same_number',
      'phone:same_visible_digits',
      'phone:same_last4',
      'phone:different',
      'address:same-written-differently',
      'address:different',
    ]) {
      expect(seen, expected).toContain(expected);
    }
  });

  it('includes households: different customers sharing a home and a phone', () => {
    const persons = generateSyntheticPersons({ count: 2000, seed: 4 });
    const byPhone = new Map<string, Set<string>>();
    for (const person of persons) {
      for (const phone of person.phones) {
        const digits = phoneDigits(phone);
        if (digits?.full === undefined) continue;
        byPhone.set(digits.full, (byPhone.get(digits.full) ?? new Set()).add(person.entityId));
      }
    }
    expect([...byPhone.values()].some((entities) => entities.size > 1)).toBe(true);
  });
});
