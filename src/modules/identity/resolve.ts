// Resolution: every inbound touch (a payment's payer, an event, an activity sign-up, an API call)
// names identifiers; resolution answers which person they belong to, creating one when asked,
// linking identifiers observed together in a trusted context, and merging two persons only when a
// strong identifier proves them one with nothing contradicting it (merge-decision.ts).
//
// Concurrency: strong and medium identifiers are unique per merchant in the database. Two first
// touches by the same new identifier both try to insert it; the loser's insert does nothing, its
// savepoint (with the person it created) rolls back, and its retry finds the winner's person.

import { and, eq, inArray, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { newId } from '../../kernel/ids.js';
import { appendAudit, authorize, findMerchantById, publishEvent, requireMerchantId, systemContext, type AccessContext } from '../platform/index.js';
import { identityErrors } from './errors.js';
import { identifierKey, type PersonIdentifier } from './identifier-kinds.js';
import { decideMerge, type MergeDecision } from './merge-decision.js';
import { defaultSurvivor, mergeInTransaction } from './merge.js';
import {
  appendHistory,
  followMerges,
  identifierSnapshot,
  identifiersOf,
  lockPersons,
  normaliseInputs,
  orderedPair,
  type IdentifierInput,
  type IdentifierRow,
  type NormalisedInput,
  type PersonRow,
  type ProfileInput,
  validateProfile,
} from './persons.js';
import { openReviewItem } from './review-queue.js';
import { identifiers, pairDecisions, persons } from './schema.js';
import { refreshSuggestionsFor } from './suggestions.js';

export const RESOLVE_CONTEXTS = ['payment', 'verified_binding', 'event', 'activity', 'api', 'manual'] as const;
export type ResolveContext = (typeof RESOLVE_CONTEXTS)[number];

/**
 * Contexts whose identifiers are known to belong to one human: a channel's payer (openid and
 * unionid come from WeChat together), a phone proven by SMS code, staff at the counter. Elsewhere
 * (an event, an API call) identifiers are only claimed together, so they find a person but are
 * not linked to it, and a strong coincidence goes to review instead of merging.
 */
const TRUSTED_CONTEXTS: ReadonlySet<ResolveContext> = new Set(['payment', 'verified_binding', 'manual']);

export function isTrustedContext(context: ResolveContext): boolean {
  return TRUSTED_CONTEXTS.has(context);
}

export interface ResolveInput {
  readonly identifiers: readonly IdentifierInput[];
  readonly create: boolean;
  readonly context: ResolveContext;
  /** Where the touch came from (`payment:pay_…`); stored as the source of identifiers it links. */
  readonly source?: string | undefined;
  /** Attributes for suggestions; they fill empty fields only, never overwrite what is known. */
  readonly profile?: ProfileInput | undefined;
}

export type ResolveOutcome = 'found' | 'created' | 'merged' | 'ambiguous' | 'not_found';

export interface ResolveResult {
  readonly personId: string | null;
  readonly outcome: ResolveOutcome;
  readonly created: boolean;
  readonly matchedIdentifierIds: string[];
  readonly linkedIdentifierIds: string[];
  /** Observed identifiers not linked: untrusted context, or the touch named persons kept apart. */
  readonly unlinked: { kind: string; value: string }[];
  readonly merges: { mergeId: string; survivorId: string; absorbedId: string }[];
  readonly reviewItemIds: string[];
  /** Each pair of persons the touch named, and what was decided about it. */
  readonly decisions: { personIds: [string, string]; outcome: MergeDecision['outcome'] | 'kept_apart'; reasons: readonly string[] }[];
}

// last_seen is coarse: rewriting an identifier's row on every payment would make a busy payer's
// row the hottest in the database for a timestamp nobody needs to the second.
const LAST_SEEN_RESOLUTION_MS = 60 * 60 * 1000;
const MAX_ATTEMPTS = 8;

class RetryResolution extends Error {
  constructor(why: string) {
    super(why);
    this.name = 'RetryResolution';
  }
}

function isRetryable(error: unknown): boolean {
  if (error instanceof RetryResolution) return true;
  // deadlock_detected, serialization_failure, unique_violation: another touch won a race.
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === '40P01' || code === '40001' || code === '23505') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

const strengthRank = { weak: 0, medium: 1, strong: 2 } as const;

function strongestObserved(observed: readonly NormalisedInput[]): NormalisedInput {
  return [...observed].sort((a, b) => strengthRank[b.strength] - strengthRank[a.strength] || Number(b.verified) - Number(a.verified))[0]!;
}

interface Found {
  readonly row: IdentifierRow;
  /** The active person the row's owner stands for now. */
  readonly ownerId: string;
}

async function lookup(tx: Db, merchantId: string, observed: readonly NormalisedInput[]): Promise<Found[]> {
  const rows = await tx
    .select({ identifier: identifiers, status: persons.status })
    .from(identifiers)
    .innerJoin(persons, and(eq(persons.merchantId, identifiers.merchantId), eq(persons.id, identifiers.personId)))
    .where(and(eq(identifiers.merchantId, merchantId), or(...observed.map((o) => and(eq(identifiers.kind, o.kind), eq(identifiers.value, o.value))))));
  const found: Found[] = [];
  for (const { identifier, status } of rows) {
    if (status === 'active') {
      found.push({ row: identifier, ownerId: identifier.personId });
      continue;
    }
    const owner = await followMerges(tx, merchantId, identifier.personId);
    if (owner) found.push({ row: identifier, ownerId: owner.id });
  }
  return found;
}

function sourceOf(ctx: AccessContext, input: ResolveInput): string {
  if (input.source) return input.source;
  return ctx.actor.kind === 'system' ? input.context : `${input.context}:${ctx.actor.id}`;
}

async function insertIdentifiers(tx: Db, merchantId: string, personId: string, source: string, items: readonly NormalisedInput[]): Promise<IdentifierRow[]> {
  if (!items.length) return [];
  const rows = await tx
    .insert(identifiers)
    .values(items.map((i) => ({ merchantId, id: newId('identifier'), personId, kind: i.kind, value: i.value, verified: i.verified, strength: i.strength, source })))
    .onConflictDoNothing()
    .returning();
  // A strong or medium identifier that did not insert belongs to someone now: start over.
  const inserted = new Set(rows.map(identifierKey));
  if (items.some((i) => i.strength !== 'weak' && !inserted.has(identifierKey(i)))) throw new RetryResolution('identifier taken concurrently');
  return rows;
}

function profileValues(profile: ProfileInput | undefined, current?: PersonRow): Partial<Record<'displayName' | 'birthday' | 'address', string>> {
  const values: Partial<Record<'displayName' | 'birthday' | 'address', string>> = {};
  for (const field of ['displayName', 'birthday', 'address'] as const) {
    const value = profile?.[field];
    if (typeof value === 'string' && value !== '' && (!current || current[field] === null)) values[field] = value;
  }
  return values;
}

function asPersonIdentifiers(rows: readonly IdentifierRow[], observed: readonly NormalisedInput[]): PersonIdentifier[] {
  // The person's own identifiers plus what this touch observed, with proof from either side.
  const byKey = new Map<string, PersonIdentifier>();
  for (const row of rows) byKey.set(identifierKey(row), { kind: row.kind as PersonIdentifier['kind'], value: row.value, verified: row.verified });
  for (const o of observed) {
    const known = byKey.get(identifierKey(o));
    byKey.set(identifierKey(o), { kind: o.kind, value: o.value, verified: o.verified || (known?.verified ?? false) });
  }
  return [...byKey.values()];
}

async function keptApart(tx: Db, merchantId: string, a: string, b: string): Promise<boolean> {
  const [first, second] = orderedPair(a, b);
  const [row] = await tx
    .select({ why: pairDecisions.why })
    .from(pairDecisions)
    .where(and(eq(pairDecisions.merchantId, merchantId), eq(pairDecisions.firstPersonId, first), eq(pairDecisions.secondPersonId, second)));
  return Boolean(row);
}

/**
 * The common case, a known payer whose identifiers all belong to one person and need no write, is
 * answered by one indexed query: no savepoint, no lock. Anything else takes the full path.
 */
async function resolveKnown(db: Db, merchantId: string, input: ResolveInput, observed: readonly NormalisedInput[]): Promise<ResolveResult | null> {
  if (input.profile && Object.keys(profileValues(input.profile)).length) return null;
  const found = await lookup(db, merchantId, observed);
  const owners = new Set(found.map((f) => f.ownerId));
  // A masked phone never finds anyone on its own (see attemptResolution).
  if (owners.size !== 1 || found.every((f) => f.row.kind === 'masked_phone')) return null;
  const byKey = new Map(found.map((f) => [identifierKey(f.row), f.row]));
  const now = Date.now();
  for (const o of observed) {
    const row = byKey.get(identifierKey(o));
    if (!row || (o.verified && !row.verified) || now - row.lastSeenAt.getTime() > LAST_SEEN_RESOLUTION_MS) return null;
  }
  return {
    personId: [...owners][0]!,
    outcome: 'found',
    created: false,
    matchedIdentifierIds: found.map((f) => f.row.id),
    linkedIdentifierIds: [],
    unlinked: [],
    merges: [],
    reviewItemIds: [],
    decisions: [],
  };
}

/** Resolution inside the caller's transaction (payments call this within theirs). */
export async function resolveInTransaction(tx: Db, ctx: AccessContext, merchantId: string, input: ResolveInput): Promise<ResolveResult> {
  const observed = normaliseInputs(input.identifiers);
  validateProfile(input.profile);
  const known = await resolveKnown(tx, merchantId, input, observed);
  if (known) return known;
  for (let attempt = 1; ; attempt++) {
    try {
      // A savepoint per attempt: a lost race rolls back only this attempt, not the caller's work.
      return await tx.transaction((sp) => attemptResolution(sp, ctx, merchantId, input, observed));
    } catch (error) {
      if (!isRetryable(error)) throw error;
      if (attempt >= MAX_ATTEMPTS) throw identityErrors.make('resolution_contended');
    }
  }
}

async function attemptResolution(tx: Db, ctx: AccessContext, merchantId: string, input: ResolveInput, observed: readonly NormalisedInput[]): Promise<ResolveResult> {
  const trusted = isTrustedContext(input.context);
  const source = sourceOf(ctx, input);
  const found = await lookup(tx, merchantId, observed);
  const owners = [...new Set(found.filter((f) => f.row.strength !== 'weak').map((f) => f.ownerId))];
  // A masked phone is held by thousands: it hints at duplicates (suggestions) but finds nobody.
  const weakOwners = [...new Set(found.filter((f) => f.row.strength === 'weak' && f.row.kind !== 'masked_phone').map((f) => f.ownerId))];
  const base: Omit<ResolveResult, 'personId' | 'outcome' | 'created'> = {
    matchedIdentifierIds: found.map((f) => f.row.id),
    linkedIdentifierIds: [],
    unlinked: [],
    merges: [],
    reviewItemIds: [],
    decisions: [],
  };

  if (owners.length === 0) {
    // Weak identifiers (a shop's tablet) find a person only when nothing else was named and they
    // point at exactly one; they never attach a new identifier to anyone.
    if (observed.every((o) => o.strength === 'weak') && weakOwners.length === 1) {
      return { ...base, personId: weakOwners[0]!, outcome: 'found', created: false };
    }
    if (!input.create) return { ...base, personId: null, outcome: 'not_found', created: false };
    return createPerson(tx, ctx, merchantId, input, observed, source);
  }

  if (owners.length === 1) {
    return touchPerson(tx, ctx, merchantId, input, observed, found, owners[0]!, base, source, trusted);
  }

  // The touch names several persons: decide pair by pair against the oldest, which survives.
  const locked = await lockPersons(tx, merchantId, owners);
  if ([...locked.values()].some((p) => p.status !== 'active') || locked.size !== owners.length) throw new RetryResolution('persons changed while locking');
  const ordered = [...locked.values()].sort((a, b) => (defaultSurvivor(a, b)[0] === a ? -1 : 1));
  const survivor = ordered[0]!;
  const link = strongestObserved(observed);
  const decisions: ResolveResult['decisions'] = [];
  const merged: ResolveResult['merges'] = [];
  const reviewItemIds: string[] = [];
  let survivorIdentifiers = await identifiersOf(tx, merchantId, [survivor.id]);
  for (const other of ordered.slice(1)) {
    const pair: [string, string] = [survivor.id, other.id];
    if (await keptApart(tx, merchantId, survivor.id, other.id)) {
      decisions.push({ personIds: pair, outcome: 'kept_apart', reasons: ['a person decided these are different customers (unmerged, dismissed or rejected before)'] });
      continue;
    }
    const decision = decideMerge({
      first: asPersonIdentifiers(survivorIdentifiers, observed),
      second: asPersonIdentifiers(await identifiersOf(tx, merchantId, [other.id]), observed),
      link: { kind: link.kind, value: link.value, verified: link.verified },
    });
    if (decision.outcome === 'auto_merge' && trusted) {
      const row = await mergeInTransaction(tx, ctx, merchantId, {
        survivorId: survivor.id,
        absorbedId: other.id,
        kind: 'automatic',
        reason: `observed together (${input.context}${input.source ? ` ${input.source}` : ''}): ${decision.reasons.at(-1)}`,
        decision,
        context: input.context,
      });
      merged.push({ mergeId: row.id, survivorId: survivor.id, absorbedId: other.id });
      survivorIdentifiers = await identifiersOf(tx, merchantId, [survivor.id]);
      decisions.push({ personIds: pair, outcome: 'auto_merge', reasons: decision.reasons });
    } else if (decision.outcome === 'review' || decision.outcome === 'auto_merge') {
      const reasons = trusted ? decision.reasons : [...decision.reasons, `observed together in an untrusted context (${input.context}): a person must confirm`];
      reviewItemIds.push(await openReviewItem(tx, merchantId, { personIds: pair, context: input.context, source, decision: { ...decision, reasons } }));
      decisions.push({ personIds: pair, outcome: 'review', reasons });
    } else {
      decisions.push({ personIds: pair, outcome: 'no_merge', reasons: decision.reasons });
    }
  }
  const result = { ...base, merges: merged, reviewItemIds, decisions };
  if (merged.length === ordered.length - 1) {
    // All one person now: what the touch brought can be linked to the survivor as usual.
    const refreshed = await lookup(tx, merchantId, observed);
    const touched = await touchPerson(tx, ctx, merchantId, input, observed, refreshed, survivor.id, result, source, trusted);
    return { ...touched, outcome: 'merged' };
  }
  // Still several persons: answer with the one the strongest identifier names, link nothing.
  const strongestRow = found.filter((f) => f.row.strength !== 'weak').sort((a, b) => strengthRank[b.row.strength as 'strong'] - strengthRank[a.row.strength as 'strong'] || Number(b.row.verified) - Number(a.row.verified))[0]!;
  const personId = merged.some((m) => m.absorbedId === strongestRow.ownerId) ? survivor.id : strongestRow.ownerId;
  const known = new Set(found.map((f) => identifierKey(f.row)));
  return { ...result, personId, outcome: 'ambiguous', created: false, unlinked: observed.filter((o) => !known.has(identifierKey(o))).map((o) => ({ kind: o.kind, value: o.value })) };
}

async function createPerson(tx: Db, ctx: AccessContext, merchantId: string, input: ResolveInput, observed: readonly NormalisedInput[], source: string): Promise<ResolveResult> {
  const personId = newId('person');
  const profile = profileValues(input.profile);
  await tx.insert(persons).values({ merchantId, id: personId, ...profile });
  const rows = await insertIdentifiers(tx, merchantId, personId, source, observed);
  await appendHistory(tx, ctx, merchantId, [
    { personId, event: 'created', detail: { profile }, context: input.context },
    { personId, event: 'linked', detail: { identifiers: rows.map(identifierSnapshot) }, context: input.context },
  ]);
  await appendAudit(tx, ctx, { action: 'identity.person.create', targetType: 'person', targetId: personId, after: { context: input.context, source, identifier_kinds: rows.map((r) => r.kind) } });
  await publishEvent(tx, merchantId, 'identity.person.created', { person_id: personId, context: input.context, source });
  if (Object.keys(profile).length || rows.some((r) => r.kind === 'phone' || r.kind === 'masked_phone')) await refreshSuggestionsFor(tx, merchantId, [personId]);
  return {
    personId,
    outcome: 'created',
    created: true,
    matchedIdentifierIds: [],
    linkedIdentifierIds: rows.map((r) => r.id),
    unlinked: [],
    merges: [],
    reviewItemIds: [],
    decisions: [],
  };
}

/** One person named: refresh last_seen, upgrade proofs and link new identifiers (trusted contexts). */
async function touchPerson(
  tx: Db,
  ctx: AccessContext,
  merchantId: string,
  input: ResolveInput,
  observed: readonly NormalisedInput[],
  found: readonly Found[],
  personId: string,
  base: Omit<ResolveResult, 'personId' | 'outcome' | 'created'>,
  source: string,
  trusted: boolean,
): Promise<ResolveResult> {
  const own = found.filter((f) => f.ownerId === personId).map((f) => f.row);
  const ownKeys = new Map(own.map((row) => [identifierKey(row), row]));
  // Strong and medium identifiers held elsewhere were judged above; a weak one may be held by many.
  const elsewhere = new Set(found.filter((f) => f.ownerId !== personId && f.row.strength !== 'weak').map((f) => identifierKey(f.row)));
  const fresh = observed.filter((o) => !ownKeys.has(identifierKey(o)) && !elsewhere.has(identifierKey(o)));
  const upgrades = trusted ? own.filter((row) => !row.verified && observed.some((o) => o.verified && identifierKey(o) === identifierKey(row))) : [];
  const profile = input.profile ? profileValues(input.profile) : {};
  const writes = (trusted && fresh.length > 0) || upgrades.length > 0 || Object.keys(profile).length > 0;

  const now = new Date();
  const stale = own.filter((row) => now.getTime() - row.lastSeenAt.getTime() > LAST_SEEN_RESOLUTION_MS).map((row) => row.id);
  if (stale.length) {
    await tx
      .update(identifiers)
      .set({ lastSeenAt: now })
      .where(and(eq(identifiers.merchantId, merchantId), inArray(identifiers.id, stale), lt(identifiers.lastSeenAt, sql`${new Date(now.getTime() - LAST_SEEN_RESOLUTION_MS)}`)));
  }
  if (!writes) {
    return { ...base, personId, outcome: base.merges.length ? 'merged' : 'found', created: false, unlinked: fresh.map((o) => ({ kind: o.kind, value: o.value })) };
  }

  const person = (await lockPersons(tx, merchantId, [personId])).get(personId);
  // Merged away between the lookup and the lock: look again.
  if (!person || person.status !== 'active') throw new RetryResolution('person merged concurrently');
  const linked = trusted ? await insertIdentifiers(tx, merchantId, personId, source, fresh) : [];
  const verified: IdentifierRow[] = [];
  for (const row of upgrades) {
    const [updated] = await tx
      .update(identifiers)
      .set({ verified: true, strength: 'strong', lastSeenAt: now })
      .where(and(eq(identifiers.merchantId, merchantId), eq(identifiers.id, row.id)))
      .returning();
    verified.push(updated!);
  }
  const filled = profileValues(input.profile, person);
  if (Object.keys(filled).length) {
    await tx.update(persons).set({ ...filled, updatedAt: now }).where(and(eq(persons.merchantId, merchantId), eq(persons.id, personId)));
  }
  const history = [
    ...(linked.length ? [{ personId, event: 'linked' as const, detail: { identifiers: linked.map(identifierSnapshot) }, context: input.context }] : []),
    ...(verified.length ? [{ personId, event: 'verified' as const, detail: { identifiers: verified.map(identifierSnapshot) }, context: input.context }] : []),
    ...(Object.keys(filled).length ? [{ personId, event: 'profile_updated' as const, detail: { before: {}, after: filled }, context: input.context }] : []),
  ];
  if (history.length) {
    await appendHistory(tx, ctx, merchantId, history);
    await appendAudit(tx, ctx, {
      action: 'identity.person.touch',
      targetType: 'person',
      targetId: personId,
      after: { context: input.context, source, linked_identifier_ids: linked.map((r) => r.id), verified_identifier_ids: verified.map((r) => r.id), filled: Object.keys(filled) },
    });
    if (linked.length) await publishEvent(tx, merchantId, 'identity.identifier.linked', { person_id: personId, identifier_ids: linked.map((r) => r.id), context: input.context });
    if (Object.keys(filled).length || [...linked, ...verified].some((r) => r.kind === 'phone' || r.kind === 'masked_phone')) await refreshSuggestionsFor(tx, merchantId, [personId]);
  }
  return {
    ...base,
    personId,
    outcome: base.merges.length ? 'merged' : 'found',
    created: false,
    linkedIdentifierIds: linked.map((r) => r.id),
    unlinked: trusted ? [] : fresh.map((o) => ({ kind: o.kind, value: o.value })),
  };
}

/** The API's resolve: its own transaction, identity.write. */
export async function resolve(db: Db, ctx: AccessContext, input: ResolveInput): Promise<ResolveResult> {
  authorize(ctx, 'identity.write');
  const merchantId = requireMerchantId(ctx);
  const observed = normaliseInputs(input.identifiers);
  validateProfile(input.profile);
  const known = await resolveKnown(db, merchantId, input, observed);
  if (known) return known;
  return db.transaction((tx) => resolveInTransaction(tx, ctx, merchantId, input));
}

/** The shape payments' payer-identity.ts calls with (no access context: a channel notification). */
export interface PaymentsResolveInput {
  readonly merchantId: string;
  readonly identifiers: readonly IdentifierInput[];
  readonly source: string;
}

function isAccessContext(value: AccessContext | PaymentsResolveInput): value is AccessContext {
  return 'actor' in value;
}

/**
 * For other modules, inside their transaction: `resolvePerson(tx, ctx, { identifiers, create, context })`.
 * Also accepts `resolvePerson(tx, { merchantId, identifiers, source })`, the form payments uses for a
 * payer (system actor, payment context, create = true).
 */
export async function resolvePerson(tx: Db, ctx: AccessContext, input: ResolveInput): Promise<ResolveResult>;
export async function resolvePerson(tx: Db, input: PaymentsResolveInput): Promise<ResolveResult>;
export async function resolvePerson(tx: Db, ctxOrInput: AccessContext | PaymentsResolveInput, maybeInput?: ResolveInput): Promise<ResolveResult> {
  if (isAccessContext(ctxOrInput)) {
    if (!maybeInput) throw identityErrors.make('identifiers_required');
    return resolveInTransaction(tx, ctxOrInput, requireMerchantId(ctxOrInput), maybeInput);
  }
  const merchant = await findMerchantById(tx, ctxOrInput.merchantId);
  if (!merchant) throw identityErrors.make('person_not_found', 'unknown merchant');
  const ctx = systemContext(merchant.operatorId, merchant.id, 'payment payer resolution');
  return resolveInTransaction(tx, ctx, merchant.id, { identifiers: ctxOrInput.identifiers, create: true, context: 'payment', source: ctxOrInput.source });
}
