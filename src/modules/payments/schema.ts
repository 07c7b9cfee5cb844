import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { ChannelName } from './channels/adapter.js';
import type { PaymentStatus, RefundStatus } from './payment-state.js';

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const fen = (name: string) => bigint(name, { mode: 'number' });

/**
 * A merchant's account at one channel: mode, public identifiers (mchid, appid, serials), and the
 * private parts (private key, APIv3 key) sealed with the 'payment-channels' secret box. Fees and
 * channel cost in parts per million.
 */
export const channelAccounts = pgTable(
  'payments_channel_accounts',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    channel: text('channel').$type<ChannelName>().notNull(),
    mode: text('mode').notNull(),
    environment: text('environment').notNull().default('sandbox'),
    publicConfig: jsonb('public_config').notNull(),
    sealedSecrets: text('sealed_secrets'),
    feeRatePpm: integer('fee_rate_ppm').notNull().default(3800),
    costRatePpm: integer('cost_rate_ppm').notNull().default(2000),
    status: text('status').notNull().default('active'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    uniqueIndex('payments_channel_accounts_channel_uq').on(t.merchantId, t.channel),
    uniqueIndex('payments_channel_accounts_id_uq').on(t.id),
  ],
);

/** The operator's own service-provider (WeChat Pay 服务商) / ISV (Alipay) credentials per channel. */
export const operatorChannelAccounts = pgTable(
  'payments_operator_channel_accounts',
  {
    operatorId: text('operator_id').notNull(),
    channel: text('channel').notNull(),
    environment: text('environment').notNull().default('sandbox'),
    publicConfig: jsonb('public_config').notNull(),
    sealedSecrets: text('sealed_secrets'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.operatorId, t.channel] })],
);

/** 收款码: one static QR per store (and per cashier desk) that either wallet can pay. */
export const storeQrCodes = pgTable(
  'payments_store_qr_codes',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    storeId: text('store_id').notNull(),
    desk: text('desk'),
    label: text('label'),
    token: text('token').notNull(),
    status: text('status').notNull().default('active'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    uniqueIndex('payments_store_qr_codes_token_uq').on(t.token),
    uniqueIndex('payments_store_qr_codes_id_uq').on(t.id),
    index('payments_store_qr_codes_store_idx').on(t.merchantId, t.storeId),
  ],
);

export const paymentOrders = pgTable(
  'payments_orders',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    storeId: text('store_id').notNull(),
    qrCodeId: text('qr_code_id'),
    desk: text('desk'),
    channel: text('channel').$type<ChannelName>().notNull(),
    channelAccountId: text('channel_account_id').notNull(),
    /** barcode (付款码) | qr (Native / precreate) | in_app (JSAPI / trade.create from the store QR page) */
    kind: text('kind').notNull(),
    merchantOrderNo: text('merchant_order_no').notNull(),
    outTradeNo: text('out_trade_no').notNull(),
    description: text('description').notNull(),
    amountFen: fen('amount_fen').notNull(),
    /** Sum of succeeded refunds. */
    refundedFen: fen('refunded_fen').notNull().default(0),
    status: text('status').$type<PaymentStatus>().notNull(),
    feeRatePpm: integer('fee_rate_ppm').notNull(),
    costRatePpm: integer('cost_rate_ppm').notNull(),
    channelTradeNo: text('channel_trade_no'),
    codeUrl: text('code_url'),
    payParams: jsonb('pay_params'),
    /** Channel payer identifiers (openid, Alipay user id): personal information. */
    payerIdentifiers: jsonb('payer_identifiers').notNull().default(sql`'[]'::jsonb`),
    personId: text('person_id'),
    /** What another module collects this payment for (membership top-up, checkout remainder); null for plain collections. */
    purposeModule: text('purpose_module'),
    purposeKind: text('purpose_kind'),
    purposeReference: text('purpose_reference'),
    failureReason: text('failure_reason'),
    expiresAt: at('expires_at').notNull(),
    paidAt: at('paid_at'),
    closedAt: at('closed_at'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    uniqueIndex('payments_orders_id_uq').on(t.id),
    uniqueIndex('payments_orders_merchant_order_no_uq').on(t.merchantId, t.merchantOrderNo),
    uniqueIndex('payments_orders_out_trade_no_uq').on(t.merchantId, t.channel, t.outTradeNo),
    index('payments_orders_store_idx').on(t.merchantId, t.storeId, t.createdAt),
    index('payments_orders_paying_idx').on(t.updatedAt).where(sql`${t.status} in ('created', 'paying')`),
    index('payments_orders_paid_idx').on(t.merchantId, t.paidAt),
    // Given-up orders are asked about once more a few minutes later (late success after close).
    index('payments_orders_closed_idx').on(t.closedAt).where(sql`${t.status} = 'closed'`),
    // A person's payments: the ID+ merge handler moves them by person (identity-merge.ts).
    index('payments_orders_person_idx').on(t.merchantId, t.personId).where(sql`${t.personId} is not null`),
    // One live or succeeded payment per purpose (docs/decisions: payments door): a new attempt first
    // closes the live one, so two attempts can never both succeed.
    uniqueIndex('payments_orders_purpose_live_uq')
      .on(t.merchantId, t.purposeModule, t.purposeKind, t.purposeReference)
      .where(sql`${t.purposeModule} is not null and ${t.status} in ('created', 'paying', 'succeeded')`),
  ],
);

export const refunds = pgTable(
  'payments_refunds',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    paymentId: text('payment_id').notNull(),
    storeId: text('store_id').notNull(),
    channel: text('channel').$type<ChannelName>().notNull(),
    outRefundNo: text('out_refund_no').notNull(),
    amountFen: fen('amount_fen').notNull(),
    reason: text('reason').notNull(),
    status: text('status').$type<RefundStatus>().notNull(),
    channelRefundNo: text('channel_refund_no'),
    failureReason: text('failure_reason'),
    requestedBy: text('requested_by'),
    succeededAt: at('succeeded_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    uniqueIndex('payments_refunds_out_refund_no_uq').on(t.merchantId, t.outRefundNo),
    index('payments_refunds_payment_idx').on(t.merchantId, t.paymentId),
    index('payments_refunds_processing_idx').on(t.updatedAt).where(sql`${t.status} = 'processing'`),
  ],
);

/**
 * Verified channel notifications. The unique channel notification id makes duplicates harmless;
 * processed_at null means "received, not yet applied" — the recovery pass finishes those.
 */
export const notifications = pgTable(
  'payments_notifications',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    channel: text('channel').notNull(),
    channelAccountId: text('channel_account_id').notNull(),
    notificationId: text('notification_id').notNull(),
    kind: text('kind').notNull(),
    outTradeNo: text('out_trade_no').notNull(),
    outRefundNo: text('out_refund_no'),
    paymentId: text('payment_id'),
    content: jsonb('content').notNull(),
    outcome: text('outcome'),
    receivedAt: at('received_at').notNull(),
    processedAt: at('processed_at'),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    uniqueIndex('payments_notifications_channel_id_uq').on(t.merchantId, t.channel, t.notificationId),
    index('payments_notifications_pending_idx').on(t.receivedAt).where(sql`${t.processedAt} is null`),
  ],
);

/** The timeline of a payment: state changes, channel calls and queries, notifications. */
export const paymentEvents = pgTable(
  'payments_order_events',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    paymentId: text('payment_id').notNull(),
    refundId: text('refund_id'),
    type: text('type').notNull(),
    detail: jsonb('detail').notNull(),
    occurredAt: at('occurred_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.id] }), index('payments_order_events_payment_idx').on(t.merchantId, t.paymentId)],
);

/**
 * Append-only money ledger: one entry per succeeded payment and per succeeded refund, with the fee
 * and channel cost computed once (docs/decisions/0004-fee-rounding.md). Settlements are sums of it.
 */
export const ledgerEntries = pgTable(
  'payments_ledger_entries',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    paymentId: text('payment_id').notNull(),
    refundId: text('refund_id'),
    /** The payment id for payment entries, the refund id for refund entries: one entry per source. */
    sourceId: text('source_id').notNull(),
    storeId: text('store_id').notNull(),
    channel: text('channel').notNull(),
    kind: text('kind').notNull(),
    amountFen: fen('amount_fen').notNull(),
    feeFen: fen('fee_fen').notNull(),
    costFen: fen('cost_fen').notNull(),
    /** Merchant-local business day (yyyy-MM-dd) the entry counts on. */
    businessDate: text('business_date').notNull(),
    occurredAt: at('occurred_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    uniqueIndex('payments_ledger_entries_source_uq').on(t.merchantId, t.sourceId),
    index('payments_ledger_entries_date_idx').on(t.businessDate, t.merchantId),
  ],
);

export const reconciliations = pgTable(
  'payments_reconciliations',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    channel: text('channel').notNull(),
    billDate: text('bill_date').notNull(),
    source: text('source').notNull(),
    billRecords: integer('bill_records').notNull(),
    matched: integer('matched').notNull(),
    mismatches: integer('mismatches').notNull(),
    createdBy: text('created_by'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.id] }), index('payments_reconciliations_date_idx').on(t.merchantId, t.billDate)],
);

export const reconciliationLines = pgTable(
  'payments_reconciliation_lines',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    reconciliationId: text('reconciliation_id').notNull(),
    kind: text('kind').notNull(),
    recordKind: text('record_kind').notNull(),
    outTradeNo: text('out_trade_no').notNull(),
    outRefundNo: text('out_refund_no'),
    localAmountFen: fen('local_amount_fen'),
    channelAmountFen: fen('channel_amount_fen'),
    localStatus: text('local_status'),
    channelStatus: text('channel_status'),
    resolution: text('resolution').notNull().default('open'),
    note: text('note'),
    resolvedBy: text('resolved_by'),
    resolvedAt: at('resolved_at'),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.id] }), index('payments_reconciliation_lines_rec_idx').on(t.merchantId, t.reconciliationId)],
);

// The sandbox gateway's tables live beside its code; re-exported so drizzle-kit (which reads
// src/modules/*/schema.ts) generates their migrations with the rest of the module's.
export * from './sandbox/schema.js';

/**
 * WeChat Pay platform certificates downloaded from GET /v3/certificates, per channel account (platform
 * certificate mode only). Public certificates, kept plain; what makes them trusted is that each arrived
 * AES-256-GCM sealed under the account's APIv3 key (docs/decisions/0006-channel-protocol-gaps.md).
 */
export const wechatpayPlatformCertificates = pgTable(
  'payments_wechatpay_platform_certificates',
  {
    merchantId: text('merchant_id').notNull(),
    channelAccountId: text('channel_account_id').notNull(),
    serialNo: text('serial_no').notNull(),
    certificate: text('certificate').notNull(),
    effectiveAt: at('effective_at').notNull(),
    expiresAt: at('expires_at').notNull(),
    fetchedAt: at('fetched_at').notNull(),
  },
  (t) => [primaryKey({ name: 'payments_wechatpay_platform_certs_pk', columns: [t.merchantId, t.channelAccountId, t.serialNo] })],
);
