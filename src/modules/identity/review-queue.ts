// Conflicts a person must decide: strong evidence says two persons are one customer, something
// else (two different verified phones, two WeChat accounts) says they are not. Resolution never
// merges them alone; a reviewer with identity.merge merges, or dismisses and the pair is kept apart.

import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { newId } from '../../kernel/ids.js';
import { appendAudit, authorize, clampLimit, pageOf, publishEvent, requireMerchantId, type AccessContext, type Page } from '../platform/index.js';
import { identityErrors } from './errors.js';
import type { MergeDecision } from './merge-decision.js';
import { defaultSurvivor, getMerge, mergeInTransaction, type MergeView } from './merge.js';
import { followMerges, orderedPair } from './persons.js';
import { pairDecisions, reviewItems } from './schema.js';

export type ReviewItemRow = typeof reviewItems.$inferSelect;

/** Opens a review item for the pair unless one is open already; returns its id. */
export async function openReviewItem(
  tx: Db,
  merchantId: string,
  input: { personIds: readonly [string, string]; context: string; source: string; decision: MergeDecision | Record<string, unknown> },
): Promise<string> {
  const [first, second] = orderedPair(input.personIds[0], input.personIds[1]);
  const [created] = await tx
    .insert(reviewItems)
    .values({ merchantId, id: newId('reviewItem'), firstPersonId: first, secondPersonId: second, context: input.context, source: input.source, decision: input.decision })
    .onConflictDoNothing()
    .returning({ id: reviewItems.id });
  if (created) {
    await publishEvent(tx, merchantId, 'identity.review_item.opened', { review_item_id: created.id, first_person_id: first, second_person_id: second });
    return created.id;
  }
  const [open] = await tx
    .select({ id: reviewItems.id })
    .from(reviewItems)
    .where(and(eq(reviewItems.merchantId, merchantId), eq(reviewItems.firstPersonId, first), eq(reviewItems.secondPersonId, second), eq(reviewItems.status, 'open')));
  return open!.id;
}

export async function listReviewItems(db: Db, ctx: AccessContext, query: { status?: string | undefined; after?: string | undefined; limit?: number | undefined }): Promise<Page<ReviewItemRow>> {
  authorize(ctx, 'identity.read');
  const merchantId = requireMerchantId(ctx);
  const limit = clampLimit(query.limit);
  const rows = await db
    .select()
    .from(reviewItems)
    .where(
      and(
        eq(reviewItems.merchantId, merchantId),
        eq(reviewItems.status, query.status ?? 'open'),
        query.after ? sql`${reviewItems.id} < ${query.after}` : undefined,
      ),
    )
    .orderBy(desc(reviewItems.id))
    .limit(limit + 1);
  return pageOf(rows, limit);
}

export async function getReviewItem(db: Db, ctx: AccessContext, itemId: string): Promise<ReviewItemRow> {
  authorize(ctx, 'identity.read');
  const merchantId = requireMerchantId(ctx);
  const [row] = await db.select().from(reviewItems).where(and(eq(reviewItems.merchantId, merchantId), eq(reviewItems.id, itemId)));
  if (!row) throw identityErrors.make('review_item_not_found');
  return row;
}

export interface ReviewResolution {
  readonly action: 'merge' | 'dismiss';
  readonly reason: string;
  readonly survivorId?: string | undefined;
}

export async function resolveReviewItem(db: Db, ctx: AccessContext, itemId: string, input: ReviewResolution): Promise<{ item: ReviewItemRow; merge: MergeView | null }> {
  authorize(ctx, input.action === 'merge' ? 'identity.merge' : 'identity.write');
  const merchantId = requireMerchantId(ctx);
  const result = await db.transaction(async (tx) => {
    const [item] = await tx.select().from(reviewItems).where(and(eq(reviewItems.merchantId, merchantId), eq(reviewItems.id, itemId))).for('update');
    if (!item) throw identityErrors.make('review_item_not_found');
    if (item.status !== 'open') throw identityErrors.make('review_item_closed', `the item was already ${item.status}`);
    const now = new Date();
    if (input.action === 'dismiss') {
      await tx
        .insert(pairDecisions)
        .values({ merchantId, firstPersonId: item.firstPersonId, secondPersonId: item.secondPersonId, decision: 'kept_apart', why: 'review_dismissed', reason: input.reason, decidedBy: ctx.actor.id })
        .onConflictDoNothing();
      const [updated] = await tx
        .update(reviewItems)
        .set({ status: 'dismissed', resolvedAt: now, resolvedBy: ctx.actor.id, resolution: input.reason })
        .where(and(eq(reviewItems.merchantId, merchantId), eq(reviewItems.id, itemId)))
        .returning();
      await appendAudit(tx, ctx, { action: 'identity.review.dismiss', targetType: 'review_item', targetId: itemId, after: { reason: input.reason } });
      return { item: updated!, mergeId: null };
    }
    // The pair may have been merged elsewhere since; act on whom the ids stand for now.
    const first = await followMerges(tx, merchantId, item.firstPersonId);
    const second = await followMerges(tx, merchantId, item.secondPersonId);
    if (!first || !second) throw identityErrors.make('person_not_found');
    if (first.id === second.id) throw identityErrors.make('same_person', 'the two persons were merged already');
    if (input.survivorId !== undefined && input.survivorId !== first.id && input.survivorId !== second.id) throw identityErrors.make('survivor_not_in_pair');
    const [survivor, absorbed] = input.survivorId === undefined ? defaultSurvivor(first, second) : input.survivorId === first.id ? [first, second] : [second, first];
    const merge = await mergeInTransaction(tx, ctx, merchantId, {
      survivorId: survivor.id,
      absorbedId: absorbed.id,
      kind: 'review',
      reason: input.reason,
      decision: { review_item_id: itemId, ...(item.decision as object) },
    });
    // mergeInTransaction settles open items of exactly this pair; the item may name absorbed ids.
    const [updated] = await tx
      .update(reviewItems)
      .set({ status: 'merged', resolvedAt: now, resolvedBy: ctx.actor.id, resolution: input.reason, mergeId: merge.id })
      .where(and(eq(reviewItems.merchantId, merchantId), eq(reviewItems.id, itemId)))
      .returning();
    await appendAudit(tx, ctx, { action: 'identity.review.merge', targetType: 'review_item', targetId: itemId, after: { merge_id: merge.id, reason: input.reason } });
    return { item: updated!, mergeId: merge.id };
  });
  return { item: result.item, merge: result.mergeId ? await getMerge(db, ctx, result.mergeId) : null };
}
