// The sandbox channels' trades and refunds, and the notifications they owe. State is kept in WeChat's
// words (NOTPAY USERPAYING SUCCESS CLOSED REVOKED PAYERROR) and rendered in each channel's own.
import { randomBytes, randomUUID } from 'node:crypto';
import { and, eq, inArray, isNull, lte } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { signAlipayNotification } from '../channels/alipay-signature.js';
import { formatShanghaiDateTime, formatShanghaiRfc3339 } from '../channels/shanghai-time.js';
import { buildWechatpayNotification, encryptWechatpayResource } from '../channels/wechatpay-aes-gcm.js';
import { fenToYuan } from '../channels/yuan-amount.js';
import { alipayLogonId, alipayOpenId, alipayUserId, randomBuyerLabel, wechatOpenid, wechatUnionid } from './buyer-identity.js';
import { sandboxSecretBox, type SandboxKeys } from './sandbox-keys.js';
import { merchantById, newSandboxId, type SandboxMerchant } from './sandbox-merchants.js';
import { sandboxBuyerCodes, sandboxNotifications, sandboxRefunds, sandboxTrades } from './schema.js';

export type SandboxTrade = typeof sandboxTrades.$inferSelect;
export type SandboxRefund = typeof sandboxRefunds.$inferSelect;

export interface SandboxContext {
  readonly db: Db;
  readonly secretKey: string;
  readonly keys: SandboxKeys;
}

export interface WechatPayer {
  readonly openid: string;
  readonly appid: string;
  readonly unionid: string;
}
export interface AlipayPayer {
  readonly user_id: string;
  readonly open_id: string;
  readonly logon_id: string;
}

const PAYABLE = ['NOTPAY', 'USERPAYING'];

function beijingStamp(now: Date): string {
  return formatShanghaiDateTime(now).replace(/\D/g, '');
}

/** WeChat transaction_id (4200…, 28 digits) / Alipay trade_no (yyyyMMdd22…, 28 digits). */
export function newChannelTradeNo(channel: 'wechatpay' | 'alipay', now: Date): string {
  const tail = BigInt(`0x${randomBytes(8).toString('hex')}`).toString().padStart(20, '0').slice(-12);
  return channel === 'wechatpay' ? `4200${beijingStamp(now).slice(0, 12)}${tail}` : `${beijingStamp(now).slice(0, 8)}22${'0'.repeat(6)}${tail}`;
}

export function newRefundNo(now: Date): string {
  return `50${beijingStamp(now).slice(0, 12)}${BigInt(`0x${randomBytes(8).toString('hex')}`).toString().padStart(20, '0').slice(-14)}`;
}

export async function findTrade(db: Db, merchantId: string, outTradeNo: string): Promise<SandboxTrade | undefined> {
  const [row] = await db.select().from(sandboxTrades).where(and(eq(sandboxTrades.merchantId, merchantId), eq(sandboxTrades.outTradeNo, outTradeNo)));
  return row;
}

export async function findTradeByToken(db: Db, token: string): Promise<SandboxTrade | undefined> {
  const [row] = await db.select().from(sandboxTrades).where(eq(sandboxTrades.walletToken, token));
  return row;
}

export interface NewTrade {
  readonly merchantId: string;
  readonly channel: 'wechatpay' | 'alipay';
  readonly kind: string;
  readonly outTradeNo: string;
  readonly amountFen: number;
  readonly description: string;
  readonly notifyUrl: string | null;
  readonly expiresAt: Date | null;
  readonly requestedPayer: string | null;
  readonly request: Record<string, unknown>;
  readonly walletToken?: string;
  readonly channelTradeNo?: string;
  readonly behaviour?: string | null;
  readonly buyer?: string | null;
  readonly pollsBeforeConfirm?: number | null;
  readonly state?: string;
}

/** Creates the trade, or returns the existing one with `created: false` (same out_trade_no). */
export async function createTrade(db: Db, input: NewTrade, now: Date): Promise<{ trade: SandboxTrade; created: boolean }> {
  const channelTradeNo = input.channelTradeNo ?? newChannelTradeNo(input.channel, now);
  const [row] = await db
    .insert(sandboxTrades)
    .values({
      id: newSandboxId('sbt'),
      merchantId: input.merchantId,
      channel: input.channel,
      kind: input.kind,
      outTradeNo: input.outTradeNo,
      channelTradeNo,
      walletToken: input.walletToken ?? randomBytes(16).toString('base64url'),
      amountFen: input.amountFen,
      description: input.description,
      notifyUrl: input.notifyUrl,
      state: input.state ?? 'NOTPAY',
      requestedPayer: input.requestedPayer,
      behaviour: input.behaviour ?? null,
      buyer: input.buyer ?? null,
      pollsBeforeConfirm: input.pollsBeforeConfirm ?? null,
      request: input.request,
      expiresAt: input.expiresAt,
      createdAt: now,
    })
    .onConflictDoNothing()
    .returning();
  if (row) return { trade: row, created: true };
  const existing = await findTrade(db, input.merchantId, input.outTradeNo);
  if (!existing) throw new Error('sandbox: trade vanished after a conflict');
  return { trade: existing, created: false };
}

export function wechatPayerOf(trade: SandboxTrade): WechatPayer | undefined {
  return trade.channel === 'wechatpay' && trade.payer ? (trade.payer as WechatPayer) : undefined;
}
export function alipayPayerOf(trade: SandboxTrade): AlipayPayer | undefined {
  return trade.channel === 'alipay' && trade.payer ? (trade.payer as AlipayPayer) : undefined;
}

function payerFor(merchant: SandboxMerchant, trade: SandboxTrade, buyer: string): WechatPayer | AlipayPayer {
  if (trade.channel === 'wechatpay') {
    // JSAPI names its payer up front; the openid then belongs to the app it was issued for.
    if (trade.requestedPayer) {
      const [appid, openid] = trade.requestedPayer.split(':', 2) as [string, string];
      return { openid, appid, unionid: wechatUnionid(trade.buyer ?? `openid:${openid}`) };
    }
    const appid = merchant.subAppId ?? merchant.appId;
    return { openid: wechatOpenid(appid, buyer), appid, unionid: wechatUnionid(buyer) };
  }
  // Named by the sandbox's OAuth: every identifier follows from the buyer label, as for any payment.
  if (trade.requestedPayer && trade.buyer) return { user_id: alipayUserId(trade.buyer), open_id: alipayOpenId(merchant.appId, trade.buyer), logon_id: alipayLogonId(trade.buyer) };
  if (trade.requestedPayer) {
    const requested = trade.requestedPayer;
    return requested.startsWith('2088')
      ? { user_id: requested, open_id: alipayOpenId(merchant.appId, requested), logon_id: alipayLogonId(requested) }
      : { user_id: alipayUserId(requested), open_id: requested, logon_id: alipayLogonId(requested) };
  }
  return { user_id: alipayUserId(buyer), open_id: alipayOpenId(merchant.appId, buyer), logon_id: alipayLogonId(buyer) };
}

// ---- what each channel says about a trade ---------------------------------------------------

export function wechatTradeState(trade: SandboxTrade): string {
  if (trade.state === 'SUCCESS' && trade.refundedFen > 0) return 'REFUND';
  return trade.state;
}

const TRADE_TYPES: Readonly<Record<string, string>> = { native: 'NATIVE', jsapi: 'JSAPI', codepay: 'MICROPAY' };
const STATE_DESC: Readonly<Record<string, string>> = {
  NOTPAY: '未支付',
  USERPAYING: '用户支付中，需要输入密码',
  SUCCESS: '支付成功',
  REFUND: '转入退款',
  CLOSED: '已关闭',
  REVOKED: '已撤销',
  PAYERROR: '支付失败',
};

function wechatMerchantFields(merchant: SandboxMerchant): Record<string, string> {
  if (merchant.mode === 'service_provider') {
    return { sp_appid: merchant.appId, sp_mchid: merchant.callerId, ...(merchant.subAppId ? { sub_appid: merchant.subAppId } : {}), sub_mchid: merchant.subId ?? '' };
  }
  return { appid: merchant.appId, mchid: merchant.callerId };
}

/** The transaction object of WeChat's query answer and TRANSACTION.SUCCESS resource. */
export function wechatTransaction(merchant: SandboxMerchant, trade: SandboxTrade): Record<string, unknown> {
  const state = wechatTradeState(trade);
  const paid = trade.paidAt !== null;
  const payer = wechatPayerOf(trade);
  let payerNode: Record<string, string> | undefined;
  if (payer) {
    // 服务商 mode: an openid of the sub-merchant's own app is sub_openid; sp_openid otherwise.
    if (merchant.mode === 'service_provider') {
      payerNode = payer.appid === merchant.subAppId ? { sub_openid: payer.openid, unionid: payer.unionid } : { sp_openid: payer.openid, unionid: payer.unionid };
    } else payerNode = { openid: payer.openid, unionid: payer.unionid };
  }
  return {
    ...wechatMerchantFields(merchant),
    out_trade_no: trade.outTradeNo,
    ...(paid ? { transaction_id: trade.channelTradeNo, bank_type: 'OTHERS', success_time: formatShanghaiRfc3339(trade.paidAt ?? new Date()) } : {}),
    trade_type: TRADE_TYPES[trade.kind] ?? 'NATIVE',
    trade_state: state,
    trade_state_desc: STATE_DESC[state] ?? state,
    attach: '',
    ...(payerNode ? { payer: payerNode } : {}),
    amount: { total: trade.amountFen, ...(paid ? { payer_total: trade.amountFen } : {}), currency: 'CNY', payer_currency: 'CNY' },
  };
}

export function wechatRefundNode(trade: SandboxTrade, refund: SandboxRefund): Record<string, unknown> {
  return {
    refund_id: refund.refundNo,
    out_refund_no: refund.outRefundNo,
    transaction_id: trade.channelTradeNo,
    out_trade_no: trade.outTradeNo,
    channel: 'ORIGINAL',
    user_received_account: '支付用户零钱',
    ...(refund.succeededAt ? { success_time: formatShanghaiRfc3339(refund.succeededAt) } : {}),
    create_time: formatShanghaiRfc3339(refund.createdAt),
    status: refund.status,
    funds_account: 'AVAILABLE',
    amount: {
      total: trade.amountFen,
      refund: refund.amountFen,
      payer_total: trade.amountFen,
      payer_refund: refund.amountFen,
      settlement_total: trade.amountFen,
      settlement_refund: refund.amountFen,
      discount_refund: 0,
      currency: 'CNY',
    },
  };
}

export function alipayTradeStatus(trade: SandboxTrade): string {
  if (trade.state === 'SUCCESS') return trade.refundedFen >= trade.amountFen ? 'TRADE_CLOSED' : 'TRADE_SUCCESS';
  if (PAYABLE.includes(trade.state)) return 'WAIT_BUYER_PAY';
  return 'TRADE_CLOSED';
}

/** The fields Alipay's trade.query answer and trade notifications share. */
export function alipayTradeFields(trade: SandboxTrade): Record<string, string> {
  const payer = alipayPayerOf(trade);
  return {
    trade_no: trade.channelTradeNo,
    out_trade_no: trade.outTradeNo,
    ...(payer ? { buyer_logon_id: payer.logon_id, buyer_user_id: payer.user_id, buyer_open_id: payer.open_id } : {}),
    trade_status: alipayTradeStatus(trade),
    total_amount: fenToYuan(trade.amountFen),
    ...(trade.paidAt ? { buyer_pay_amount: fenToYuan(trade.amountFen), receipt_amount: fenToYuan(trade.amountFen), send_pay_date: formatShanghaiDateTime(trade.paidAt) } : {}),
  };
}

// ---- notifications ------------------------------------------------------------------------

function nonce12(): string {
  return randomBytes(9).toString('base64url').slice(0, 12);
}

function wechatNotificationBody(ctx: SandboxContext, merchant: SandboxMerchant, eventType: string, originalType: string, summary: string, resource: Record<string, unknown>, now: Date): string {
  const apiV3Key = sandboxSecretBox(ctx.secretKey).open(merchant.sealedApiV3Key ?? '');
  const encrypted = encryptWechatpayResource(JSON.stringify(resource), { apiV3Key, nonce: nonce12(), associatedData: originalType, originalType });
  return JSON.stringify(buildWechatpayNotification({ id: randomUUID(), createTime: now, eventType, summary, resource: encrypted }));
}

function alipayNotificationBody(ctx: SandboxContext, merchant: SandboxMerchant, fields: Record<string, string>, now: Date): string {
  const form: Record<string, string> = {
    notify_time: formatShanghaiDateTime(now),
    notify_type: 'trade_status_sync',
    notify_id: randomBytes(16).toString('hex'),
    app_id: merchant.appId,
    auth_app_id: merchant.appId,
    charset: 'utf-8',
    version: '1.0',
    sign_type: 'RSA2',
    seller_id: merchant.sellerId ?? '',
    ...fields,
  };
  form.sign = signAlipayNotification(form, ctx.keys.alipay.privateKey);
  return new URLSearchParams(form).toString();
}

async function enqueue(db: Db, row: { channel: string; merchantId: string; tradeId: string; refundId: string | null; kind: string; url: string; body: string }, now: Date): Promise<void> {
  await db.insert(sandboxNotifications).values({ id: newSandboxId('sbn'), ...row, status: 'pending', attempts: 0, nextAttemptAt: now, createdAt: now });
}

export function paymentNotificationBody(ctx: SandboxContext, merchant: SandboxMerchant, trade: SandboxTrade, now: Date): string {
  if (trade.channel === 'wechatpay') return wechatNotificationBody(ctx, merchant, 'TRANSACTION.SUCCESS', 'transaction', '支付成功', wechatTransaction(merchant, trade), now);
  return alipayNotificationBody(ctx, merchant, { ...alipayTradeFields(trade), subject: trade.description, gmt_create: formatShanghaiDateTime(trade.createdAt), gmt_payment: formatShanghaiDateTime(trade.paidAt ?? now) }, now);
}

function refundNotificationBody(ctx: SandboxContext, merchant: SandboxMerchant, trade: SandboxTrade, refund: SandboxRefund, now: Date): string {
  if (trade.channel === 'wechatpay') {
    const resource = {
      ...(merchant.mode === 'service_provider' ? { sp_mchid: merchant.callerId, sub_mchid: merchant.subId } : { mchid: merchant.callerId }),
      out_trade_no: trade.outTradeNo,
      transaction_id: trade.channelTradeNo,
      out_refund_no: refund.outRefundNo,
      refund_id: refund.refundNo,
      refund_status: 'SUCCESS',
      success_time: formatShanghaiRfc3339(refund.succeededAt ?? now),
      user_received_account: '支付用户零钱',
      amount: { total: trade.amountFen, refund: refund.amountFen, payer_total: trade.amountFen, payer_refund: refund.amountFen },
    };
    return wechatNotificationBody(ctx, merchant, 'REFUND.SUCCESS', 'refund', '退款成功', resource, now);
  }
  return alipayNotificationBody(
    ctx,
    merchant,
    { ...alipayTradeFields(trade), subject: trade.description, out_biz_no: refund.outRefundNo, refund_fee: fenToYuan(trade.refundedFen), gmt_refund: `${formatShanghaiDateTime(refund.succeededAt ?? now)}.000` },
    now,
  );
}

// ---- transitions ----------------------------------------------------------------------------

/**
 * The buyer pays: NOTPAY/USERPAYING → SUCCESS exactly once (a double tap on "pay" finds the trade
 * already paid), and the payment notification is queued in the same transaction.
 */
export async function markPaid(ctx: SandboxContext, merchant: SandboxMerchant, tradeId: string, buyer: string, now: Date): Promise<SandboxTrade | undefined> {
  return ctx.db.transaction(async (tx) => {
    const [current] = await tx.select().from(sandboxTrades).where(eq(sandboxTrades.id, tradeId)).for('update');
    if (!current || !PAYABLE.includes(current.state)) return undefined;
    // An order that named its payer is paid by that payer, whoever the wallet page was opened as.
    const payingBuyer = current.requestedPayer && current.buyer ? current.buyer : buyer;
    const payer = payerFor(merchant, current, payingBuyer);
    const [paid] = await tx.update(sandboxTrades).set({ state: 'SUCCESS', buyer: payingBuyer, payer, paidAt: now }).where(eq(sandboxTrades.id, tradeId)).returning();
    if (!paid) return undefined;
    if (paid.notifyUrl) {
      await enqueue(tx, { channel: paid.channel, merchantId: merchant.id, tradeId, refundId: null, kind: 'payment', url: paid.notifyUrl, body: paymentNotificationBody(ctx, merchant, paid, now) }, now);
    }
    return paid;
  });
}

/** Moves a trade from `from` states to `to`; returns the trade as it is afterwards. */
export async function transition(db: Db, tradeId: string, from: readonly string[], to: string, now: Date): Promise<SandboxTrade | undefined> {
  const [row] = await db
    .update(sandboxTrades)
    .set({ state: to, closedAt: now })
    .where(and(eq(sandboxTrades.id, tradeId), inArray(sandboxTrades.state, [...from])))
    .returning();
  return row;
}

export async function setPollsLeft(db: Db, tradeId: string, polls: number): Promise<void> {
  await db.update(sandboxTrades).set({ pollsBeforeConfirm: polls }).where(eq(sandboxTrades.id, tradeId));
}

export async function markScanned(db: Db, tradeId: string, now: Date): Promise<void> {
  await db.update(sandboxTrades).set({ scannedAt: now }).where(and(eq(sandboxTrades.id, tradeId), isNull(sandboxTrades.scannedAt)));
}

export type RefundOutcome =
  | { readonly ok: true; readonly refund: SandboxRefund; readonly trade: SandboxTrade; readonly created: boolean }
  | { readonly ok: false; readonly reason: 'not_paid' | 'exceeds' | 'conflict' };

/**
 * A refund against a paid trade, never beyond what was paid: the trade row is locked so concurrent
 * refunds add up. WeChat refunds start PROCESSING (settled by the sandbox clock); Alipay's are
 * immediate. A repeated refund number with the same amount returns the first refund.
 */
export async function createRefund(
  ctx: SandboxContext,
  merchant: SandboxMerchant,
  tradeId: string,
  input: { readonly outRefundNo: string; readonly amountFen: number; readonly reason: string | null; readonly notifyUrl: string | null },
  now: Date,
): Promise<RefundOutcome> {
  return ctx.db.transaction(async (tx) => {
    const [trade] = await tx.select().from(sandboxTrades).where(eq(sandboxTrades.id, tradeId)).for('update');
    if (!trade || trade.state !== 'SUCCESS') return { ok: false, reason: 'not_paid' } as const;
    const [existing] = await tx.select().from(sandboxRefunds).where(and(eq(sandboxRefunds.tradeId, tradeId), eq(sandboxRefunds.outRefundNo, input.outRefundNo)));
    if (existing) return existing.amountFen === input.amountFen ? ({ ok: true, refund: existing, trade, created: false } as const) : ({ ok: false, reason: 'conflict' } as const);
    if (input.amountFen <= 0 || trade.refundedFen + input.amountFen > trade.amountFen) return { ok: false, reason: 'exceeds' } as const;
    const immediate = trade.channel === 'alipay';
    const [refund] = await tx
      .insert(sandboxRefunds)
      .values({
        id: newSandboxId('sbr'),
        tradeId,
        merchantId: merchant.id,
        outRefundNo: input.outRefundNo,
        refundNo: newRefundNo(now),
        amountFen: input.amountFen,
        reason: input.reason,
        notifyUrl: input.notifyUrl,
        status: immediate ? 'SUCCESS' : 'PROCESSING',
        createdAt: now,
        succeededAt: immediate ? now : null,
      })
      .returning();
    const [updated] = await tx
      .update(sandboxTrades)
      .set({ refundedFen: trade.refundedFen + input.amountFen })
      .where(eq(sandboxTrades.id, tradeId))
      .returning();
    if (!refund || !updated) throw new Error('sandbox: refund insert failed');
    // Alipay reports refunds to the order's notify_url.
    if (immediate && trade.notifyUrl) {
      await enqueue(tx, { channel: trade.channel, merchantId: merchant.id, tradeId, refundId: refund.id, kind: 'refund', url: trade.notifyUrl, body: refundNotificationBody(ctx, merchant, updated, refund, now) }, now);
    }
    return { ok: true, refund, trade: updated, created: true } as const;
  });
}

/** WeChat refunds complete on the sandbox clock; each success queues its REFUND.SUCCESS notification. */
export async function settleProcessingRefunds(ctx: SandboxContext, now: Date): Promise<number> {
  const due = await ctx.db
    .select()
    .from(sandboxRefunds)
    .where(and(eq(sandboxRefunds.status, 'PROCESSING'), lte(sandboxRefunds.createdAt, now)))
    .limit(200);
  let settled = 0;
  for (const candidate of due) {
    const done = await ctx.db.transaction(async (tx) => {
      const [refund] = await tx
        .update(sandboxRefunds)
        .set({ status: 'SUCCESS', succeededAt: now })
        .where(and(eq(sandboxRefunds.id, candidate.id), eq(sandboxRefunds.status, 'PROCESSING')))
        .returning();
      if (!refund) return false;
      const [trade] = await tx.select().from(sandboxTrades).where(eq(sandboxTrades.id, refund.tradeId));
      const merchant = await merchantById(tx, refund.merchantId);
      if (trade && merchant && refund.notifyUrl) {
        await enqueue(tx, { channel: trade.channel, merchantId: merchant.id, tradeId: trade.id, refundId: refund.id, kind: 'refund', url: refund.notifyUrl, body: refundNotificationBody(ctx, merchant, trade, refund, now) }, now);
      }
      return true;
    });
    if (done) settled += 1;
  }
  return settled;
}

/** Unpaid trades past their time_expire close, as the channels close them. */
export async function closeExpiredTrades(db: Db, now: Date): Promise<number> {
  const closed = await db
    .update(sandboxTrades)
    .set({ state: 'CLOSED', closedAt: now })
    .where(and(eq(sandboxTrades.state, 'NOTPAY'), lte(sandboxTrades.expiresAt, now)))
    .returning({ id: sandboxTrades.id });
  return closed.length;
}

export async function findRefund(db: Db, merchantId: string, outRefundNo: string): Promise<{ refund: SandboxRefund; trade: SandboxTrade } | undefined> {
  const [row] = await db
    .select({ refund: sandboxRefunds, trade: sandboxTrades })
    .from(sandboxRefunds)
    .innerJoin(sandboxTrades, eq(sandboxTrades.id, sandboxRefunds.tradeId))
    .where(and(eq(sandboxRefunds.merchantId, merchantId), eq(sandboxRefunds.outRefundNo, outRefundNo)));
  return row;
}

export interface BuyerCodeClaim {
  readonly behaviour: string;
  readonly buyer: string;
  readonly pollsBeforeConfirm: number;
}

/**
 * Uses up a 付款码 (they are single-use). A well-formed code the sandbox never issued — one typed at
 * a demo counter — pays at once as an anonymous buyer.
 */
export async function claimBuyerCode(db: Db, channel: 'wechatpay' | 'alipay', code: string, now: Date): Promise<BuyerCodeClaim | 'used'> {
  const [claimed] = await db
    .update(sandboxBuyerCodes)
    .set({ usedAt: now })
    .where(and(eq(sandboxBuyerCodes.code, code), eq(sandboxBuyerCodes.channel, channel), isNull(sandboxBuyerCodes.usedAt)))
    .returning();
  if (claimed) return { behaviour: claimed.behaviour, buyer: claimed.buyer, pollsBeforeConfirm: claimed.pollsBeforeConfirm };
  const [issued] = await db.select().from(sandboxBuyerCodes).where(eq(sandboxBuyerCodes.code, code));
  if (issued) return 'used';
  return { behaviour: 'pay', buyer: randomBuyerLabel(), pollsBeforeConfirm: 0 };
}

/**
 * A buyer at the counter who must confirm on the phone decides after being polled a few times:
 * confirm_then_pay pays, confirm_then_cancel gives up (WeChat PAYERROR, Alipay closes the trade).
 */
export async function advanceCounterBuyer(ctx: SandboxContext, merchant: SandboxMerchant, trade: SandboxTrade, now: Date): Promise<SandboxTrade> {
  if (trade.state !== 'USERPAYING') return trade;
  const left = trade.pollsBeforeConfirm ?? 0;
  if (left > 0) {
    await setPollsLeft(ctx.db, trade.id, left - 1);
    return trade;
  }
  if (trade.behaviour === 'confirm_then_pay') return (await markPaid(ctx, merchant, trade.id, trade.buyer ?? randomBuyerLabel(), now)) ?? trade;
  if (trade.behaviour === 'confirm_then_cancel') return (await transition(ctx.db, trade.id, ['USERPAYING'], trade.channel === 'wechatpay' ? 'PAYERROR' : 'CLOSED', now)) ?? trade;
  return trade;
}
