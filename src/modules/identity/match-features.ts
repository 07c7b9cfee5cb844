// How far two member profiles agree on each field used for duplicate suggestions: name,
// birthday, phone digits and address. Each comparison yields a discrete agreement level (the
// unit a Fellegi–Sunter model weighs) and a line of detail a reviewer can read in the console.

import { jaroWinkler } from './jaro-winkler.js';

// The fields of a person that suggestions compare; none of them is an identifier proof.
export interface MatchProfile {
  readonly id: string;
  readonly name?: string;
  // 'YYYY-MM-DD', or '--MM-DD' when only the day is known (birthday perks ask for no year).
  readonly birthday?: string;
  // Normalised phones ('13812345678', '+14155552671') or masked ones as payment channels
  // return them ('138****5678').
  readonly phones: readonly string[];
  readonly address?: string;
}

export interface FeatureComparison<Level extends string> {
  readonly level: Level;
  readonly detail: string;
}

// ---------------------------------------------------------------------------------------------
// Names

export type NameAgreement =
  | 'exact'
  | 'same_surname_similar_given'
  | 'same_surname_different_given'
  | 'similar'
  | 'different'
  | 'incomparable'
  | 'missing';

export type NameScript = 'chinese' | 'latin';

export interface ParsedChineseName {
  readonly surname: string;
  readonly given: string;
}

// Two-character surnames: without them 欧阳娜娜 would have surname 欧 and given name 阳娜娜.
const COMPOUND_SURNAMES = new Set([
  '欧阳', '司马', '上官', '诸葛', '东方', '皇甫', '尉迟', '公孙', '慕容', '长孙', '宇文', '司徒',
  '夏侯', '轩辕', '令狐', '端木', '申屠', '南宫', '独孤', '呼延', '澹台', '公冶', '太史', '钟离',
]);

const HAN = /\p{Script=Han}/u;

export function nameScript(name: string): NameScript {
  return HAN.test(name) ? 'chinese' : 'latin';
}

export function parseChineseName(name: string): ParsedChineseName {
  // Minority names carry a middle dot (买买提·艾力) that people type in several shapes or omit.
  const compact = name.normalize('NFKC').replace(/[\s·•・.]/gu, '');
  const chars = Array.from(compact);
  const firstTwo = chars.slice(0, 2).join('');
  const surnameLength = chars.length > 2 && COMPOUND_SURNAMES.has(firstTwo) ? 2 : 1;
  return { surname: chars.slice(0, surnameLength).join(''), given: chars.slice(surnameLength).join('') };
}

// Latin names: accents, case and punctuation vary with the keyboard, so compare letters only.
export function latinNameTokens(name: string): string[] {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}]+/gu, ' ')
    .trim()
    .split(' ')
    .filter((token) => token !== '');
}

// Share of the given-name characters the two names have in common, in any order: a homophone
// typo (小明 / 晓明) keeps half of a two-character given name, a different person usually none.
export function givenNameSimilarity(a: string, b: string): number {
  const left = Array.from(a);
  const right = Array.from(b);
  const longest = Math.max(left.length, right.length);
  if (longest === 0) return 1;
  const remaining = [...right];
  let common = 0;
  for (const char of left) {
    const index = remaining.indexOf(char);
    if (index < 0) continue;
    remaining.splice(index, 1);
    common++;
  }
  return common / longest;
}

const GIVEN_NAME_SIMILAR = 0.5;
// Close to the US Census's agreement cut-off for Jaro–Winkler on names.
const LATIN_NAME_SIMILAR = 0.9;

export function compareNames(a: string | undefined, b: string | undefined): FeatureComparison<NameAgreement> {
  if (a === undefined || b === undefined || a.trim() === '' || b.trim() === '') {
    return { level: 'missing', detail: 'a name is missing' };
  }
  const scriptA = nameScript(a);
  const scriptB = nameScript(b);
  if (scriptA !== scriptB) {
    // 王小明 and "Wang Xiaoming" may be one person; without a romanisation table, say nothing.
    return { level: 'incomparable', detail: `${a} and ${b} are written in different scripts` };
  }
  if (scriptA === 'chinese') {
    const left = parseChineseName(a);
    const right = parseChineseName(b);
    if (left.surname + left.given === right.surname + right.given) {
      return { level: 'exact', detail: `same name ${left.surname}${left.given}` };
    }
    if (left.surname !== right.surname) {
      return { level: 'different', detail: `different surnames ${left.surname} / ${right.surname}` };
    }
    const similarity = givenNameSimilarity(left.given, right.given);
    const shown = `${left.surname}${left.given} / ${right.surname}${right.given}`;
    return similarity >= GIVEN_NAME_SIMILAR
      ? { level: 'same_surname_similar_given', detail: `same surname, given names share ${percent(similarity)}: ${shown}` }
      : { level: 'same_surname_different_given', detail: `same surname, different given names: ${shown}` };
  }

  const left = latinNameTokens(a);
  const right = latinNameTokens(b);
  if (left.length === 0 || right.length === 0) return { level: 'missing', detail: 'a name has no letters' };
  if ([...left].sort().join(' ') === [...right].sort().join(' ')) {
    return { level: 'exact', detail: `same name ${left.join(' ')}` };
  }
  // "Smith John" and "John Smith": family-name-first is common on Chinese forms.
  const similarity = Math.max(
    jaroWinkler(left.join(' '), right.join(' ')),
    jaroWinkler([...left].reverse().join(' '), right.join(' ')),
  );
  const shown = `${left.join(' ')} / ${right.join(' ')}`;
  return similarity >= LATIN_NAME_SIMILAR
    ? { level: 'similar', detail: `Jaro–Winkler ${similarity.toFixed(3)}: ${shown}` }
    : { level: 'different', detail: `Jaro–Winkler ${similarity.toFixed(3)}: ${shown}` };
}

// ---------------------------------------------------------------------------------------------
// Birthdays

export type BirthdayAgreement = 'exact' | 'same_month_day' | 'transposed_day_month' | 'different' | 'missing';

export interface ParsedBirthday {
  readonly year?: number;
  readonly month: number;
  readonly day: number;
}

export function parseBirthday(text: string | undefined): ParsedBirthday | undefined {
  if (text === undefined) return undefined;
  const match = /^(?:(\d{4})|-)-(\d{2})-(\d{2})$/.exec(text);
  if (match === null) return undefined;
  const year = match[1] === undefined ? undefined : Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1) return undefined;
  // 2000 is a leap year, so 29 February is accepted when the year is unknown.
  if (day > new Date(Date.UTC(year ?? 2000, month, 0)).getUTCDate()) return undefined;
  return year === undefined ? { month, day } : { year, month, day };
}

export function compareBirthdays(a: string | undefined, b: string | undefined): FeatureComparison<BirthdayAgreement> {
  const left = parseBirthday(a);
  const right = parseBirthday(b);
  if (left === undefined || right === undefined) return { level: 'missing', detail: 'a birthday is missing' };
  const yearsAgree = left.year === undefined || right.year === undefined || left.year === right.year;
  const shown = `${a} / ${b}`;
  if (left.month === right.month && left.day === right.day) {
    if (left.year !== undefined && left.year === right.year) return { level: 'exact', detail: `same birthday ${a}` };
    return {
      level: 'same_month_day',
      detail: yearsAgree ? `same day and month, year known once: ${shown}` : `same day and month, years differ: ${shown}`,
    };
  }
  // 03-04 written as 04-03: the day/month order differs between forms and habits.
  if (yearsAgree && left.month === right.day && left.day === right.month) {
    return { level: 'transposed_day_month', detail: `day and month swapped: ${shown}` };
  }
  return { level: 'different', detail: `different birthdays ${shown}` };
}

// ---------------------------------------------------------------------------------------------
// Phones

export type PhoneAgreement = 'same_number' | 'same_visible_digits' | 'same_last4' | 'different' | 'missing';

interface PhoneDigits {
  readonly full?: string;
  // Leading digits a masked phone still shows (138 of 138****5678).
  readonly prefix?: string;
  readonly last4: string;
}

export function phoneDigits(phone: string): PhoneDigits | undefined {
  if (/^(?:1\d{10}|\+\d{7,15})$/.test(phone)) {
    const digits = phone.replace('+', '');
    return { full: phone, prefix: digits.slice(0, 3), last4: digits.slice(-4) };
  }
  const masked = /^(\d*)\*+(\d{4})$/.exec(phone);
  if (masked) {
    const prefix = masked[1] ?? '';
    const last4 = masked[2] ?? '';
    return prefix === '' ? { last4 } : { prefix, last4 };
  }
  return undefined;
}

const PHONE_RANK: Readonly<Record<PhoneAgreement, number>> = {
  same_number: 4,
  same_visible_digits: 3,
  same_last4: 2,
  different: 1,
  missing: 0,
};

// A person may hold several phones; the best-agreeing pair speaks for them.
export function comparePhones(a: readonly string[], b: readonly string[]): FeatureComparison<PhoneAgreement> {
  let best: FeatureComparison<PhoneAgreement> = { level: 'missing', detail: 'a phone is missing' };
  for (const left of a) {
    const x = phoneDigits(left);
    if (x === undefined) continue;
    for (const right of b) {
      const y = phoneDigits(right);
      if (y === undefined) continue;
      const candidate = comparePhonePair(left, x, right, y);
      if (PHONE_RANK[candidate.level] > PHONE_RANK[best.level]) best = candidate;
    }
  }
  return best;
}

function comparePhonePair(left: string, x: PhoneDigits, right: string, y: PhoneDigits): FeatureComparison<PhoneAgreement> {
  if (x.full !== undefined && x.full === y.full) return { level: 'same_number', detail: `same phone ${left}` };
  const bothFull = x.full !== undefined && y.full !== undefined;
  if (x.last4 === y.last4) {
    if (!bothFull && x.prefix !== undefined && x.prefix === y.prefix) {
      return { level: 'same_visible_digits', detail: `masked phone agrees on the digits it shows: ${left} / ${right}` };
    }
    return { level: 'same_last4', detail: `same last four digits ${x.last4}: ${left} / ${right}` };
  }
  return { level: 'different', detail: `different phones ${left} / ${right}` };
}

// ---------------------------------------------------------------------------------------------
// Addresses

export type AddressAgreement = 'same' | 'similar' | 'different' | 'missing';

// Chinese addresses are written with optional province, city and district, and with variants for
// building and house numbers (3号楼 / 3栋 / 3幢, 88号 / 88, 1201室 / 1201, 5-1201); fold them before
// comparing characters.
export function normaliseAddress(address: string): string {
  let text = address.normalize('NFKC').toLowerCase();
  // Number markers and punctuation all become one separator between digit runs, so 5号1201室,
  // 5栋1201 and 5-1201 read alike; next to a Han character a separator carries nothing.
  text = text
    .replace(/(\d)(?:号楼|幢|栋|座|号|室)/g, '$1|')
    .replace(/[\s\p{P}\p{S}]+/gu, '|')
    .replace(/\|+/g, '|')
    .replace(/\|(?=\p{Script=Han})|(?<=\p{Script=Han})\|/gu, '')
    .replace(/^\||\|$/g, '');
  text = text.replace(/^\p{Script=Han}{2,3}(?:省|自治区)/u, '');
  // The four municipalities are often written without 市.
  text = text.replace(/^(?:北京|上海|天津|重庆)市?|^\p{Script=Han}{2,3}市/u, '');
  // A district only when a road follows, so that 阳光小区3栋 keeps its compound name.
  text = text.replace(/^\p{Script=Han}{1,3}(?:新区|区|县)(?=\p{Script=Han}*?(?:路|街|道|巷|弄|村|镇))/u, '');
  return text;
}

// Sørensen–Dice coefficient over character bigrams: Chinese has no spaces to split words on, and
// bigrams keep road names (漕溪, 溪北, 北路) as units while tolerating a missing prefix.
export function bigramDice(a: string, b: string): number {
  const left = bigrams(a);
  const right = bigrams(b);
  if (left.length === 0 || right.length === 0) return a === b ? 1 : 0;
  const counts = new Map<string, number>();
  for (const gram of left) counts.set(gram, (counts.get(gram) ?? 0) + 1);
  let common = 0;
  for (const gram of right) {
    const count = counts.get(gram) ?? 0;
    if (count === 0) continue;
    counts.set(gram, count - 1);
    common++;
  }
  return (2 * common) / (left.length + right.length);
}

function bigrams(text: string): string[] {
  const chars = Array.from(text);
  const grams: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) grams.push(`${chars[i]}${chars[i + 1]}`);
  return grams;
}

const ADDRESS_SAME = 0.85;
const ADDRESS_SIMILAR = 0.55;

export function compareAddresses(a: string | undefined, b: string | undefined): FeatureComparison<AddressAgreement> {
  const left = a === undefined ? '' : normaliseAddress(a);
  const right = b === undefined ? '' : normaliseAddress(b);
  if (left === '' || right === '') return { level: 'missing', detail: 'an address is missing' };
  const dice = bigramDice(left, right);
  const shown = `bigram Dice ${dice.toFixed(2)}: ${a} / ${b}`;
  // Room 1201 and room 1202 differ by one character but are neighbours, not one home: the same
  // address also needs the same house, building and room numbers.
  if (dice >= ADDRESS_SAME && numbersOf(left) === numbersOf(right)) return { level: 'same', detail: shown };
  if (dice >= ADDRESS_SIMILAR) return { level: 'similar', detail: shown };
  return { level: 'different', detail: shown };
}

function numbersOf(address: string): string {
  return (address.match(/\d+/g) ?? []).join(' ');
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}
