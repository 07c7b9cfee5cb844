import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateTier, qualifiedTier, windowMetric, type MemberTierState, type TierDefinition, type TierPolicy } from './tier-rules.js';

const tiers: TierDefinition[] = [
  { code: 'silver', rank: 1, threshold: 0 },
  { code: 'gold', rank: 2, threshold: 1000 },
  { code: 'diamond', rank: 3, threshold: 5000 },
];
const day = 86_400_000;
const t0 = new Date('2026-03-01T00:00:00Z');
const at = (d: number) => new Date(t0.getTime() + d * day);
const policy = (downgradeMode: TierPolicy['downgradeMode'], downgradeAfterDays = 0): TierPolicy => ({ basis: 'points_earned', windowDays: 365, downgradeMode, downgradeAfterDays });
const state = (tierCode: string | null, extra: Partial<MemberTierState> = {}): MemberTierState => ({ tierCode, belowSince: null, floor: null, ...extra });

describe('tier rules', () => {
  it('qualifies on the metric, the highest threshold reached', () => {
    expect(qualifiedTier(tiers, 999)?.code).toBe('silver');
    expect(qualifiedTier(tiers, 1000)?.code).toBe('gold');
    expect(qualifiedTier([{ code: 'vip', rank: 1, threshold: 10 }], 9)).toBeNull();
  });

  it('counts only the rolling window, net of reversals', () => {
    const events = [
      { at: at(0), amount: 800 },
      { at: at(200), amount: 500 },
      { at: at(201), amount: -100 },
    ];
    expect(windowMetric(events, at(300), 365)).toBe(1200);
    expect(windowMetric(events, at(366), 365)).toBe(400);
    expect(windowMetric([{ at: at(1), amount: -50 }], at(2), 30)).toBe(0);
  });

  it('upgrades at once', () => {
    expect(evaluateTier(tiers, policy('none'), state('silver'), 5000, at(0))).toMatchObject({ tierCode: 'diamond', change: 'upgrade', reason: 'qualified' });
    expect(evaluateTier(tiers, policy('none'), state(null), 0, at(0))).toMatchObject({ tierCode: 'silver', change: 'upgrade' });
  });

  it('downgrades by mode: none keeps, automatic drops, after_days waits N days', () => {
    expect(evaluateTier(tiers, policy('none'), state('gold'), 10, at(0))).toMatchObject({ tierCode: 'gold', change: 'none' });
    expect(evaluateTier(tiers, policy('automatic'), state('gold'), 10, at(0))).toMatchObject({ tierCode: 'silver', change: 'downgrade', reason: 'downgrade_automatic' });
    const first = evaluateTier(tiers, policy('after_days', 30), state('gold'), 10, at(0));
    expect(first).toMatchObject({ tierCode: 'gold', change: 'none', reason: 'grace', belowSince: at(0) });
    expect(evaluateTier(tiers, policy('after_days', 30), state('gold', { belowSince: at(0) }), 10, at(29))).toMatchObject({ tierCode: 'gold', change: 'none' });
    expect(evaluateTier(tiers, policy('after_days', 30), state('gold', { belowSince: at(0) }), 10, at(30))).toMatchObject({ tierCode: 'silver', change: 'downgrade', reason: 'downgrade_after_days' });
    // Qualifying again clears the grace clock.
    expect(evaluateTier(tiers, policy('after_days', 30), state('gold', { belowSince: at(0) }), 1500, at(10))).toMatchObject({ tierCode: 'gold', belowSince: null });
  });

  it('holds a manual floor until it expires, and lets the metric rise above it', () => {
    const floor = { tierCode: 'diamond', expiresAt: at(90), reason: 'VIP from the owner' };
    expect(evaluateTier(tiers, policy('automatic'), state('silver', { floor }), 0, at(1))).toMatchObject({ tierCode: 'diamond', change: 'upgrade', reason: 'manual_floor' });
    expect(evaluateTier(tiers, policy('automatic'), state('diamond', { floor }), 0, at(89))).toMatchObject({ tierCode: 'diamond', change: 'none' });
    const expired = evaluateTier(tiers, policy('automatic'), state('diamond', { floor }), 0, at(90));
    expect(expired).toMatchObject({ tierCode: 'silver', change: 'downgrade', floor: null });
    const goldFloor = { tierCode: 'gold', expiresAt: null, reason: 'staff' };
    expect(evaluateTier(tiers, policy('automatic'), state('gold', { floor: goldFloor }), 6000, at(1))).toMatchObject({ tierCode: 'diamond', reason: 'qualified' });
  });

  it('never depends on anything but the metric and the floor (property: monotone in the metric)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 10_000 }), fc.constantFrom('none', 'automatic', 'after_days') as fc.Arbitrary<TierPolicy['downgradeMode']>, (a, b, mode) => {
        const low = Math.min(a, b);
        const high = Math.max(a, b);
        const rank = (code: string | null) => tiers.find((t) => t.code === code)?.rank ?? 0;
        const fromLow = evaluateTier(tiers, policy(mode, 10), state(null), low, at(0));
        const fromHigh = evaluateTier(tiers, policy(mode, 10), state(null), high, at(0));
        expect(rank(fromHigh.tierCode)).toBeGreaterThanOrEqual(rank(fromLow.tierCode));
      }),
    );
  });
});
