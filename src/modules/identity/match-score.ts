// Likelihood that two member profiles which share no strong identifier are the same customer,
// as a Fellegi–Sunter record-linkage model: each feature's agreement level adds log2(m/u) bits of
// evidence, where m = P(level | same person) and u = P(level | different persons); the sum plus the
// prior log-odds gives the posterior probability, which is the score. The explanation lists each
// feature's bits, so a reviewer sees why a pair was suggested.

import {
  compareAddresses,
  compareBirthdays,
  compareNames,
  comparePhones,
  nameScript,
  type MatchProfile,
} from './match-features.js';

export interface AgreementProbabilities {
  // P(level | the two records are the same person)
  readonly m: number;
  // P(level | the two records are different persons)
  readonly u: number;
}

// The m/u values, per feature and level, conditional on both records having the field (a missing
// field carries no evidence: weight 0). Within a feature the m's sum to 1 and so do the u's.
//
// m values are assumed error rates of a second record of the same customer: a mistyped or
// homophone given name (小明 / 晓明) in about one record in six, a birthday given without a year or
// with day and month swapped, a changed phone in about a fifth, a home vs work address in a quarter.
// u values are chance agreements between different customers of one merchant's local book: common
// Chinese names collide (张伟 is shared by ~300,000 people), about 4% of pairs share a surname,
// birthdays collide once in 365 × ~40 years, a last-4 once in 10,000, and neighbours and family
// share roads, buildings and contact phones. They were set a priori and then checked, not fitted,
// on the synthetic book in synthetic-persons.ts (see match-evaluation.ts for the figures).
export const MATCH_MODEL = {
  nameChinese: {
    exact: { m: 0.8, u: 0.0015 },
    same_surname_similar_given: { m: 0.14, u: 0.004 },
    same_surname_different_given: { m: 0.02, u: 0.0345 },
    different: { m: 0.04, u: 0.96 },
  },
  nameLatin: {
    exact: { m: 0.8, u: 0.0005 },
    similar: { m: 0.15, u: 0.005 },
    different: { m: 0.05, u: 0.9945 },
  },
  birthday: {
    exact: { m: 0.8, u: 0.00007 },
    same_month_day: { m: 0.08, u: 0.0027 },
    transposed_day_month: { m: 0.04, u: 0.0003 },
    different: { m: 0.08, u: 0.99693 },
  },
  phone: {
    // Families give one contact number, so different people share a full number more often than
    // a random 1 in 10^8 would suggest; a masked match includes those cases.
    same_number: { m: 0.45, u: 0.0002 },
    same_visible_digits: { m: 0.3, u: 0.00021 },
    same_last4: { m: 0.03, u: 0.0001 },
    different: { m: 0.22, u: 0.99949 },
  },
  address: {
    // Household members share an address; neighbours share a road or a compound.
    same: { m: 0.55, u: 0.002 },
    similar: { m: 0.2, u: 0.02 },
    different: { m: 0.25, u: 0.978 },
  },
  // Phone and address are not independent for different people: those who share a contact phone
  // are mostly one household under one roof. Once the phones agree, the address is weighed by
  // P(address | phones agree), or a family would count its home twice and look like one person.
  addressGivenPhoneAgrees: {
    same: { m: 0.55, u: 0.7 },
    similar: { m: 0.2, u: 0.1 },
    different: { m: 0.25, u: 0.2 },
  },
} as const satisfies Record<string, Record<string, AgreementProbabilities>>;

// About one pair in ten thousand of a merchant's members is a duplicate: a few thousand members of
// whom some percent were recorded twice (a second phone, a second channel).
export const PRIOR_MATCH_PROBABILITY = 1e-4;

// Suggest a pair for review from this posterior probability; chosen on the synthetic evaluation.
export const SUGGESTION_THRESHOLD = 0.5;

export type MatchFeature = 'name' | 'birthday' | 'phone' | 'address';

export interface MatchExplanation {
  readonly feature: MatchFeature;
  readonly level: string;
  // log2(m/u): bits of evidence for (positive) or against (negative) the same person.
  readonly weight: number;
  // This feature's share of all evidence, signed: weights divided by the sum of their magnitudes.
  readonly contribution: number;
  readonly detail: string;
}

export interface MatchScore {
  // Posterior probability that the two profiles are one customer, 0..1.
  readonly score: number;
  // Prior plus all weights, in bits (log2 odds).
  readonly logOdds: number;
  readonly explanation: readonly MatchExplanation[];
}

export function agreementWeight(probabilities: AgreementProbabilities): number {
  return Math.log2(probabilities.m / probabilities.u);
}

const PRIOR_LOG_ODDS = Math.log2(PRIOR_MATCH_PROBABILITY / (1 - PRIOR_MATCH_PROBABILITY));

type FeatureTable = Readonly<Record<string, AgreementProbabilities>>;

export function scoreMatch(a: MatchProfile, b: MatchProfile): MatchScore {
  const name = compareNames(a.name, b.name);
  const nameTable: FeatureTable =
    a.name !== undefined && nameScript(a.name) === 'latin' ? MATCH_MODEL.nameLatin : MATCH_MODEL.nameChinese;
  const phone = comparePhones(a.phones, b.phones);
  const phonesAgree = phone.level === 'same_number' || phone.level === 'same_visible_digits';
  const observed: Array<{ feature: MatchFeature; level: string; detail: string; table: FeatureTable }> = [
    { feature: 'name', ...name, table: nameTable },
    { feature: 'birthday', ...compareBirthdays(a.birthday, b.birthday), table: MATCH_MODEL.birthday },
    { feature: 'phone', ...phone, table: MATCH_MODEL.phone },
    {
      feature: 'address',
      ...compareAddresses(a.address, b.address),
      table: phonesAgree ? MATCH_MODEL.addressGivenPhoneAgrees : MATCH_MODEL.address,
    },
  ];

  const weighted = observed.map((item) => {
    const probabilities = item.table[item.level];
    // Missing or incomparable fields are as likely for the same person as for different ones.
    const weight = probabilities === undefined ? 0 : agreementWeight(probabilities);
    return { feature: item.feature, level: item.level, weight, detail: item.detail };
  });
  const totalMagnitude = weighted.reduce((sum, item) => sum + Math.abs(item.weight), 0);
  const logOdds = PRIOR_LOG_ODDS + weighted.reduce((sum, item) => sum + item.weight, 0);
  return {
    score: 1 / (1 + 2 ** -logOdds),
    logOdds,
    explanation: weighted.map((item) => ({
      ...item,
      contribution: totalMagnitude === 0 ? 0 : item.weight / totalMagnitude,
    })),
  };
}
