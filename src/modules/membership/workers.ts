// Membership's background round (src/workers.ts runs it): settle checkouts and top-ups whose payment
// ended without us hearing (a missed event), release checkouts whose payment never started, refund
// orphan payments; hourly, the points expiry sweep and the tier sweep for every merchant that needs
// them. Every step is a guarded transition or keyed by a claimed reference: running it twice, or in
// two processes side by side, changes nothing more.
import { and, gt, isNotNull, lte, sql } from 'drizzle-orm';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import type { AccessContext } from '../platform/index.js';
import { giveBirthdayGifts } from './birthday-gifts.js';
import { sweepCheckouts } from './checkout-payments.js';
import { membershipSystemContext } from './payment-events.js';
import { expirePoints } from './points-ledger.js';
import { pointsLots, tierDefinitions } from './schema.js';
import { evaluateAllTiers } from './tiers.js';
import { sweepTopUps } from './top-ups.js';

const PAYMENT_PASS_MS = 15_000;
const SWEEP_PASS_MS = 3_600_000;

const lastPaymentPass = new WeakMap<Db, number>();
const lastSweep = new WeakMap<Db, number>();

export interface MembershipRound {
  readonly checkouts: { completed: number; released: number; orphansRefunded: number } | null;
  readonly topUps: { credited: number; failed: number } | null;
  readonly expiry: { merchants: number; points: number } | null;
  readonly tiers: { merchants: number; changed: number } | null;
  readonly birthdays: { merchants: number; members: number; coupons: number } | null;
}

export async function runMembershipWorkers(db: Db, config: Config, now: Date = new Date(), options: { force?: boolean } = {}): Promise<MembershipRound> {
  const contexts = new Map<string, AccessContext>();
  const contextOf = async (merchantId: string) => {
    let ctx = contexts.get(merchantId);
    if (!ctx) {
      ctx = await membershipSystemContext(db, merchantId, 'membership.workers');
      contexts.set(merchantId, ctx);
    }
    return ctx;
  };
  let checkouts: MembershipRound['checkouts'] = null;
  let topUps: MembershipRound['topUps'] = null;
  if (options.force || now.getTime() - (lastPaymentPass.get(db) ?? 0) >= PAYMENT_PASS_MS) {
    lastPaymentPass.set(db, now.getTime());
    checkouts = await sweepCheckouts(db, config, contextOf, now);
    topUps = await sweepTopUps(db, config, contextOf, now);
  }
  let expiry: MembershipRound['expiry'] = null;
  let tiers: MembershipRound['tiers'] = null;
  let birthdays: MembershipRound['birthdays'] = null;
  if (options.force || now.getTime() - (lastSweep.get(db) ?? 0) >= SWEEP_PASS_MS) {
    lastSweep.set(db, now.getTime());
    const expiring = await db
      .selectDistinct({ merchantId: pointsLots.merchantId })
      .from(pointsLots)
      .where(and(gt(pointsLots.remaining, 0), isNotNull(pointsLots.expiresAt), lte(pointsLots.expiresAt, now), sql`${pointsLots.kind} = 'earn'`));
    let points = 0;
    for (const { merchantId } of expiring) points += (await expirePoints(db, await contextOf(merchantId), now)).points;
    expiry = { merchants: expiring.length, points };
    const laddered = await db.selectDistinct({ merchantId: tierDefinitions.merchantId }).from(tierDefinitions);
    let changed = 0;
    for (const { merchantId } of laddered) changed += (await evaluateAllTiers(db, await contextOf(merchantId), now)).changed;
    tiers = { merchants: laddered.length, changed };
    // 生日礼: hourly is enough — each member's gift is once a year by reference.
    birthdays = await giveBirthdayGifts(db, contextOf, now);
  }
  return { checkouts, topUps, expiry, tiers, birthdays };
}
