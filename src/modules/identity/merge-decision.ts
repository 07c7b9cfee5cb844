// Whether two persons found to share an identifier are the same customer: merge automatically,
// send to the review queue, or leave apart. Wrong merges are the expensive mistake (one customer
// spends another's stored value), so only strong evidence without any contradiction merges alone.

import {
  identifierKey,
  identifierScope,
  identifierStrength,
  type IdentifierKind,
  type IdentifierStrength,
  type PersonIdentifier,
} from './identifier-kinds.js';

export type MergeOutcome = 'auto_merge' | 'review' | 'no_merge';

// An identifier both persons hold, graded by what both sides have proven.
export interface SharedEvidence {
  readonly kind: IdentifierKind;
  readonly value: string;
  readonly strength: IdentifierStrength;
}

export interface MergeConflict {
  readonly kind: IdentifierKind;
  // For per-app ids: the app within which the two values differ.
  readonly scope?: string;
  readonly first: readonly string[];
  readonly second: readonly string[];
  readonly reason: string;
}

export interface MergeDecision {
  readonly outcome: MergeOutcome;
  readonly evidence: readonly SharedEvidence[];
  readonly conflicts: readonly MergeConflict[];
  readonly reasons: readonly string[];
}

export interface MergeQuestion {
  readonly first: readonly PersonIdentifier[];
  readonly second: readonly PersonIdentifier[];
  // The identifier whose observation brought the two persons together. Its strength is judged
  // from both persons' records, not from this copy's `verified` flag.
  readonly link: PersonIdentifier;
}

// Kinds a customer normally holds one of (per app where scoped): two different values mean two
// accounts, and so quite possibly two people. Phones count only when verified on both persons,
// because anyone can type a number but a code proves the phone is in their hand.
interface ConflictRule {
  readonly kind: IdentifierKind;
  readonly verifiedOnly: boolean;
  readonly why: string;
}

const CONFLICT_RULES: readonly ConflictRule[] = [
  { kind: 'wechat_unionid', verifiedOnly: false, why: 'different WeChat accounts (unionid)' },
  { kind: 'wechat_openid', verifiedOnly: false, why: 'different WeChat accounts in the same app' },
  { kind: 'alipay_user_id', verifiedOnly: false, why: 'different Alipay accounts' },
  { kind: 'alipay_open_id', verifiedOnly: false, why: 'different Alipay accounts in the same app' },
  { kind: 'card_number', verifiedOnly: false, why: 'different member cards' },
  { kind: 'phone', verifiedOnly: true, why: 'different verified phones' },
];

export function decideMerge(question: MergeQuestion): MergeDecision {
  const { first, second, link } = question;
  const evidence = sharedEvidence(first, second);
  const conflicts = findConflicts(first, second);
  const linkKey = identifierKey(link);
  const linkEvidence = evidence.find((shared) => identifierKey(shared) === linkKey);

  if (linkEvidence === undefined) {
    // Fail closed: a caller that cannot show the shared identifier has no evidence to merge on.
    return {
      outcome: 'no_merge',
      evidence,
      conflicts,
      reasons: [`the linking ${describeIdentifier(link)} is not held by both persons`],
    };
  }

  const strongest = strongestOf(evidence);
  const reasons = evidence.map(
    (shared) => `both persons hold ${describeIdentifier(shared)}, ${shared.strength} evidence${strengthNote(shared, first, second)}`,
  );

  if (strongest === 'weak') {
    // Weak identifiers are shared by design (a shop's tablet); contradictions between two people
    // who merely used the same device are expected, not worth a reviewer's time.
    return {
      outcome: 'no_merge',
      evidence,
      conflicts,
      reasons: [...reasons, 'only weak evidence is shared: weak identifiers may belong to many persons'],
    };
  }

  if (conflicts.length > 0) {
    return {
      outcome: 'review',
      evidence,
      conflicts,
      reasons: [
        ...reasons,
        ...conflicts.map((conflict) => `conflict: ${conflict.reason}`),
        'a person must decide: the shared evidence and the conflicts cannot both be right',
      ],
    };
  }

  if (strongest === 'strong') {
    return {
      outcome: 'auto_merge',
      evidence,
      conflicts,
      reasons: [...reasons, 'proven the same by strong evidence, and nothing contradicts it'],
    };
  }

  return {
    outcome: 'no_merge',
    evidence,
    conflicts,
    reasons: [
      ...reasons,
      'no strong evidence is shared: medium identifiers (an app account, an email) may be shared ' +
        'within a family or mistyped, so they never merge automatically',
    ],
  };
}

function sharedEvidence(first: readonly PersonIdentifier[], second: readonly PersonIdentifier[]): SharedEvidence[] {
  const secondByKey = new Map(second.map((identifier) => [identifierKey(identifier), identifier]));
  const evidence: SharedEvidence[] = [];
  const seen = new Set<string>();
  for (const identifier of first) {
    const key = identifierKey(identifier);
    const other = secondByKey.get(key);
    if (other === undefined || seen.has(key)) continue;
    seen.add(key);
    // Proof must exist on both sides: one person's verified phone typed into another's profile
    // says nothing about who owns it.
    const verified = identifier.verified && other.verified;
    evidence.push({ kind: identifier.kind, value: identifier.value, strength: identifierStrength(identifier.kind, verified) });
  }
  return evidence;
}

function findConflicts(first: readonly PersonIdentifier[], second: readonly PersonIdentifier[]): MergeConflict[] {
  const conflicts: MergeConflict[] = [];
  for (const rule of CONFLICT_RULES) {
    const firstByScope = valuesByScope(first, rule);
    const secondByScope = valuesByScope(second, rule);
    for (const [scope, firstValues] of firstByScope) {
      const secondValues = secondByScope.get(scope);
      if (secondValues === undefined) continue;
      // Disjoint, not merely different: a person with two verified phones who shares one of them
      // with the other person is consistent; two persons with no value in common are not.
      if ([...firstValues].some((value) => secondValues.has(value))) continue;
      const where = scope === '' ? '' : ` (app ${scope})`;
      conflicts.push({
        kind: rule.kind,
        ...(scope === '' ? {} : { scope }),
        first: [...firstValues].sort(),
        second: [...secondValues].sort(),
        reason: `${rule.why}${where}: ${[...firstValues].sort().join(', ')} vs ${[...secondValues].sort().join(', ')}`,
      });
    }
  }
  return conflicts;
}

function valuesByScope(identifiers: readonly PersonIdentifier[], rule: ConflictRule): Map<string, Set<string>> {
  const byScope = new Map<string, Set<string>>();
  for (const identifier of identifiers) {
    if (identifier.kind !== rule.kind || (rule.verifiedOnly && !identifier.verified)) continue;
    const scope = identifierScope(identifier) ?? '';
    const values = byScope.get(scope) ?? new Set<string>();
    values.add(identifier.value);
    byScope.set(scope, values);
  }
  return byScope;
}

const STRENGTH_ORDER: readonly IdentifierStrength[] = ['weak', 'medium', 'strong'];

function strongestOf(evidence: readonly SharedEvidence[]): IdentifierStrength {
  let best = 0;
  for (const shared of evidence) best = Math.max(best, STRENGTH_ORDER.indexOf(shared.strength));
  return STRENGTH_ORDER[best] ?? 'weak';
}

function describeIdentifier(identifier: Pick<PersonIdentifier, 'kind' | 'value'>): string {
  return `${identifier.kind} ${identifier.value}`;
}

function strengthNote(shared: SharedEvidence, first: readonly PersonIdentifier[], second: readonly PersonIdentifier[]): string {
  if (shared.kind !== 'phone' || shared.strength === 'strong') return '';
  const key = identifierKey(shared);
  const verifiedSomewhere = [...first, ...second].some((identifier) => identifierKey(identifier) === key && identifier.verified);
  return verifiedSomewhere ? ' (verified by one person only)' : ' (not verified)';
}
