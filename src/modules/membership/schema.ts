// Membership (大会员) tables. Ledgers (points entries, stored-value entries, tier history) are
// append-only — the database refuses updates and deletes (migration membership_append_only) —
// and balances on accounts and lots are caches checked against the sum of entries.
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

const fen = (name: string) => bigint(name, { mode: 'number' });
const points = (name: string) => bigint(name, { mode: 'number' });
const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const createdAt = () => at('created_at').notNull().defaultNow();
const updatedAt = () => at('updated_at').notNull().defaultNow();

export interface CardDesign {
  title?: string;
  background_color?: string;
  text_color?: string;
  logo_url?: string;
}

export interface JoinRules {
  /** 支付即会员: the pay-result page offers to join. */
  at_payment: boolean;
  /** Members may join from the H5 page. */
  h5: boolean;
  /** Staff may enrol at the counter. */
  counter: boolean;
  require_phone: boolean;
}

export interface EarnConfig {
  product_multipliers: { id: string; multiplier_bps: number }[];
  category_multipliers: { id: string; multiplier_bps: number }[];
  promotions: { id: string; multiplier_bps: number; starts_at: string; ends_at: string; store_ids: string[] | null }[];
  stack_promotions: boolean;
  event_points: Record<string, number>;
}

/** One program per merchant. */
export const programs = pgTable('membership_programs', {
  merchantId: text('merchant_id').primaryKey(),
  name: text('name').notNull(),
  cardDesign: jsonb('card_design').$type<CardDesign>().notNull(),
  joinRules: jsonb('join_rules').$type<JoinRules>().notNull(),
  /** The consent text version members accept when joining now. */
  consentVersion: text('consent_version').notNull(),
  pointsPerYuan: integer('points_per_yuan').notNull(),
  pointsPendingDays: integer('points_pending_days').notNull(),
  /** null: points never expire. */
  pointsExpiryDays: integer('points_expiry_days'),
  allowNegativePoints: boolean('allow_negative_points').notNull(),
  /** Points as payment: how many points make ¥1. */
  redeemPointsPerYuan: integer('redeem_points_per_yuan').notNull(),
  earnConfig: jsonb('earn_config').$type<EarnConfig>().notNull(),
  storedValueCapFen: fen('stored_value_cap_fen').notNull(),
  escrowRatioBps: integer('escrow_ratio_bps').notNull(),
  topUpPlans: jsonb('top_up_plans').$type<{ pay_fen: number; bonus_fen: number }[]>().notNull(),
  /** A top-up earns points only when the merchant says so (spending the value earns them otherwise). */
  topUpEarnsPoints: boolean('top_up_earns_points').notNull().default(false),
  /** 支付即会员: a payer who joins within this many hours after paying earns that payment's points. */
  retroEarnHours: integer('retro_earn_hours').notNull().default(24),
  tierBasis: text('tier_basis').notNull(),
  tierWindowDays: integer('tier_window_days').notNull(),
  tierDowngradeMode: text('tier_downgrade_mode').notNull(),
  tierDowngradeAfterDays: integer('tier_downgrade_after_days').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const members = pgTable(
  'membership_members',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    /** The identity module's person, when resolution ran; links across modules are ids. */
    personId: text('person_id'),
    cardNumber: text('card_number').notNull(),
    phone: text('phone'), // personal information
    displayName: text('display_name'), // personal information
    birthday: text('birthday'), // personal information (YYYY-MM-DD)
    /** Channel identifiers kept here only when identity could not resolve them. */
    identifiers: jsonb('identifiers').$type<{ kind: string; value: string }[]>().notNull().default([]), // personal information
    joinChannel: text('join_channel').notNull(),
    storeId: text('store_id'),
    joinedAt: at('joined_at').notNull(),
    consentVersion: text('consent_version').notNull(),
    consentPurposes: jsonb('consent_purposes').$type<string[]>().notNull(),
    /** Marketing messages are a separate opt-in (PIPL art. 24). */
    marketingOptIn: boolean('marketing_opt_in').notNull().default(false),
    marketingOptInAt: at('marketing_opt_in_at'),
    status: text('status').notNull().default('active'), // active | suspended | merged
    /** The surviving member, when an ID+ merge absorbed this one (status merged); reads resolve to it. */
    mergedInto: text('merged_into'),
    /** The ID+ merge (mrg_…) that absorbed it: value arriving after it (a released checkout) moves on under that merge. */
    mergeId: text('merge_id'),
    tierCode: text('tier_code'),
    tierSince: at('tier_since'),
    tierBelowSince: at('tier_below_since'),
    tierFloorCode: text('tier_floor_code'),
    tierFloorExpiresAt: at('tier_floor_expires_at'),
    tierFloorReason: text('tier_floor_reason'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    uniqueIndex('membership_members_card_uq').on(t.merchantId, t.cardNumber),
    uniqueIndex('membership_members_person_uq').on(t.merchantId, t.personId).where(sql`${t.personId} is not null`),
    index('membership_members_phone_idx').on(t.merchantId, t.phone),
  ],
);

/** Cached points balance per member; the row every points operation locks. */
export const pointsAccounts = pgTable(
  'membership_points_accounts',
  {
    merchantId: text('merchant_id').notNull(),
    memberId: text('member_id').notNull(),
    balance: points('balance').notNull().default(0),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.memberId] })],
);

export const pointsLots = pgTable(
  'membership_points_lots',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    memberId: text('member_id').notNull(),
    kind: text('kind').notNull(), // earn | debt
    points: points('points').notNull(),
    /** Cache: Σ this lot's entries. */
    remaining: points('remaining').notNull(),
    earnedAt: at('earned_at').notNull(),
    availableAt: at('available_at').notNull(),
    expiresAt: at('expires_at'),
    source: text('source').notNull(), // purchase | manual | event | adjust | debt
    sourceRef: text('source_ref'),
    /** What a purchase earned on, so refunds reverse at its rates (earn-rules.ts EarnSnapshot). */
    earnSnapshot: jsonb('earn_snapshot'),
    /** Fen refunded so far per purchase line. */
    refundedFen: jsonb('refunded_fen').$type<number[]>(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    index('membership_points_lots_member_idx').on(t.merchantId, t.memberId, t.earnedAt),
    index('membership_points_lots_expiry_idx').on(t.merchantId, t.expiresAt).where(sql`${t.remaining} > 0`),
    uniqueIndex('membership_points_lots_debt_uq').on(t.merchantId, t.memberId).where(sql`${t.kind} = 'debt'`),
    check('membership_points_lots_sign', sql`(${t.kind} = 'earn' and ${t.remaining} >= 0) or (${t.kind} = 'debt' and ${t.remaining} <= 0)`),
  ],
);

export const pointsEntries = pgTable(
  'membership_points_entries',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    memberId: text('member_id').notNull(),
    lotId: text('lot_id').notNull(),
    /** Entries written by one operation share it (a spend over three lots is one operation). */
    operationId: text('operation_id').notNull(),
    type: text('type').notNull(),
    delta: points('delta').notNull(),
    reason: text('reason'),
    reference: text('reference'),
    actorId: text('actor_id').notNull(),
    occurredAt: at('occurred_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    index('membership_points_entries_member_idx').on(t.merchantId, t.memberId, t.id),
    index('membership_points_entries_lot_idx').on(t.merchantId, t.lotId),
  ],
);

/** External references already applied (a payment's earn, a refund's reversal): exactly once. */
export const appliedReferences = pgTable(
  'membership_applied_references',
  {
    merchantId: text('merchant_id').notNull(),
    kind: text('kind').notNull(),
    reference: text('reference').notNull(),
    operationId: text('operation_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.kind, t.reference] })],
);

/** 储值 card: principal and bonus kept apart; cached balances checked against entries. */
export const storedValueAccounts = pgTable(
  'membership_stored_value_accounts',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    memberId: text('member_id').notNull(),
    principalFen: fen('principal_fen').notNull().default(0),
    bonusFen: fen('bonus_fen').notNull().default(0),
    /** Per-card cap; null = the program's. */
    capFen: fen('cap_fen'),
    status: text('status').notNull().default('active'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    uniqueIndex('membership_stored_value_accounts_member_uq').on(t.merchantId, t.memberId),
    check('membership_stored_value_accounts_non_negative', sql`${t.principalFen} >= 0 and ${t.bonusFen} >= 0`),
  ],
);

export const storedValueEntries = pgTable(
  'membership_stored_value_entries',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    accountId: text('account_id').notNull(),
    memberId: text('member_id').notNull(),
    type: text('type').notNull(), // top_up | spend | refund | adjust | expire | transfer_on_merge
    principalDelta: fen('principal_delta').notNull(),
    bonusDelta: fen('bonus_delta').notNull(),
    /** Top-ups: the payment that paid for it. */
    paymentReference: text('payment_reference'),
    reference: text('reference'),
    /** A refund back to the card names the spend it undoes. */
    spendEntryId: text('spend_entry_id'),
    storeId: text('store_id'),
    reason: text('reason'),
    actorId: text('actor_id').notNull(),
    occurredAt: at('occurred_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    index('membership_stored_value_entries_account_idx').on(t.merchantId, t.accountId, t.id),
    index('membership_stored_value_entries_spend_idx').on(t.merchantId, t.spendEntryId).where(sql`${t.spendEntryId} is not null`),
    index('membership_stored_value_entries_time_idx').on(t.merchantId, t.occurredAt),
  ],
);

export const couponTemplates = pgTable(
  'membership_coupon_templates',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    kind: text('kind').notNull(),
    valueFen: fen('value_fen'),
    percentBps: integer('percent_bps'),
    capFen: fen('cap_fen'),
    minSpendFen: fen('min_spend_fen'),
    productSku: text('product_sku'),
    exchangePriceFen: fen('exchange_price_fen'),
    storeIds: jsonb('store_ids').$type<string[] | null>(),
    productSkus: jsonb('product_skus').$type<string[] | null>(),
    stackable: boolean('stackable').notNull().default(false),
    validityKind: text('validity_kind').notNull(), // fixed | relative
    validFrom: at('valid_from'),
    validUntil: at('valid_until'),
    validDays: integer('valid_days'),
    /** null: unlimited. */
    stock: integer('stock'),
    issuedCount: integer('issued_count').notNull().default(0),
    perMemberLimit: integer('per_member_limit'),
    status: text('status').notNull().default('active'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    check('membership_coupon_templates_stock', sql`${t.stock} is null or ${t.issuedCount} <= ${t.stock}`),
  ],
);

export const coupons = pgTable(
  'membership_coupons',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    templateId: text('template_id').notNull(),
    memberId: text('member_id').notNull(),
    code: text('code').notNull(),
    status: text('status').notNull().default('issued'), // issued | locked | redeemed | expired | void
    issuedAt: at('issued_at').notNull(),
    validFrom: at('valid_from').notNull(),
    validUntil: at('valid_until').notNull(),
    issueSource: text('issue_source').notNull(),
    issueReference: text('issue_reference'),
    lockHolder: text('lock_holder'),
    lockedUntil: at('locked_until'),
    redeemedAt: at('redeemed_at'),
    redeemedStoreId: text('redeemed_store_id'),
    redemptionReference: text('redemption_reference'),
    discountFen: fen('discount_fen'),
    voidedAt: at('voided_at'),
    voidReason: text('void_reason'),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    uniqueIndex('membership_coupons_code_uq').on(t.merchantId, t.code),
    index('membership_coupons_member_idx').on(t.merchantId, t.memberId, t.id),
    index('membership_coupons_template_member_idx').on(t.merchantId, t.templateId, t.memberId),
  ],
);

export const tierDefinitions = pgTable(
  'membership_tier_definitions',
  {
    merchantId: text('merchant_id').notNull(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    rank: integer('rank').notNull(),
    threshold: bigint('threshold', { mode: 'number' }).notNull(),
    pointsMultiplierBps: integer('points_multiplier_bps').notNull().default(10_000),
    discountBps: integer('discount_bps').notNull().default(0),
    birthdayGift: text('birthday_gift'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.code] }), uniqueIndex('membership_tier_definitions_rank_uq').on(t.merchantId, t.rank)],
);

export const tierHistory = pgTable(
  'membership_tier_history',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    memberId: text('member_id').notNull(),
    fromTier: text('from_tier'),
    toTier: text('to_tier'),
    reason: text('reason').notNull(),
    detail: text('detail'),
    metric: bigint('metric', { mode: 'number' }),
    actorId: text('actor_id').notNull(),
    occurredAt: at('occurred_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.id] }), index('membership_tier_history_member_idx').on(t.merchantId, t.memberId, t.id)],
);

/** One checkout's receipt: what each kind of value paid, and what is left for the payments module. */
export const checkouts = pgTable(
  'membership_checkouts',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    reference: text('reference').notNull(),
    memberId: text('member_id').notNull(),
    storeId: text('store_id').notNull(),
    amountFen: fen('amount_fen').notNull(),
    memberDiscountFen: fen('member_discount_fen').notNull(),
    coupons: jsonb('coupons').$type<{ coupon_id: string; discount_fen: number }[]>().notNull(),
    pointsSpent: points('points_spent').notNull(),
    pointsValueFen: fen('points_value_fen').notNull(),
    pointsOperationId: text('points_operation_id'),
    storedValueFen: fen('stored_value_fen').notNull(),
    storedValueEntryId: text('stored_value_entry_id'),
    remainderDueFen: fen('remainder_due_fen').notNull(),
    /** remainder_due (collected elsewhere) | awaiting_payment → completed | released; completed → refunded. */
    status: text('status').notNull(),
    /** The order lines (product, category, gross): what the accrual at completion spreads over. */
    lines: jsonb('lines').$type<{ product_id: string | null; category_id: string | null; unit_price_fen: number; quantity: number }[]>(),
    /** The payments module's payment that collects the remainder (checkout-payments.ts). */
    paymentId: text('payment_id'),
    paymentMethod: text('payment_method'),
    /** Points the checkout earned on cash + stored-value principal, under reference `checkout:<id>`. */
    pointsEarned: points('points_earned').notNull().default(0),
    /** Fen of the payable (points value + stored value + remainder) refunded so far. */
    refundedFen: fen('refunded_fen').notNull().default(0),
    completedAt: at('completed_at'),
    releasedAt: at('released_at'),
    releaseReason: text('release_reason'),
    /** A payment that succeeded after the checkout was released: refunded by the membership worker. */
    orphanPaymentId: text('orphan_payment_id'),
    orphanRefundId: text('orphan_refund_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    // A released checkout (its payment failed) frees the order reference for the cashier's retry.
    uniqueIndex('membership_checkouts_reference_uq').on(t.merchantId, t.reference).where(sql`${t.status} <> 'released'`),
    index('membership_checkouts_member_idx').on(t.merchantId, t.memberId, t.id),
    index('membership_checkouts_awaiting_idx').on(t.status, t.createdAt).where(sql`${t.status} = 'awaiting_payment' or (${t.orphanPaymentId} is not null and ${t.orphanRefundId} is null)`),
  ],
);

/** A refund of (part of) a completed checkout: the money part through payments, value parts restored. */
export const checkoutRefunds = pgTable(
  'membership_checkout_refunds',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    checkoutId: text('checkout_id').notNull(),
    memberId: text('member_id').notNull(),
    /** Fen of the payable refunded by this refund, split below. */
    amountFen: fen('amount_fen').notNull(),
    cashFen: fen('cash_fen').notNull(),
    storedValueFen: fen('stored_value_fen').notNull(),
    pointsRestored: points('points_restored').notNull(),
    pointsReversed: points('points_reversed').notNull(),
    couponsRestored: boolean('coupons_restored').notNull(),
    paymentRefundId: text('payment_refund_id'),
    /** processing (money refund pending at the channel) | succeeded | failed */
    paymentRefundStatus: text('payment_refund_status'),
    reason: text('reason').notNull(),
    actorId: text('actor_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.id] }), index('membership_checkout_refunds_checkout_idx').on(t.merchantId, t.checkoutId)],
);

/** A stored-value top-up paid through payments: awaiting its payment, credited once when it succeeds. */
export const topUps = pgTable(
  'membership_top_ups',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    memberId: text('member_id').notNull(),
    storeId: text('store_id').notNull(),
    principalFen: fen('principal_fen').notNull(),
    /** The plan's bonus when the order was made: a plan changed meanwhile does not change it. */
    bonusFen: fen('bonus_fen').notNull(),
    method: text('method').notNull(), // barcode | qr
    paymentId: text('payment_id'),
    /** awaiting_payment → credited | failed */
    status: text('status').notNull(),
    failureReason: text('failure_reason'),
    entryId: text('entry_id'),
    refundedPrincipalFen: fen('refunded_principal_fen').notNull().default(0),
    forfeitedBonusFen: fen('forfeited_bonus_fen').notNull().default(0),
    actorId: text('actor_id').notNull(),
    createdAt: createdAt(),
    creditedAt: at('credited_at'),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    index('membership_top_ups_member_idx').on(t.merchantId, t.memberId, t.id),
    index('membership_top_ups_awaiting_idx').on(t.status, t.createdAt).where(sql`${t.status} = 'awaiting_payment'`),
    check('membership_top_ups_refunded', sql`${t.refundedPrincipalFen} between 0 and ${t.principalFen} and ${t.forfeitedBonusFen} between 0 and ${t.bonusFen}`),
  ],
);

/** A refund of a top-up's unused principal: debited first, then paid back through payments. */
export const topUpRefunds = pgTable(
  'membership_top_up_refunds',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    topUpId: text('top_up_id').notNull(),
    memberId: text('member_id').notNull(),
    principalFen: fen('principal_fen').notNull(),
    forfeitedBonusFen: fen('forfeited_bonus_fen').notNull(),
    paymentRefundId: text('payment_refund_id'),
    /** processing | succeeded | failed (a failed one was put back on the card) */
    status: text('status').notNull(),
    reason: text('reason').notNull(),
    actorId: text('actor_id').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.id] }), index('membership_top_up_refunds_top_up_idx').on(t.merchantId, t.topUpId)],
);

/**
 * A non-member's succeeded payment, kept for the program's retro window: if the payer joins within
 * it (支付即会员 on the pay-result page), the payment earns as if they had been a member.
 */
export const retroAccruals = pgTable(
  'membership_retro_accruals',
  {
    merchantId: text('merchant_id').notNull(),
    paymentId: text('payment_id').notNull(),
    personId: text('person_id').notNull(),
    storeId: text('store_id').notNull(),
    amountFen: fen('amount_fen').notNull(),
    refundedFen: fen('refunded_fen').notNull().default(0),
    paidAt: at('paid_at').notNull(),
    claimedByMemberId: text('claimed_by_member_id'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.paymentId] }), index('membership_retro_accruals_person_idx').on(t.merchantId, t.personId, t.paidAt)],
);

/** Templates the merchant lets partners issue (with a partner API key, scope membership:coupons.issue). */
export const partnerCouponTemplates = pgTable(
  'membership_partner_coupon_templates',
  {
    merchantId: text('merchant_id').notNull(),
    templateId: text('template_id').notNull(),
    enabledBy: text('enabled_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.templateId] })],
);

/**
 * Value an unmerge could not give back because it was used while the members were merged (points
 * burnt from a moved lot, stored value spent from the card, a moved coupon redeemed): what the
 * owing member owes the owed member, kept open until staff settle it (ADR: identity merge of members).
 */
export const mergeShortfalls = pgTable(
  'membership_merge_shortfalls',
  {
    merchantId: text('merchant_id').notNull(),
    /** msf_… — what the settlement API names (rows from before it got ids: msf_ + a digest). */
    id: text('id').notNull(),
    mergeId: text('merge_id').notNull(),
    kind: text('kind').notNull(), // points | stored_value_principal | stored_value_bonus | coupon
    /** The lot or coupon it concerns; '' for stored value (one card per member). */
    itemId: text('item_id').notNull(),
    owedToMemberId: text('owed_to_member_id').notNull(),
    owedByMemberId: text('owed_by_member_id').notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    status: text('status').notNull().default('open'), // open | settled | written_off
    createdAt: createdAt(),
    /** Settled (value moved from the owing member to the owed one) or written off, once, by staff with a reason. */
    resolvedAt: at('resolved_at'),
    resolvedBy: text('resolved_by'),
    resolutionReason: text('resolution_reason'),
    /** What the settlement wrote: the points operation, the stored-value entry or the replacement coupon. */
    resolutionReference: text('resolution_reference'),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.mergeId, t.kind, t.itemId] }),
    uniqueIndex('membership_merge_shortfalls_id_uq').on(t.merchantId, t.id),
    index('membership_merge_shortfalls_owed_idx').on(t.merchantId, t.owedToMemberId),
    index('membership_merge_shortfalls_owed_by_idx').on(t.merchantId, t.owedByMemberId),
    check('membership_merge_shortfalls_amount_ck', sql`${t.amount} > 0`),
    check('membership_merge_shortfalls_status_ck', sql`${t.status} in ('open', 'settled', 'written_off')`),
    check('membership_merge_shortfalls_resolved_ck', sql`(${t.status} = 'open') = (${t.resolvedAt} is null)`),
  ],
);

/**
 * Consent records (PIPL): what a member agreed to, under which text version, when, through which
 * channel and on whose device. Append-only (the database refuses updates and deletes): a withdrawal
 * or a later opt-in is a new row, so the record at any past moment can be replayed.
 */
export const consents = pgTable(
  'membership_consents',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    memberId: text('member_id').notNull(),
    personId: text('person_id'),
    action: text('action').notNull(), // grant | withdraw
    /** The purposes this row grants or withdraws (membership, marketing). */
    purposes: jsonb('purposes').$type<string[]>().notNull(),
    textVersion: text('text_version').notNull(),
    /** SHA-256 of the exact text shown, so a version cannot silently change under a record. */
    textSha256: text('text_sha256').notNull(),
    channel: text('channel').notNull(), // payment | h5 | counter | api
    paymentId: text('payment_id'),
    storeId: text('store_id'),
    /** Who captured it: the member on their phone, or staff on the cashier's device. */
    actorKind: text('actor_kind').notNull(), // member | staff
    actorId: text('actor_id'),
    /** Phone given with the consent and whether possession was proven (no SMS yet: false). */
    evidence: jsonb('evidence').$type<Record<string, unknown>>().notNull().default({}),
    recordedAt: at('recorded_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.id] }), index('membership_consents_member_idx').on(t.merchantId, t.memberId, t.recordedAt)],
);

/** The secret behind a member's dynamic card code (member-code.ts); made when the card is first shown. */
export const memberCodeKeys = pgTable(
  'membership_member_code_keys',
  {
    merchantId: text('merchant_id').notNull(),
    memberId: text('member_id').notNull(),
    secret: text('secret').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.memberId] })],
);

/**
 * Coupons given automatically (coupon-gifts.ts): on joining, or on a payment of at least an amount.
 * A rule names one template; the template's stock, per-member limit and validity still apply.
 */
export const couponGiftRules = pgTable(
  'membership_coupon_gift_rules',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    trigger: text('trigger').notNull(), // join | payment | birthday
    templateId: text('template_id').notNull(),
    /** Only members of these tiers (tier codes); null = every member. */
    tierCodes: text('tier_codes').array(),
    /** payment only: the payment's amount must reach this. */
    minAmountFen: fen('min_amount_fen'),
    /** Only payments (or joins) at these stores; null = every store. */
    storeIds: text('store_ids').array(),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.id] })],
);

/** What each rule did for each join or payment, exactly once: the coupon given, or why none was. */
export const couponGifts = pgTable(
  'membership_coupon_gifts',
  {
    merchantId: text('merchant_id').notNull(),
    ruleId: text('rule_id').notNull(),
    /** The member id (join), the payment id (payment), or `<member id>:<year>` (birthday). */
    triggerReference: text('trigger_reference').notNull(),
    memberId: text('member_id').notNull(),
    couponId: text('coupon_id'),
    /** Set when no coupon was given: out of stock, member limit reached, template inactive… */
    skippedReason: text('skipped_reason'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.ruleId, t.triggerReference] }), index('membership_coupon_gifts_member_idx').on(t.merchantId, t.memberId)],
);
