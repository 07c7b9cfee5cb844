// Likely duplicates that share no strong identifier (two records of one customer who paid once
// with WeChat and once with Alipay), found by blocking and scored by match-score.ts. Suggestions
// are kept in a table, refreshed for a person whenever what they are compared on changes, so the
// console reads them instead of comparing a merchant's members pairwise on every visit.

import { and, desc, eq, inArray, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { newId } from '../../kernel/ids.js';
import { appendAudit, authorize, clampLimit, publishEvent, requireMerchantId, type AccessContext, type Page } from '../platform/index.js';
import { identityErrors } from './errors.js';
import { serviceBlockingKeys } from './match-evaluation.js';
import { type MatchProfile } from './match-features.js';
import { scoreMatch, SUGGESTION_THRESHOLD, type MatchScore } from './match-score.js';
import { defaultSurvivor, mergeInTransaction, type MergeView, getMerge } from './merge.js';
import { lockPersons, orderedPair, type PersonRow } from './persons.js';
import { identifiers, pairDecisions, personBlocks, persons, suggestions } from './schema.js';

/**
 * Candidates compared per refreshed person. A block of a very common surname (张, 王) in a large
 * merchant holds tens of thousands of persons; past this cap the refresh compares the newest ones
 * and recall drops (written in docs/identity.md).
 */
export const CANDIDATE_CAP = 2000;

export type SuggestionRow = typeof suggestions.$inferSelect;

/** Blocking keys: those of match-evaluation.ts (surname, phone last 4) plus the birthday's day. */
export const personBlockKeys = serviceBlockingKeys;

async function profilesOf(tx: Db, merchantId: string, rows: readonly PersonRow[]): Promise<Map<string, MatchProfile>> {
  const phones = rows.length
    ? await tx
        .select({ personId: identifiers.personId, value: identifiers.value })
        .from(identifiers)
        // Masked phones (138****5678) are compared on the digits they show.
        .where(and(eq(identifiers.merchantId, merchantId), inArray(identifiers.kind, ['phone', 'masked_phone']), inArray(identifiers.personId, rows.map((r) => r.id))))
    : [];
  const map = new Map<string, MatchProfile>();
  for (const row of rows) {
    map.set(row.id, {
      id: row.id,
      ...(row.displayName ? { name: row.displayName } : {}),
      ...(row.birthday ? { birthday: row.birthday } : {}),
      ...(row.address ? { address: row.address } : {}),
      phones: phones.filter((p) => p.personId === row.id).map((p) => p.value),
    });
  }
  return map;
}

function explanationOf(score: MatchScore) {
  return {
    score: score.score,
    log_odds: score.logOdds,
    features: score.explanation.map((e) => ({ feature: e.feature, level: e.level, weight: e.weight, contribution: e.contribution, detail: e.detail })),
  };
}

/**
 * Recomputes the blocking keys and open suggestions of these persons, inside the caller's
 * transaction. Decided pairs (accepted, rejected, unmerged) are never reopened.
 */
export async function refreshSuggestionsFor(tx: Db, merchantId: string, personIds: readonly string[]): Promise<void> {
  for (const personId of new Set(personIds)) {
    await tx.delete(personBlocks).where(and(eq(personBlocks.merchantId, merchantId), eq(personBlocks.personId, personId)));
    const [person] = await tx.select().from(persons).where(and(eq(persons.merchantId, merchantId), eq(persons.id, personId)));
    if (!person || person.status !== 'active') continue;
    const profile = (await profilesOf(tx, merchantId, [person])).get(personId)!;
    const keys = personBlockKeys(profile);
    if (keys.length) {
      await tx
        .insert(personBlocks)
        .values(keys.map((blockKey) => ({ merchantId, blockKey, personId })))
        .onConflictDoNothing();
    }
    const candidateIds = keys.length
      ? (
          await tx
            .selectDistinct({ personId: personBlocks.personId })
            .from(personBlocks)
            .where(and(eq(personBlocks.merchantId, merchantId), inArray(personBlocks.blockKey, keys), sql`${personBlocks.personId} <> ${personId}`))
            .orderBy(desc(personBlocks.personId))
            .limit(CANDIDATE_CAP)
        ).map((r) => r.personId)
      : [];
    const candidates = candidateIds.length
      ? await tx
          .select()
          .from(persons)
          .where(and(eq(persons.merchantId, merchantId), inArray(persons.id, candidateIds), eq(persons.status, 'active')))
      : [];
    const profiles = await profilesOf(tx, merchantId, candidates);
    const decided = candidateIds.length
      ? await tx
          .select()
          .from(pairDecisions)
          .where(
            and(
              eq(pairDecisions.merchantId, merchantId),
              or(
                and(eq(pairDecisions.firstPersonId, personId), inArray(pairDecisions.secondPersonId, candidateIds)),
                and(eq(pairDecisions.secondPersonId, personId), inArray(pairDecisions.firstPersonId, candidateIds)),
              ),
            ),
          )
      : [];
    const keptApart = new Set(decided.map((d) => `${d.firstPersonId}|${d.secondPersonId}`));
    const now = new Date();
    for (const candidate of candidates) {
      const [first, second] = orderedPair(personId, candidate.id);
      if (keptApart.has(`${first}|${second}`)) continue;
      const score = scoreMatch(profile, profiles.get(candidate.id)!);
      const pair = and(eq(suggestions.merchantId, merchantId), eq(suggestions.firstPersonId, first), eq(suggestions.secondPersonId, second));
      if (score.score < SUGGESTION_THRESHOLD) {
        // An open suggestion is derived data: it goes when the evidence does. Decisions stay.
        await tx.delete(suggestions).where(and(pair, eq(suggestions.status, 'open')));
        continue;
      }
      await tx
        .insert(suggestions)
        .values({ merchantId, id: newId('suggestion'), firstPersonId: first, secondPersonId: second, score: score.score, explanation: explanationOf(score) })
        .onConflictDoUpdate({
          target: [suggestions.merchantId, suggestions.firstPersonId, suggestions.secondPersonId],
          set: { score: score.score, explanation: explanationOf(score), updatedAt: now },
          setWhere: sql`${suggestions.status} = 'open'`,
        });
    }
  }
}

export interface SuggestionView {
  readonly suggestion: SuggestionRow;
  readonly first: MatchProfile;
  readonly second: MatchProfile;
}

const bothActive = sql`exists (select 1 from ${persons} p1 where p1.merchant_id = ${suggestions.merchantId} and p1.id = ${suggestions.firstPersonId} and p1.status = 'active')
  and exists (select 1 from ${persons} p2 where p2.merchant_id = ${suggestions.merchantId} and p2.id = ${suggestions.secondPersonId} and p2.status = 'active')`;

async function views(db: Db, merchantId: string, rows: SuggestionRow[]): Promise<SuggestionView[]> {
  const ids = [...new Set(rows.flatMap((r) => [r.firstPersonId, r.secondPersonId]))];
  const personRows = ids.length ? await db.select().from(persons).where(and(eq(persons.merchantId, merchantId), inArray(persons.id, ids))) : [];
  const profiles = await profilesOf(db, merchantId, personRows);
  return rows.map((suggestion) => ({
    suggestion,
    first: profiles.get(suggestion.firstPersonId) ?? { id: suggestion.firstPersonId, phones: [] },
    second: profiles.get(suggestion.secondPersonId) ?? { id: suggestion.secondPersonId, phones: [] },
  }));
}

/** Open suggestions of active persons, most likely first; the cursor is the last suggestion's id. */
export async function listSuggestions(db: Db, ctx: AccessContext, query: { after?: string | undefined; limit?: number | undefined; personId?: string | undefined }): Promise<Page<SuggestionView>> {
  authorize(ctx, 'identity.read');
  const merchantId = requireMerchantId(ctx);
  const limit = clampLimit(query.limit);
  let cursor: SuggestionRow | undefined;
  if (query.after) [cursor] = await db.select().from(suggestions).where(and(eq(suggestions.merchantId, merchantId), eq(suggestions.id, query.after)));
  const rows = await db
    .select()
    .from(suggestions)
    .where(
      and(
        eq(suggestions.merchantId, merchantId),
        eq(suggestions.status, 'open'),
        bothActive,
        query.personId ? or(eq(suggestions.firstPersonId, query.personId), eq(suggestions.secondPersonId, query.personId)) : undefined,
        cursor ? sql`(${suggestions.score}, ${suggestions.id}) < (${cursor.score}, ${cursor.id})` : undefined,
      ),
    )
    .orderBy(desc(suggestions.score), desc(suggestions.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit);
  return { items: await views(db, merchantId, items), nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
}

async function lockOpenSuggestion(tx: Db, merchantId: string, suggestionId: string): Promise<SuggestionRow> {
  const [row] = await tx.select().from(suggestions).where(and(eq(suggestions.merchantId, merchantId), eq(suggestions.id, suggestionId))).for('update');
  if (!row) throw identityErrors.make('suggestion_not_found');
  if (row.status !== 'open') throw identityErrors.make('suggestion_closed', `the suggestion was already ${row.status}`);
  return row;
}

/** Accepting a suggestion merges the pair (identity.merge); the older person survives unless told otherwise. */
export async function acceptSuggestion(db: Db, ctx: AccessContext, suggestionId: string, input: { reason?: string | undefined; survivorId?: string | undefined }): Promise<{ suggestion: SuggestionRow; merge: MergeView }> {
  authorize(ctx, 'identity.merge');
  const merchantId = requireMerchantId(ctx);
  const { suggestion, mergeId } = await db.transaction(async (tx) => {
    const row = await lockOpenSuggestion(tx, merchantId, suggestionId);
    const locked = await lockPersons(tx, merchantId, [row.firstPersonId, row.secondPersonId]);
    const first = locked.get(row.firstPersonId);
    const second = locked.get(row.secondPersonId);
    if (!first || !second) throw identityErrors.make('person_not_found');
    if (input.survivorId !== undefined && input.survivorId !== first.id && input.survivorId !== second.id) throw identityErrors.make('survivor_not_in_pair');
    const [survivor, absorbed] = input.survivorId === undefined ? defaultSurvivor(first, second) : input.survivorId === first.id ? [first, second] : [second, first];
    const reason = input.reason ?? 'accepted duplicate suggestion';
    const merge = await mergeInTransaction(tx, ctx, merchantId, {
      survivorId: survivor.id,
      absorbedId: absorbed.id,
      kind: 'suggestion',
      reason,
      decision: { suggestion_id: row.id, ...(row.explanation as object) },
    });
    const [updated] = await tx
      .update(suggestions)
      .set({ status: 'accepted', decidedAt: new Date(), decidedBy: ctx.actor.id, reason, mergeId: merge.id })
      .where(and(eq(suggestions.merchantId, merchantId), eq(suggestions.id, row.id)))
      .returning();
    await appendAudit(tx, ctx, { action: 'identity.suggestion.accept', targetType: 'suggestion', targetId: row.id, after: { merge_id: merge.id, reason } });
    return { suggestion: updated!, mergeId: merge.id };
  });
  return { suggestion, merge: await getMerge(db, ctx, mergeId) };
}

/** Rejecting remembers the pair as different people: it is never suggested (nor merged automatically) again. */
export async function rejectSuggestion(db: Db, ctx: AccessContext, suggestionId: string, input: { reason?: string | undefined }): Promise<SuggestionView> {
  authorize(ctx, 'identity.write');
  const merchantId = requireMerchantId(ctx);
  const row = await db.transaction(async (tx) => {
    const open = await lockOpenSuggestion(tx, merchantId, suggestionId);
    const reason = input.reason ?? null;
    await tx
      .insert(pairDecisions)
      .values({ merchantId, firstPersonId: open.firstPersonId, secondPersonId: open.secondPersonId, decision: 'kept_apart', why: 'suggestion_rejected', reason, decidedBy: ctx.actor.id })
      .onConflictDoNothing();
    const [updated] = await tx
      .update(suggestions)
      .set({ status: 'rejected', decidedAt: new Date(), decidedBy: ctx.actor.id, reason })
      .where(and(eq(suggestions.merchantId, merchantId), eq(suggestions.id, open.id)))
      .returning();
    await appendAudit(tx, ctx, { action: 'identity.suggestion.reject', targetType: 'suggestion', targetId: open.id, after: { reason } });
    await publishEvent(tx, merchantId, 'identity.suggestion.rejected', { suggestion_id: open.id, first_person_id: open.firstPersonId, second_person_id: open.secondPersonId });
    return updated!;
  });
  return (await views(db, merchantId, [row]))[0]!;
}
