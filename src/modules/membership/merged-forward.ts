// Value that comes back to a member after an ID+ merge absorbed it — a checkout from before the
// merge released when its payment failed or closed — goes on to the surviving member, as the merge
// would have moved it had it been there: `transfer_on_merge` entries under the same merge on both
// sides (points per lot, stored value principal and bonus apart). Nothing stays on a `merged`
// member, and an unmerge, which reads what moved from these entries, gives it all back.
// The other way: a refund of the absorbed member's own top-up first pulls that principal back from
// the survivor's card (same entries, reversed), then leaves the absorbed member's card as any
// refund — so an unmerge does not count refunded money as used by the survivor.
import { and, eq, inArray, lt, ne, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { newId } from '../../kernel/ids.js';
import type { AccessContext } from '../platform/index.js';
import { findMember } from './members.js';
import { lockPointsAccount } from './points-ledger.js';
import { pointsAccounts, pointsEntries, pointsLots, storedValueAccounts, storedValueEntries } from './schema.js';
import { lockStoredValueAccount } from './stored-value.js';

const TRANSFER = 'transfer_on_merge';

/** Stored value the member's card gave away under a merge (its transfer entries of that merge). */
export async function movedUnderMerge(tx: Db, merchantId: string, memberId: string, mergeId: string): Promise<{ principal_fen: number; bonus_fen: number }> {
  const [sum] = await tx
    .select({ principal: sql<string>`coalesce(-sum(${storedValueEntries.principalDelta}), 0)::text`, bonus: sql<string>`coalesce(-sum(${storedValueEntries.bonusDelta}), 0)::text` })
    .from(storedValueEntries)
    .where(and(eq(storedValueEntries.merchantId, merchantId), eq(storedValueEntries.memberId, memberId), eq(storedValueEntries.type, TRANSFER), eq(storedValueEntries.reference, mergeId)));
  return { principal_fen: Number(sum?.principal ?? 0), bonus_fen: Number(sum?.bonus ?? 0) };
}

/** Points lots the member handed over under a merge: the merge's own moves and any forwarded after it. */
export async function lotsMovedUnderMerge(tx: Db, merchantId: string, memberId: string, mergeId: string): Promise<string[]> {
  const rows = await tx
    .selectDistinct({ lotId: pointsEntries.lotId })
    .from(pointsEntries)
    .innerJoin(pointsLots, and(eq(pointsLots.merchantId, pointsEntries.merchantId), eq(pointsLots.id, pointsEntries.lotId)))
    .where(
      and(
        eq(pointsEntries.merchantId, merchantId),
        eq(pointsEntries.memberId, memberId),
        eq(pointsEntries.type, TRANSFER),
        eq(pointsEntries.reference, mergeId),
        lt(pointsEntries.delta, 0),
        eq(pointsLots.kind, 'earn'),
      ),
    );
  return rows.map((r) => r.lotId);
}

async function forwardOnce(tx: Db, ctx: AccessContext, merchantId: string, fromId: string, toId: string, mergeId: string, now: Date, withPoints: boolean): Promise<void> {
  if (withPoints) for (const id of [fromId, toId].sort()) await lockPointsAccount(tx, merchantId, id);
  const cards = new Map<string, Awaited<ReturnType<typeof lockStoredValueAccount>>>();
  for (const id of [fromId, toId].sort()) cards.set(id, await lockStoredValueAccount(tx, merchantId, id));

  // Points: after the merge every earn lot nets to zero for the absorbed member; what does not came back since.
  const open = !withPoints
    ? []
    : await tx
        .select({ lotId: pointsEntries.lotId, net: sql<string>`sum(${pointsEntries.delta})::text` })
        .from(pointsEntries)
        .innerJoin(pointsLots, and(eq(pointsLots.merchantId, pointsEntries.merchantId), eq(pointsLots.id, pointsEntries.lotId)))
        .where(and(eq(pointsEntries.merchantId, merchantId), eq(pointsEntries.memberId, fromId), eq(pointsLots.kind, 'earn')))
        .groupBy(pointsEntries.lotId)
        .having(ne(sql`sum(${pointsEntries.delta})`, 0));
  const lots = open.map((o) => ({ lotId: o.lotId, net: Number(o.net) }));
  if (lots.length) {
    const operationId = newId('membershipOperation');
    await tx
      .update(pointsLots)
      .set({ memberId: toId })
      .where(and(eq(pointsLots.merchantId, merchantId), eq(pointsLots.memberId, fromId), inArray(pointsLots.id, lots.map((l) => l.lotId))));
    await tx.insert(pointsEntries).values(
      lots.flatMap((l) =>
        [
          { memberId: fromId, delta: -l.net, reason: `came back after the merge into ${toId}: forwarded (${mergeId})` },
          { memberId: toId, delta: l.net, reason: `came back to ${fromId} after the merge: forwarded (${mergeId})` },
        ].map((e) => ({ merchantId, id: newId('pointsEntry'), lotId: l.lotId, operationId, type: TRANSFER, reference: mergeId, actorId: ctx.actor.id, occurredAt: now, ...e })),
      ),
    );
    const total = lots.reduce((s, l) => s + l.net, 0);
    for (const [memberId, delta] of [
      [fromId, -total],
      [toId, total],
    ] as const) {
      await tx
        .update(pointsAccounts)
        .set({ balance: sql`${pointsAccounts.balance} + ${delta}`, updatedAt: now })
        .where(and(eq(pointsAccounts.merchantId, merchantId), eq(pointsAccounts.memberId, memberId)));
    }
  }

  // Stored value: the merge emptied the card; whatever it holds now came back since.
  const from = cards.get(fromId)!;
  if (from.principalFen > 0 || from.bonusFen > 0) {
    for (const [account, sign] of [
      [from, -1],
      [cards.get(toId)!, 1],
    ] as const) {
      await tx.insert(storedValueEntries).values({
        merchantId,
        id: newId('storedValueEntry'),
        accountId: account.id,
        memberId: account.memberId,
        type: TRANSFER,
        principalDelta: sign * from.principalFen,
        bonusDelta: sign * from.bonusFen,
        reference: mergeId,
        reason: sign < 0 ? `came back after the merge into ${toId}: forwarded (${mergeId})` : `came back to ${fromId} after the merge: forwarded (${mergeId})`,
        actorId: ctx.actor.id,
        occurredAt: now,
      });
      await tx
        .update(storedValueAccounts)
        .set({ principalFen: sql`${storedValueAccounts.principalFen} + ${sign * from.principalFen}`, bonusFen: sql`${storedValueAccounts.bonusFen} + ${sign * from.bonusFen}`, updatedAt: now })
        .where(and(eq(storedValueAccounts.merchantId, merchantId), eq(storedValueAccounts.id, account.id)));
    }
  }
}

/**
 * Moves what a merged member holds now on to the member it was merged into (and on, along a chain of
 * merges). The caller has locked the rows of the chain (valueChainOf); `storedValueOnly` leaves the
 * points accounts alone, for callers that hold only the cards.
 */
export async function forwardToSurvivor(tx: Db, ctx: AccessContext, merchantId: string, memberId: string, now = new Date(), options: { storedValueOnly?: boolean } = {}): Promise<void> {
  let member = await findMember(tx, merchantId, memberId);
  for (let hops = 0; member.status === 'merged' && member.mergedInto && member.mergeId && hops < 100; hops++) {
    await forwardOnce(tx, ctx, merchantId, member.id, member.mergedInto, member.mergeId, now, !options.storedValueOnly);
    member = await findMember(tx, merchantId, member.mergedInto);
  }
}

async function transferCard(tx: Db, ctx: AccessContext, merchantId: string, fromId: string, toId: string, amounts: { principalFen: number; bonusFen: number }, mergeId: string, why: string, now: Date): Promise<void> {
  for (const [memberId, sign] of [
    [fromId, -1],
    [toId, 1],
  ] as const) {
    const account = await lockStoredValueAccount(tx, merchantId, memberId);
    await tx.insert(storedValueEntries).values({
      merchantId,
      id: newId('storedValueEntry'),
      accountId: account.id,
      memberId,
      type: TRANSFER,
      principalDelta: sign * amounts.principalFen,
      bonusDelta: sign * amounts.bonusFen,
      reference: mergeId,
      reason: why,
      actorId: ctx.actor.id,
      occurredAt: now,
    });
    await tx
      .update(storedValueAccounts)
      .set({ principalFen: sql`${storedValueAccounts.principalFen} + ${sign * amounts.principalFen}`, bonusFen: sql`${storedValueAccounts.bonusFen} + ${sign * amounts.bonusFen}`, updatedAt: now })
      .where(and(eq(storedValueAccounts.merchantId, merchantId), eq(storedValueAccounts.id, account.id)));
  }
}

async function chainOf(tx: Db, merchantId: string, memberId: string): Promise<string[]> {
  const chain = [memberId];
  let member = await findMember(tx, merchantId, memberId);
  for (let hops = 0; member.status === 'merged' && member.mergedInto && hops < 100; hops++) {
    chain.push(member.mergedInto);
    member = await findMember(tx, merchantId, member.mergedInto);
  }
  return chain;
}

/** The member and those it was merged into (to the survivor), in id order: the order to lock their rows in. */
export async function valueChainOf(tx: Db, merchantId: string, memberId: string): Promise<string[]> {
  return [...new Set(await chainOf(tx, merchantId, memberId))].sort();
}

/**
 * Locks the stored-value cards of a member and of the member holding its value now (itself, or the
 * survivor it was merged into), in id order; returns the holder's card.
 */
export async function lockCardAndHolder(tx: Db, merchantId: string, memberId: string): Promise<Awaited<ReturnType<typeof lockStoredValueAccount>>> {
  const chain = await chainOf(tx, merchantId, memberId);
  const cards = new Map<string, Awaited<ReturnType<typeof lockStoredValueAccount>>>();
  for (const id of [...new Set(chain)].sort()) cards.set(id, await lockStoredValueAccount(tx, merchantId, id));
  return cards.get(chain.at(-1)!)!;
}

/** Brings stored value back from the survivor to a merged member (for a refund of its own top-up), along the chain of merges. */
export async function pullBackFromSurvivor(tx: Db, ctx: AccessContext, merchantId: string, memberId: string, amounts: { principalFen: number; bonusFen: number }, now = new Date()): Promise<void> {
  if (amounts.principalFen <= 0 && amounts.bonusFen <= 0) return;
  const member = await findMember(tx, merchantId, memberId);
  if (member.status !== 'merged' || !member.mergedInto || !member.mergeId) return;
  await pullBackFromSurvivor(tx, ctx, merchantId, member.mergedInto, amounts, now);
  await transferCard(tx, ctx, merchantId, member.mergedInto, member.id, amounts, member.mergeId, `back to ${member.id} for a refund of its own top-up (${member.mergeId})`, now);
}
