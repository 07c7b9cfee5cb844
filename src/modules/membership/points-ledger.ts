// Points ledger service: earn, adjust, spend, refund reversal and expiry. Every operation locks the
// member's points account row (SELECT … FOR UPDATE), computes movements with points-lots.ts, and
// writes lots, entries and the cached balance in one transaction. Entries are never updated.
import { and, asc, desc, eq, gt, inArray, lt, lte, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { commonErrors } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import { appendAudit, authorize, publishEvent, requireMerchantId, type AccessContext } from '../platform/index.js';
import { pointsForPurchase, pointsToReverse, spreadOverLines, type EarnSnapshot, type PurchaseLine } from './earn-rules.js';
import { membershipErrors } from './errors.js';
import { findMember } from './members.js';
import {
  applyMovements,
  balanceOf,
  burn,
  credit,
  DEBT_LOT,
  expire,
  InsufficientPoints,
  lotDates,
  NEW_LOT,
  restoreSpend,
  reverse,
  type Movement,
  type PointsBalance,
  type PointsLot,
} from './points-lots.js';
import { earnProgramOf, findTier, loadProgram, type Program } from './program.js';
import { appliedReferences, pointsAccounts, pointsEntries, pointsLots } from './schema.js';
import { assertStore } from './stores.js';
import { reevaluateTier } from './tiers.js';

type LotRow = typeof pointsLots.$inferSelect;
export type PointsEntryRow = typeof pointsEntries.$inferSelect;
export type { LotRow };

export interface PointsOperationResult {
  readonly operationId: string;
  readonly points: number;
  readonly entries: PointsEntryRow[];
  readonly lotId: string | null;
  readonly balance: PointsBalance;
  readonly shortfall: number;
}

export const toLot = (row: LotRow): PointsLot => ({
  id: row.id,
  kind: row.kind === 'debt' ? 'debt' : 'earn',
  earnedAt: row.earnedAt,
  availableAt: row.availableAt,
  expiresAt: row.expiresAt,
  points: row.points,
  remaining: row.remaining,
});

/** Locks the member's points account: the one row every points operation of a member queues on. */
export async function lockPointsAccount(tx: Db, merchantId: string, memberId: string): Promise<void> {
  const [account] = await tx
    .select({ memberId: pointsAccounts.memberId })
    .from(pointsAccounts)
    .where(and(eq(pointsAccounts.merchantId, merchantId), eq(pointsAccounts.memberId, memberId)))
    .for('update');
  if (!account) throw membershipErrors.make('member_not_found');
}

/** Lots that still matter: those holding points, and the member's debt lot. */
export async function liveLots(tx: Db, merchantId: string, memberId: string): Promise<LotRow[]> {
  return tx
    .select()
    .from(pointsLots)
    .where(and(eq(pointsLots.merchantId, merchantId), eq(pointsLots.memberId, memberId), or(ne(pointsLots.remaining, 0), eq(pointsLots.kind, 'debt'))))
    .orderBy(asc(pointsLots.earnedAt), asc(pointsLots.id));
}

/** Reserves an external reference for this operation: the second use of it is refused. */
export async function claimReference(tx: Db, merchantId: string, kind: string, reference: string, operationId: string): Promise<void> {
  const [row] = await tx.insert(appliedReferences).values({ merchantId, kind, reference, operationId }).onConflictDoNothing().returning();
  if (!row) throw membershipErrors.make('duplicate_reference', `${kind} ${reference} was already applied`);
}

export interface NewLot {
  readonly points: number;
  readonly earnedAt: Date;
  readonly source: 'purchase' | 'manual' | 'event' | 'adjust' | 'restore';
  readonly sourceRef: string | null;
  readonly snapshot: EarnSnapshot | null;
  /** Points given back are spendable at once: no pending period. */
  readonly availableNow?: boolean;
}

export interface Write {
  readonly merchantId: string;
  readonly memberId: string;
  readonly operationId: string;
  readonly lots: readonly LotRow[];
  readonly movements: readonly Movement[];
  readonly newLot?: NewLot | undefined;
  readonly program: Program;
  readonly reason: string | null;
  readonly reference: string | null;
  readonly now: Date;
}

/** Writes one operation's movements: new lots, lot caches, entries and the account cache. */
export async function writeMovements(tx: Db, ctx: AccessContext, w: Write): Promise<{ entries: PointsEntryRow[]; lotId: string | null; balance: PointsBalance }> {
  const newLotId = newId('pointsLot');
  const existingDebt = w.lots.find((l) => l.kind === 'debt');
  const debtLotId = existingDebt?.id ?? newId('pointsLot');
  const dates = lotDates(w.newLot?.earnedAt ?? w.now, { pendingDays: w.newLot?.availableNow ? 0 : w.program.pointsPendingDays, expiryDays: w.program.pointsExpiryDays });
  const resolved = w.movements.map((m) => ({ ...m, lotId: m.lotId === NEW_LOT ? newLotId : m.lotId === DEBT_LOT ? debtLotId : m.lotId }));
  const base = w.lots.map(toLot);
  if (w.newLot) base.push({ id: newLotId, kind: 'earn', points: w.newLot.points, remaining: 0, earnedAt: w.newLot.earnedAt, ...dates });
  if (!existingDebt) base.push({ id: debtLotId, kind: 'debt', points: 0, remaining: 0, earnedAt: w.now, availableAt: w.now, expiresAt: null });
  const after = applyMovements(base, resolved, {});

  // Lots the operation creates go in with their final remaining (the sign checks hold at once).
  const delta = (lotId: string) => resolved.filter((m) => m.lotId === lotId).reduce((s, m) => s + m.delta, 0);
  if (w.newLot && resolved.some((m) => m.lotId === newLotId)) {
    await tx.insert(pointsLots).values({
      merchantId: w.merchantId,
      id: newLotId,
      memberId: w.memberId,
      kind: 'earn',
      points: w.newLot.points,
      remaining: delta(newLotId),
      earnedAt: w.newLot.earnedAt,
      ...dates,
      source: w.newLot.source,
      sourceRef: w.newLot.sourceRef,
      earnSnapshot: w.newLot.snapshot,
      refundedFen: w.newLot.snapshot ? w.newLot.snapshot.lines.map(() => 0) : null,
    });
  }
  if (!existingDebt && resolved.some((m) => m.lotId === debtLotId)) {
    await tx.insert(pointsLots).values({
      merchantId: w.merchantId,
      id: debtLotId,
      memberId: w.memberId,
      kind: 'debt',
      points: 0,
      remaining: delta(debtLotId),
      earnedAt: w.now,
      availableAt: w.now,
      expiresAt: null,
      source: 'debt',
      sourceRef: null,
    });
  }
  const touched = [...new Set(resolved.map((m) => m.lotId))].filter((id) => id !== newLotId && (existingDebt ? true : id !== debtLotId));
  for (const lotId of touched) {
    const d = delta(lotId);
    if (d !== 0) await tx.update(pointsLots).set({ remaining: sql`${pointsLots.remaining} + ${d}` }).where(and(eq(pointsLots.merchantId, w.merchantId), eq(pointsLots.id, lotId)));
  }
  const rows = resolved.map((m) => ({
    merchantId: w.merchantId,
    id: newId('pointsEntry'),
    memberId: w.memberId,
    lotId: m.lotId,
    operationId: w.operationId,
    type: m.type,
    delta: m.delta,
    reason: w.reason,
    reference: w.reference,
    actorId: ctx.actor.id,
    occurredAt: w.now,
  }));
  const entries = rows.length ? await tx.insert(pointsEntries).values(rows).returning() : [];
  const total = resolved.reduce((s, m) => s + m.delta, 0);
  if (total !== 0) {
    await tx
      .update(pointsAccounts)
      .set({ balance: sql`${pointsAccounts.balance} + ${total}`, updatedAt: w.now })
      .where(and(eq(pointsAccounts.merchantId, w.merchantId), eq(pointsAccounts.memberId, w.memberId)));
  }
  return { entries, lotId: resolved.some((m) => m.lotId === newLotId) ? newLotId : null, balance: balanceOf(after, w.now) };
}

async function activeMember(tx: Db, merchantId: string, memberId: string) {
  const member = await findMember(tx, merchantId, memberId);
  if (member.status !== 'active') throw membershipErrors.make('member_inactive');
  return member;
}

export interface EarnInput {
  /** Manual earn: a number of points with a reason. */
  readonly points?: number | undefined;
  readonly reason?: string | undefined;
  /** Earn by rule: the purchase's lines (or one amount). */
  readonly amountFen?: number | undefined;
  readonly lines?: readonly PurchaseLine[] | undefined;
  readonly storeId?: string | undefined;
  /** The purchase (payment id, order number): earned once, and what refunds name to reverse. */
  readonly reference?: string | undefined;
}

/** Earn inside the caller's transaction (the checkout and the payment consumer use it too). */
export async function earnInTransaction(tx: Db, ctx: AccessContext, merchantId: string, memberId: string, input: EarnInput, now = new Date()): Promise<PointsOperationResult> {
  await lockPointsAccount(tx, merchantId, memberId);
  const member = await activeMember(tx, merchantId, memberId);
  const program = await loadProgram(tx, merchantId);
  const operationId = newId('membershipOperation');
  if (input.reference) await claimReference(tx, merchantId, 'points.earn', input.reference, operationId);
  let points: number;
  let newLot: NewLot;
  if (input.points !== undefined) {
    points = input.points;
    newLot = { points, earnedAt: now, source: 'manual', sourceRef: input.reference ?? null, snapshot: null };
  } else {
    const lines = input.lines ?? [{ netFen: input.amountFen ?? 0 }];
    const tier = member.tierCode ? await findTier(tx, merchantId, member.tierCode) : undefined;
    const earned = pointsForPurchase(lines, earnProgramOf(program), { at: now, storeId: input.storeId, tierMultiplierBps: tier?.pointsMultiplierBps });
    points = earned.points;
    newLot = { points, earnedAt: now, source: 'purchase', sourceRef: input.reference ?? null, snapshot: earned.snapshot };
  }
  const lots = await liveLots(tx, merchantId, memberId);
  if (points <= 0) {
    return { operationId, points: 0, entries: [], lotId: null, balance: balanceOf(lots.map(toLot), now), shortfall: 0 };
  }
  const movements = credit(lots.map(toLot), points, now, 'earn');
  const written = await writeMovements(tx, ctx, { merchantId, memberId, operationId, lots, movements, newLot, program, reason: input.reason ?? null, reference: input.reference ?? null, now });
  await reevaluateTier(tx, ctx, merchantId, memberId, now, `earned ${points}`);
  await appendAudit(tx, ctx, { action: 'membership.points.earn', targetType: 'member', targetId: memberId, after: { operation_id: operationId, points, reason: input.reason ?? null, reference: input.reference ?? null, source: newLot.source } });
  await publishEvent(tx, merchantId, 'points.earned', { member_id: memberId, operation_id: operationId, points, reference: input.reference ?? null });
  return { operationId, points, ...written, shortfall: 0 };
}

export async function earnPoints(db: Db, ctx: AccessContext, memberId: string, input: EarnInput): Promise<PointsOperationResult> {
  authorize(ctx, input.points !== undefined ? 'membership.points.adjust' : 'membership.points.earn');
  const merchantId = requireMerchantId(ctx);
  // Either points with a reason (manual), or a purchase (amount or lines) with its reference.
  const ways = [input.points !== undefined, input.amountFen !== undefined, input.lines !== undefined].filter(Boolean).length;
  const problems: { field: string; message: string }[] = [];
  if (ways !== 1) problems.push({ field: 'body', message: 'give exactly one of points, amount_fen or lines' });
  if (input.points !== undefined && !input.reason) problems.push({ field: 'body.reason', message: 'a manual earn needs a reason' });
  if (input.points === undefined && !input.reference) problems.push({ field: 'body.reference', message: 'a purchase earn needs its reference (payment or order)' });
  if (problems.length) throw commonErrors.make('validation_failed', problems.map((p) => p.message).join('; '), { fields: problems });
  if (input.storeId) await assertStore(db, ctx, input.storeId);
  return db.transaction((tx) => earnInTransaction(tx, ctx, merchantId, memberId, input));
}

/** A manual correction with a reason: positive credits a lot, negative burns oldest first. */
export async function adjustPoints(db: Db, ctx: AccessContext, memberId: string, input: { points: number; reason: string; reference?: string | undefined }): Promise<PointsOperationResult> {
  authorize(ctx, 'membership.points.adjust');
  const merchantId = requireMerchantId(ctx);
  return db.transaction(async (tx) => {
    await lockPointsAccount(tx, merchantId, memberId);
    await findMember(tx, merchantId, memberId);
    const program = await loadProgram(tx, merchantId);
    const operationId = newId('membershipOperation');
    if (input.reference) await claimReference(tx, merchantId, 'points.adjust', input.reference, operationId);
    const now = new Date();
    const lots = await liveLots(tx, merchantId, memberId);
    const movements = burnOrThrow(() =>
      input.points > 0 ? credit(lots.map(toLot), input.points, now, 'adjust') : burn(lots.map(toLot), -input.points, now, { allowNegative: program.allowNegativePoints }, 'adjust'),
    );
    const newLot: NewLot | undefined = input.points > 0 ? { points: input.points, earnedAt: now, source: 'adjust', sourceRef: input.reference ?? null, snapshot: null } : undefined;
    const written = await writeMovements(tx, ctx, { merchantId, memberId, operationId, lots, movements, newLot, program, reason: input.reason, reference: input.reference ?? null, now });
    await appendAudit(tx, ctx, { action: 'membership.points.adjust', targetType: 'member', targetId: memberId, after: { operation_id: operationId, points: input.points, reason: input.reason } });
    await publishEvent(tx, merchantId, 'points.adjusted', { member_id: memberId, operation_id: operationId, points: input.points });
    return { operationId, points: input.points, ...written, shortfall: 0 };
  });
}

function burnOrThrow(f: () => Movement[]): Movement[] {
  try {
    return f();
  } catch (error) {
    if (error instanceof InsufficientPoints) throw membershipErrors.make('insufficient_points', error.message, { available_points: error.available });
    throw error;
  }
}

export interface SpendInput {
  readonly points: number;
  readonly reason?: string | undefined;
  readonly reference?: string | undefined;
  readonly storeId?: string | undefined;
}

export async function spendInTransaction(tx: Db, ctx: AccessContext, merchantId: string, memberId: string, input: SpendInput, now = new Date()): Promise<PointsOperationResult> {
  await lockPointsAccount(tx, merchantId, memberId);
  await activeMember(tx, merchantId, memberId);
  const program = await loadProgram(tx, merchantId);
  const operationId = newId('membershipOperation');
  if (input.reference) await claimReference(tx, merchantId, 'points.spend', input.reference, operationId);
  const lots = await liveLots(tx, merchantId, memberId);
  const movements = burnOrThrow(() => burn(lots.map(toLot), input.points, now, { allowNegative: program.allowNegativePoints }, 'spend'));
  const written = await writeMovements(tx, ctx, { merchantId, memberId, operationId, lots, movements, program, reason: input.reason ?? null, reference: input.reference ?? null, now });
  await appendAudit(tx, ctx, { action: 'membership.points.spend', targetType: 'member', targetId: memberId, after: { operation_id: operationId, points: input.points, reference: input.reference ?? null } });
  await publishEvent(tx, merchantId, 'points.spent', { member_id: memberId, operation_id: operationId, points: input.points, reference: input.reference ?? null });
  return { operationId, points: input.points, ...written, shortfall: 0 };
}

export interface RestoreInput {
  /** The spend's operation (a checkout's points_operation_id). */
  readonly spendOperationId: string;
  readonly points: number;
  /** Applied once: the release or the refund that gives the points back. */
  readonly reference: string;
  readonly reason: string;
}

/**
 * Gives back (part of) a spend exactly into the lots it burned (points-lots.ts restoreSpend): a
 * released checkout gets every point back, a refunded part its share. Restore entries carry the
 * spend's operation id in their reason-free `reference` chain: `restore:<spend operation>`.
 */
export async function restoreSpendInTransaction(tx: Db, ctx: AccessContext, merchantId: string, memberId: string, input: RestoreInput, now = new Date()): Promise<PointsOperationResult> {
  await lockPointsAccount(tx, merchantId, memberId);
  const program = await loadProgram(tx, merchantId);
  const operationId = newId('membershipOperation');
  await claimReference(tx, merchantId, 'points.restore', input.reference, operationId);
  const spendEntries = await tx
    .select()
    .from(pointsEntries)
    .where(and(eq(pointsEntries.merchantId, merchantId), eq(pointsEntries.memberId, memberId), eq(pointsEntries.operationId, input.spendOperationId), eq(pointsEntries.type, 'spend')))
    .orderBy(asc(pointsEntries.id));
  const chain = `restore:${input.spendOperationId}`;
  const before = await tx
    .select({ lotId: pointsEntries.lotId, delta: sql<string>`sum(${pointsEntries.delta})::text` })
    .from(pointsEntries)
    .where(and(eq(pointsEntries.merchantId, merchantId), eq(pointsEntries.memberId, memberId), eq(pointsEntries.type, 'restore'), eq(pointsEntries.reason, chain)))
    .groupBy(pointsEntries.lotId);
  const spent = -spendEntries.reduce((s, e) => s + e.delta, 0);
  const restoredTotal = before.reduce((s, r) => s + Number(r.delta), 0);
  if (input.points <= 0 || restoredTotal + input.points > spent) throw membershipErrors.make('refund_exceeds_spend', `the spend took ${spent} points, ${restoredTotal} are back already`);
  // The lots the spend burned may be empty now (not among the live lots): load them by id.
  const live = await liveLots(tx, merchantId, memberId);
  const missing = [...new Set(spendEntries.map((e) => e.lotId))].filter((id) => !live.some((l) => l.id === id));
  const extra = missing.length
    ? await tx
        .select()
        .from(pointsLots)
        .where(and(eq(pointsLots.merchantId, merchantId), inArray(pointsLots.id, missing)))
    : [];
  const lots = [...live, ...extra];
  const taken = spendEntries.map((e) => ({ lotId: e.lotId, points: -e.delta }));
  const movements = restoreSpend(lots.map(toLot), taken, new Map(before.map((r) => [r.lotId, Number(r.delta)])), input.points);
  const leftover = movements.filter((m) => m.lotId === NEW_LOT).reduce((s, m) => s + m.delta, 0);
  const newLot: NewLot = { points: leftover, earnedAt: now, source: 'restore', sourceRef: input.reference, snapshot: null, availableNow: true };
  const written = await writeMovements(tx, ctx, { merchantId, memberId, operationId, lots, movements, newLot, program, reason: chain, reference: input.reference, now });
  await appendAudit(tx, ctx, { action: 'membership.points.restore', targetType: 'member', targetId: memberId, after: { operation_id: operationId, points: input.points, spend_operation_id: input.spendOperationId, reference: input.reference, why: input.reason } });
  await publishEvent(tx, merchantId, 'points.restored', { member_id: memberId, operation_id: operationId, points: input.points, reference: input.reference });
  return { operationId, points: input.points, ...written, shortfall: 0 };
}

export async function spendPoints(db: Db, ctx: AccessContext, memberId: string, input: SpendInput): Promise<PointsOperationResult> {
  authorize(ctx, 'membership.points.spend');
  const merchantId = requireMerchantId(ctx);
  if (input.storeId) await assertStore(db, ctx, input.storeId);
  return db.transaction((tx) => spendInTransaction(tx, ctx, merchantId, memberId, input));
}

export interface ReversalInput {
  /** The purchase's reference its earn was recorded under. */
  readonly reference: string;
  /** The refund: applied once. */
  readonly refundReference: string;
  readonly refundAmountFen?: number | undefined;
  /** Fen refunded per purchase line, in the purchase's line order. */
  readonly refundLines?: readonly number[] | undefined;
}

/** Takes back exactly the points the refunded part of a purchase earned. */
export async function reverseInTransaction(tx: Db, ctx: AccessContext, merchantId: string, memberId: string, input: ReversalInput, now = new Date()): Promise<PointsOperationResult> {
  await lockPointsAccount(tx, merchantId, memberId);
  await findMember(tx, merchantId, memberId);
  const [lot] = await tx
    .select()
    .from(pointsLots)
    .where(and(eq(pointsLots.merchantId, merchantId), eq(pointsLots.memberId, memberId), eq(pointsLots.sourceRef, input.reference), eq(pointsLots.source, 'purchase')));
  if (!lot?.earnSnapshot) {
    // A purchase below the smallest earning amount (¥0.50 at 1 point per yuan) was applied but
    // earned nothing, so it has no lot: its refunds take back nothing — they are not unknown.
    const [earned] = lot ? [] : await tx
      .select({ kind: appliedReferences.kind })
      .from(appliedReferences)
      .where(and(eq(appliedReferences.merchantId, merchantId), eq(appliedReferences.kind, 'points.earn'), eq(appliedReferences.reference, input.reference)));
    if (!earned) throw membershipErrors.make('earn_not_found');
    const operationId = newId('membershipOperation');
    await claimReference(tx, merchantId, 'points.reverse', input.refundReference, operationId);
    const lots = await liveLots(tx, merchantId, memberId);
    return { operationId, points: 0, entries: [], lotId: null, balance: balanceOf(lots.map(toLot), now), shortfall: 0 };
  }
  const program = await loadProgram(tx, merchantId);
  const operationId = newId('membershipOperation');
  await claimReference(tx, merchantId, 'points.reverse', input.refundReference, operationId);
  const snapshot = lot.earnSnapshot as EarnSnapshot;
  const refundedBefore = lot.refundedFen ?? snapshot.lines.map(() => 0);
  let points: number;
  let refundNow: number[];
  try {
    refundNow = input.refundLines ? [...input.refundLines] : spreadOverLines(snapshot, refundedBefore, input.refundAmountFen ?? 0);
    points = pointsToReverse(snapshot, refundedBefore, refundNow);
  } catch (error) {
    if (error instanceof RangeError) throw membershipErrors.make('refund_exceeds_purchase', error.message);
    throw error;
  }
  await tx
    .update(pointsLots)
    .set({ refundedFen: snapshot.lines.map((_l, i) => (refundedBefore[i] ?? 0) + (refundNow[i] ?? 0)) })
    .where(and(eq(pointsLots.merchantId, merchantId), eq(pointsLots.id, lot.id)));
  const lots = await liveLots(tx, merchantId, memberId);
  if (points === 0) return { operationId, points: 0, entries: [], lotId: lot.id, balance: balanceOf(lots.map(toLot), now), shortfall: 0 };
  const reversal = reverse(lots.map(toLot), points, lot.id, now, { allowNegative: program.allowNegativePoints });
  const written = await writeMovements(tx, ctx, { merchantId, memberId, operationId, lots, movements: reversal.movements, program, reason: 'refund', reference: input.refundReference, now });
  await reevaluateTier(tx, ctx, merchantId, memberId, now, `refund ${input.refundReference}`);
  await appendAudit(tx, ctx, {
    action: 'membership.points.reverse',
    targetType: 'member',
    targetId: memberId,
    after: { operation_id: operationId, points, shortfall: reversal.shortfall, reference: input.reference, refund_reference: input.refundReference },
  });
  await publishEvent(tx, merchantId, 'points.reversed', { member_id: memberId, operation_id: operationId, points, shortfall: reversal.shortfall, reference: input.reference });
  return { operationId, points, ...written, lotId: lot.id, shortfall: reversal.shortfall };
}

export async function reversePoints(db: Db, ctx: AccessContext, memberId: string, input: ReversalInput): Promise<PointsOperationResult> {
  authorize(ctx, 'membership.points.reverse');
  const merchantId = requireMerchantId(ctx);
  return db.transaction((tx) => reverseInTransaction(tx, ctx, merchantId, memberId, input));
}

/** The expiry run: sweeps every lot of the merchant expired at `now`, one member per transaction. */
export async function expirePoints(db: Db, ctx: AccessContext, now = new Date()): Promise<{ members: number; points: number }> {
  authorize(ctx, 'membership.points.adjust');
  const merchantId = requireMerchantId(ctx);
  const due = await db
    .selectDistinct({ memberId: pointsLots.memberId })
    .from(pointsLots)
    .where(and(eq(pointsLots.merchantId, merchantId), eq(pointsLots.kind, 'earn'), gt(pointsLots.remaining, 0), lte(pointsLots.expiresAt, now)));
  let swept = 0;
  let membersSwept = 0;
  for (const { memberId } of due) {
    swept += await db.transaction(async (tx) => {
      await lockPointsAccount(tx, merchantId, memberId);
      const program = await loadProgram(tx, merchantId);
      const lots = await liveLots(tx, merchantId, memberId);
      const movements = expire(lots.map(toLot), now);
      const expired = -movements.filter((m) => m.type === 'expire').reduce((s, m) => s + m.delta, 0);
      if (!movements.length) return 0;
      const operationId = newId('membershipOperation');
      await writeMovements(tx, ctx, { merchantId, memberId, operationId, lots, movements, program, reason: 'expiry', reference: null, now });
      await appendAudit(tx, ctx, { action: 'membership.points.expire', targetType: 'member', targetId: memberId, after: { operation_id: operationId, points: expired } });
      return expired;
    });
    membersSwept++;
  }
  return { members: membersSwept, points: swept };
}

export interface PointsSummary extends PointsBalance {
  /** The cached balance (Σ entries). */
  readonly cached: number;
  readonly nextExpiry: { at: Date; points: number } | null;
}

export async function getPointsBalance(db: Db, ctx: AccessContext, memberId: string, now = new Date()): Promise<PointsSummary> {
  authorize(ctx, 'membership.read');
  const merchantId = requireMerchantId(ctx);
  const [account] = await db.select().from(pointsAccounts).where(and(eq(pointsAccounts.merchantId, merchantId), eq(pointsAccounts.memberId, memberId)));
  if (!account) throw membershipErrors.make('member_not_found');
  const lots = (await liveLots(db, merchantId, memberId)).map(toLot);
  const upcoming = lots.filter((l) => l.kind === 'earn' && l.remaining > 0 && l.expiresAt && l.expiresAt.getTime() > now.getTime()).sort((a, b) => a.expiresAt!.getTime() - b.expiresAt!.getTime());
  const first = upcoming[0];
  const nextExpiry = first ? { at: first.expiresAt!, points: upcoming.filter((l) => l.expiresAt!.getTime() === first.expiresAt!.getTime()).reduce((s, l) => s + l.remaining, 0) } : null;
  return { ...balanceOf(lots, now), cached: account.balance, nextExpiry };
}

export async function listPointsEntries(db: Db, ctx: AccessContext, memberId: string, page: { after?: string | undefined; limit: number }): Promise<PointsEntryRow[]> {
  authorize(ctx, 'membership.read');
  const merchantId = requireMerchantId(ctx);
  await findMember(db, merchantId, memberId);
  return db
    .select()
    .from(pointsEntries)
    .where(and(eq(pointsEntries.merchantId, merchantId), eq(pointsEntries.memberId, memberId), page.after ? lt(pointsEntries.id, page.after) : undefined))
    .orderBy(desc(pointsEntries.id))
    .limit(page.limit + 1);
}

export async function listPointsLots(db: Db, ctx: AccessContext, memberId: string, page: { after?: string | undefined; limit: number }): Promise<LotRow[]> {
  authorize(ctx, 'membership.read');
  const merchantId = requireMerchantId(ctx);
  await findMember(db, merchantId, memberId);
  return db
    .select()
    .from(pointsLots)
    .where(and(eq(pointsLots.merchantId, merchantId), eq(pointsLots.memberId, memberId), page.after ? lt(pointsLots.id, page.after) : undefined))
    .orderBy(desc(pointsLots.id))
    .limit(page.limit + 1);
}
