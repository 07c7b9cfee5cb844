// Membership's part in an ID+ merge (docs/decisions/0007-identity-merge-of-members.md).
//
// Only the absorbed person is a member: that member now belongs to the survivor (person id re-pointed).
// Both are members: the survivor's member absorbs the other's value with `transfer_on_merge` entries
// on both sides (ledgers stay append-only; every balance still equals the sum of its entries):
// - points lots move whole (the lot keeps its dates, purchase and refund state, so refunds and expiry
//   work on the survivor); an entry takes the remaining off the absorbed account and one puts it on
//   the survivor's; debt moves onto the survivor's debt lot;
// - the stored-value card's principal and bonus move, each apart;
// - coupons move (all of them, used ones as history);
// - the tier metric: what the absorbed member earned counts for the survivor while the merge stands
//   (tier history rows on both sides say so), and the survivor's tier is re-evaluated;
// - the absorbed member becomes `merged`, pointing at the survivor's member, and reads resolve to it.
// Unmerge moves back exactly what the record names and what is still there; what was used in the
// meantime is a shortfall row (owed by the survivor's member to the absorbed one), never lost silently.
// The audit entry is identity's (identity.merge / identity.unmerge, with each module's counts): it is
// written after every handler, so the audit head stays the last lock of the transaction.
import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { newId } from '../../kernel/ids.js';
import { identityErrors, registerMergeHandler, type MergeHandler, type MergeHandlerInput, type MoveRecord } from '../identity/index.js';
import { publishEvent, type AccessContext } from '../platform/index.js';
import { lockPointsAccount } from './points-ledger.js';
import { lotDates } from './points-lots.js';
import { lotsMovedUnderMerge, movedUnderMerge } from './merged-forward.js';
import { moveRetroAccruals, moveRetroAccrualsBack, registerMergeRetroSubscriber } from './merge-retro.js';
import { loadProgram, type Program } from './program.js';
import { coupons, members, mergeShortfalls, pointsAccounts, pointsEntries, pointsLots, storedValueAccounts, storedValueEntries, tierHistory } from './schema.js';
import { lockStoredValueAccount } from './stored-value.js';
import { reevaluateTier, tierMetric } from './tiers.js';

export const TRANSFER_ON_MERGE = 'transfer_on_merge';

type MemberRow = typeof members.$inferSelect;

interface TierState {
  readonly tier_code: string | null;
  readonly tier_since: string | null;
  readonly tier_below_since: string | null;
}

/** The record identity stores and hands back: JSON, ids and amounts as they were at the merge. */
export type MembershipMove = MemberMove & {
  /** Payments of the absorbed person remembered for a retro earn (not a member yet), now the survivor's. */
  readonly retro_payment_ids?: string[];
};
type MemberMove =
  | { readonly kind: 'none' }
  | { readonly kind: 'repointed'; readonly member_id: string }
  | {
      readonly kind: 'absorbed';
      readonly survivor_member_id: string;
      readonly absorbed_member_id: string;
      readonly absorbed_status: string;
      readonly survivor_tier: TierState;
      readonly operation_id: string;
      /** Earn lots re-pointed to the survivor, with what each held then. */
      readonly lots: { readonly id: string; readonly remaining: number }[];
      /** Debt (positive points) moved onto the survivor's debt lot. */
      readonly debt: number;
      readonly stored_value: { readonly principal_fen: number; readonly bonus_fen: number };
      readonly coupons: { readonly id: string; readonly status: string }[];
      readonly tier_metric: number;
    };

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const date = (s: string | null) => (s ? new Date(s) : null);

/**
 * Takes the locks in the order every membership operation takes them (ADR 0005): points accounts,
 * then coupons by id, then stored-value cards — members in id order — so a checkout running at the
 * same time queues instead of deadlocking. Returns the locked coupons.
 */
async function lockValue(tx: Db, merchantId: string, memberIds: string[], couponFilter: { memberId: string } | { ids: string[] }) {
  const ids = [...memberIds].sort();
  for (const id of ids) await lockPointsAccount(tx, merchantId, id);
  const locked =
    'ids' in couponFilter && couponFilter.ids.length === 0
      ? []
      : await tx
          .select({ id: coupons.id, status: coupons.status, memberId: coupons.memberId })
          .from(coupons)
          .where(and(eq(coupons.merchantId, merchantId), 'ids' in couponFilter ? inArray(coupons.id, couponFilter.ids) : eq(coupons.memberId, couponFilter.memberId)))
          .orderBy(asc(coupons.id))
          .for('update');
  for (const id of ids) await lockStoredValueAccount(tx, merchantId, id);
  return locked;
}

async function memberOfPerson(tx: Db, merchantId: string, personId: string): Promise<MemberRow | undefined> {
  const [row] = await tx.select().from(members).where(and(eq(members.merchantId, merchantId), eq(members.personId, personId)));
  return row;
}

async function memberRow(tx: Db, merchantId: string, memberId: string): Promise<MemberRow> {
  const [row] = await tx.select().from(members).where(and(eq(members.merchantId, merchantId), eq(members.id, memberId))).for('update');
  if (!row) throw identityErrors.make('history_mismatch', `member ${memberId} of this merge no longer exists`);
  return row;
}

interface PointsEntry {
  readonly memberId: string;
  readonly lotId: string;
  readonly delta: number;
  readonly reason: string;
}

async function writePoints(tx: Db, ctx: AccessContext, merchantId: string, operationId: string, mergeId: string, entries: PointsEntry[], now: Date): Promise<void> {
  const rows = entries.filter((e) => e.delta !== 0);
  if (!rows.length) return;
  await tx.insert(pointsEntries).values(
    rows.map((e) => ({
      merchantId,
      id: newId('pointsEntry'),
      memberId: e.memberId,
      lotId: e.lotId,
      operationId,
      type: TRANSFER_ON_MERGE,
      delta: e.delta,
      reason: e.reason,
      reference: mergeId,
      actorId: ctx.actor.id,
      occurredAt: now,
    })),
  );
  const perMember = new Map<string, number>();
  for (const e of rows) perMember.set(e.memberId, (perMember.get(e.memberId) ?? 0) + e.delta);
  for (const [memberId, total] of perMember) {
    if (total === 0) continue;
    await tx
      .update(pointsAccounts)
      .set({ balance: sql`${pointsAccounts.balance} + ${total}`, updatedAt: now })
      .where(and(eq(pointsAccounts.merchantId, merchantId), eq(pointsAccounts.memberId, memberId)));
  }
}

async function addToLot(tx: Db, merchantId: string, lotId: string, delta: number): Promise<void> {
  if (delta !== 0) await tx.update(pointsLots).set({ remaining: sql`${pointsLots.remaining} + ${delta}` }).where(and(eq(pointsLots.merchantId, merchantId), eq(pointsLots.id, lotId)));
}

/** The member's debt lot, created (empty) when it has none. */
async function debtLotOf(tx: Db, merchantId: string, memberId: string, now: Date): Promise<{ id: string; remaining: number }> {
  const [lot] = await tx
    .select({ id: pointsLots.id, remaining: pointsLots.remaining })
    .from(pointsLots)
    .where(and(eq(pointsLots.merchantId, merchantId), eq(pointsLots.memberId, memberId), eq(pointsLots.kind, 'debt')));
  if (lot) return lot;
  const id = newId('pointsLot');
  await tx.insert(pointsLots).values({ merchantId, id, memberId, kind: 'debt', points: 0, remaining: 0, earnedAt: now, availableAt: now, expiresAt: null, source: 'debt', sourceRef: null });
  return { id, remaining: 0 };
}

async function writeCard(tx: Db, ctx: AccessContext, merchantId: string, memberId: string, principal: number, bonus: number, mergeId: string, reason: string, now: Date): Promise<void> {
  if (principal === 0 && bonus === 0) return;
  const account = await lockStoredValueAccount(tx, merchantId, memberId);
  await tx.insert(storedValueEntries).values({
    merchantId,
    id: newId('storedValueEntry'),
    accountId: account.id,
    memberId,
    type: TRANSFER_ON_MERGE,
    principalDelta: principal,
    bonusDelta: bonus,
    reference: mergeId,
    reason,
    actorId: ctx.actor.id,
    occurredAt: now,
  });
  await tx
    .update(storedValueAccounts)
    .set({ principalFen: sql`${storedValueAccounts.principalFen} + ${principal}`, bonusFen: sql`${storedValueAccounts.bonusFen} + ${bonus}`, updatedAt: now })
    .where(and(eq(storedValueAccounts.merchantId, merchantId), eq(storedValueAccounts.id, account.id)));
}

async function tierNote(tx: Db, ctx: AccessContext, member: MemberRow, metric: number, detail: string, now: Date): Promise<void> {
  // A history row that is not a change (from = to): the metric that moved, on each side.
  await tx.insert(tierHistory).values({
    merchantId: member.merchantId,
    id: newId('tierChange'),
    memberId: member.id,
    fromTier: member.tierCode,
    toTier: member.tierCode,
    reason: TRANSFER_ON_MERGE,
    detail,
    metric,
    actorId: ctx.actor.id,
    occurredAt: now,
  });
}

async function absorb(tx: Db, ctx: AccessContext, input: MergeHandlerInput, survivorId: string, absorbedId: string): Promise<MemberMove> {
  const { merchantId, mergeId } = input;
  const now = new Date();
  const moved = (await lockValue(tx, merchantId, [survivorId, absorbedId], { memberId: absorbedId })).map((c) => ({ id: c.id, status: c.status }));
  const survivor = await memberRow(tx, merchantId, survivorId);
  const absorbed = await memberRow(tx, merchantId, absorbedId);
  const program = await loadProgram(tx, merchantId);
  const operationId = newId('membershipOperation');
  const why = `merged into ${survivor.id} (${mergeId})`;
  const tierMetricMoved = await tierMetric(tx, program, merchantId, absorbed.id, now);

  // Points: every earn lot moves whole; the remaining leaves one account and lands on the other.
  const lots = await tx
    .select({ id: pointsLots.id, remaining: pointsLots.remaining })
    .from(pointsLots)
    .where(and(eq(pointsLots.merchantId, merchantId), eq(pointsLots.memberId, absorbed.id), eq(pointsLots.kind, 'earn')))
    .orderBy(asc(pointsLots.earnedAt), asc(pointsLots.id));
  if (lots.length) {
    await tx.update(pointsLots).set({ memberId: survivor.id }).where(and(eq(pointsLots.merchantId, merchantId), inArray(pointsLots.id, lots.map((l) => l.id))));
  }
  const entries: PointsEntry[] = lots.flatMap((l) => [
    { memberId: absorbed.id, lotId: l.id, delta: -l.remaining, reason: why },
    { memberId: survivor.id, lotId: l.id, delta: l.remaining, reason: `absorbed ${absorbed.id} (${mergeId})` },
  ]);
  // Debt: cleared on the absorbed member's debt lot, added to the survivor's.
  const [absorbedDebt] = await tx
    .select({ id: pointsLots.id, remaining: pointsLots.remaining })
    .from(pointsLots)
    .where(and(eq(pointsLots.merchantId, merchantId), eq(pointsLots.memberId, absorbed.id), eq(pointsLots.kind, 'debt')));
  const debt = absorbedDebt ? -absorbedDebt.remaining : 0;
  if (absorbedDebt && debt > 0) {
    const survivorDebt = await debtLotOf(tx, merchantId, survivor.id, now);
    await addToLot(tx, merchantId, absorbedDebt.id, debt);
    await addToLot(tx, merchantId, survivorDebt.id, -debt);
    entries.push({ memberId: absorbed.id, lotId: absorbedDebt.id, delta: debt, reason: why }, { memberId: survivor.id, lotId: survivorDebt.id, delta: -debt, reason: `absorbed ${absorbed.id} (${mergeId})` });
  }
  await writePoints(tx, ctx, merchantId, operationId, mergeId, entries, now);

  // Stored value: principal and bonus apart. A merged card may pass the cap: no new money came in.
  const card = await lockStoredValueAccount(tx, merchantId, absorbed.id);
  await writeCard(tx, ctx, merchantId, absorbed.id, -card.principalFen, -card.bonusFen, mergeId, why, now);
  await writeCard(tx, ctx, merchantId, survivor.id, card.principalFen, card.bonusFen, mergeId, `absorbed ${absorbed.id} (${mergeId})`, now);

  if (moved.length) {
    await tx.update(coupons).set({ memberId: survivor.id, updatedAt: now }).where(and(eq(coupons.merchantId, merchantId), inArray(coupons.id, moved.map((c) => c.id))));
  }

  await tierNote(tx, ctx, absorbed, -tierMetricMoved, why, now);
  await tierNote(tx, ctx, survivor, tierMetricMoved, `absorbed ${absorbed.id} (${mergeId})`, now);
  await tx.update(members).set({ status: 'merged', mergedInto: survivor.id, mergeId, updatedAt: now }).where(and(eq(members.merchantId, merchantId), eq(members.id, absorbed.id)));
  // The survivor's tier counts the absorbed member's earnings now (metricMemberIds).
  await reevaluateTier(tx, ctx, merchantId, survivor.id, now, `merge ${mergeId}`);

  const record: MemberMove = {
    kind: 'absorbed',
    survivor_member_id: survivor.id,
    absorbed_member_id: absorbed.id,
    absorbed_status: absorbed.status,
    survivor_tier: { tier_code: survivor.tierCode, tier_since: iso(survivor.tierSince), tier_below_since: iso(survivor.tierBelowSince) },
    operation_id: operationId,
    lots: lots.map((l) => ({ id: l.id, remaining: l.remaining })),
    debt,
    stored_value: { principal_fen: card.principalFen, bonus_fen: card.bonusFen },
    coupons: moved,
    tier_metric: tierMetricMoved,
  };
  await publishEvent(tx, merchantId, 'member.merged', { merge_id: mergeId, survivor_member_id: survivor.id, absorbed_member_id: absorbed.id });
  return record;
}

async function shortfall(tx: Db, merchantId: string, mergeId: string, kind: string, itemId: string, owedTo: string, owedBy: string, amount: number): Promise<{ id: string; kind: string; item_id: string; amount: number } | null> {
  if (amount <= 0) return null;
  const id = newId('mergeShortfall');
  await tx.insert(mergeShortfalls).values({ merchantId, id, mergeId, kind, itemId, owedToMemberId: owedTo, owedByMemberId: owedBy, amount });
  return { id, kind, item_id: itemId, amount };
}

async function restore(tx: Db, ctx: AccessContext, input: MergeHandlerInput, move: Extract<MemberMove, { kind: 'absorbed' }>, program: Program): Promise<void> {
  const { merchantId, mergeId } = input;
  const survivorId = move.survivor_member_id;
  const absorbedId = move.absorbed_member_id;
  const now = new Date();
  const lockedCoupons = await lockValue(tx, merchantId, [survivorId, absorbedId], { ids: move.coupons.map((c) => c.id) });
  const absorbed = await memberRow(tx, merchantId, absorbedId);
  const survivor = await memberRow(tx, merchantId, survivorId);
  if (absorbed.status !== 'merged' || absorbed.mergedInto !== survivorId) throw identityErrors.make('history_mismatch', `member ${absorbedId} is not merged into ${survivorId}`);
  const operationId = newId('membershipOperation');
  const why = `unmerged from ${survivorId} (${mergeId})`;
  const back = `unmerge: back to ${absorbedId} (${mergeId})`;
  const shortfalls: { id: string; kind: string; item_id: string; amount: number }[] = [];

  // Points: each moved lot goes back with what it still holds. What the survivor's spends burnt from
  // it is a shortfall; what expired or a refund of its own purchase took back is not (that would
  // have happened on the absorbed member too).
  const entries: PointsEntry[] = [];
  // The lots the merge moved, and any that came back to the absorbed member later and went on (merged-forward.ts).
  const ids = [...new Set([...move.lots.map((l) => l.id), ...(await lotsMovedUnderMerge(tx, merchantId, absorbedId, mergeId))])];
  if (ids.length) {
    const current = await tx.select({ id: pointsLots.id, memberId: pointsLots.memberId, remaining: pointsLots.remaining }).from(pointsLots).where(and(eq(pointsLots.merchantId, merchantId), inArray(pointsLots.id, ids)));
    const used = await tx
      .select({ lotId: pointsEntries.lotId, type: pointsEntries.type, sum: sql<string>`sum(${pointsEntries.delta})::text` })
      .from(pointsEntries)
      .where(and(eq(pointsEntries.merchantId, merchantId), inArray(pointsEntries.lotId, ids), eq(pointsEntries.memberId, survivorId), ne(pointsEntries.type, TRANSFER_ON_MERGE)))
      .groupBy(pointsEntries.lotId, pointsEntries.type);
    for (const lot of current) {
      if (lot.memberId !== survivorId) throw identityErrors.make('history_mismatch', `points lot ${lot.id} is no longer the surviving member's`);
      entries.push({ memberId: survivorId, lotId: lot.id, delta: -lot.remaining, reason: back }, { memberId: absorbedId, lotId: lot.id, delta: lot.remaining, reason: why });
      const spent = -used.filter((u) => u.lotId === lot.id && u.type !== 'expire' && u.type !== 'refund_reversal').reduce((s, u) => s + Number(u.sum), 0);
      const owed = await shortfall(tx, merchantId, mergeId, 'points', lot.id, absorbedId, survivorId, spent);
      if (owed) shortfalls.push(owed);
    }
    await tx.update(pointsLots).set({ memberId: absorbedId }).where(and(eq(pointsLots.merchantId, merchantId), inArray(pointsLots.id, ids)));
  }
  // Debt goes back in full. What of it the survivor repaid meanwhile it gets back as points.
  if (move.debt > 0) {
    const absorbedDebt = await debtLotOf(tx, merchantId, absorbedId, now);
    const survivorDebt = await debtLotOf(tx, merchantId, survivorId, now);
    const stillOwed = Math.min(move.debt, -survivorDebt.remaining);
    const repaid = move.debt - stillOwed;
    await addToLot(tx, merchantId, absorbedDebt.id, -move.debt);
    await addToLot(tx, merchantId, survivorDebt.id, stillOwed);
    entries.push({ memberId: absorbedId, lotId: absorbedDebt.id, delta: -move.debt, reason: why }, { memberId: survivorId, lotId: survivorDebt.id, delta: stillOwed, reason: back });
    if (repaid > 0) {
      const lotId = newId('pointsLot');
      const dates = lotDates(now, { pendingDays: 0, expiryDays: program.pointsExpiryDays });
      await tx.insert(pointsLots).values({ merchantId, id: lotId, memberId: survivorId, kind: 'earn', points: repaid, remaining: repaid, earnedAt: now, ...dates, source: 'adjust', sourceRef: mergeId });
      entries.push({ memberId: survivorId, lotId, delta: repaid, reason: `unmerge: debt of ${absorbedId} repaid while merged, returned (${mergeId})` });
    }
  }
  await writePoints(tx, ctx, merchantId, operationId, mergeId, entries, now);

  // Stored value has no lots: the absorbed member is made whole from what the card holds now. What
  // moved is read from the absorbed card's transfer entries of this merge: the merge's own, and any
  // value that arrived after it and went on to the survivor (merged-forward.ts).
  const card = await lockStoredValueAccount(tx, merchantId, survivorId);
  const movedOut = await movedUnderMerge(tx, merchantId, absorbedId, mergeId);
  const principal = Math.min(movedOut.principal_fen, card.principalFen);
  const bonus = Math.min(movedOut.bonus_fen, card.bonusFen);
  await writeCard(tx, ctx, merchantId, survivorId, -principal, -bonus, mergeId, back, now);
  await writeCard(tx, ctx, merchantId, absorbedId, principal, bonus, mergeId, why, now);
  for (const [kind, amount] of [
    ['stored_value_principal', movedOut.principal_fen - principal],
    ['stored_value_bonus', movedOut.bonus_fen - bonus],
  ] as const) {
    const owed = await shortfall(tx, merchantId, mergeId, kind, '', absorbedId, survivorId, amount);
    if (owed) shortfalls.push(owed);
  }

  // Coupons go back in whatever state they are in; one redeemed meanwhile is a shortfall.
  if (move.coupons.length) {
    const ids = move.coupons.map((c) => c.id);
    const current = lockedCoupons;
    await tx.update(coupons).set({ memberId: absorbedId, updatedAt: now }).where(and(eq(coupons.merchantId, merchantId), inArray(coupons.id, ids)));
    for (const c of current) {
      const was = move.coupons.find((m) => m.id === c.id)?.status;
      if (c.status === 'redeemed' && was !== 'redeemed') {
        const owed = await shortfall(tx, merchantId, mergeId, 'coupon', c.id, absorbedId, survivorId, 1);
        if (owed) shortfalls.push(owed);
      }
    }
  }

  // Tier: the absorbed member is as it was; the survivor goes back to its tier before the merge and
  // is re-evaluated on its own metric (what it earned meanwhile still lifts it).
  await tx.update(members).set({ status: move.absorbed_status, mergedInto: null, mergeId: null, updatedAt: now }).where(and(eq(members.merchantId, merchantId), eq(members.id, absorbedId)));
  await tierNote(tx, ctx, absorbed, move.tier_metric, why, now);
  await tierNote(tx, ctx, survivor, -move.tier_metric, back, now);
  const before = move.survivor_tier;
  if (survivor.tierCode !== before.tier_code) {
    await tx.insert(tierHistory).values({ merchantId, id: newId('tierChange'), memberId: survivorId, fromTier: survivor.tierCode, toTier: before.tier_code, reason: 'unmerge', detail: mergeId, metric: null, actorId: ctx.actor.id, occurredAt: now });
  }
  await tx
    .update(members)
    .set({ tierCode: before.tier_code, tierSince: date(before.tier_since), tierBelowSince: date(before.tier_below_since), updatedAt: now })
    .where(and(eq(members.merchantId, merchantId), eq(members.id, survivorId)));
  await reevaluateTier(tx, ctx, merchantId, survivorId, now, `unmerge ${mergeId}`);

  await publishEvent(tx, merchantId, 'member.unmerged', { merge_id: mergeId, survivor_member_id: survivorId, absorbed_member_id: absorbedId, shortfalls });
}

function summaryOf(record: MembershipMove): Record<string, number> {
  const summary = memberSummaryOf(record);
  if (record.retro_payment_ids?.length) summary.retro_payments = record.retro_payment_ids.length;
  return summary;
}

function memberSummaryOf(record: MemberMove): Record<string, number> {
  switch (record.kind) {
    case 'none':
      return {};
    case 'repointed':
      return { members: 1 };
    case 'absorbed':
      return {
        members: 1,
        points_lots: record.lots.filter((l) => l.remaining > 0).length,
        points: record.lots.reduce((s, l) => s + l.remaining, 0) - record.debt,
        stored_value_fen: record.stored_value.principal_fen + record.stored_value.bonus_fen,
        coupons: record.coupons.length,
      };
  }
}

export const membershipMergeHandler: MergeHandler = {
  module: 'membership',
  async merge(tx, ctx, input) {
    const { merchantId, survivorId, absorbedId } = input;
    // The absorbed person's payments awaiting a retro earn become the survivor's: its member (now,
    // or when it joins) earns them through the retro-earn rules (merge-retro.ts).
    const retro = await moveRetroAccruals(tx, merchantId, absorbedId, survivorId);
    const withRetro = (move: MemberMove): MembershipMove => (retro.length ? { ...move, retro_payment_ids: retro } : move);
    const absorbed = await memberOfPerson(tx, merchantId, absorbedId);
    if (!absorbed) return withRetro({ kind: 'none' }) as unknown as MoveRecord;
    const survivor = await memberOfPerson(tx, merchantId, survivorId);
    if (!survivor) {
      await tx.update(members).set({ personId: survivorId, updatedAt: new Date() }).where(and(eq(members.merchantId, merchantId), eq(members.id, absorbed.id)));
      return withRetro({ kind: 'repointed', member_id: absorbed.id }) as unknown as MoveRecord;
    }
    return withRetro(await absorb(tx, ctx, input, survivor.id, absorbed.id)) as unknown as MoveRecord;
  },
  async unmerge(tx, ctx, record, input) {
    const move = record as unknown as MembershipMove | null;
    if (!move) return;
    const { merchantId, survivorId, absorbedId } = input;
    // Retro payments go back unless the survivor's member earned them meanwhile (what it earned stays).
    if (move.retro_payment_ids?.length) await moveRetroAccrualsBack(tx, merchantId, move.retro_payment_ids, survivorId, absorbedId);
    if (move.kind === 'none') return;
    if (move.kind === 'repointed') {
      const [row] = await tx
        .update(members)
        .set({ personId: absorbedId, updatedAt: new Date() })
        .where(and(eq(members.merchantId, merchantId), eq(members.id, move.member_id), eq(members.personId, survivorId)))
        .returning({ id: members.id });
      if (!row) throw identityErrors.make('history_mismatch', `member ${move.member_id} no longer belongs to ${survivorId}`);
      return;
    }
    await restore(tx, ctx, input, move, await loadProgram(tx, merchantId));
  },
  summary(record) {
    return record ? summaryOf(record as unknown as MembershipMove) : {};
  },
};

export function registerMembershipMergeHandler(): void {
  registerMergeHandler(membershipMergeHandler);
  registerMergeRetroSubscriber();
}
