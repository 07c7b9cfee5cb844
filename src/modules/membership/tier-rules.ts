// Tier rules: which tier a member holds. The qualifying metric is points EARNED (net of refund
// reversals) or net SPEND in fen over a rolling window — never the spendable balance, so spending
// points never costs a tier (the Open Loyalty bug).
//
// - Upgrades are immediate.
// - Downgrades follow the program: `none` (a tier once reached is kept), `automatic` (as soon as
//   the metric falls below), `after_days` (once the metric has stayed below for N days).
// - A manual tier is a floor with an expiry and a reason: the member holds at least that tier
//   until it expires, and rises above it on their own metric.

export type TierBasis = 'points_earned' | 'spend';
export type DowngradeMode = 'none' | 'automatic' | 'after_days';

export interface TierDefinition {
  readonly code: string;
  readonly rank: number;
  /** Metric needed in the window: points, or fen of spend. */
  readonly threshold: number;
}

export interface TierPolicy {
  readonly basis: TierBasis;
  readonly windowDays: number;
  readonly downgradeMode: DowngradeMode;
  readonly downgradeAfterDays: number;
}

export interface ManualFloor {
  readonly tierCode: string;
  readonly expiresAt: Date | null;
  readonly reason: string;
}

export interface MemberTierState {
  readonly tierCode: string | null;
  /** Since when the metric has been below the current tier (after_days mode); null when not. */
  readonly belowSince: Date | null;
  readonly floor: ManualFloor | null;
}

export type TierChange = 'none' | 'upgrade' | 'downgrade';

export interface TierDecision {
  readonly tierCode: string | null;
  readonly change: TierChange;
  readonly belowSince: Date | null;
  readonly reason: 'qualified' | 'manual_floor' | 'downgrade_automatic' | 'downgrade_after_days' | 'kept' | 'grace';
  /** The floor still in force (expired floors drop off). */
  readonly floor: ManualFloor | null;
}

const dayMs = 86_400_000;

/** The highest tier whose threshold the metric reaches; null when none. */
export function qualifiedTier(tiers: readonly TierDefinition[], metric: number): TierDefinition | null {
  let best: TierDefinition | null = null;
  for (const tier of tiers) if (metric >= tier.threshold && (!best || tier.rank > best.rank)) best = tier;
  return best;
}

export interface MetricEvent {
  readonly at: Date;
  /** Points earned (negative for a reversal) or fen spent (negative for a refund). */
  readonly amount: number;
}

/** Σ amounts within (now − windowDays, now], never below zero. */
export function windowMetric(events: readonly MetricEvent[], now: Date, windowDays: number): number {
  const from = now.getTime() - windowDays * dayMs;
  let sum = 0;
  for (const e of events) if (e.at.getTime() > from && e.at.getTime() <= now.getTime()) sum += e.amount;
  return Math.max(sum, 0);
}

function rankOf(tiers: readonly TierDefinition[], code: string | null): number {
  if (code === null) return -Infinity;
  return tiers.find((t) => t.code === code)?.rank ?? -Infinity;
}

function higher(tiers: readonly TierDefinition[], a: string | null, b: string | null): string | null {
  return rankOf(tiers, a) >= rankOf(tiers, b) ? a : b;
}

export function evaluateTier(tiers: readonly TierDefinition[], policy: TierPolicy, state: MemberTierState, metric: number, now: Date): TierDecision {
  const floor = state.floor && (state.floor.expiresAt === null || state.floor.expiresAt.getTime() > now.getTime()) ? state.floor : null;
  const earned = qualifiedTier(tiers, metric)?.code ?? null;
  // The tier the member is entitled to now: their own metric, raised to the floor.
  const entitled = floor ? higher(tiers, earned, floor.tierCode) : earned;
  const current = state.tierCode !== null && rankOf(tiers, state.tierCode) > -Infinity ? state.tierCode : null;
  const currentRank = rankOf(tiers, current);
  const entitledRank = rankOf(tiers, entitled);
  const reasonUp = floor && entitled === floor.tierCode && rankOf(tiers, earned) < rankOf(tiers, floor.tierCode) ? 'manual_floor' : 'qualified';

  if (entitledRank > currentRank) return { tierCode: entitled, change: 'upgrade', belowSince: null, reason: reasonUp, floor };
  if (entitledRank === currentRank) return { tierCode: current, change: 'none', belowSince: null, reason: 'kept', floor };

  // Below the current tier.
  switch (policy.downgradeMode) {
    case 'none':
      return { tierCode: current, change: 'none', belowSince: null, reason: 'kept', floor };
    case 'automatic':
      return { tierCode: entitled, change: 'downgrade', belowSince: null, reason: 'downgrade_automatic', floor };
    case 'after_days': {
      const since = state.belowSince ?? now;
      if (now.getTime() - since.getTime() >= policy.downgradeAfterDays * dayMs) {
        return { tierCode: entitled, change: 'downgrade', belowSince: null, reason: 'downgrade_after_days', floor };
      }
      return { tierCode: current, change: 'none', belowSince: since, reason: 'grace', floor };
    }
  }
}
