// Tier service: re-evaluates a member's tier from the ledger (never the spendable balance) and
// writes every change to the append-only tier history.
import { and, desc, eq, gt, inArray, isNotNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { newId } from '../../kernel/ids.js';
import { appendAudit, authorize, publishEvent, requireMerchantId, type AccessContext } from '../platform/index.js';
import type { EarnSnapshot } from './earn-rules.js';
import { membershipErrors } from './errors.js';
import { metricMemberIds } from './merged-members.js';
import { findTier, loadProgram, loadTiers, tierPolicyOf, tierRuleOf, type Program } from './program.js';
import { members, pointsEntries, pointsLots, tierHistory } from './schema.js';
import { evaluateTier, type TierDecision } from './tier-rules.js';

const dayMs = 86_400_000;

type MemberRow = typeof members.$inferSelect;

/** The qualifying metric over the program's window: points earned net of reversals, or net spend. */
export async function tierMetric(tx: Db, program: Program, merchantId: string, memberId: string, now: Date): Promise<number> {
  const from = new Date(now.getTime() - program.tierWindowDays * dayMs);
  if (program.tierBasis === 'spend') {
    const lots = await tx
      .select({ snapshot: pointsLots.earnSnapshot, refunded: pointsLots.refundedFen })
      .from(pointsLots)
      .where(and(eq(pointsLots.merchantId, merchantId), eq(pointsLots.memberId, memberId), eq(pointsLots.source, 'purchase'), gt(pointsLots.earnedAt, from), isNotNull(pointsLots.earnSnapshot)));
    let spend = 0;
    for (const lot of lots) {
      const snapshot = lot.snapshot as EarnSnapshot;
      spend += snapshot.lines.reduce((s, l) => s + l.netFen, 0) - (lot.refunded ?? []).reduce((s, r) => s + r, 0);
    }
    return Math.max(spend, 0);
  }
  const [row] = await tx
    .select({ sum: sql<string>`coalesce(sum(${pointsEntries.delta}), 0)::text` })
    .from(pointsEntries)
    .where(
      and(
        eq(pointsEntries.merchantId, merchantId),
        // Members merged into this one (ID+) count for it while the merge stands.
        inArray(pointsEntries.memberId, await metricMemberIds(tx, merchantId, memberId)),
        inArray(pointsEntries.type, ['earn', 'refund_reversal']),
        gt(pointsEntries.occurredAt, from),
      ),
    );
  return Math.max(Number(row?.sum ?? 0), 0);
}

async function writeDecision(tx: Db, ctx: AccessContext, member: MemberRow, decision: TierDecision, metric: number, detail: string | null, now: Date): Promise<void> {
  const floorExpired = member.tierFloorCode !== null && decision.floor === null;
  const tierChanged = decision.tierCode !== member.tierCode;
  await tx
    .update(members)
    .set({
      tierCode: decision.tierCode,
      ...(tierChanged && { tierSince: now }),
      tierBelowSince: decision.belowSince,
      ...(floorExpired && { tierFloorCode: null, tierFloorExpiresAt: null, tierFloorReason: null }),
      updatedAt: now,
    })
    .where(and(eq(members.merchantId, member.merchantId), eq(members.id, member.id)));
  if (!tierChanged) return;
  await tx.insert(tierHistory).values({
    merchantId: member.merchantId,
    id: newId('tierChange'),
    memberId: member.id,
    fromTier: member.tierCode,
    toTier: decision.tierCode,
    reason: decision.reason,
    detail,
    metric,
    actorId: ctx.actor.id,
    occurredAt: now,
  });
  await publishEvent(tx, member.merchantId, 'member.tier_changed', { member_id: member.id, from_tier: member.tierCode, to_tier: decision.tierCode, change: decision.change, reason: decision.reason });
}

/** Re-evaluates one member inside the caller's transaction (after an earn, a reversal, a floor change). */
export async function reevaluateTier(tx: Db, ctx: AccessContext, merchantId: string, memberId: string, now: Date, detail: string | null = null): Promise<TierDecision | null> {
  const tiers = await loadTiers(tx, merchantId);
  if (!tiers.length) return null;
  const [member] = await tx.select().from(members).where(and(eq(members.merchantId, merchantId), eq(members.id, memberId)));
  if (!member) throw membershipErrors.make('member_not_found');
  const program = await loadProgram(tx, merchantId);
  const metric = await tierMetric(tx, program, merchantId, memberId, now);
  const floor = member.tierFloorCode ? { tierCode: member.tierFloorCode, expiresAt: member.tierFloorExpiresAt, reason: member.tierFloorReason ?? '' } : null;
  const decision = evaluateTier(tiers.map(tierRuleOf), tierPolicyOf(program), { tierCode: member.tierCode, belowSince: member.tierBelowSince, floor }, metric, now);
  if (decision.tierCode !== member.tierCode || decision.belowSince?.getTime() !== member.tierBelowSince?.getTime() || (member.tierFloorCode !== null && decision.floor === null)) {
    await writeDecision(tx, ctx, member, decision, metric, detail, now);
  }
  return decision;
}

/** A manual tier: an explicit floor with an expiry and a reason; null tier code clears it. */
export async function setTierFloor(db: Db, ctx: AccessContext, memberId: string, input: { tierCode: string | null; expiresAt: Date | null; reason: string }) {
  authorize(ctx, 'membership.tiers.override');
  const merchantId = requireMerchantId(ctx);
  return db.transaction(async (tx) => {
    const [member] = await tx.select().from(members).where(and(eq(members.merchantId, merchantId), eq(members.id, memberId))).for('update');
    if (!member) throw membershipErrors.make('member_not_found');
    if (input.tierCode !== null && !(await findTier(tx, merchantId, input.tierCode))) throw membershipErrors.make('tier_unknown', `no tier ${input.tierCode}`);
    const now = new Date();
    await tx
      .update(members)
      .set({ tierFloorCode: input.tierCode, tierFloorExpiresAt: input.tierCode ? input.expiresAt : null, tierFloorReason: input.tierCode ? input.reason : null, updatedAt: now })
      .where(and(eq(members.merchantId, merchantId), eq(members.id, memberId)));
    await appendAudit(tx, ctx, {
      action: 'membership.member.tier_floor',
      targetType: 'member',
      targetId: memberId,
      before: { tier_floor_code: member.tierFloorCode, tier_floor_expires_at: member.tierFloorExpiresAt },
      after: { tier_floor_code: input.tierCode, tier_floor_expires_at: input.expiresAt, reason: input.reason },
    });
    return reevaluateTier(tx, ctx, merchantId, memberId, now, `manual: ${input.reason}`);
  });
}

/** The sweep for time-driven changes (windows rolling, after_days downgrades, floors expiring). */
export async function evaluateAllTiers(db: Db, ctx: AccessContext, now = new Date()): Promise<{ evaluated: number; changed: number }> {
  authorize(ctx, 'membership.tiers.override');
  const merchantId = requireMerchantId(ctx);
  let evaluated = 0;
  let changed = 0;
  let after = '';
  for (;;) {
    const batch = await db
      .select({ id: members.id, tierCode: members.tierCode })
      .from(members)
      .where(and(eq(members.merchantId, merchantId), gt(members.id, after), eq(members.status, 'active')))
      .orderBy(members.id)
      .limit(200);
    if (!batch.length) break;
    for (const m of batch) {
      const decision = await db.transaction(async (tx) => {
        await tx.select({ id: members.id }).from(members).where(and(eq(members.merchantId, merchantId), eq(members.id, m.id))).for('update');
        return reevaluateTier(tx, ctx, merchantId, m.id, now, 'scheduled evaluation');
      });
      evaluated++;
      if (decision && decision.tierCode !== m.tierCode) changed++;
    }
    after = batch.at(-1)!.id;
  }
  return { evaluated, changed };
}

export async function listTierHistory(db: Db, ctx: AccessContext, memberId: string, page: { after?: string | undefined; limit: number }) {
  authorize(ctx, 'membership.read');
  const merchantId = requireMerchantId(ctx);
  return db
    .select()
    .from(tierHistory)
    .where(and(eq(tierHistory.merchantId, merchantId), eq(tierHistory.memberId, memberId), page.after ? lt(tierHistory.id, page.after) : undefined))
    .orderBy(desc(tierHistory.id))
    .limit(page.limit + 1);
}
