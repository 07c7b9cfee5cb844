// Shortfalls of an unmerge (ADR 0007): value the absorbed member's points, card or coupons lost
// because the surviving member used it while the two were merged. Staff settle each one, once:
//   settle    — the owing member gives it back, with ledger entries of type `merge_settlement` on
//               both sides (points burnt from its lots oldest first and credited as a new lot;
//               principal from principal, bonus from bonus; a used coupon replaced by a new one of
//               its template), so every balance still equals the sum of its entries;
//   write off — nothing moves; the merchant accepts the loss (or settled it outside), with a reason.
// Both take the shortfall row as their guard (FOR UPDATE, open → settled | written_off): a second
// attempt, concurrent or later, is refused. Lock order as every membership operation: points
// accounts by member id, then the stored-value cards, then the shortfall row; the audit entry last.
import { and, desc, eq, lt, or, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { newId } from '../../kernel/ids.js';
import { appendAudit, authorize, clampLimit, pageOf, publishEvent, requireMerchantId, type AccessContext, type Page } from '../platform/index.js';
import { issueInTransaction } from './coupons.js';
import { membershipErrors } from './errors.js';
import { findMember } from './members.js';
import { survivingMemberId } from './merged-members.js';
import { liveLots, lockPointsAccount, toLot, writeMovements } from './points-ledger.js';
import { burn, credit, InsufficientPoints, type Movement } from './points-lots.js';
import { loadProgram } from './program.js';
import { coupons, mergeShortfalls, storedValueAccounts, storedValueEntries } from './schema.js';
import { lockStoredValueAccount } from './stored-value.js';

export type ShortfallRow = typeof mergeShortfalls.$inferSelect;
export type ShortfallStatus = 'open' | 'settled' | 'written_off';
export const MERGE_SETTLEMENT = 'merge_settlement';

export interface ShortfallFilter {
  readonly memberId?: string | undefined;
  readonly mergeId?: string | undefined;
  /** Default: open ones only. */
  readonly status?: ShortfallStatus | 'all' | undefined;
  readonly after?: string | undefined;
  readonly limit?: number | undefined;
}

/** Shortfalls of the merchant, newest first; of one member (owed to it or by it) or of one merge. */
export async function listShortfalls(db: Db, ctx: AccessContext, filter: ShortfallFilter): Promise<Page<ShortfallRow>> {
  authorize(ctx, 'membership.read');
  const merchantId = requireMerchantId(ctx);
  const limit = clampLimit(filter.limit);
  // A member of another merchant is not found, rather than a member with no shortfalls.
  if (filter.memberId) await findMember(db, merchantId, filter.memberId);
  const status = filter.status ?? 'open';
  const conditions: (SQL | undefined)[] = [eq(mergeShortfalls.merchantId, merchantId)];
  if (status !== 'all') conditions.push(eq(mergeShortfalls.status, status));
  if (filter.memberId) conditions.push(or(eq(mergeShortfalls.owedToMemberId, filter.memberId), eq(mergeShortfalls.owedByMemberId, filter.memberId)));
  if (filter.mergeId) conditions.push(eq(mergeShortfalls.mergeId, filter.mergeId));
  if (filter.after) conditions.push(lt(mergeShortfalls.id, filter.after));
  const rows = await db
    .select()
    .from(mergeShortfalls)
    .where(and(...conditions))
    .orderBy(desc(mergeShortfalls.id))
    .limit(limit + 1);
  return pageOf(rows, limit);
}

async function findShortfall(tx: Db, merchantId: string, shortfallId: string, lock: boolean): Promise<ShortfallRow> {
  const query = tx
    .select()
    .from(mergeShortfalls)
    .where(and(eq(mergeShortfalls.merchantId, merchantId), eq(mergeShortfalls.id, shortfallId)));
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw membershipErrors.make('merge_shortfall_not_found');
  return row;
}

export async function getShortfall(db: Db, ctx: AccessContext, shortfallId: string): Promise<ShortfallRow> {
  authorize(ctx, 'membership.read');
  return findShortfall(db, requireMerchantId(ctx), shortfallId, false);
}

function assertOpen(row: ShortfallRow): void {
  if (row.status !== 'open') throw membershipErrors.make('merge_shortfall_resolved', `the shortfall was ${row.status.replace('_', ' ')} at ${row.resolvedAt?.toISOString() ?? '?'}`, { status: row.status });
}

const retyped = (movements: Movement[]): Movement[] => movements.map((m) => (m.type === 'adjust' ? { ...m, type: 'merge_settlement' } : m));

/** Points: burnt from the owing member's lots (oldest first, never into debt), credited to the owed one as a new lot. */
async function settlePoints(tx: Db, ctx: AccessContext, row: ShortfallRow, from: string, to: string, why: string, now: Date): Promise<string> {
  const { merchantId } = row;
  const program = await loadProgram(tx, merchantId);
  const operationId = newId('membershipOperation');
  const fromLots = await liveLots(tx, merchantId, from);
  let taken: Movement[];
  try {
    taken = retyped(burn(fromLots.map(toLot), row.amount, now, { allowNegative: false }, 'adjust'));
  } catch (error) {
    if (error instanceof InsufficientPoints) throw membershipErrors.make('insufficient_points', `${from} has ${error.available} points available of the ${row.amount} owed`, { available_points: error.available });
    throw error;
  }
  await writeMovements(tx, ctx, { merchantId, memberId: from, operationId, lots: fromLots, movements: taken, program, reason: `merge shortfall ${row.id} settled to ${to}: ${why}`, reference: row.id, now });
  const toLots = await liveLots(tx, merchantId, to);
  const given = retyped(credit(toLots.map(toLot), row.amount, now, 'adjust'));
  await writeMovements(tx, ctx, {
    merchantId,
    memberId: to,
    operationId,
    lots: toLots,
    movements: given,
    newLot: { points: row.amount, earnedAt: now, source: 'adjust', sourceRef: row.id, snapshot: null, availableNow: true },
    program,
    reason: `merge shortfall ${row.id} settled from ${from}: ${why}`,
    reference: row.id,
    now,
  });
  return operationId;
}

/** Stored value: principal from principal, bonus from bonus; the owed card may pass its cap (no new money). */
async function settleStoredValue(tx: Db, ctx: AccessContext, row: ShortfallRow, from: string, to: string, why: string, now: Date): Promise<string> {
  const { merchantId } = row;
  const accounts = new Map<string, Awaited<ReturnType<typeof lockStoredValueAccount>>>();
  for (const id of [from, to].sort()) accounts.set(id, await lockStoredValueAccount(tx, merchantId, id));
  const principal = row.kind === 'stored_value_principal';
  const source = accounts.get(from)!;
  const held = principal ? source.principalFen : source.bonusFen;
  if (held < row.amount) throw membershipErrors.make('insufficient_stored_value', `${from} holds ${held} fen of ${principal ? 'principal' : 'bonus'}, ${row.amount} are owed`, { held_fen: held });
  let toEntryId = '';
  for (const [memberId, sign] of [
    [from, -1],
    [to, 1],
  ] as const) {
    const account = accounts.get(memberId)!;
    const delta = sign * row.amount;
    const entryId = newId('storedValueEntry');
    await tx.insert(storedValueEntries).values({
      merchantId,
      id: entryId,
      accountId: account.id,
      memberId,
      type: MERGE_SETTLEMENT,
      principalDelta: principal ? delta : 0,
      bonusDelta: principal ? 0 : delta,
      reference: row.id,
      reason: `merge shortfall ${row.id} settled ${sign < 0 ? `to ${to}` : `from ${from}`}: ${why}`,
      actorId: ctx.actor.id,
      occurredAt: now,
    });
    await tx
      .update(storedValueAccounts)
      .set(principal ? { principalFen: account.principalFen + delta, updatedAt: now } : { bonusFen: account.bonusFen + delta, updatedAt: now })
      .where(and(eq(storedValueAccounts.merchantId, merchantId), eq(storedValueAccounts.id, account.id)));
    if (sign > 0) toEntryId = entryId;
  }
  return toEntryId;
}

/** A coupon redeemed while merged: the owed member gets a new one of the same template (stock applies, the per-member limit not). */
async function settleCoupon(tx: Db, ctx: AccessContext, row: ShortfallRow, to: string, now: Date): Promise<string> {
  const [used] = await tx
    .select({ templateId: coupons.templateId })
    .from(coupons)
    .where(and(eq(coupons.merchantId, row.merchantId), eq(coupons.id, row.itemId)));
  if (!used) throw membershipErrors.make('coupon_not_found', `coupon ${row.itemId} of this shortfall no longer exists`);
  const replacement = await issueInTransaction(tx, ctx, row.merchantId, used.templateId, { memberId: to, source: 'merge_settlement', reference: row.id, replacement: true }, now);
  return replacement.id;
}

async function resolve(tx: Db, ctx: AccessContext, row: ShortfallRow, status: Exclude<ShortfallStatus, 'open'>, reason: string, reference: string | null, now: Date): Promise<ShortfallRow> {
  const [updated] = await tx
    .update(mergeShortfalls)
    .set({ status, resolvedAt: now, resolvedBy: ctx.actor.id, resolutionReason: reason, resolutionReference: reference })
    .where(and(eq(mergeShortfalls.merchantId, row.merchantId), eq(mergeShortfalls.id, row.id), eq(mergeShortfalls.status, 'open')))
    .returning();
  const payload = { shortfall_id: row.id, merge_id: row.mergeId, kind: row.kind, amount: row.amount, owed_to_member_id: row.owedToMemberId, owed_by_member_id: row.owedByMemberId, status, reference };
  await publishEvent(tx, row.merchantId, `member.merge_shortfall.${status}`, payload);
  // Last: the audit head is the last lock of the transaction.
  await appendAudit(tx, ctx, { action: status === 'settled' ? 'membership.merge_shortfall.settle' : 'membership.merge_shortfall.write_off', targetType: 'member', targetId: row.owedToMemberId, before: { status: 'open' }, after: { ...payload, reason } });
  return updated!;
}

/**
 * Gives the owed member what the shortfall names, from the owing member. Either side may have been
 * merged again since: value moves between the members they stand for now; if that is one member,
 * there is nothing to move (write it off). Refused when the owing member no longer holds enough.
 */
export async function settleShortfall(db: Db, ctx: AccessContext, shortfallId: string, input: { reason: string }): Promise<ShortfallRow> {
  authorize(ctx, 'membership.merge_shortfalls.settle');
  const merchantId = requireMerchantId(ctx);
  return db.transaction(async (tx) => {
    const peek = await findShortfall(tx, merchantId, shortfallId, false);
    assertOpen(peek);
    const from = await survivingMemberId(tx, merchantId, peek.owedByMemberId);
    const to = await survivingMemberId(tx, merchantId, peek.owedToMemberId);
    if (from === to) throw membershipErrors.make('merge_shortfall_same_member', `${peek.owedByMemberId} and ${peek.owedToMemberId} are both ${to} now`);
    for (const id of [from, to]) {
      const member = await findMember(tx, merchantId, id);
      if (member.status !== 'active') throw membershipErrors.make('member_inactive', `member ${id} is ${member.status}`);
    }
    const now = new Date();
    const value = peek.kind === 'points' ? 'points' : peek.kind === 'coupon' ? 'coupon' : 'stored_value';
    // Value rows first (the order every membership operation takes), the shortfall row after.
    if (value === 'points') for (const id of [from, to].sort()) await lockPointsAccount(tx, merchantId, id);
    if (value === 'stored_value') for (const id of [from, to].sort()) await lockStoredValueAccount(tx, merchantId, id);
    const row = await findShortfall(tx, merchantId, shortfallId, true);
    assertOpen(row);
    const reference =
      value === 'points'
        ? await settlePoints(tx, ctx, row, from, to, input.reason, now)
        : value === 'stored_value'
          ? await settleStoredValue(tx, ctx, row, from, to, input.reason, now)
          : await settleCoupon(tx, ctx, row, to, now);
    return resolve(tx, ctx, row, 'settled', input.reason, reference, now);
  });
}

/** Closes the shortfall without moving value (the loss is accepted, or it was made good elsewhere). */
export async function writeOffShortfall(db: Db, ctx: AccessContext, shortfallId: string, input: { reason: string }): Promise<ShortfallRow> {
  authorize(ctx, 'membership.merge_shortfalls.settle');
  const merchantId = requireMerchantId(ctx);
  return db.transaction(async (tx) => {
    const row = await findShortfall(tx, merchantId, shortfallId, true);
    assertOpen(row);
    return resolve(tx, ctx, row, 'written_off', input.reason, null, new Date());
  });
}
