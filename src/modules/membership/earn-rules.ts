// Earn rules: how many points a purchase earns, and how many a refund takes back.
//
// Rounding rule, written once: multipliers are basis points (10 000 = ×1). For each line the
// weighted amount is net_fen × line_bps; the purchase earns
//   floor( Σ weighted × promotion_bps × tier_bps × points_per_yuan / (100 × 10 000³) )
// so fractions are dropped once per purchase, never per line. A refund takes back
//   earned(before the refund) − earned(after the refund)
// computed on what is left of each line, so the reversals of any sequence of partial refunds add
// up exactly to what the purchase earned, and a full refund takes back everything.
//
// Multipliers: a product's own multiplier wins over its category's (the more specific rule);
// only one time-boxed promotion applies per purchase, the newest by start (Square's rule), unless
// the program allows stacking, in which case their extras add up (×2 and ×3 → ×4).

export const BPS_ONE = 10_000;

export interface PurchaseLine {
  readonly productId?: string | undefined;
  readonly categoryId?: string | undefined;
  /** What was paid for the line after discounts, in fen. */
  readonly netFen: number;
}

export interface Multiplier {
  readonly id: string;
  readonly multiplierBps: number;
}

export interface Promotion {
  readonly id: string;
  readonly multiplierBps: number;
  readonly startsAt: Date;
  readonly endsAt: Date;
  /** Stores it runs in; null or empty = every store. */
  readonly storeIds?: readonly string[] | null;
}

export interface EarnProgram {
  /** Points per yuan (100 fen) of net spend; 0 turns spend-based earning off. */
  readonly pointsPerYuan: number;
  readonly productMultipliers?: readonly Multiplier[];
  readonly categoryMultipliers?: readonly Multiplier[];
  readonly promotions?: readonly Promotion[];
  readonly stackPromotions?: boolean;
}

export interface EarnContext {
  readonly at: Date;
  readonly storeId?: string | undefined;
  /** The member's tier benefit; ×1 when absent. */
  readonly tierMultiplierBps?: number | undefined;
}

/**
 * What a purchase earned on, kept with its lot: the line amounts with their multipliers and the
 * promotion, tier and rate in force, so a refund reverses at the rates of the purchase even after
 * the program changed.
 */
export interface EarnSnapshot {
  readonly lines: readonly { readonly netFen: number; readonly multiplierBps: number }[];
  readonly promotionBps: number;
  readonly tierMultiplierBps: number;
  readonly pointsPerYuan: number;
}

export interface EarnResult {
  readonly points: number;
  /** The promotions that applied (one unless stacking). */
  readonly promotionIds: string[];
  readonly snapshot: EarnSnapshot;
}

function assertFen(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be a non-negative integer of fen, got ${value}`);
}

export function lineMultiplierBps(line: PurchaseLine, program: EarnProgram): number {
  const product = line.productId ? program.productMultipliers?.find((m) => m.id === line.productId) : undefined;
  if (product) return product.multiplierBps;
  const category = line.categoryId ? program.categoryMultipliers?.find((m) => m.id === line.categoryId) : undefined;
  return category ? category.multiplierBps : BPS_ONE;
}

/** The promotions that apply to a purchase at `at` in `storeId`. */
export function applicablePromotions(program: EarnProgram, context: EarnContext): Promotion[] {
  const t = context.at.getTime();
  const running = (program.promotions ?? []).filter(
    (p) => p.startsAt.getTime() <= t && t < p.endsAt.getTime() && (!p.storeIds?.length || (context.storeId !== undefined && p.storeIds.includes(context.storeId))),
  );
  if (program.stackPromotions) return running;
  const newest = [...running].sort((a, b) => b.startsAt.getTime() - a.startsAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))[0];
  return newest ? [newest] : [];
}

/** Points a purchase earns; integer arithmetic throughout (BigInt), floored once. */
export function pointsForPurchase(lines: readonly PurchaseLine[], program: EarnProgram, context: EarnContext): EarnResult {
  const promotions = applicablePromotions(program, context);
  for (const line of lines) assertFen(line.netFen, 'net_fen');
  const snapshot: EarnSnapshot = {
    lines: lines.map((line) => ({ netFen: line.netFen, multiplierBps: lineMultiplierBps(line, program) })),
    promotionBps: promotions.reduce((bps, p) => bps + (p.multiplierBps - BPS_ONE), BPS_ONE),
    tierMultiplierBps: context.tierMultiplierBps ?? BPS_ONE,
    pointsPerYuan: program.pointsPerYuan,
  };
  return { points: pointsOf(snapshot, snapshot.lines.map((l) => l.netFen)), promotionIds: promotions.map((p) => p.id), snapshot };
}

function pointsOf(snapshot: EarnSnapshot, netFen: readonly number[]): number {
  let weighted = 0n;
  snapshot.lines.forEach((line, i) => {
    weighted += BigInt(netFen[i] ?? 0) * BigInt(Math.max(line.multiplierBps, 0));
  });
  const numerator = weighted * BigInt(Math.max(snapshot.promotionBps, 0)) * BigInt(Math.max(snapshot.tierMultiplierBps, 0)) * BigInt(Math.max(snapshot.pointsPerYuan, 0));
  return Number(numerator / (100n * BigInt(BPS_ONE) ** 3n));
}

/**
 * Points to take back for a refund: earned on what was left before it minus earned on what is
 * left after it. `refundedBefore` and `refundNow` are fen per line, in the purchase's line order.
 */
export function pointsToReverse(snapshot: EarnSnapshot, refundedBefore: readonly number[], refundNow: readonly number[]): number {
  const left = (refunded: (i: number) => number) =>
    snapshot.lines.map((line, i) => {
      const r = refunded(i);
      assertFen(r, 'refunded fen');
      if (r > line.netFen) throw new RangeError(`refunds of ${r} fen exceed line ${i} (${line.netFen} fen)`);
      return line.netFen - r;
    });
  if (refundNow.length > snapshot.lines.length || refundedBefore.length > snapshot.lines.length) throw new RangeError('more refund lines than purchase lines');
  const before = left((i) => refundedBefore[i] ?? 0);
  const after = left((i) => (refundedBefore[i] ?? 0) + (refundNow[i] ?? 0));
  return pointsOf(snapshot, before) - pointsOf(snapshot, after);
}

/**
 * Spreads an amount refunded on a whole purchase over its lines in proportion to what is left of
 * each (largest remainder, so the parts add up to the amount exactly).
 */
export function spreadOverLines(snapshot: EarnSnapshot, refundedBefore: readonly number[], amountFen: number): number[] {
  const left = snapshot.lines.map((l, i) => l.netFen - (refundedBefore[i] ?? 0));
  const total = left.reduce((a, b) => a + b, 0);
  assertFen(amountFen, 'refund');
  if (amountFen > total) throw new RangeError(`refund of ${amountFen} fen exceeds what is left (${total} fen)`);
  if (total === 0) return left.map(() => 0);
  const exact = left.map((l) => (BigInt(amountFen) * BigInt(l)));
  const parts = exact.map((e) => Number(e / BigInt(total)));
  let rest = amountFen - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, r: e % BigInt(total) })).sort((a, b) => (b.r > a.r ? 1 : b.r < a.r ? -1 : a.i - b.i));
  for (const { i } of order) {
    if (rest === 0) break;
    if ((parts[i] ?? 0) < (left[i] ?? 0)) {
      parts[i] = (parts[i] ?? 0) + 1;
      rest--;
    }
  }
  return parts;
}

/** Points for an event (an activity check-in, a review): fixed, not tied to spend. */
export function pointsForEvent(eventPoints: Readonly<Record<string, number>>, eventType: string): number {
  const points = eventPoints[eventType];
  return points !== undefined && Number.isSafeInteger(points) && points > 0 ? points : 0;
}
