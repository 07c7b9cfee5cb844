// The sandbox is a separate "channel company": its tables hold the channels' side of the world
// (their keys, their merchants, their trades), not MemberPlus tenants, so they carry no merchant_id.
import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const createdAt = () => at('created_at').notNull().defaultNow();

/** The sandbox channels' own signing keys, generated at first start; private keys sealed. */
export const sandboxKeys = pgTable('payments_sandbox_keys', {
  name: text('name').primaryKey(), // wechatpay_public_key | wechatpay_platform_certificate | alipay
  serial: text('serial').notNull(), // PUB_KEY_ID_… | certificate serial (hex) | ''
  publicKey: text('public_key').notNull(),
  sealedPrivateKey: text('sealed_private_key').notNull(),
  createdAt: createdAt(),
});

/** A merchant (WeChat mchid / sub_mchid) or app (Alipay app_id [+ app_auth_token]) registered with the sandbox. */
export const sandboxMerchants = pgTable(
  'payments_sandbox_merchants',
  {
    id: text('id').primaryKey(),
    channel: text('channel').notNull(),
    mode: text('mode').notNull(), // service_provider | direct | isv
    /** Who signs requests: WeChat mchid or sp_mchid, Alipay app_id. */
    callerId: text('caller_id').notNull(),
    /** The merchant acted for: WeChat sub_mchid, Alipay app_auth_token; null in direct mode. */
    subId: text('sub_id'),
    appId: text('app_id').notNull(),
    subAppId: text('sub_app_id'),
    /** Alipay seller (2088…) and ISV PID. */
    sellerId: text('seller_id'),
    serviceProviderId: text('service_provider_id'),
    name: text('name').notNull(),
    keySerial: text('key_serial'),
    publicKey: text('public_key').notNull(),
    sealedApiV3Key: text('sealed_api_v3_key'),
    verification: text('verification'), // public_key | platform_certificate (WeChat)
    /** The app's AppSecret for web OAuth (WeChat sns/oauth2/access_token), sealed; null when not asked for. */
    sealedAppSecret: text('sealed_app_secret'),
    createdAt: createdAt(),
  },
  (t) => [index('payments_sandbox_merchants_caller_idx').on(t.channel, t.callerId, t.subId)],
);

export const sandboxTrades = pgTable(
  'payments_sandbox_trades',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id').notNull(),
    channel: text('channel').notNull(),
    kind: text('kind').notNull(), // native | jsapi | codepay | precreate | create | pay
    outTradeNo: text('out_trade_no').notNull(),
    channelTradeNo: text('channel_trade_no').notNull(),
    walletToken: text('wallet_token').notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    description: text('description').notNull(),
    notifyUrl: text('notify_url'),
    /** WeChat's words for every channel: NOTPAY USERPAYING SUCCESS CLOSED REVOKED PAYERROR. */
    state: text('state').notNull(),
    /** The payer the order named (JSAPI openid, Alipay buyer id) and who paid (sandbox buyer label). */
    requestedPayer: text('requested_payer'), // personal information
    buyer: text('buyer'), // personal information
    payer: jsonb('payer'), // personal information: openid/unionid or user_id/open_id
    behaviour: text('behaviour'),
    pollsBeforeConfirm: integer('polls_before_confirm'),
    refundedFen: bigint('refunded_fen', { mode: 'number' }).notNull().default(0),
    request: jsonb('request').notNull(), // the order as the merchant sent it
    expiresAt: at('expires_at'),
    scannedAt: at('scanned_at'),
    paidAt: at('paid_at'),
    closedAt: at('closed_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('payments_sandbox_trades_out_trade_no_idx').on(t.merchantId, t.outTradeNo),
    uniqueIndex('payments_sandbox_trades_channel_trade_no_idx').on(t.channelTradeNo),
    uniqueIndex('payments_sandbox_trades_wallet_token_idx').on(t.walletToken),
    index('payments_sandbox_trades_paid_idx').on(t.merchantId, t.paidAt),
  ],
);

export const sandboxRefunds = pgTable(
  'payments_sandbox_refunds',
  {
    id: text('id').primaryKey(),
    tradeId: text('trade_id').notNull(),
    merchantId: text('merchant_id').notNull(),
    outRefundNo: text('out_refund_no').notNull(),
    refundNo: text('refund_no').notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    reason: text('reason'),
    notifyUrl: text('notify_url'),
    status: text('status').notNull(), // PROCESSING | SUCCESS
    createdAt: createdAt(),
    succeededAt: at('succeeded_at'),
  },
  (t) => [
    uniqueIndex('payments_sandbox_refunds_out_refund_no_idx').on(t.tradeId, t.outRefundNo),
    index('payments_sandbox_refunds_merchant_idx').on(t.merchantId, t.outRefundNo),
    index('payments_sandbox_refunds_processing_idx').on(t.status).where(sql`status = 'PROCESSING'`),
  ],
);

/** 付款码 issued to test buyers, with how the buyer will behave at the counter. */
export const sandboxBuyerCodes = pgTable('payments_sandbox_buyer_codes', {
  code: text('code').primaryKey(),
  channel: text('channel').notNull(),
  buyer: text('buyer').notNull(), // personal information
  behaviour: text('behaviour').notNull(), // pay | confirm_then_pay | confirm_then_cancel | insufficient_funds
  pollsBeforeConfirm: integer('polls_before_confirm').notNull().default(1),
  usedAt: at('used_at'),
  createdAt: createdAt(),
});

/** Notifications the sandbox owes merchants, retried on the channel's schedule until acknowledged. */
export const sandboxNotifications = pgTable(
  'payments_sandbox_notifications',
  {
    id: text('id').primaryKey(),
    channel: text('channel').notNull(),
    merchantId: text('merchant_id').notNull(),
    tradeId: text('trade_id').notNull(),
    refundId: text('refund_id'),
    kind: text('kind').notNull(), // payment | refund
    url: text('url').notNull(),
    /** The exact body sent: WeChat JSON (resource encrypted) or the Alipay form, signed. */
    body: text('body').notNull(),
    status: text('status').notNull(), // pending | delivered | given_up
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: at('next_attempt_at'),
    attemptLog: jsonb('attempt_log').notNull().default([]),
    createdAt: createdAt(),
    deliveredAt: at('delivered_at'),
  },
  (t) => [index('payments_sandbox_notifications_due_idx').on(t.status, t.nextAttemptAt), index('payments_sandbox_notifications_trade_idx').on(t.tradeId)],
);

/**
 * Web OAuth codes the sandbox's authorize pages hand out (WeChat snsapi_base, Alipay auth_base): single
 * use, five minutes, bound to the app and the redirect_uri. The buyer label is who confirmed; openid /
 * user_id are what the token exchange answers, kept so an order naming that payer pays as that buyer.
 */
export const sandboxOAuthCodes = pgTable(
  'payments_sandbox_oauth_codes',
  {
    code: text('code').primaryKey(),
    channel: text('channel').notNull(),
    appId: text('app_id').notNull(),
    redirectUri: text('redirect_uri').notNull(),
    scope: text('scope').notNull(),
    buyer: text('buyer').notNull(), // personal information
    openId: text('open_id').notNull(), // WeChat openid / Alipay open_id
    userId: text('user_id'), // Alipay 2088… user id
    expiresAt: at('expires_at').notNull(),
    usedAt: at('used_at'),
    createdAt: createdAt(),
  },
  (t) => [index('payments_sandbox_oauth_codes_payer_idx').on(t.channel, t.openId), index('payments_sandbox_oauth_codes_user_idx').on(t.channel, t.userId)],
);
