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
  parseChineseName,
  type MatchProfile,
} from './match-features.js';

export interface AgreementProbabilities {
  // P(level | the two records are the same person)
  readonly m: number;
  // P(level | the two records are different persons)
  readonly u: number;
}

// The m/u values, per feature and level, conditional on both records having the field (a missing
// field carries no evidence: weight 0). Within a feature the m's sum to 1 and so do the u's. They
// were measured, then rounded, on ten synthetic books (seeds 101–110 of synthetic-persons.ts,
// 2,000 records each): m over all pairs of records of one customer, u over 4 million random pairs
// of different customers. The evaluation runs on other seeds. They encode
// the generator's assumptions (its error rates, a local Shanghai merchant, census surname
// frequencies), not a real merchant's data: re-estimate them (EM on real pairs) before trusting a
// figure beyond ranking.
export const MATCH_MODEL = {
  nameChinese: {
    // Strangers of the synthetic books share a full name in 7 pairs of 100,000, but not evenly: a
    // one-character given name (张伟, 王芳) is drawn from few, very common characters, so an equal
    // name says much less there (11.5 bits) than with a two-character given name (15.4 bits).
    exact: { m: 0.577, u: 0.0000134 },
    exact_single_given: { m: 0.173, u: 0.0000588 },
    same_surname_similar_given: { m: 0.16, u: 0.0023 },
    // Positive: a homophone typo in a one-character given name (王伟 / 王玮) leaves nothing in
    // common, which happens to a customer's second record more often than to two strangers.
    same_surname_different_given: { m: 0.06, u: 0.028 },
    different: { m: 0.03, u: 0.9696278 },
  },
  nameLatin: {
    exact: { m: 0.8, u: 0.001 },
    similar: { m: 0.17, u: 0.003 },
    different: { m: 0.03, u: 0.996 },
  },
  birthday: {
    // 1 / (365 days × 52 birth years), times the share of records that give a year.
    exact: { m: 0.6, u: 0.00004 },
    // A year given once (birthday perks ask for the day only) or mistyped.
    same_month_day: { m: 0.29, u: 0.0027 },
    transposed_day_month: { m: 0.035, u: 0.00022 },
    different: { m: 0.075, u: 0.99704 },
  },
  phone: {
    // Families give one contact number, so strangers share a number far more often than a random
    // 1 in 10^8 would suggest; a masked phone agreeing on its visible digits is nearly as telling.
    same_number: { m: 0.35, u: 0.000024 },
    same_visible_digits: { m: 0.36, u: 0.000024 },
    same_last4: { m: 0.018, u: 0.00009 },
    different: { m: 0.272, u: 0.999862 },
  },
  address: {
    same: { m: 0.61, u: 0.0001 },
    // The same road and a near number: neighbours, or a customer's home and work.
    similar: { m: 0.005, u: 0.0009 },
    different: { m: 0.385, u: 0.999 },
  },
  // A Chinese name and a Latin one cannot be compared without romanisation. Strangers differ in
  // script in 2 × 8% × 92% of pairs; a customer writing pinyin once and characters once is assumed
  // at 1% (the generator never does it).
  nameScripts: {
    incomparable: { m: 0.01, u: 0.15 },
  },
  // Different customers who share a contact phone or an address are mostly one household: under
  // one roof and, for parents and children, one surname. Name and address are therefore not
  // independent of the phone for non-matches; once a home is shared these tables apply instead
  // (u measured over all such stranger pairs of the training books), or a family would count its
  // home and surname twice and look like one person.
  nameChineseGivenSharedHome: {
    exact: { m: 0.75, u: 0.0005 },
    same_surname_similar_given: { m: 0.16, u: 0.046 },
    same_surname_different_given: { m: 0.06, u: 0.56 },
    different: { m: 0.03, u: 0.3935 },
  },
  addressGivenSharedPhone: {
    same: { m: 0.68, u: 0.92 },
    similar: { m: 0.005, u: 0.005 },
    different: { m: 0.315, u: 0.075 },
  },
} as const satisfies Record<string, Record<string, AgreementProbabilities>>;

// Share of all pairs of a merchant's records that are one customer: 1.6 in 10,000 on the synthetic
// books of 2,000 records (15% of customers recorded twice or more). The true share falls as a book
// grows (about 1 / size), so a much larger merchant needs a smaller prior or a higher threshold.
export const PRIOR_MATCH_PROBABILITY = 1.6e-4;

// Suggest a pair for review from this posterior probability. Chosen on the training books (seeds
// 101–110, service blocking): F1 is flat from 0.4 to 0.5 (0.911–0.910) while wrong suggestions
// fall; at 0.45 precision is 0.966 over the ten books (lowest book 0.948) at recall 0.862. Below
// 0.4 sit the pairs with only an equal one-character given name (王伟 = 王伟, nothing else known),
// which are about as often strangers as not.
export const SUGGESTION_THRESHOLD = 0.45;

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
  const phone = comparePhones(a.phones, b.phones);
  const address = compareAddresses(a.address, b.address);
  const phonesAgree = phone.level === 'same_number' || phone.level === 'same_visible_digits';
  const sharedHome = phonesAgree || address.level === 'same';
  const observed: Array<{ feature: MatchFeature; level: string; detail: string; table: FeatureTable }> = [
    { feature: 'name', ...name, level: nameLevel(name.level, a.name, sharedHome), table: nameTable(name.level, a.name, sharedHome) },
    { feature: 'birthday', ...compareBirthdays(a.birthday, b.birthday), table: MATCH_MODEL.birthday },
    { feature: 'phone', ...phone, table: MATCH_MODEL.phone },
    { feature: 'address', ...address, table: phonesAgree ? MATCH_MODEL.addressGivenSharedPhone : MATCH_MODEL.address },
  ];

  const weighted = observed.map((item) => {
    const probabilities = item.table[item.level];
    // A missing field is as likely for the same person as for different ones: no evidence.
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

/** An equal Chinese name with a one-character given name is its own level (see nameChinese). */
function nameLevel(level: string, name: string | undefined, sharedHome: boolean): string {
  if (level !== 'exact' || sharedHome || name === undefined || nameScript(name) !== 'chinese') return level;
  return Array.from(parseChineseName(name).given).length === 1 ? 'exact_single_given' : level;
}

function nameTable(level: string, name: string | undefined, sharedHome: boolean): FeatureTable {
  if (level === 'incomparable') return MATCH_MODEL.nameScripts;
  if (name !== undefined && nameScript(name) === 'latin') return MATCH_MODEL.nameLatin;
  return sharedHome ? MATCH_MODEL.nameChineseGivenSharedHome : MATCH_MODEL.nameChinese;
}
