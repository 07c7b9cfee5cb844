// The sandbox's WeChat Pay API v3: the request signature is checked first, then the request, and every
// answer (errors and 204s included) goes back signed with the platform key the merchant verifies with.
import { createHash, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { formatShanghaiRfc3339 } from '../channels/shanghai-time.js';
import { encryptWechatpayResource } from '../channels/wechatpay-aes-gcm.js';
import { parseAuthorizationHeader, verifyWechatpayRequest } from '../channels/wechatpay-signature.js';
import { buyerOfOAuthPayer } from './oauth.js';
import { sandboxSecretBox } from './sandbox-keys.js';
import { routeBarcode } from '../counter/barcode-route.js';
import { isBillDate, renderWechatpayBill } from './sandbox-bills.js';
import { merchantById, merchantsOfCaller, pickMerchant, type SandboxMerchant } from './sandbox-merchants.js';
import {
  advanceCounterBuyer,
  claimBuyerCode,
  createRefund,
  createTrade,
  findRefund,
  findTrade,
  markPaid,
  transition,
  wechatRefundNode,
  wechatTransaction,
  type SandboxContext,
  type SandboxTrade,
} from './sandbox-trades.js';

export interface WechatpayRequest {
  readonly method: string;
  /** Path and query exactly as received (what the merchant signed). */
  readonly pathWithQuery: string;
  readonly rawBody: string;
  readonly authorization: string | undefined;
  readonly body: Record<string, unknown>;
  readonly query: Record<string, string | undefined>;
  /** Where the sandbox is reachable, as the caller reached it (`http://host/sandbox`), for URLs in answers. */
  readonly sandboxBase: string;
  readonly now: Date;
}

export interface WechatpayAnswer {
  readonly status: number;
  readonly body?: Record<string, unknown>;
  /** Who the answer is for (decides the signing key); undefined when unknown. */
  readonly merchant?: SandboxMerchant;
  /** A file, sent unsigned (bill downloads): text, or gzip bytes. */
  readonly file?: string | Buffer;
}

type Operation =
  | { readonly op: 'order'; readonly partner: boolean; readonly tradeType: 'native' | 'jsapi' | 'codepay' }
  | { readonly op: 'query' | 'close' | 'reverse'; readonly partner: boolean; readonly outTradeNo: string }
  | { readonly op: 'refund' }
  | { readonly op: 'refund_query'; readonly outRefundNo: string }
  | { readonly op: 'tradebill' }
  | { readonly op: 'certificates' }
  | { readonly op: 'billdownload' };

const error = (status: number, code: string, message: string, merchant?: SandboxMerchant): WechatpayAnswer => ({ status, body: { code, message }, ...(merchant ? { merchant } : {}) });

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const OUT_NO = /^[0-9A-Za-z_\-|*]{6,32}$/;
const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;

const ANY_OF_CALLER = Symbol('any merchant of the signing mchid');

/** Verifies the signature and resolves the merchant the request acts for. */
async function authenticate(ctx: SandboxContext, request: WechatpayRequest, subMchid: string | undefined | typeof ANY_OF_CALLER): Promise<{ ok: true; merchant: SandboxMerchant } | { ok: false; answer: WechatpayAnswer }> {
  const parsed = parseAuthorizationHeader(request.authorization ?? '');
  if (!parsed.ok) return { ok: false, answer: error(401, 'SIGN_ERROR', 'Authorization 头格式错误') };
  const rows = await merchantsOfCaller(ctx.db, 'wechatpay', parsed.authorization.mchid);
  const keys = new Map<string, KeyObject>();
  for (const row of rows) if (row.keySerial) keys.set(row.keySerial.toUpperCase(), createPublicKey(row.publicKey));
  const verified = verifyWechatpayRequest(
    { method: request.method, pathWithQuery: request.pathWithQuery, body: request.rawBody, authorization: request.authorization ?? '' },
    (_mchid, serial) => keys.get(serial.toUpperCase()),
    { now: request.now },
  );
  if (!verified.ok) return { ok: false, answer: error(401, 'SIGN_ERROR', `签名错误 (${verified.reason})`, rows[0]) };
  // Platform certificates belong to the signer (the 服务商 itself in 服务商 mode), not to a sub-merchant.
  if (subMchid === ANY_OF_CALLER) {
    const signer = rows.find((row) => row.keySerial?.toUpperCase() === parsed.authorization.serialNo.toUpperCase());
    return signer ? { ok: true, merchant: signer } : { ok: false, answer: error(401, 'SIGN_ERROR', '签名错误 (unknown_serial)', rows[0]) };
  }
  const merchant = pickMerchant(rows, subMchid);
  if (!merchant) {
    return { ok: false, answer: error(subMchid === undefined ? 400 : 403, subMchid === undefined ? 'PARAM_ERROR' : 'NO_AUTH', subMchid === undefined ? '缺少 sub_mchid' : '特约商户与服务商不匹配', rows[0]) };
  }
  return { ok: true, merchant };
}

// The mchid/appid a request carries must be the signer's own (and its sub-merchant's in 服务商 mode).
function checkIdentity(merchant: SandboxMerchant, partner: boolean, fields: Record<string, unknown>): WechatpayAnswer | undefined {
  if (partner !== (merchant.mode === 'service_provider')) return error(403, 'NO_AUTH', partner ? '非服务商商户不能调用服务商接口' : '服务商请调用服务商接口', merchant);
  if (partner) {
    if (fields.sp_mchid !== merchant.callerId) return error(400, 'PARAM_ERROR', 'sp_mchid 与签名商户号不一致', merchant);
    if (fields.sp_appid !== undefined && fields.sp_appid !== merchant.appId) return error(400, 'APPID_MCHID_NOT_MATCH', 'sp_appid 和 sp_mchid 不匹配', merchant);
    if (fields.sub_appid !== undefined && fields.sub_appid !== merchant.subAppId) return error(400, 'APPID_MCHID_NOT_MATCH', 'sub_appid 和 sub_mchid 不匹配', merchant);
    return undefined;
  }
  if (fields.mchid !== merchant.callerId) return error(400, 'PARAM_ERROR', 'mchid 与签名商户号不一致', merchant);
  if (fields.appid !== undefined && fields.appid !== merchant.appId) return error(400, 'APPID_MCHID_NOT_MATCH', 'appid 和 mchid 不匹配', merchant);
  return undefined;
}

function amountOf(body: Record<string, unknown>): number | undefined {
  const amount = isRecord(body.amount) ? body.amount : undefined;
  const total = amount?.total;
  if (typeof total !== 'number' || !Number.isSafeInteger(total) || total <= 0) return undefined;
  if (amount?.currency !== undefined && amount.currency !== 'CNY') return undefined;
  return total;
}

function sameOrder(trade: SandboxTrade, amountFen: number, description: string): boolean {
  return trade.amountFen === amountFen && trade.description === description;
}

async function createOrder(ctx: SandboxContext, merchant: SandboxMerchant, request: WechatpayRequest, tradeType: 'native' | 'jsapi' | 'codepay'): Promise<WechatpayAnswer> {
  const { body, now } = request;
  const outTradeNo = str(body.out_trade_no);
  const description = str(body.description);
  const amountFen = amountOf(body);
  if (!outTradeNo || !OUT_NO.test(outTradeNo)) return error(400, 'PARAM_ERROR', 'out_trade_no 格式错误', merchant);
  if (!description || description.length > 127) return error(400, 'PARAM_ERROR', 'description 必填且不超过 127 字符', merchant);
  if (amountFen === undefined) return error(400, 'PARAM_ERROR', 'amount.total 必须为正整数（分）', merchant);
  const notifyUrl = str(body.notify_url);
  if (tradeType !== 'codepay' && (!notifyUrl || !/^https?:\/\//.test(notifyUrl))) return error(400, 'PARAM_ERROR', 'notify_url 格式错误', merchant);
  const timeExpire = str(body.time_expire);
  const expiresAt = timeExpire ? new Date(timeExpire) : null;
  if (expiresAt && Number.isNaN(expiresAt.getTime())) return error(400, 'PARAM_ERROR', 'time_expire 格式错误', merchant);

  if (tradeType === 'codepay') return codepay(ctx, merchant, request, { outTradeNo, description, amountFen });

  let requestedPayer: string | null = null;
  let oauthBuyer: string | null = null;
  if (tradeType === 'jsapi') {
    const payer = isRecord(body.payer) ? body.payer : {};
    const subOpenid = str(payer.sub_openid);
    const openid = str(payer.openid) ?? str(payer.sp_openid) ?? subOpenid;
    if (!openid) return error(400, 'PARAM_ERROR', 'payer.openid 必填', merchant);
    const appid = subOpenid ? (merchant.subAppId ?? merchant.appId) : merchant.appId;
    requestedPayer = `${appid}:${openid}`;
    // A buyer who signed in through the sandbox's OAuth pays as that same sandbox buyer.
    oauthBuyer = await buyerOfOAuthPayer(ctx.db, 'wechatpay', { openId: openid });
  }
  const walletToken = tradeType === 'jsapi' ? `wx${randomBytes(16).toString('hex')}` : undefined;
  const { trade, created } = await createTrade(
    ctx.db,
    { merchantId: merchant.id, channel: 'wechatpay', kind: tradeType, outTradeNo, amountFen, description, notifyUrl: notifyUrl ?? null, expiresAt, requestedPayer, buyer: oauthBuyer, request: body, ...(walletToken ? { walletToken } : {}) },
    now,
  );
  if (!created) {
    if (trade.state === 'SUCCESS') return error(400, 'ORDERPAID', '该订单已支付', merchant);
    if (trade.state !== 'NOTPAY' || trade.kind !== tradeType || !sameOrder(trade, amountFen, description)) return error(400, 'INVALID_REQUEST', '商户订单号重复', merchant);
  }
  if (tradeType === 'native') return { status: 200, body: { code_url: `${request.sandboxBase}/wallet/wechatpay/${trade.walletToken}` }, merchant };
  return { status: 200, body: { prepay_id: trade.walletToken }, merchant };
}

async function codepay(ctx: SandboxContext, merchant: SandboxMerchant, request: WechatpayRequest, order: { outTradeNo: string; description: string; amountFen: number }): Promise<WechatpayAnswer> {
  const { now } = request;
  const payer = isRecord(request.body.payer) ? request.body.payer : {};
  const authCode = str(payer.auth_code) ?? '';
  const route = routeBarcode(authCode);
  if (!route.ok || route.channel !== 'wechatpay') return error(400, 'AUTH_CODE_INVALID', '付款码无效，请重新扫码', merchant);
  const existing = await findTrade(ctx.db, merchant.id, order.outTradeNo);
  if (existing) {
    // The counter retrying the same payment gets the same outcome; another payment is a conflict.
    if (existing.kind !== 'codepay' || (existing.request as { payer?: { auth_code?: string } }).payer?.auth_code !== authCode) return error(400, 'INVALID_REQUEST', '商户订单号重复', merchant);
    return codepayAnswer(merchant, existing);
  }
  const claim = await claimBuyerCode(ctx.db, 'wechatpay', authCode, now);
  if (claim === 'used') return error(400, 'AUTH_CODE_INVALID', '付款码已使用', merchant);
  const behaviour = claim.behaviour;
  const buyer = claim.buyer;
  const { trade } = await createTrade(
    ctx.db,
    {
      merchantId: merchant.id,
      channel: 'wechatpay',
      kind: 'codepay',
      outTradeNo: order.outTradeNo,
      amountFen: order.amountFen,
      description: order.description,
      notifyUrl: null,
      expiresAt: null,
      requestedPayer: null,
      request: request.body,
      behaviour,
      buyer,
      pollsBeforeConfirm: claim.pollsBeforeConfirm,
      state: behaviour === 'pay' ? 'NOTPAY' : behaviour === 'insufficient_funds' ? 'PAYERROR' : 'USERPAYING',
    },
    now,
  );
  if (behaviour === 'pay') {
    const paid = await markPaid(ctx, merchant, trade.id, buyer, now);
    return codepayAnswer(merchant, paid ?? trade);
  }
  if (behaviour === 'insufficient_funds') return error(403, 'NOTENOUGH', '用户余额不足', merchant);
  return error(202, 'USERPAYING', '用户支付中，需要输入密码', merchant);
}

function codepayAnswer(merchant: SandboxMerchant, trade: SandboxTrade): WechatpayAnswer {
  if (trade.state === 'SUCCESS') return { status: 200, body: wechatTransaction(merchant, trade), merchant };
  if (trade.state === 'USERPAYING') return error(202, 'USERPAYING', '用户支付中，需要输入密码', merchant);
  if (trade.state === 'PAYERROR') return error(403, 'NOTENOUGH', '用户余额不足', merchant);
  return error(400, 'TRADE_ERROR', '交易状态不允许支付', merchant);
}

async function query(ctx: SandboxContext, merchant: SandboxMerchant, outTradeNo: string, now: Date): Promise<WechatpayAnswer> {
  const trade = await findTrade(ctx.db, merchant.id, outTradeNo);
  if (!trade) return error(404, 'ORDERNOTEXIST', '订单不存在', merchant);
  return { status: 200, body: wechatTransaction(merchant, await advanceCounterBuyer(ctx, merchant, trade, now)), merchant };
}

async function close(ctx: SandboxContext, merchant: SandboxMerchant, outTradeNo: string, now: Date): Promise<WechatpayAnswer> {
  const trade = await findTrade(ctx.db, merchant.id, outTradeNo);
  if (!trade) return error(404, 'ORDERNOTEXIST', '订单不存在', merchant);
  if (trade.state === 'SUCCESS') return error(400, 'ORDERPAID', '订单已支付，不能关闭', merchant);
  const closed = await transition(ctx.db, trade.id, ['NOTPAY', 'USERPAYING'], 'CLOSED', now);
  if (!closed) {
    const again = await findTrade(ctx.db, merchant.id, outTradeNo);
    if (again?.state === 'SUCCESS') return error(400, 'ORDERPAID', '订单已支付，不能关闭', merchant);
  }
  return { status: 204, merchant };
}

/** 撤销: an unpaid barcode order is cancelled; a paid one is refunded in full and revoked. */
async function reverse(ctx: SandboxContext, merchant: SandboxMerchant, outTradeNo: string, now: Date): Promise<WechatpayAnswer> {
  const trade = await findTrade(ctx.db, merchant.id, outTradeNo);
  if (!trade) return error(404, 'ORDERNOTEXIST', '订单不存在', merchant);
  if (trade.kind !== 'codepay') return error(400, 'INVALID_REQUEST', '非付款码订单不能撤销', merchant);
  if (trade.refundedFen > 0) return error(400, 'INVALID_REQUEST', '订单已发生退款，不能撤销', merchant);
  await transition(ctx.db, trade.id, ['NOTPAY', 'USERPAYING', 'SUCCESS', 'PAYERROR'], 'REVOKED', now);
  return { status: 204, merchant };
}

async function refund(ctx: SandboxContext, merchant: SandboxMerchant, request: WechatpayRequest): Promise<WechatpayAnswer> {
  const { body, now } = request;
  const outTradeNo = str(body.out_trade_no);
  const outRefundNo = str(body.out_refund_no);
  const amount = isRecord(body.amount) ? body.amount : {};
  const refundFen = amount.refund;
  const totalFen = amount.total;
  if (!outTradeNo || !outRefundNo || !OUT_REFUND_NO.test(outRefundNo)) return error(400, 'PARAM_ERROR', 'out_trade_no / out_refund_no 格式错误', merchant);
  if (typeof refundFen !== 'number' || !Number.isSafeInteger(refundFen) || refundFen <= 0 || typeof totalFen !== 'number') return error(400, 'PARAM_ERROR', 'amount.refund / amount.total 必须为正整数（分）', merchant);
  const trade = await findTrade(ctx.db, merchant.id, outTradeNo);
  if (!trade) return error(404, 'ORDERNOTEXIST', '订单不存在', merchant);
  if (totalFen !== trade.amountFen) return error(400, 'PARAM_ERROR', '订单金额与原订单不一致', merchant);
  const other = await findRefund(ctx.db, merchant.id, outRefundNo);
  if (other && other.trade.id !== trade.id) return error(400, 'INVALID_REQUEST', '商户退款单号已用于其他订单', merchant);
  const reason = str(body.reason) ?? null;
  const notifyUrl = str(body.notify_url) ?? null;
  const outcome = await createRefund(ctx, merchant, trade.id, { outRefundNo, amountFen: refundFen, reason, notifyUrl }, now);
  if (!outcome.ok) {
    if (outcome.reason === 'not_paid') return error(400, 'INVALID_REQUEST', '订单未支付或已撤销，不能退款', merchant);
    if (outcome.reason === 'exceeds') return error(400, 'INVALID_REQUEST', '申请退款金额超过订单可退金额', merchant);
    return error(400, 'INVALID_REQUEST', '同一商户退款单号的退款金额与之前不一致', merchant);
  }
  return { status: 200, body: wechatRefundNode(outcome.trade, outcome.refund), merchant };
}

async function refundQuery(ctx: SandboxContext, merchant: SandboxMerchant, outRefundNo: string): Promise<WechatpayAnswer> {
  const found = await findRefund(ctx.db, merchant.id, outRefundNo);
  if (!found) return error(404, 'RESOURCE_NOT_EXISTS', '退款单不存在', merchant);
  return { status: 200, body: wechatRefundNode(found.trade, found.refund), merchant };
}

/**
 * GET /v3/certificates: every platform certificate still valid, each sealed with AEAD_AES_256_GCM
 * under the caller's APIv3 key (associated_data `certificate`), as WeChat Pay lists them.
 */
function certificateList(ctx: SandboxContext, merchant: SandboxMerchant): Record<string, unknown> {
  const apiV3Key = merchant.sealedApiV3Key ? sandboxSecretBox(ctx.secretKey).open(merchant.sealedApiV3Key) : undefined;
  if (!apiV3Key) return { data: [] };
  return {
    data: ctx.keys.wechatpayPlatformCertificates.map((certificate) => ({
      serial_no: certificate.serial,
      effective_time: formatShanghaiRfc3339(certificate.notBefore),
      expire_time: formatShanghaiRfc3339(certificate.notAfter),
      encrypt_certificate: encryptWechatpayResource(certificate.certificatePem, {
        apiV3Key,
        nonce: randomBytes(6).toString('hex'),
        associatedData: 'certificate',
        originalType: 'certificate',
      }),
    })),
  };
}

/** Handles one WeChat Pay v3 call; the route signs whatever comes back. */
export async function handleWechatpay(ctx: SandboxContext, operation: Operation, request: WechatpayRequest): Promise<WechatpayAnswer> {
  const { body, query: params, now } = request;
  let subMchid: string | undefined;
  if (operation.op === 'order' || operation.op === 'close' || operation.op === 'reverse') subMchid = operation.partner ? str(body.sub_mchid) : undefined;
  else if (operation.op === 'query') subMchid = operation.partner ? str(params.sub_mchid) : undefined;
  else if (operation.op === 'refund') subMchid = str(body.sub_mchid);
  else subMchid = str(params.sub_mchid);
  if (operation.op === 'billdownload') {
    const [merchantId, billDate, tarType] = (params.token ?? '').split('.', 3);
    const target = merchantId ? await merchantById(ctx.db, merchantId) : undefined;
    const auth = await authenticate(ctx, request, target?.subId ?? undefined);
    if (!auth.ok) return auth.answer;
    // Only the merchant the bill belongs to may fetch it.
    if (!target || auth.merchant.id !== target.id || !billDate || !isBillDate(billDate)) return error(404, 'RESOURCE_NOT_EXISTS', '账单文件不存在', auth.merchant);
    const bill = await renderWechatpayBill(ctx.db, target, billDate);
    return { status: 200, file: tarType === 'GZIP' ? gzipSync(Buffer.from(bill, 'utf8')) : bill, merchant: target };
  }
  if (operation.op === 'certificates') {
    const auth = await authenticate(ctx, request, ANY_OF_CALLER);
    if (!auth.ok) return auth.answer;
    return { status: 200, body: certificateList(ctx, auth.merchant), merchant: auth.merchant };
  }
  const auth = await authenticate(ctx, request, subMchid);
  if (!auth.ok) return auth.answer;
  const { merchant } = auth;
  switch (operation.op) {
    case 'order':
      return checkIdentity(merchant, operation.partner, body) ?? createOrder(ctx, merchant, request, operation.tradeType);
    case 'query':
      return checkIdentity(merchant, operation.partner, params) ?? query(ctx, merchant, operation.outTradeNo, now);
    case 'close':
      return checkIdentity(merchant, operation.partner, body) ?? close(ctx, merchant, operation.outTradeNo, now);
    case 'reverse':
      return checkIdentity(merchant, operation.partner, body) ?? reverse(ctx, merchant, operation.outTradeNo, now);
    case 'refund':
      return refund(ctx, merchant, request);
    case 'refund_query':
      return refundQuery(ctx, merchant, operation.outRefundNo);
    case 'tradebill': {
      const billDate = params.bill_date ?? '';
      if (!isBillDate(billDate)) return error(400, 'PARAM_ERROR', 'bill_date 格式错误', merchant);
      if (params.bill_type !== undefined && params.bill_type !== 'ALL') return error(400, 'PARAM_ERROR', '沙箱仅支持 bill_type=ALL', merchant);
      if (params.tar_type !== undefined && params.tar_type !== 'GZIP') return error(400, 'PARAM_ERROR', 'tar_type 仅支持 GZIP', merchant);
      const file = await renderWechatpayBill(ctx.db, merchant, billDate);
      // The hash is of the bill itself, before gzip (as WeChat Pay documents it).
      return {
        status: 200,
        body: { hash_type: 'SHA1', hash_value: createHash('sha1').update(file, 'utf8').digest('hex'), download_url: `${request.sandboxBase}/wechatpay/v3/billdownload/file?token=${merchant.id}.${billDate}${params.tar_type === 'GZIP' ? '.GZIP' : ''}` },
        merchant,
      };
    }
  }
}

export type { Operation as WechatpayOperation };
