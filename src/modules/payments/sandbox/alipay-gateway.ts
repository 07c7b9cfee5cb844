// The sandbox's Alipay Open API gateway (one URL, `method` picks the call): RSA2 request signatures
// checked against the app's public key, answers `{"<method>_response":{…},"sign":"…"}` signed with the
// sandbox's Alipay key, business errors as 40004 + ACQ.* sub codes.
import { createHmac, createPublicKey } from 'node:crypto';
import { verifyAlipayRequest } from '../channels/alipay-signature.js';
import { formatShanghaiDateTime, parseShanghaiDateTime } from '../channels/shanghai-time.js';
import { fenToYuan, yuanToFen } from '../channels/yuan-amount.js';
import { routeBarcode } from '../counter/barcode-route.js';
import { alipayOAuthToken, buyerOfOAuthPayer } from './oauth.js';
import { isBillDate } from './sandbox-bills.js';
import { merchantsOfCaller, pickMerchant, type SandboxMerchant } from './sandbox-merchants.js';
import {
  advanceCounterBuyer,
  alipayTradeFields,
  claimBuyerCode,
  createRefund,
  createTrade,
  findTrade,
  markPaid,
  newChannelTradeNo,
  transition,
  type SandboxContext,
  type SandboxTrade,
} from './sandbox-trades.js';
import { sandboxRefunds } from './schema.js';
import { and, eq } from 'drizzle-orm';

export interface AlipayAnswer {
  readonly responseKey: string;
  readonly node: Record<string, unknown>;
}

const SUCCESS = { code: '10000', msg: 'Success' } as const;

function business(subCode: string, subMsg: string): Record<string, unknown> {
  return { code: '40004', msg: 'Business Failed', sub_code: subCode, sub_msg: subMsg };
}

function invalid(subCode: string, subMsg: string): Record<string, unknown> {
  return { code: '40002', msg: 'Invalid Arguments', sub_code: subCode, sub_msg: subMsg };
}

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const OUT_NO = /^[0-9A-Za-z_\-]{1,64}$/;

const METHODS = new Set([
  'alipay.trade.precreate',
  'alipay.trade.pay',
  'alipay.trade.create',
  'alipay.trade.query',
  'alipay.trade.close',
  'alipay.trade.cancel',
  'alipay.trade.refund',
  'alipay.trade.fastpay.refund.query',
  'alipay.data.dataservice.bill.downloadurl.query',
  'alipay.system.oauth.token',
]);

/** The signed bill URL: anyone holding it may download for a while, as Alipay's OSS links. */
export function alipayBillToken(secretKey: string, merchantId: string, billDate: string): string {
  const mac = createHmac('sha256', secretKey).update(`alipay-bill:${merchantId}:${billDate}`).digest('base64url').slice(0, 32);
  return `${merchantId}.${billDate}.${mac}`;
}

export function readAlipayBillToken(secretKey: string, token: string): { merchantId: string; billDate: string } | undefined {
  const [merchantId, billDate] = token.split('.', 3);
  if (!merchantId || !billDate || alipayBillToken(secretKey, merchantId, billDate) !== token) return undefined;
  return { merchantId, billDate };
}

function amountFen(value: unknown): number | undefined {
  const text = str(value);
  if (text === undefined) return undefined;
  const parsed = yuanToFen(text);
  return parsed.ok && parsed.fen > 0 ? parsed.fen : undefined;
}

async function tradeOrMissing(ctx: SandboxContext, merchant: SandboxMerchant, biz: Record<string, unknown>): Promise<SandboxTrade | undefined> {
  const outTradeNo = str(biz.out_trade_no);
  if (!outTradeNo) return undefined;
  const trade = await findTrade(ctx.db, merchant.id, outTradeNo);
  // A precreated QR order exists at Alipay only once a buyer has scanned it.
  if (trade && trade.kind === 'precreate' && trade.scannedAt === null && trade.state === 'NOTPAY') return undefined;
  return trade;
}

const NOT_EXIST = business('ACQ.TRADE_NOT_EXIST', '交易不存在');

export async function handleAlipay(ctx: SandboxContext, params: Record<string, string>, sandboxBase: string, now: Date): Promise<AlipayAnswer> {
  const method = params.method ?? '';
  if (!METHODS.has(method)) return { responseKey: 'error_response', node: invalid('isv.invalid-method', `不存在的方法名 ${method}`) };
  const responseKey = `${method.replaceAll('.', '_')}_response`;
  const answer = (node: Record<string, unknown>): AlipayAnswer => ({ responseKey, node });
  const appId = params.app_id ?? '';
  const rows = await merchantsOfCaller(ctx.db, 'alipay', appId);
  if (!rows.length) return answer(invalid('isv.invalid-app-id', '无效的AppID参数'));
  if (params.timestamp === undefined || parseShanghaiDateTime(params.timestamp) === undefined) return answer(invalid('isv.invalid-timestamp', '非法的时间戳参数'));
  // Every app registered under one app_id shares its key (ISV mode: one app, many authorisations).
  const appKey = rows[0]?.publicKey ?? '';
  const verified = verifyAlipayRequest(params, createPublicKey(appKey));
  if (!verified.ok) return answer(invalid('isv.invalid-signature', `验签出错 (${verified.reason})`));
  // The buyer authorises the app itself: no merchant, no app_auth_token, no biz_content.
  if (method === 'alipay.system.oauth.token') return alipayOAuthToken(ctx.db, appId, params, now);
  const merchant = pickMerchant(rows, params.app_auth_token);
  if (!merchant) return answer({ code: '20001', msg: 'Insufficient Token Permissions', sub_code: 'aop.invalid-app-auth-token', sub_msg: '无效的应用授权令牌' });
  let biz: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(params.biz_content ?? '{}');
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    biz = parsed as Record<string, unknown>;
  } catch {
    return answer(invalid('isv.invalid-parameter', 'biz_content 不是合法的 JSON 对象'));
  }
  const notifyUrl = str(params.notify_url) ?? null;

  switch (method) {
    case 'alipay.trade.precreate':
    case 'alipay.trade.create': {
      const outTradeNo = str(biz.out_trade_no);
      const fen = amountFen(biz.total_amount);
      const subject = str(biz.subject);
      if (!outTradeNo || !OUT_NO.test(outTradeNo) || fen === undefined || !subject) return answer(invalid('isv.missing-parameter', 'out_trade_no/total_amount/subject 缺失或格式错误'));
      const expire = str(biz.time_expire);
      const expiresAt = expire ? (parseShanghaiDateTime(expire) ?? null) : null;
      const kind = method === 'alipay.trade.precreate' ? 'precreate' : 'create';
      const buyer = str(biz.buyer_id) ?? str(biz.buyer_open_id) ?? null;
      if (kind === 'create' && buyer === null) return answer(business('ACQ.INVALID_PARAMETER', 'buyer_id 或 buyer_open_id 必填'));
      // A buyer who signed in through the sandbox's OAuth pays as that same sandbox buyer.
      const oauthBuyer = buyer === null ? null : await buyerOfOAuthPayer(ctx.db, 'alipay', str(biz.buyer_id) ? { userId: buyer } : { openId: buyer });
      const tradeNo = newChannelTradeNo('alipay', now);
      const { trade, created } = await createTrade(
        ctx.db,
        { merchantId: merchant.id, channel: 'alipay', kind, outTradeNo, amountFen: fen, description: subject, notifyUrl, expiresAt, requestedPayer: buyer, buyer: oauthBuyer, request: biz, channelTradeNo: tradeNo, ...(kind === 'create' ? { walletToken: tradeNo } : {}) },
        now,
      );
      if (!created && (trade.kind !== kind || trade.amountFen !== fen || trade.state !== 'NOTPAY')) {
        return answer(trade.state === 'SUCCESS' ? business('ACQ.TRADE_HAS_SUCCESS', '交易已被支付') : business('ACQ.CONTEXT_INCONSISTENT', '交易信息被篡改'));
      }
      if (kind === 'precreate') return answer({ ...SUCCESS, out_trade_no: outTradeNo, qr_code: `${sandboxBase}/wallet/alipay/${trade.walletToken}` });
      return answer({ ...SUCCESS, out_trade_no: outTradeNo, trade_no: trade.channelTradeNo });
    }

    case 'alipay.trade.pay': {
      const outTradeNo = str(biz.out_trade_no);
      const fen = amountFen(biz.total_amount);
      const subject = str(biz.subject);
      const authCode = str(biz.auth_code) ?? '';
      if (!outTradeNo || !OUT_NO.test(outTradeNo) || fen === undefined || !subject) return answer(invalid('isv.missing-parameter', 'out_trade_no/total_amount/subject 缺失或格式错误'));
      if (biz.scene !== 'bar_code') return answer(business('ACQ.INVALID_PARAMETER', '沙箱仅支持 scene=bar_code'));
      const route = routeBarcode(authCode);
      if (!route.ok || route.channel !== 'alipay') return answer(business('ACQ.PAYMENT_AUTH_CODE_INVALID', '支付失败，获取顾客账户信息失败，请顾客刷新付款码后重新收款'));
      const existing = await findTrade(ctx.db, merchant.id, outTradeNo);
      if (existing) {
        if (existing.kind !== 'pay' || (existing.request as { auth_code?: string }).auth_code !== authCode) return answer(business('ACQ.CONTEXT_INCONSISTENT', '交易信息被篡改'));
        return answer(payAnswer(existing));
      }
      const claim = await claimBuyerCode(ctx.db, 'alipay', authCode, now);
      if (claim === 'used') return answer(business('ACQ.PAYMENT_AUTH_CODE_INVALID', '付款码已使用'));
      const state = claim.behaviour === 'pay' ? 'NOTPAY' : claim.behaviour === 'insufficient_funds' ? 'CLOSED' : 'USERPAYING';
      const { trade } = await createTrade(
        ctx.db,
        { merchantId: merchant.id, channel: 'alipay', kind: 'pay', outTradeNo, amountFen: fen, description: subject, notifyUrl, expiresAt: null, requestedPayer: null, request: biz, behaviour: claim.behaviour, buyer: claim.buyer, pollsBeforeConfirm: claim.pollsBeforeConfirm, state },
        now,
      );
      if (claim.behaviour === 'insufficient_funds') return answer(business('ACQ.BUYER_BALANCE_NOT_ENOUGH', '买家余额不足'));
      if (claim.behaviour === 'pay') return answer(payAnswer((await markPaid(ctx, merchant, trade.id, claim.buyer, now)) ?? trade));
      return answer(payAnswer(trade));
    }

    case 'alipay.trade.query': {
      const trade = await tradeOrMissing(ctx, merchant, biz);
      if (!trade) return answer(NOT_EXIST);
      const current = await advanceCounterBuyer(ctx, merchant, trade, now);
      return answer({ ...SUCCESS, ...alipayTradeFields(current) });
    }

    case 'alipay.trade.close': {
      const trade = await tradeOrMissing(ctx, merchant, biz);
      if (!trade) return answer(NOT_EXIST);
      if (trade.state === 'SUCCESS') return answer(business('ACQ.TRADE_STATUS_ERROR', '交易状态不合法'));
      await transition(ctx.db, trade.id, ['NOTPAY', 'USERPAYING'], 'CLOSED', now);
      return answer({ ...SUCCESS, trade_no: trade.channelTradeNo, out_trade_no: trade.outTradeNo });
    }

    case 'alipay.trade.cancel': {
      const trade = await tradeOrMissing(ctx, merchant, biz);
      if (!trade) return answer(NOT_EXIST);
      if (trade.refundedFen > 0) return answer(business('ACQ.REASON_TRADE_REFUND_FEE_ERR', '交易已发生退款，不能撤销'));
      const paid = trade.state === 'SUCCESS';
      await transition(ctx.db, trade.id, ['NOTPAY', 'USERPAYING', 'SUCCESS'], 'REVOKED', now);
      return answer({ ...SUCCESS, trade_no: trade.channelTradeNo, out_trade_no: trade.outTradeNo, retry_flag: 'N', action: paid ? 'refund' : 'close' });
    }

    case 'alipay.trade.refund': {
      const trade = await tradeOrMissing(ctx, merchant, biz);
      if (!trade) return answer(NOT_EXIST);
      const fen = amountFen(biz.refund_amount);
      if (fen === undefined) return answer(invalid('isv.invalid-parameter', 'refund_amount 格式错误'));
      // Without out_request_no Alipay treats the call as one full refund of the trade.
      const outRequestNo = str(biz.out_request_no) ?? trade.outTradeNo;
      const outcome = await createRefund(ctx, merchant, trade.id, { outRefundNo: outRequestNo, amountFen: fen, reason: str(biz.refund_reason) ?? null, notifyUrl: null }, now);
      if (!outcome.ok) {
        if (outcome.reason === 'not_paid') return answer(business('ACQ.TRADE_STATUS_ERROR', '交易状态不合法'));
        if (outcome.reason === 'exceeds') return answer(business('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限'));
        return answer(business('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '同一退款请求号的退款金额不一致'));
      }
      const fields = alipayTradeFields(outcome.trade);
      return answer({
        ...SUCCESS,
        trade_no: fields.trade_no,
        out_trade_no: fields.out_trade_no,
        ...(fields.buyer_logon_id ? { buyer_logon_id: fields.buyer_logon_id, buyer_user_id: fields.buyer_user_id, buyer_open_id: fields.buyer_open_id } : {}),
        fund_change: outcome.created ? 'Y' : 'N',
        refund_fee: fenToYuan(outcome.trade.refundedFen),
        gmt_refund_pay: formatShanghaiDateTime(outcome.refund.succeededAt ?? now),
      });
    }

    case 'alipay.trade.fastpay.refund.query': {
      const trade = await tradeOrMissing(ctx, merchant, biz);
      if (!trade) return answer(NOT_EXIST);
      const outRequestNo = str(biz.out_request_no) ?? trade.outTradeNo;
      const [refund] = await ctx.db.select().from(sandboxRefunds).where(and(eq(sandboxRefunds.tradeId, trade.id), eq(sandboxRefunds.outRefundNo, outRequestNo)));
      // Alipay answers 10000 without refund fields when there is no such refund.
      if (!refund) return answer({ ...SUCCESS, trade_no: trade.channelTradeNo, out_trade_no: trade.outTradeNo, out_request_no: outRequestNo });
      return answer({
        ...SUCCESS,
        trade_no: trade.channelTradeNo,
        out_trade_no: trade.outTradeNo,
        out_request_no: outRequestNo,
        total_amount: fenToYuan(trade.amountFen),
        refund_amount: fenToYuan(refund.amountFen),
        refund_status: refund.status === 'SUCCESS' ? 'REFUND_SUCCESS' : 'REFUND_PROCESSING',
        ...(refund.succeededAt ? { gmt_refund_pay: formatShanghaiDateTime(refund.succeededAt) } : {}),
      });
    }

    case 'alipay.data.dataservice.bill.downloadurl.query': {
      const billDate = str(biz.bill_date) ?? '';
      if (biz.bill_type !== 'trade') return answer(invalid('isv.invalid-parameter', '沙箱仅支持 bill_type=trade'));
      if (!isBillDate(billDate)) return answer(invalid('isv.invalid-parameter', 'bill_date 格式错误'));
      const token = alipayBillToken(ctx.secretKey, merchant.id, billDate);
      return answer({ ...SUCCESS, bill_download_url: `${sandboxBase}/alipay/bills/${token}` });
    }

    default:
      return answer(invalid('isv.invalid-method', `不存在的方法名 ${method}`));
  }
}

function payAnswer(trade: SandboxTrade): Record<string, unknown> {
  const fields = alipayTradeFields(trade);
  const { trade_status: _status, send_pay_date: sendPayDate, ...rest } = fields;
  if (trade.state === 'SUCCESS') {
    return { ...SUCCESS, ...rest, gmt_payment: sendPayDate, invoice_amount: fields.total_amount, point_amount: '0.00', fund_bill_list: [{ amount: fields.total_amount, fund_channel: 'ALIPAYACCOUNT' }] };
  }
  if (trade.state === 'USERPAYING') return { code: '10003', msg: ' order success pay inprocess', trade_no: trade.channelTradeNo, out_trade_no: trade.outTradeNo, total_amount: fields.total_amount };
  return business('ACQ.TRADE_HAS_CLOSE', '交易已经关闭');
}

