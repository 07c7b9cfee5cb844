// The membership program: one per merchant. Until a merchant saves one, reads answer the defaults
// (a read never writes); the first update stores it.
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { appendAudit, authorize, findMerchantById, publishEvent, requireMerchantId, type AccessContext } from '../platform/index.js';
import type { EarnProgram } from './earn-rules.js';
import { membershipErrors } from './errors.js';
import { assertStore } from './stores.js';
import { programs, tierDefinitions, type CardDesign, type EarnConfig, type JoinRules } from './schema.js';
import type { TierDefinition, TierPolicy } from './tier-rules.js';

export type Program = typeof programs.$inferSelect;
export type TierRow = typeof tierDefinitions.$inferSelect;

/** Registered (记名) card cap under the prepaid-card rules: ¥5,000. */
export const DEFAULT_STORED_VALUE_CAP_FEN = 500_000;
/** Brands and franchises owe the highest escrow share (40 %); merchants lower it when it applies. */
export const DEFAULT_ESCROW_RATIO_BPS = 4_000;

export function defaultProgram(merchantId: string, merchantName: string): Program {
  const epoch = new Date(0);
  return {
    merchantId,
    name: `${merchantName} 会员`,
    cardDesign: { title: merchantName, background_color: '#1f2937', text_color: '#ffffff' },
    joinRules: { at_payment: true, h5: true, counter: true, require_phone: false },
    consentVersion: 'v1',
    pointsPerYuan: 1,
    pointsPendingDays: 0,
    pointsExpiryDays: 365,
    allowNegativePoints: false,
    redeemPointsPerYuan: 100,
    earnConfig: { product_multipliers: [], category_multipliers: [], promotions: [], stack_promotions: false, event_points: {} },
    storedValueCapFen: DEFAULT_STORED_VALUE_CAP_FEN,
    escrowRatioBps: DEFAULT_ESCROW_RATIO_BPS,
    topUpPlans: [],
    topUpEarnsPoints: false,
    retroEarnHours: 24,
    tierBasis: 'points_earned',
    tierWindowDays: 365,
    tierDowngradeMode: 'none',
    tierDowngradeAfterDays: 0,
    createdAt: epoch,
    updatedAt: epoch,
  };
}

/** The merchant's program, or its defaults; inside a service's transaction. */
export async function loadProgram(db: Db, merchantId: string): Promise<Program> {
  const [row] = await db.select().from(programs).where(eq(programs.merchantId, merchantId));
  if (row) return row;
  const merchant = await findMerchantById(db, merchantId);
  return defaultProgram(merchantId, merchant?.name ?? '');
}

export async function getProgram(db: Db, ctx: AccessContext): Promise<Program> {
  authorize(ctx, 'membership.read');
  return loadProgram(db, requireMerchantId(ctx));
}

export interface ProgramPatch {
  readonly name?: string;
  readonly cardDesign?: CardDesign;
  readonly joinRules?: Partial<JoinRules>;
  readonly consentVersion?: string;
  readonly pointsPerYuan?: number;
  readonly pointsPendingDays?: number;
  readonly pointsExpiryDays?: number | null;
  readonly allowNegativePoints?: boolean;
  readonly redeemPointsPerYuan?: number;
  readonly earnConfig?: Partial<EarnConfig>;
  readonly storedValueCapFen?: number;
  readonly escrowRatioBps?: number;
  readonly topUpPlans?: { pay_fen: number; bonus_fen: number }[];
  readonly topUpEarnsPoints?: boolean;
  readonly retroEarnHours?: number;
  readonly tierBasis?: 'points_earned' | 'spend';
  readonly tierWindowDays?: number;
  readonly tierDowngradeMode?: 'none' | 'automatic' | 'after_days';
  readonly tierDowngradeAfterDays?: number;
}

export async function updateProgram(db: Db, ctx: AccessContext, patch: ProgramPatch): Promise<Program> {
  authorize(ctx, 'membership.program.write');
  const merchantId = requireMerchantId(ctx);
  for (const promo of patch.earnConfig?.promotions ?? []) {
    if (!(Date.parse(promo.starts_at) < Date.parse(promo.ends_at))) throw membershipErrors.make('program_invalid', `promotion ${promo.id} must start before it ends`);
    for (const storeId of promo.store_ids ?? []) await assertStore(db, ctx, storeId);
  }
  if (patch.tierDowngradeMode === 'after_days' && !patch.tierDowngradeAfterDays) {
    const current = await loadProgram(db, merchantId);
    if (!current.tierDowngradeAfterDays) throw membershipErrors.make('program_invalid', 'after_days needs tier_downgrade_after_days > 0');
  }
  return db.transaction(async (tx) => {
    const before = await loadProgram(tx, merchantId);
    const { createdAt: _c, updatedAt: _u, ...base } = before;
    const next = {
      ...base,
      ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
      joinRules: { ...before.joinRules, ...patch.joinRules },
      earnConfig: { ...before.earnConfig, ...patch.earnConfig },
      cardDesign: patch.cardDesign ? { ...before.cardDesign, ...patch.cardDesign } : before.cardDesign,
      merchantId,
      updatedAt: new Date(),
    };
    const [row] = await tx.insert(programs).values(next).onConflictDoUpdate({ target: programs.merchantId, set: next }).returning();
    await appendAudit(tx, ctx, { action: 'membership.program.update', targetType: 'membership_program', targetId: merchantId, before: base, after: patch });
    await publishEvent(tx, merchantId, 'membership.program.updated', { merchant_id: merchantId });
    return row!;
  });
}

export function earnProgramOf(program: Program): EarnProgram {
  const config = program.earnConfig;
  return {
    pointsPerYuan: program.pointsPerYuan,
    productMultipliers: config.product_multipliers.map((m) => ({ id: m.id, multiplierBps: m.multiplier_bps })),
    categoryMultipliers: config.category_multipliers.map((m) => ({ id: m.id, multiplierBps: m.multiplier_bps })),
    promotions: config.promotions.map((p) => ({ id: p.id, multiplierBps: p.multiplier_bps, startsAt: new Date(p.starts_at), endsAt: new Date(p.ends_at), storeIds: p.store_ids })),
    stackPromotions: config.stack_promotions,
  };
}

export function tierPolicyOf(program: Program): TierPolicy {
  return {
    basis: program.tierBasis === 'spend' ? 'spend' : 'points_earned',
    windowDays: program.tierWindowDays,
    downgradeMode: program.tierDowngradeMode === 'automatic' || program.tierDowngradeMode === 'after_days' ? program.tierDowngradeMode : 'none',
    downgradeAfterDays: program.tierDowngradeAfterDays,
  };
}

// ---- tiers ----

export async function loadTiers(db: Db, merchantId: string): Promise<TierRow[]> {
  return db.select().from(tierDefinitions).where(eq(tierDefinitions.merchantId, merchantId)).orderBy(asc(tierDefinitions.rank));
}

export const tierRuleOf = (t: TierRow): TierDefinition => ({ code: t.code, rank: t.rank, threshold: t.threshold });

export async function listTiers(db: Db, ctx: AccessContext): Promise<TierRow[]> {
  authorize(ctx, 'membership.read');
  return loadTiers(db, requireMerchantId(ctx));
}

export interface TierInput {
  readonly code: string;
  readonly name: string;
  readonly rank: number;
  readonly threshold: number;
  readonly pointsMultiplierBps: number;
  readonly discountBps: number;
  readonly birthdayGift: string | null;
}

/**
 * Replaces the tier ladder. Codes are the ids members point at, so a code still held by a member
 * cannot be dropped (the member would hold a tier that no longer exists).
 */
export async function replaceTiers(db: Db, ctx: AccessContext, tiers: readonly TierInput[], heldCodes: (tx: Db) => Promise<Set<string>>): Promise<TierRow[]> {
  authorize(ctx, 'membership.program.write');
  const merchantId = requireMerchantId(ctx);
  const problems: { field: string; message: string }[] = [];
  const codes = new Set<string>();
  const ranks = new Set<number>();
  tiers.forEach((t, i) => {
    if (codes.has(t.code)) problems.push({ field: `tiers[${i}].code`, message: 'duplicate code' });
    if (ranks.has(t.rank)) problems.push({ field: `tiers[${i}].rank`, message: 'duplicate rank' });
    codes.add(t.code);
    ranks.add(t.rank);
  });
  const sorted = [...tiers].sort((a, b) => a.rank - b.rank);
  sorted.forEach((t, i) => {
    const prev = sorted[i - 1];
    if (prev && t.threshold <= prev.threshold) problems.push({ field: `tiers.${t.code}.threshold`, message: 'a higher rank needs a higher threshold' });
  });
  if (problems.length) throw membershipErrors.make('tiers_invalid', problems.map((p) => `${p.field}: ${p.message}`).join('; '), { fields: problems });
  return db.transaction(async (tx) => {
    const before = await loadTiers(tx, merchantId);
    const held = await heldCodes(tx);
    const dropped = [...held].filter((code) => !codes.has(code));
    if (dropped.length) throw membershipErrors.make('tiers_invalid', `members still hold ${dropped.join(', ')}`);
    await tx.delete(tierDefinitions).where(eq(tierDefinitions.merchantId, merchantId));
    if (tiers.length) await tx.insert(tierDefinitions).values(tiers.map((t) => ({ merchantId, ...t })));
    await appendAudit(tx, ctx, { action: 'membership.tiers.replace', targetType: 'membership_program', targetId: merchantId, before, after: tiers });
    return loadTiers(tx, merchantId);
  });
}

export async function findTier(db: Db, merchantId: string, code: string): Promise<TierRow | undefined> {
  const [row] = await db.select().from(tierDefinitions).where(and(eq(tierDefinitions.merchantId, merchantId), eq(tierDefinitions.code, code)));
  return row;
}
