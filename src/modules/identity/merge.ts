// Merge and unmerge, the database counterpart of person-graph.ts and held to the same property:
// merges undone in reverse order restore identity's state exactly. A merge moves the absorbed
// person's identifiers to the survivor, fills the survivor's empty attributes, lets every
// registered module move its own rows, and records all of it; unmerge replays the record backwards.

import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { newId } from '../../kernel/ids.js';
import { appendAudit, authorize, clampLimit, pageOf, publishEvent, requireMerchantId, type AccessContext, type Page } from '../platform/index.js';
import { identityErrors } from './errors.js';
import { identifierKey } from './identifier-kinds.js';
import { mergeHandlerFor, mergeHandlers, type MoveRecord } from './merge-handlers.js';
import { movesOf, summarise, type ModuleMove } from './merge-moves.js';
import {
  appendHistory,
  identifierSnapshot,
  identifiersOf,
  lockPersons,
  orderedPair,
  type IdentifierSnapshot,
  type MergeRow,
  type PersonRow,
} from './persons.js';
import { identifiers, mergeMoves, merges, pairDecisions, persons, reviewItems } from './schema.js';
import { refreshSuggestionsFor } from './suggestions.js';

export type MergeKind = 'automatic' | 'manual' | 'review' | 'suggestion';

export interface MergeRequest {
  readonly survivorId: string;
  readonly absorbedId: string;
  readonly kind: MergeKind;
  readonly reason: string;
  /** The merge decision (evidence, conflicts, reasons) or suggestion score behind an automatic or reviewed merge. */
  readonly decision?: unknown;
  readonly context?: string;
}

const attributeFields = ['displayName', 'birthday', 'address'] as const;
type AttributeField = (typeof attributeFields)[number];

export interface MergeView extends MergeRow {
  readonly modules: string[];
  readonly moves: ModuleMove[];
}

/** Merges inside the caller's transaction; the caller has authorised it. */
export async function mergeInTransaction(tx: Db, ctx: AccessContext, merchantId: string, request: MergeRequest): Promise<MergeRow> {
  const { survivorId, absorbedId } = request;
  if (survivorId === absorbedId) throw identityErrors.make('same_person');
  const locked = await lockPersons(tx, merchantId, [survivorId, absorbedId]);
  const survivor = locked.get(survivorId);
  const absorbed = locked.get(absorbedId);
  if (!survivor || !absorbed) throw identityErrors.make('person_not_found', `no person ${survivor ? absorbedId : survivorId}`);
  // Merging into or from an absorbed id would fork the history: callers act on survivors.
  for (const person of [survivor, absorbed]) {
    if (person.status !== 'active') throw identityErrors.make('person_merged', `${person.id} was merged into ${person.mergedInto}`, { merged_into: person.mergedInto });
  }

  const [survivorIds, absorbedIds] = await Promise.all([identifiersOf(tx, merchantId, [survivorId]), identifiersOf(tx, merchantId, [absorbedId])]);
  const held = new Set(survivorIds.map(identifierKey));
  // Only weak identifiers (a shared device) can be held by both; the absorbed person keeps its copy.
  const moving = absorbedIds.filter((row) => !held.has(identifierKey(row)));
  const movedIdentifiers: IdentifierSnapshot[] = moving.map(identifierSnapshot);
  const filled: Partial<Record<AttributeField, string>> = {};
  for (const field of attributeFields) {
    const value = absorbed[field];
    if (survivor[field] === null && value !== null) filled[field] = value;
  }

  const mergeId = newId('merge');
  const now = new Date();
  if (moving.length) {
    await tx
      .update(identifiers)
      .set({ personId: survivorId })
      .where(and(eq(identifiers.merchantId, merchantId), inArray(identifiers.id, moving.map((row) => row.id))));
  }
  if (Object.keys(filled).length) {
    await tx.update(persons).set({ ...filled, updatedAt: now }).where(and(eq(persons.merchantId, merchantId), eq(persons.id, survivorId)));
  }
  await tx
    .update(persons)
    .set({ status: 'merged', mergedInto: survivorId, mergedAt: now, updatedAt: now })
    .where(and(eq(persons.merchantId, merchantId), eq(persons.id, absorbedId)));
  const [row] = await tx
    .insert(merges)
    .values({
      merchantId,
      id: mergeId,
      survivorId,
      absorbedId,
      kind: request.kind,
      reason: request.reason,
      movedIdentifiers,
      filledAttributes: filled,
      decision: request.decision ?? null,
      actorKind: ctx.actor.kind,
      actorId: ctx.actor.id,
      createdAt: now,
    })
    .returning();

  // Each module moves what it owns, in this transaction: a failing handler undoes the whole merge.
  let position = 0;
  const modules: string[] = [];
  const moves: Record<string, Record<string, number>> = {};
  for (const handler of mergeHandlers()) {
    const record = await handler.merge(tx, ctx, { merchantId, mergeId, survivorId, absorbedId });
    await tx.insert(mergeMoves).values({ merchantId, mergeId, position: position++, module: handler.module, record: record ?? null });
    modules.push(handler.module);
    moves[handler.module] = summarise(handler.module, record ?? null);
  }

  const common = { mergeId, context: request.context ?? request.kind, reason: request.reason };
  await appendHistory(tx, ctx, merchantId, [
    { ...common, personId: survivorId, event: 'merged', detail: { absorbed_id: absorbedId, identifiers: movedIdentifiers, filled_attributes: filled, modules } },
    { ...common, personId: absorbedId, event: 'absorbed', detail: { survivor_id: survivorId, identifiers: movedIdentifiers } },
  ]);
  // Open conflicts about this very pair are settled by the merge.
  const [first, second] = orderedPair(survivorId, absorbedId);
  await tx
    .update(reviewItems)
    .set({ status: 'merged', resolvedAt: now, resolvedBy: ctx.actor.id, resolution: request.reason, mergeId })
    .where(and(eq(reviewItems.merchantId, merchantId), eq(reviewItems.firstPersonId, first), eq(reviewItems.secondPersonId, second), eq(reviewItems.status, 'open')));
  await appendAudit(tx, ctx, {
    action: 'identity.merge',
    targetType: 'person',
    targetId: survivorId,
    // What each module moved is audited here, after every handler: the audit head stays the last lock.
    after: { merge_id: mergeId, absorbed_id: absorbedId, kind: request.kind, reason: request.reason, moved_identifier_ids: moving.map((r) => r.id), modules, moves },
  });
  await publishEvent(tx, merchantId, 'identity.persons.merged', { merge_id: mergeId, survivor_id: survivorId, absorbed_id: absorbedId, kind: request.kind });
  await refreshSuggestionsFor(tx, merchantId, [survivorId, absorbedId]);
  return row!;
}

/** Manual merge by staff: needs identity.merge and a reason. */
export async function mergePersons(db: Db, ctx: AccessContext, input: { survivorId: string; absorbedId: string; reason: string }): Promise<MergeView> {
  authorize(ctx, 'identity.merge');
  const merchantId = requireMerchantId(ctx);
  const row = await db.transaction((tx) => mergeInTransaction(tx, ctx, merchantId, { ...input, kind: 'manual' }));
  return getMerge(db, ctx, row.id);
}

/** Undoes one merge inside the caller's transaction; the caller has authorised it. */
export async function unmergeInTransaction(tx: Db, ctx: AccessContext, merchantId: string, mergeId: string, reason: string): Promise<MergeRow> {
  const [found] = await tx.select().from(merges).where(and(eq(merges.merchantId, merchantId), eq(merges.id, mergeId))).for('update');
  if (!found) throw identityErrors.make('merge_not_found');
  if (found.unmergedAt) throw identityErrors.make('already_unmerged');
  const { survivorId, absorbedId } = found;
  const locked = await lockPersons(tx, merchantId, [survivorId, absorbedId]);
  const survivor = locked.get(survivorId);
  const absorbed = locked.get(absorbedId);
  if (!survivor || !absorbed) throw identityErrors.make('history_mismatch', 'a person of this merge no longer exists');
  if (survivor.status !== 'active') {
    const [later] = await tx
      .select({ id: merges.id })
      .from(merges)
      .where(and(eq(merges.merchantId, merchantId), eq(merges.absorbedId, survivorId), isNull(merges.unmergedAt)))
      .orderBy(desc(merges.id))
      .limit(1);
    throw identityErrors.make('survivor_not_active', `${survivorId} was merged into ${survivor.mergedInto}: unmerge ${later?.id ?? 'that merge'} first`, {
      blocking_merge_id: later?.id ?? null,
    });
  }
  if (absorbed.status !== 'merged' || absorbed.mergedInto !== survivorId) throw identityErrors.make('history_mismatch', `${absorbedId} is not merged into ${survivorId}`);
  // Undo in reverse order: a later merge into the same survivor may rely on what this one brought.
  const [latest] = await tx
    .select({ id: merges.id })
    .from(merges)
    .where(and(eq(merges.merchantId, merchantId), eq(merges.survivorId, survivorId), isNull(merges.unmergedAt)))
    .orderBy(desc(merges.id))
    .limit(1);
  if (latest && latest.id !== mergeId) {
    throw identityErrors.make('not_latest_merge', `merge ${latest.id} into ${survivorId} came later: unmerge it first`, { blocking_merge_id: latest.id });
  }

  const moved = found.movedIdentifiers as IdentifierSnapshot[];
  const movedIds = moved.map((m) => m.id);
  const current = movedIds.length
    ? await tx
        .select()
        .from(identifiers)
        .where(and(eq(identifiers.merchantId, merchantId), inArray(identifiers.id, movedIds)))
    : [];
  const stillOnSurvivor = new Set(current.filter((row) => row.personId === survivorId).map((row) => row.id));
  const missing = moved.filter((m) => !stillOnSurvivor.has(m.id));
  if (missing.length) {
    throw identityErrors.make('history_mismatch', `identifiers moved by this merge were unlinked or moved since: ${missing.map((m) => `${m.kind} ${m.id}`).join(', ')}`);
  }

  // Modules first, in reverse order of the merge, while identity's state is still the merged one.
  const moves = await tx
    .select()
    .from(mergeMoves)
    .where(and(eq(mergeMoves.merchantId, merchantId), eq(mergeMoves.mergeId, mergeId)))
    .orderBy(desc(mergeMoves.position));
  for (const move of moves) {
    const handler = mergeHandlerFor(move.module);
    if (!handler) throw identityErrors.make('merge_handler_missing', `module ${move.module} has no merge handler registered`);
    await handler.unmerge(tx, ctx, move.record as MoveRecord, { merchantId, mergeId, survivorId, absorbedId });
  }

  const now = new Date();
  if (movedIds.length) {
    await tx
      .update(identifiers)
      .set({ personId: absorbedId })
      .where(and(eq(identifiers.merchantId, merchantId), inArray(identifiers.id, movedIds)));
  }
  // Attributes the merge filled go back to empty, unless staff have changed them since.
  const filled = found.filledAttributes as Partial<Record<AttributeField, string>>;
  const cleared: Partial<Record<AttributeField, null>> = {};
  for (const field of attributeFields) if (filled[field] !== undefined && survivor[field] === filled[field]) cleared[field] = null;
  if (Object.keys(cleared).length) {
    await tx.update(persons).set({ ...cleared, updatedAt: now }).where(and(eq(persons.merchantId, merchantId), eq(persons.id, survivorId)));
  }
  await tx
    .update(persons)
    .set({ status: 'active', mergedInto: null, mergedAt: null, updatedAt: now })
    .where(and(eq(persons.merchantId, merchantId), eq(persons.id, absorbedId)));
  const [row] = await tx
    .update(merges)
    .set({ unmergedAt: now, unmergedBy: ctx.actor.id, unmergeReason: reason })
    .where(and(eq(merges.merchantId, merchantId), eq(merges.id, mergeId)))
    .returning();
  // Someone decided these are two people: never merge them automatically again, nor suggest them.
  const [first, second] = orderedPair(survivorId, absorbedId);
  await tx
    .insert(pairDecisions)
    .values({ merchantId, firstPersonId: first, secondPersonId: second, decision: 'kept_apart', why: 'unmerged', reason, decidedBy: ctx.actor.id })
    .onConflictDoNothing();
  await appendHistory(tx, ctx, merchantId, [
    { personId: survivorId, event: 'unmerged', detail: { absorbed_id: absorbedId, identifiers: moved, cleared_attributes: Object.keys(cleared) }, mergeId, context: 'unmerge', reason },
    { personId: absorbedId, event: 'restored', detail: { survivor_id: survivorId, identifiers: moved }, mergeId, context: 'unmerge', reason },
  ]);
  await appendAudit(tx, ctx, {
    action: 'identity.unmerge',
    targetType: 'person',
    targetId: survivorId,
    before: { merge_id: mergeId, absorbed_id: absorbedId, moves: Object.fromEntries(moves.map((m) => [m.module, summarise(m.module, m.record as MoveRecord)])) },
    after: { reason },
  });
  await publishEvent(tx, merchantId, 'identity.persons.unmerged', { merge_id: mergeId, survivor_id: survivorId, absorbed_id: absorbedId });
  await refreshSuggestionsFor(tx, merchantId, [survivorId, absorbedId]);
  return row!;
}

export async function unmergePersons(db: Db, ctx: AccessContext, mergeId: string, reason: string): Promise<MergeView> {
  authorize(ctx, 'identity.merge');
  const merchantId = requireMerchantId(ctx);
  await db.transaction((tx) => unmergeInTransaction(tx, ctx, merchantId, mergeId, reason));
  return getMerge(db, ctx, mergeId);
}

export async function getMerge(db: Db, ctx: AccessContext, mergeId: string): Promise<MergeView> {
  authorize(ctx, 'identity.read');
  const merchantId = requireMerchantId(ctx);
  const [row] = await db.select().from(merges).where(and(eq(merges.merchantId, merchantId), eq(merges.id, mergeId)));
  if (!row) throw identityErrors.make('merge_not_found');
  const moves = (await movesOf(db, merchantId, [mergeId])).get(mergeId) ?? [];
  return { ...row, modules: moves.map((m) => m.module), moves };
}

/** Merges of the merchant, newest first; filter by a person (as survivor or absorbed). */
export async function listMerges(db: Db, ctx: AccessContext, filter: { personId?: string | undefined; after?: string | undefined; limit?: number | undefined }): Promise<Page<MergeView>> {
  authorize(ctx, 'identity.read');
  const merchantId = requireMerchantId(ctx);
  const limit = clampLimit(filter.limit);
  const rows = await db
    .select()
    .from(merges)
    .where(
      and(
        eq(merges.merchantId, merchantId),
        filter.personId ? sql`(${merges.survivorId} = ${filter.personId} or ${merges.absorbedId} = ${filter.personId})` : undefined,
        filter.after ? sql`${merges.id} < ${filter.after}` : undefined,
      ),
    )
    .orderBy(desc(merges.id))
    .limit(limit + 1);
  const page = pageOf(rows, limit);
  const moves = await movesOf(db, merchantId, page.items.map((m) => m.id));
  return {
    items: page.items.map((m) => ({ ...m, modules: (moves.get(m.id) ?? []).map((x) => x.module), moves: moves.get(m.id) ?? [] })),
    nextCursor: page.nextCursor,
  };
}

/** The survivor of a pair about to be merged by a reviewer: the one asked for, or the older person. */
export function defaultSurvivor(first: PersonRow, second: PersonRow): [PersonRow, PersonRow] {
  return first.createdAt.getTime() < second.createdAt.getTime() || (first.createdAt.getTime() === second.createdAt.getTime() && first.id < second.id)
    ? [first, second]
    : [second, first];
}
