// Persons and their identifiers: reading (following merges), search, profile, link and unlink.
// Every write runs in a transaction with its history rows and audit entry.

import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { newId } from '../../kernel/ids.js';
import { appendAudit, authorize, clampLimit, pageOf, publishEvent, requireMerchantId, type AccessContext, type Page } from '../platform/index.js';
import { identityErrors } from './errors.js';
import { parseBirthday } from './match-features.js';
import { identifierKey, isIdentifierKind, normaliseIdentifier, type IdentifierKind, type IdentifierStrength } from './identifier-kinds.js';
import { movesOf, type ModuleMove } from './merge-moves.js';
import { history, identifiers, merges, persons } from './schema.js';
import { refreshSuggestionsFor } from './suggestions.js';

export type PersonRow = typeof persons.$inferSelect;
export type IdentifierRow = typeof identifiers.$inferSelect;
export type HistoryRow = typeof history.$inferSelect;
export type MergeRow = typeof merges.$inferSelect;

/** An identifier as callers send it: raw value, optionally with the app or partner that scopes it. */
export interface IdentifierInput {
  readonly kind: string;
  readonly value: string;
  readonly verified?: boolean | undefined;
  /** WeChat / Alipay app that issued an openid / open_id, when the value is not already `appid:id`. */
  readonly appId?: string | undefined;
  /** Partner of an external_id, when the value is not already `partner:id`. */
  readonly partner?: string | undefined;
}

export interface NormalisedInput {
  readonly kind: IdentifierKind;
  readonly value: string;
  readonly verified: boolean;
  readonly strength: IdentifierStrength;
}

/** Normalises and deduplicates; any invalid identifier rejects the whole request (no partial write). */
export function normaliseInputs(inputs: readonly IdentifierInput[], field = 'identifiers'): NormalisedInput[] {
  if (inputs.length === 0) throw identityErrors.make('identifiers_required');
  const byKey = new Map<string, NormalisedInput>();
  const problems: { field: string; message: string }[] = [];
  inputs.forEach((input, index) => {
    if (!isIdentifierKind(input.kind)) {
      problems.push({ field: `${field}[${index}].kind`, message: `unknown identifier kind ${input.kind}` });
      return;
    }
    const result = normaliseIdentifier(input.kind, input.value, {
      ...(input.verified === undefined ? {} : { verified: input.verified }),
      ...(input.appId === undefined ? {} : { appId: input.appId }),
      ...(input.partner === undefined ? {} : { partner: input.partner }),
    });
    if (!result.ok) {
      problems.push({ field: `${field}[${index}].value`, message: `${result.code}: ${result.message}` });
      return;
    }
    const key = identifierKey(result);
    const seen = byKey.get(key);
    // The same identifier twice in one touch: proven if either copy was.
    if (!seen || (result.verified && !seen.verified)) {
      byKey.set(key, { kind: result.kind, value: result.value, verified: result.verified, strength: result.strength });
    }
  });
  if (problems.length) {
    throw identityErrors.make('identifier_invalid', problems.map((p) => `${p.field}: ${p.message}`).join('; '), { fields: problems });
  }
  // A fixed order, so concurrent touches insert the same identifiers in the same order (no deadlock).
  return [...byKey.values()].sort((a, b) => identifierKey(a).localeCompare(identifierKey(b)));
}

export function orderedPair(a: string, b: string): [string, string] {
  return a < b ? [a, b] : [b, a];
}

export interface HistoryInput {
  readonly personId: string;
  readonly event: 'created' | 'linked' | 'unlinked' | 'verified' | 'merged' | 'absorbed' | 'unmerged' | 'restored' | 'profile_updated';
  readonly detail: unknown;
  readonly mergeId?: string | null;
  readonly context?: string | null;
  readonly reason?: string | null;
}

export async function appendHistory(tx: Db, ctx: AccessContext, merchantId: string, entries: readonly HistoryInput[]): Promise<void> {
  if (!entries.length) return;
  await tx.insert(history).values(
    entries.map((entry) => ({
      merchantId,
      id: newId('identityHistory'),
      personId: entry.personId,
      event: entry.event,
      detail: entry.detail ?? {},
      mergeId: entry.mergeId ?? null,
      context: entry.context ?? null,
      actorKind: ctx.actor.kind,
      actorId: ctx.actor.id,
      reason: entry.reason ?? null,
    })),
  );
}

/** What history and merge records keep of an identifier: all of it, so unmerge can compare and restore. */
export function identifierSnapshot(row: IdentifierRow) {
  return {
    id: row.id,
    kind: row.kind,
    value: row.value,
    verified: row.verified,
    strength: row.strength,
    source: row.source,
    first_seen_at: row.firstSeenAt.toISOString(),
    last_seen_at: row.lastSeenAt.toISOString(),
  };
}
export type IdentifierSnapshot = ReturnType<typeof identifierSnapshot>;

export async function findPersonRow(tx: Db, merchantId: string, personId: string): Promise<PersonRow | undefined> {
  const [row] = await tx.select().from(persons).where(and(eq(persons.merchantId, merchantId), eq(persons.id, personId)));
  return row;
}

/** The active person an id stands for now: itself, or the survivor of the merges it went through. */
export async function followMerges(tx: Db, merchantId: string, personId: string): Promise<PersonRow | undefined> {
  let row = await findPersonRow(tx, merchantId, personId);
  // Each merge adds one hop and merges never form a cycle; the bound guards against a corrupted row.
  for (let hops = 0; row && row.mergedInto && hops < 1000; hops++) row = await findPersonRow(tx, merchantId, row.mergedInto);
  return row && row.status === 'active' ? row : undefined;
}

/** Locks persons in id order, so concurrent merges and resolutions of the same persons queue, not deadlock. */
export async function lockPersons(tx: Db, merchantId: string, personIds: readonly string[]): Promise<Map<string, PersonRow>> {
  const ids = [...new Set(personIds)].sort();
  const rows = ids.length
    ? await tx
        .select()
        .from(persons)
        .where(and(eq(persons.merchantId, merchantId), inArray(persons.id, ids)))
        .orderBy(asc(persons.id))
        .for('update')
    : [];
  return new Map(rows.map((row) => [row.id, row]));
}

export async function identifiersOf(tx: Db, merchantId: string, personIds: readonly string[]): Promise<IdentifierRow[]> {
  if (!personIds.length) return [];
  return tx
    .select()
    .from(identifiers)
    .where(and(eq(identifiers.merchantId, merchantId), inArray(identifiers.personId, [...personIds])))
    .orderBy(asc(identifiers.id));
}

// ---- reading ----------------------------------------------------------------------------------

export interface PersonDetail {
  readonly person: PersonRow;
  /** The id asked for, when it was an absorbed person's id that now resolves to this survivor. */
  readonly requestedId: string;
  readonly identifiers: IdentifierRow[];
  readonly history: HistoryRow[];
  readonly merges: (MergeRow & { modules: string[]; moves: ModuleMove[] })[];
}

export async function personDetail(db: Db, merchantId: string, person: PersonRow, requestedId: string): Promise<PersonDetail> {
  const [ids, events, mergeRows] = await Promise.all([
    identifiersOf(db, merchantId, [person.id]),
    db
      .select()
      .from(history)
      .where(and(eq(history.merchantId, merchantId), eq(history.personId, person.id)))
      .orderBy(desc(history.id))
      .limit(200),
    db
      .select()
      .from(merges)
      .where(and(eq(merges.merchantId, merchantId), sql`(${merges.survivorId} = ${person.id} or ${merges.absorbedId} = ${person.id})`))
      .orderBy(desc(merges.id))
      .limit(200),
  ]);
  const moves = await movesOf(db, merchantId, mergeRows.map((m) => m.id));
  return {
    person,
    requestedId,
    identifiers: ids,
    history: events,
    merges: mergeRows.map((m) => ({ ...m, modules: (moves.get(m.id) ?? []).map((x) => x.module), moves: moves.get(m.id) ?? [] })),
  };
}

/** A person by id; an absorbed id answers with its survivor unless `follow` is false. */
export async function getPerson(db: Db, ctx: AccessContext, personId: string, options: { follow?: boolean } = {}): Promise<PersonDetail> {
  authorize(ctx, 'identity.read');
  const merchantId = requireMerchantId(ctx);
  const person = options.follow === false ? await findPersonRow(db, merchantId, personId) : await followMerges(db, merchantId, personId);
  if (!person) throw identityErrors.make('person_not_found');
  return personDetail(db, merchantId, person, personId);
}

export interface PersonSummary {
  readonly person: PersonRow;
  readonly identifiers: IdentifierRow[];
}

export interface PersonSearch {
  readonly identifierKind?: string | undefined;
  readonly identifierValue?: string | undefined;
  readonly appId?: string | undefined;
  readonly after?: string | undefined;
  readonly limit?: number | undefined;
}

/** Persons holding an identifier (resolved to survivors), or all active persons, newest first by id. */
export async function searchPersons(db: Db, ctx: AccessContext, search: PersonSearch): Promise<Page<PersonSummary>> {
  authorize(ctx, 'identity.read');
  const merchantId = requireMerchantId(ctx);
  const limit = clampLimit(search.limit);
  let rows: PersonRow[];
  if (search.identifierKind !== undefined || search.identifierValue !== undefined) {
    if (search.identifierKind === undefined || search.identifierValue === undefined) {
      throw identityErrors.make('identifier_invalid', 'identifier_kind and identifier_value go together');
    }
    const [wanted] = normaliseInputs([{ kind: search.identifierKind, value: search.identifierValue, appId: search.appId }], 'identifier');
    const holders = await db
      .select({ personId: identifiers.personId })
      .from(identifiers)
      .where(and(eq(identifiers.merchantId, merchantId), eq(identifiers.kind, wanted!.kind), eq(identifiers.value, wanted!.value)));
    const found = new Map<string, PersonRow>();
    for (const holder of holders) {
      const person = await followMerges(db, merchantId, holder.personId);
      if (person) found.set(person.id, person);
    }
    rows = [...found.values()].sort((a, b) => (a.id < b.id ? 1 : -1)).filter((p) => !search.after || p.id < search.after);
  } else {
    rows = await db
      .select()
      .from(persons)
      .where(and(eq(persons.merchantId, merchantId), eq(persons.status, 'active'), search.after ? sql`${persons.id} < ${search.after}` : undefined))
      .orderBy(desc(persons.id))
      .limit(limit + 1);
  }
  const page = pageOf(rows.slice(0, limit + 1), limit);
  const ids = await identifiersOf(db, merchantId, page.items.map((p) => p.id));
  return {
    items: page.items.map((person) => ({ person, identifiers: ids.filter((i) => i.personId === person.id) })),
    nextCursor: page.nextCursor,
  };
}

// ---- profile ----------------------------------------------------------------------------------

export interface ProfileInput {
  readonly displayName?: string | null | undefined;
  readonly birthday?: string | null | undefined;
  readonly address?: string | null | undefined;
}

const profileFields = ['displayName', 'birthday', 'address'] as const;

/** A birthday must be a real day (30 February is refused), or suggestions would compare garbage. */
export function validateProfile(input: ProfileInput | undefined): void {
  const birthday = input?.birthday;
  if (typeof birthday === 'string' && !parseBirthday(birthday)) {
    throw identityErrors.make('profile_invalid', `birthday ${birthday} is not a date`, { fields: [{ field: 'profile.birthday', message: 'is not a date (YYYY-MM-DD or --MM-DD)' }] });
  }
}

/** Sets the attributes suggestions compare (name, birthday, address); null clears one. */
export async function updateProfile(db: Db, ctx: AccessContext, personId: string, input: ProfileInput): Promise<PersonDetail> {
  authorize(ctx, 'identity.write');
  const merchantId = requireMerchantId(ctx);
  validateProfile(input);
  return db.transaction(async (tx) => {
    const person = (await lockPersons(tx, merchantId, [personId])).get(personId);
    if (!person) throw identityErrors.make('person_not_found');
    if (person.status !== 'active') throw identityErrors.make('person_merged', `${personId} was merged into ${person.mergedInto}`);
    const before: Record<string, string | null> = {};
    const after: Record<string, string | null> = {};
    for (const field of profileFields) {
      const value = input[field];
      if (value === undefined || value === person[field]) continue;
      before[field] = person[field];
      after[field] = value;
    }
    if (Object.keys(after).length) {
      await tx
        .update(persons)
        .set({ ...after, updatedAt: new Date() })
        .where(and(eq(persons.merchantId, merchantId), eq(persons.id, personId)));
      await appendHistory(tx, ctx, merchantId, [{ personId, event: 'profile_updated', detail: { before, after } }]);
      await appendAudit(tx, ctx, { action: 'identity.person.update', targetType: 'person', targetId: personId, before, after });
      await refreshSuggestionsFor(tx, merchantId, [personId]);
    }
    const fresh = await findPersonRow(tx, merchantId, personId);
    return personDetail(tx, merchantId, fresh!, personId);
  });
}

// ---- link and unlink --------------------------------------------------------------------------

export interface LinkResult {
  readonly identifier: IdentifierRow;
  readonly created: boolean;
}

/** Staff link an identifier to a person by hand; one held by another person is a conflict (merge instead). */
export async function linkIdentifier(db: Db, ctx: AccessContext, personId: string, input: IdentifierInput): Promise<LinkResult> {
  authorize(ctx, 'identity.write');
  const merchantId = requireMerchantId(ctx);
  const [wanted] = normaliseInputs([input], 'identifier');
  const identifier = wanted!;
  return db.transaction(async (tx) => {
    const person = (await lockPersons(tx, merchantId, [personId])).get(personId);
    if (!person) throw identityErrors.make('person_not_found');
    if (person.status !== 'active') throw identityErrors.make('person_merged', `${personId} was merged into ${person.mergedInto}`);
    const source = ctx.actor.kind === 'user' ? `manual:${ctx.actor.id}` : ctx.actor.kind === 'api_key' ? `api:${ctx.actor.id}` : 'system';
    const holders = await tx
      .select()
      .from(identifiers)
      .where(and(eq(identifiers.merchantId, merchantId), eq(identifiers.kind, identifier.kind), eq(identifiers.value, identifier.value)));
    const own = holders.find((h) => h.personId === personId);
    if (own) {
      if (identifier.verified && !own.verified) {
        const [upgraded] = await tx
          .update(identifiers)
          .set({ verified: true, strength: identifier.strength, lastSeenAt: new Date() })
          .where(and(eq(identifiers.merchantId, merchantId), eq(identifiers.id, own.id)))
          .returning();
        await appendHistory(tx, ctx, merchantId, [{ personId, event: 'verified', detail: { identifier: identifierSnapshot(upgraded!) }, context: 'manual' }]);
        await appendAudit(tx, ctx, { action: 'identity.identifier.verify', targetType: 'person', targetId: personId, after: { identifier_id: own.id } });
        return { identifier: upgraded!, created: false };
      }
      return { identifier: own, created: false };
    }
    if (identifier.strength !== 'weak' && holders.length) {
      const other = await followMerges(tx, merchantId, holders[0]!.personId);
      throw identityErrors.make('identifier_taken', `${identifier.kind} is held by person ${other?.id ?? holders[0]!.personId}`, {
        person_id: other?.id ?? holders[0]!.personId,
      });
    }
    const [row] = await tx
      .insert(identifiers)
      .values({ merchantId, id: newId('identifier'), personId, kind: identifier.kind, value: identifier.value, verified: identifier.verified, strength: identifier.strength, source })
      .onConflictDoNothing()
      .returning();
    // Someone linked it to another person between our read and our insert.
    if (!row) throw identityErrors.make('identifier_taken', `${identifier.kind} was just linked to another person`);
    await appendHistory(tx, ctx, merchantId, [{ personId, event: 'linked', detail: { identifiers: [identifierSnapshot(row)] }, context: 'manual' }]);
    await appendAudit(tx, ctx, { action: 'identity.identifier.link', targetType: 'person', targetId: personId, after: { identifier_id: row.id, kind: row.kind } });
    await publishEvent(tx, merchantId, 'identity.identifier.linked', { person_id: personId, identifier_id: row.id, kind: row.kind });
    if (row.kind === 'phone' || row.kind === 'masked_phone') await refreshSuggestionsFor(tx, merchantId, [personId]);
    return { identifier: row, created: true };
  });
}

export async function unlinkIdentifier(db: Db, ctx: AccessContext, personId: string, identifierId: string, reason: string | undefined): Promise<void> {
  authorize(ctx, 'identity.write');
  const merchantId = requireMerchantId(ctx);
  await db.transaction(async (tx) => {
    const person = (await lockPersons(tx, merchantId, [personId])).get(personId);
    if (!person) throw identityErrors.make('person_not_found');
    if (person.status !== 'active') throw identityErrors.make('person_merged', `${personId} was merged into ${person.mergedInto}`);
    const [row] = await tx
      .delete(identifiers)
      .where(and(eq(identifiers.merchantId, merchantId), eq(identifiers.id, identifierId), eq(identifiers.personId, personId)))
      .returning();
    if (!row) throw identityErrors.make('identifier_not_found');
    await appendHistory(tx, ctx, merchantId, [{ personId, event: 'unlinked', detail: { identifiers: [identifierSnapshot(row)] }, context: 'manual', reason: reason ?? null }]);
    await appendAudit(tx, ctx, { action: 'identity.identifier.unlink', targetType: 'person', targetId: personId, before: { identifier_id: row.id, kind: row.kind }, after: reason ? { reason } : null });
    await publishEvent(tx, merchantId, 'identity.identifier.unlinked', { person_id: personId, identifier_id: row.id, kind: row.kind });
    if (row.kind === 'phone' || row.kind === 'masked_phone') await refreshSuggestionsFor(tx, merchantId, [personId]);
  });
}

/** History of a person, newest first, paged by id. */
export async function listHistory(db: Db, ctx: AccessContext, personId: string, after: string | undefined, limit: number | undefined): Promise<Page<HistoryRow>> {
  authorize(ctx, 'identity.read');
  const merchantId = requireMerchantId(ctx);
  const person = await findPersonRow(db, merchantId, personId);
  if (!person) throw identityErrors.make('person_not_found');
  const size = clampLimit(limit);
  const rows = await db
    .select()
    .from(history)
    .where(and(eq(history.merchantId, merchantId), eq(history.personId, personId), after ? sql`${history.id} < ${after}` : undefined))
    .orderBy(desc(history.id))
    .limit(size + 1);
  return pageOf(rows, size);
}
