import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, fetchAll } from '../api.js';

// Views of the membership API (snake_case, as src/modules/membership/routes.ts and extra-routes.ts
// answer them) and what the membership pages share.

/** Who may do what, mirroring src/modules/membership/policies.ts (the API decides; these hide buttons). */
export const membershipRoles = {
  owners: ['merchant_owner', 'merchant_admin'],
  managers: ['merchant_owner', 'merchant_admin', 'store_manager'],
  counter: ['merchant_owner', 'merchant_admin', 'store_manager', 'cashier'],
  staff: ['merchant_owner', 'merchant_admin', 'store_manager', 'cashier', 'shopping_guide'],
} as const;

export interface Member {
  id: string;
  person_id: string | null;
  card_number: string;
  phone: string | null;
  display_name: string | null;
  birthday: string | null;
  identifiers: { kind: string; value: string }[];
  join_channel: string;
  store_id: string | null;
  joined_at: string;
  consent_version: string;
  consent_purposes: string[];
  marketing_opt_in: boolean;
  marketing_opt_in_at: string | null;
  status: string;
  tier: { code: string | null; since: string | null; below_since: string | null; floor: { code: string; expires_at: string | null; reason: string | null } | null };
}

export interface Tier {
  code: string;
  name: string;
  rank: number;
  threshold: number;
  points_multiplier_bps: number;
  discount_bps: number;
  birthday_gift: string | null;
}

export interface TierChange {
  id: string;
  from_tier: string | null;
  to_tier: string | null;
  reason: string;
  detail: string | null;
  metric: number | null;
  actor_id: string;
  occurred_at: string;
}

export interface Multiplier {
  id: string;
  multiplier_bps: number;
}

export interface Promotion {
  id: string;
  multiplier_bps: number;
  starts_at: string;
  ends_at: string;
  store_ids: string[] | null;
}

export interface EarnConfig {
  product_multipliers: Multiplier[];
  category_multipliers: Multiplier[];
  promotions: Promotion[];
  stack_promotions: boolean;
  event_points: Record<string, number>;
}

export interface TopUpPlan {
  pay_fen: number;
  bonus_fen: number;
}

export interface Program {
  name: string;
  card_design: { title?: string; background_color?: string; text_color?: string; logo_url?: string };
  join_rules: { at_payment: boolean; h5: boolean; counter: boolean; require_phone: boolean };
  consent_version: string;
  points_per_yuan: number;
  points_pending_days: number;
  points_expiry_days: number | null;
  allow_negative_points: boolean;
  redeem_points_per_yuan: number;
  earn_config: EarnConfig;
  stored_value_cap_fen: number;
  escrow_ratio_bps: number;
  top_up_plans: TopUpPlan[];
  /** A paid top-up earns on its principal (off: spending the value earns). */
  top_up_earns_points: boolean;
  /** A payer joining within this many hours after paying earns that payment. */
  retro_earn_hours: number;
  tier_basis: string;
  tier_window_days: number;
  tier_downgrade_mode: string;
  tier_downgrade_after_days: number;
  saved: boolean;
}

export interface PointsSummary {
  total: number;
  available: number;
  pending: number;
  expired_unswept: number;
  debt: number;
  cached: number;
  next_expiry: { at: string; points: number } | null;
}

export interface PointsEntry {
  id: string;
  lot_id: string;
  operation_id: string;
  type: string;
  delta: number;
  reason: string | null;
  reference: string | null;
  actor_id: string;
  occurred_at: string;
}

export interface PointsLot {
  id: string;
  kind: string;
  points: number;
  remaining: number;
  earned_at: string;
  available_at: string;
  expires_at: string | null;
  source: string;
  source_ref: string | null;
}

export interface StoredValueAccount {
  id: string;
  member_id: string;
  principal_fen: number;
  bonus_fen: number;
  balance_fen: number;
  cap_fen: number;
  status: string;
}

export interface StoredValueEntry {
  id: string;
  type: string;
  principal_fen: number;
  bonus_fen: number;
  payment_reference: string | null;
  reference: string | null;
  spend_entry_id: string | null;
  store_id: string | null;
  reason: string | null;
  actor_id: string;
  occurred_at: string;
}

export const couponKinds = ['cash_off', 'percent_off', 'threshold', 'free_item', 'exchange'] as const;
export type CouponKind = (typeof couponKinds)[number];

export interface CouponTemplate {
  id: string;
  name: string;
  description: string | null;
  kind: CouponKind;
  value_fen: number | null;
  percent_bps: number | null;
  cap_fen: number | null;
  min_spend_fen: number | null;
  product_sku: string | null;
  exchange_price_fen: number | null;
  store_ids: string[] | null;
  product_skus: string[] | null;
  stackable: boolean;
  validity: { kind: string; from: string | null; until: string | null; days: number | null };
  stock: number | null;
  issued_count: number;
  per_member_limit: number | null;
  status: string;
  created_at: string;
}

export interface Coupon {
  id: string;
  template_id: string;
  member_id: string;
  code: string;
  status: string;
  issued_at: string;
  valid_from: string;
  valid_until: string;
  issue_source: string;
  lock_holder: string | null;
  locked_until: string | null;
  redeemed_at: string | null;
  redeemed_store_id: string | null;
  redemption_reference: string | null;
  discount_fen: number | null;
  voided_at: string | null;
  void_reason: string | null;
}

export interface CouponCounts {
  template_id: string;
  issued: number;
  redeemed: number;
  voided: number;
  expired: number;
  open: number;
  redemption_rate_bps: number;
}

export interface TemplateStats extends CouponCounts {
  time_zone: string;
  series: { date: string; issued: number; redeemed: number }[];
}

export interface CheckoutResult {
  id: string;
  reference: string;
  member_id: string;
  amount_fen: number;
  member_discount_fen: number;
  coupons: { coupon_id: string; discount_fen: number }[];
  points: { spent: number; value_fen: number };
  stored_value: { spent_fen: number; principal_fen: number; bonus_fen: number; entry_id: string | null };
  remainder_due_fen: number;
  remainder_payment: { status: string; detail?: string; payment_id?: string | null; [key: string]: unknown } | null;
  [key: string]: unknown;
}

export interface EscrowReport {
  quarter: string;
  as_of: string;
  outstanding_principal_fen: number;
  outstanding_bonus_fen: number;
  ratio_bps: number;
  required_escrow_fen: number;
  accounts: number;
}

/** 500 bps → "5%"; 1250 → "12.5%". */
export function bpsPercent(bps: number): string {
  return `${Number((bps / 100).toFixed(2))}%`;
}

/** 15 000 bps → "×1.5". */
export function bpsMultiplier(bps: number): string {
  return `×${Number((bps / 10_000).toFixed(4))}`;
}

/** The last `count` calendar quarters that have ended, newest first ("2026Q3", …), in China time. */
export function endedQuarters(now: Date, count: number): string[] {
  const local = new Date(now.getTime() + 8 * 3_600_000);
  let year = local.getUTCFullYear();
  let q = Math.floor(local.getUTCMonth() / 3); // the current quarter's index = the last ended one's number
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    if (q === 0) {
      year -= 1;
      q = 4;
    }
    out.push(`${year}Q${q}`);
    q -= 1;
  }
  return out;
}

/** The tier ladder, for names and selects. */
export function useTiers(): { tiers: Tier[]; tierName: (code: string | null) => string; reload: () => void } {
  const [tiers, setTiers] = useState<Tier[]>([]);
  const load = useCallback(() => {
    api
      .get<{ items: Tier[] }>('/v1/membership/tiers')
      .then((r) => setTiers(r.items))
      .catch(() => undefined);
  }, []);
  useEffect(load, [load]);
  const names = useMemo(() => new Map(tiers.map((t) => [t.code, t.name])), [tiers]);
  return { tiers, tierName: (code) => (code ? (names.get(code) ?? code) : '—'), reload: load };
}

export function useProgram(): { program: Program | null; error: unknown; reload: () => Promise<void>; setProgram: (p: Program) => void } {
  const [program, setProgram] = useState<Program | null>(null);
  const [error, setError] = useState<unknown>(null);
  const reload = useCallback(async () => {
    try {
      setProgram(await api.get<Program>('/v1/membership/program'));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { program, error, reload, setProgram };
}

/** Coupon templates by id, for naming a member's coupons. */
export function useCouponTemplates(enabled = true): { templates: CouponTemplate[]; templateOf: (id: string) => CouponTemplate | undefined; reload: () => void } {
  const [templates, setTemplates] = useState<CouponTemplate[]>([]);
  const load = useCallback(() => {
    if (!enabled) return;
    fetchAll<CouponTemplate>('/v1/membership/coupon-templates')
      .then(setTemplates)
      .catch(() => undefined);
  }, [enabled]);
  useEffect(load, [load]);
  const byId = useMemo(() => new Map(templates.map((t) => [t.id, t])), [templates]);
  return { templates, templateOf: (id) => byId.get(id), reload: load };
}

/** A random reference for one checkout or adjustment dialog: retrying the same dialog applies once. */
export function newReference(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return `${prefix}${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
