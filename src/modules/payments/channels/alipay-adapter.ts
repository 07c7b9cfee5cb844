// Alipay Open API (v2 gateway) adapter, ISV and direct modes, built on alipay-sdk: the SDK signs every
// request (`sdkExecute`) and verifies notifications (`checkNotifySignV2`). The transport is our own
// fetch so that timeouts and test doubles of the network are ours, and responses are verified with
// alipay-signature.ts, which cuts the signed node out of the raw text as Alipay documents it.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { AlipaySdk } from 'alipay-sdk';
import {
  ChannelError,
  type ChannelAdapter,
  type ChannelBillLine,
  type ChannelHttpAnswer,
  type ChannelNotification,
  type ChannelOrderRequest,
  type ChannelPayer,
  type ChannelRefundStatus,
  type ChannelTradeState,
  type ChannelTradeStatus,
  type WalletOAuth,
} from './adapter.js';
import { verifyAlipayNotification, verifyAlipayResponse } from './alipay-signature.js';
import { alipayDetailsText } from './bill-archive.js';
import { ALIPAY_DEFAULT_GATEWAY_URL, ALIPAY_OAUTH_DEFAULT_AUTHORIZE_URL, type AlipayCredentials } from './channel-credentials.js';
import { formatShanghaiDateTime, parseShanghaiDateTime } from './shanghai-time.js';
import type { AdapterRuntime } from './wechatpay-adapter.js';
import { fenToYuan, yuanToFen } from './yuan-amount.js';

const TRADE_STATES: Readonly<Record<string, ChannelTradeState>> = {
  WAIT_BUYER_PAY: 'pending',
  TRADE_SUCCESS: 'succeeded',
  TRADE_FINISHED: 'succeeded',
  TRADE_CLOSED: 'closed',
};

// trade.pay refusals after which the buyer has certainly not been charged.
const PAY_FAILURES = new Set([
  'ACQ.BUYER_BALANCE_NOT_ENOUGH',
  'ACQ.PAYMENT_AUTH_CODE_INVALID',
  'ACQ.BUYER_BANKCARD_BALANCE_NOT_ENOUGH',
  'ACQ.PAYMENT_FAIL',
  'ACQ.BUYER_ENABLE_STATUS_FORBID',
  'ACQ.ERROR_BUYER_CERTIFY_LEVEL_LIMIT',
  'ACQ.PULL_MOBILE_CASHIER_FAIL',
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function fen(value: unknown): number | null {
  const text = str(value);
  if (text === undefined) return null;
  const parsed = yuanToFen(text);
  return parsed.ok ? parsed.fen : null;
}

function shanghai(value: unknown): Date | null {
  const text = str(value);
  return text === undefined ? null : (parseShanghaiDateTime(text) ?? null);
}

// PEM text as alipay-sdk wants it: it strips the armour lines itself, and a trailing newline would
// leave the END line inside the key body.
function pemType(pem: string): 'PKCS1' | 'PKCS8' {
  return pem.includes('BEGIN RSA PRIVATE KEY') ? 'PKCS1' : 'PKCS8';
}

interface AlipayAnswer {
  readonly code: string;
  readonly node: Record<string, unknown>;
}

export function createAlipayAdapter(credentials: AlipayCredentials, runtime: AdapterRuntime): ChannelAdapter & { readonly gatewayUrl: string } {
  const gatewayUrl = credentials.gateway_url ?? ALIPAY_DEFAULT_GATEWAY_URL;
  const { account } = credentials;
  const alipayPublicKey = (() => {
    try {
      createPrivateKey(credentials.app_private_key);
      return createPublicKey(credentials.alipay_public_key);
    } catch (error) {
      throw new ChannelError('alipay', 'misconfigured', 'bad_key', `cannot read a key: ${(error as Error).message}`);
    }
  })();
  const sdk = new AlipaySdk({
    appId: account.app_id,
    privateKey: credentials.app_private_key.trim(),
    keyType: pemType(credentials.app_private_key),
    alipayPublicKey: credentials.alipay_public_key.trim(),
    gateway: gatewayUrl,
    signType: 'RSA2',
    camelcase: false,
  });
  const fail = (kind: 'rejected' | 'unavailable' | 'bad_response', code: string, message: string, status?: number) =>
    new ChannelError('alipay', kind, code, message, status);

  // ISV calls carry the merchant's app_auth_token; orders carry the ISV's PID for 返佣 attribution.
  const authToken = account.mode === 'isv' ? { app_auth_token: account.app_auth_token } : {};
  const extendParams = account.mode === 'isv' ? { extend_params: { sys_service_provider_id: account.sys_service_provider_id } } : {};

  async function call(method: string, bizContent: Record<string, unknown> | undefined, extra: Record<string, string> = {}, asMerchant = true): Promise<AlipayAnswer> {
    // The SDK stamps host-local time; Alipay reads Beijing time, so the timestamp is ours.
    const params = { timestamp: formatShanghaiDateTime(runtime.now()), ...(asMerchant ? authToken : {}), ...extra, ...(bizContent ? { bizContent } : {}) };
    const form = sdk.sdkExecute(method, params, { bizContentAutoSnakeCase: false });
    let response: Response;
    try {
      response = await runtime.fetch(gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8', accept: 'application/json' },
        body: form,
        signal: AbortSignal.timeout(runtime.timeoutMs),
      });
    } catch (error) {
      throw fail('unavailable', 'network', `${method}: ${(error as Error).message}`);
    }
    const text = await response.text();
    if (response.status !== 200) throw fail('unavailable', `http_${String(response.status)}`, `${method}: HTTP ${String(response.status)}`, response.status);
    const verified = verifyAlipayResponse(text, method, alipayPublicKey);
    if (!verified.ok) throw fail('bad_response', `signature_${verified.reason}`, `${method}: response signature rejected (${verified.reason})`);
    const node: unknown = JSON.parse(verified.content);
    if (!isRecord(node)) throw fail('bad_response', 'malformed', `${method}: response node is not an object`);
    return { code: str(node.code) ?? '', node };
  }

  function errorOf(method: string, answer: AlipayAnswer): ChannelError {
    const subCode = str(answer.node.sub_code) ?? answer.code;
    const message = `${method}: ${answer.code} ${subCode} ${str(answer.node.sub_msg) ?? str(answer.node.msg) ?? ''}`.trim();
    // 20000 (service unavailable) and ACQ.SYSTEM_ERROR leave the outcome unknown.
    const unknown = answer.code === '20000' || subCode === 'ACQ.SYSTEM_ERROR' || subCode.startsWith('aop.') || subCode.startsWith('isp.');
    return fail(unknown ? 'unavailable' : 'rejected', subCode, message);
  }

  function payersOf(node: Record<string, unknown>): ChannelPayer[] {
    const payers: ChannelPayer[] = [];
    const userId = str(node.buyer_user_id) ?? str(node.buyer_id);
    if (userId) payers.push({ kind: 'alipay_user_id', value: userId });
    const openId = str(node.buyer_open_id);
    if (openId) payers.push({ kind: 'alipay_open_id', value: openId, appId: account.app_id });
    return payers;
  }

  function tradeStatus(node: Record<string, unknown>, outTradeNo: string, fallbackState?: string): ChannelTradeStatus {
    const channelState = str(node.trade_status) ?? fallbackState ?? 'UNKNOWN';
    const mapped = TRADE_STATES[channelState];
    if (mapped === undefined) throw fail('bad_response', 'unknown_trade_status', `unknown trade_status ${channelState}`);
    // TRADE_CLOSED also means "paid, then fully refunded": a payment date says the buyer did pay.
    const state = mapped === 'closed' && (str(node.send_pay_date) ?? str(node.gmt_payment)) !== undefined ? 'succeeded' : mapped;
    return {
      state,
      outTradeNo: str(node.out_trade_no) ?? outTradeNo,
      channelTradeNo: str(node.trade_no) ?? null,
      amountFen: fen(node.total_amount),
      paidAt: state === 'succeeded' ? (shanghai(node.send_pay_date) ?? shanghai(node.gmt_payment)) : null,
      payers: payersOf(node),
      channelState,
    };
  }

  function orderContent(order: ChannelOrderRequest): Record<string, unknown> {
    return {
      out_trade_no: order.outTradeNo,
      total_amount: fenToYuan(order.amountFen),
      subject: order.description,
      time_expire: formatShanghaiDateTime(order.expiresAt),
      ...extendParams,
    };
  }

  const notFound = (outTradeNo: string, channelState: string): ChannelTradeStatus => ({
    state: 'not_found',
    outTradeNo,
    channelTradeNo: null,
    amountFen: null,
    paidAt: null,
    payers: [],
    channelState,
  });

  async function queryOrder(outTradeNo: string): Promise<ChannelTradeStatus> {
    const method = 'alipay.trade.query';
    const answer = await call(method, { out_trade_no: outTradeNo });
    if (answer.code === '10000') return tradeStatus(answer.node, outTradeNo);
    if (answer.node.sub_code === 'ACQ.TRADE_NOT_EXIST') return notFound(outTradeNo, 'ACQ.TRADE_NOT_EXIST');
    throw errorOf(method, answer);
  }

  async function queryRefund(request: { readonly outTradeNo: string; readonly outRefundNo: string }): Promise<ChannelRefundStatus> {
    const method = 'alipay.trade.fastpay.refund.query';
    const answer = await call(method, { out_trade_no: request.outTradeNo, out_request_no: request.outRefundNo, query_options: ['gmt_refund_pay'] });
    if (answer.code !== '10000') {
      if (answer.node.sub_code === 'ACQ.TRADE_NOT_EXIST') {
        return { state: 'not_found', outRefundNo: request.outRefundNo, channelRefundNo: null, amountFen: null, succeededAt: null, channelState: 'ACQ.TRADE_NOT_EXIST' };
      }
      throw errorOf(method, answer);
    }
    // Alipay answers 10000 with no refund fields when the refund does not exist.
    const amountFen = fen(answer.node.refund_amount);
    if (amountFen === null) {
      return { state: 'not_found', outRefundNo: request.outRefundNo, channelRefundNo: null, amountFen: null, succeededAt: null, channelState: 'NOT_EXIST' };
    }
    const refundStatus = str(answer.node.refund_status) ?? 'REFUND_SUCCESS';
    return {
      state: refundStatus === 'REFUND_SUCCESS' ? 'succeeded' : 'processing',
      outRefundNo: str(answer.node.out_request_no) ?? request.outRefundNo,
      channelRefundNo: null, // Alipay names a refund by out_request_no only
      amountFen,
      succeededAt: shanghai(answer.node.gmt_refund_pay),
      channelState: refundStatus,
    };
  }

  // auth_base: openauth.alipay.com/oauth2/publicAppAuthorize.htm, then alipay.system.oauth.token signed
  // by the app itself (the buyer authorises the app, not a merchant's app_auth_token).
  const walletOAuth: WalletOAuth | undefined = credentials.oauth
    ? {
        authorizeUrl({ redirectUri, state }) {
          const query = new URLSearchParams({ app_id: account.app_id, scope: 'auth_base', redirect_uri: redirectUri, state });
          return `${credentials.oauth?.authorize_url ?? ALIPAY_OAUTH_DEFAULT_AUTHORIZE_URL}?${query.toString()}`;
        },
        async exchangeCode(code) {
          const method = 'alipay.system.oauth.token';
          const answer = await call(method, undefined, { grant_type: 'authorization_code', code }, false);
          // A success carries no `code`; errors come as error_response with code/sub_code.
          if (answer.code !== '' && answer.code !== '10000') throw errorOf(method, answer);
          const userId = str(answer.node.user_id);
          const openId = str(answer.node.open_id);
          // New apps receive only open_id (scoped by app); older ones the 2088… user id, which trade.create prefers.
          if (userId && /^2088\d{12}$/.test(userId)) return { kind: 'alipay_user_id', value: userId };
          if (openId) return { kind: 'alipay_open_id', value: openId, appId: account.app_id };
          throw fail('bad_response', 'malformed', `${method}: neither user_id nor open_id`);
        },
      }
    : undefined;

  return {
    channel: 'alipay',
    walletOAuth,
    gatewayUrl,

    async createQrOrder(order) {
      const method = 'alipay.trade.precreate';
      const answer = await call(method, orderContent(order), { notify_url: order.notifyUrl });
      if (answer.code !== '10000') throw errorOf(method, answer);
      const codeUrl = str(answer.node.qr_code);
      if (!codeUrl) throw fail('bad_response', 'malformed', `${method}: no qr_code`);
      return { codeUrl };
    },

    async createInAppOrder(order) {
      const method = 'alipay.trade.create';
      // New apps receive open_id (scoped by app); older ones the 2088… user id.
      const buyer = order.payer.kind === 'alipay_open_id' ? { buyer_open_id: order.payer.value } : { buyer_id: order.payer.value };
      const answer = await call(method, { ...orderContent(order), ...buyer, product_code: 'JSAPI_PAY', op_app_id: account.app_id }, { notify_url: order.notifyUrl });
      if (answer.code !== '10000') throw errorOf(method, answer);
      const tradeNo = str(answer.node.trade_no);
      if (!tradeNo) throw fail('bad_response', 'malformed', `${method}: no trade_no`);
      // The H5 page calls AlipayJSBridge tradePay with this.
      return { payParams: { tradeNO: tradeNo } };
    },

    async payWithAuthCode(order) {
      const method = 'alipay.trade.pay';
      const content = { out_trade_no: order.outTradeNo, scene: 'bar_code', auth_code: order.authCode, subject: order.description, total_amount: fenToYuan(order.amountFen), ...extendParams };
      const answer = await call(method, content, { notify_url: order.notifyUrl });
      if (answer.code === '10000') return tradeStatus(answer.node, order.outTradeNo, 'TRADE_SUCCESS');
      if (answer.code === '10003') {
        return { state: 'paying', outTradeNo: order.outTradeNo, channelTradeNo: str(answer.node.trade_no) ?? null, amountFen: order.amountFen, paidAt: null, payers: [], channelState: '10003' };
      }
      const subCode = str(answer.node.sub_code) ?? '';
      if (answer.code === '40004' && PAY_FAILURES.has(subCode)) {
        return { state: 'failed', outTradeNo: order.outTradeNo, channelTradeNo: null, amountFen: order.amountFen, paidAt: null, payers: [], channelState: subCode };
      }
      throw errorOf(method, answer);
    },

    queryOrder,

    async closeOrder(outTradeNo) {
      const method = 'alipay.trade.close';
      const answer = await call(method, { out_trade_no: outTradeNo });
      // A QR order nobody scanned does not exist at Alipay yet: nothing to close.
      if (answer.code === '10000' || answer.node.sub_code === 'ACQ.TRADE_NOT_EXIST') return;
      throw errorOf(method, answer);
    },

    async reverseOrder(outTradeNo) {
      const method = 'alipay.trade.cancel';
      const answer = await call(method, { out_trade_no: outTradeNo });
      if (answer.code === '10000') {
        // retry_flag Y: Alipay could not cancel yet and asks to be called again.
        if (answer.node.retry_flag === 'Y') throw fail('unavailable', 'RETRY', `${method}: retry_flag=Y`);
        return;
      }
      throw errorOf(method, answer);
    },

    async refund(request) {
      const method = 'alipay.trade.refund';
      // Alipay has no per-refund notify_url: refund notifications go to the order's notify_url.
      const answer = await call(method, { out_trade_no: request.outTradeNo, refund_amount: fenToYuan(request.refundFen), out_request_no: request.outRefundNo, refund_reason: request.reason });
      if (answer.code !== '10000') throw errorOf(method, answer);
      // fund_change N: no new money moved (a repeated out_request_no); the query says what happened.
      if (answer.node.fund_change !== 'Y') return queryRefund(request);
      return {
        state: 'succeeded',
        outRefundNo: request.outRefundNo,
        channelRefundNo: null,
        amountFen: request.refundFen,
        succeededAt: shanghai(answer.node.gmt_refund_pay) ?? runtime.now(),
        channelState: 'REFUND_SUCCESS',
      };
    },

    queryRefund,

    async parseNotification({ rawBody }) {
      const form: Record<string, string> = {};
      for (const [key, value] of new URLSearchParams(rawBody)) {
        if (Object.hasOwn(form, key)) return { ok: false, reason: 'malformed' };
        form[key] = value;
      }
      if (!form.sign) return { ok: false, reason: 'malformed' };
      // Both the SDK's check and ours must pass: the SDK also tries without sign_type, ours pins RSA2.
      if (!sdk.checkNotifySignV2(form) || !verifyAlipayNotification(form, alipayPublicKey).ok) return { ok: false, reason: 'bad_signature' };
      if (form.app_id !== account.app_id) return { ok: false, reason: 'malformed' };
      const notificationId = form.notify_id;
      const outTradeNo = form.out_trade_no;
      if (!notificationId || !outTradeNo) return { ok: false, reason: 'malformed' };
      let notification: ChannelNotification;
      try {
        if (form.out_biz_no && form.refund_fee && form.gmt_refund) {
          const succeededAt = shanghai(form.gmt_refund);
          notification = {
            kind: 'refund',
            notificationId,
            outTradeNo,
            // refund_fee is the trade's refunded total so far, not this refund's amount.
            status: { state: 'succeeded', outRefundNo: form.out_biz_no, channelRefundNo: null, amountFen: null, succeededAt, channelState: form.trade_status ?? 'REFUND' },
          };
        } else {
          notification = { kind: 'payment', notificationId, status: tradeStatus(form, outTradeNo) };
        }
      } catch {
        return { ok: false, reason: 'malformed' };
      }
      return { ok: true, notification };
    },

    acknowledge(accepted): ChannelHttpAnswer {
      // Alipay reads the body: exactly `success`, anything else means "send again".
      return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: accepted ? 'success' : 'fail' };
    },

    async downloadBill(billDate) {
      const method = 'alipay.data.dataservice.bill.downloadurl.query';
      const answer = await call(method, { bill_type: 'trade', bill_date: billDate });
      if (answer.code !== '10000') throw errorOf(method, answer);
      const url = str(answer.node.bill_download_url);
      if (!url) throw fail('bad_response', 'malformed', `${method}: no bill_download_url`);
      let file: Response;
      try {
        file = await runtime.fetch(url, { signal: AbortSignal.timeout(runtime.timeoutMs) });
      } catch (error) {
        throw fail('unavailable', 'network', `bill download: ${(error as Error).message}`);
      }
      if (file.status !== 200) throw fail('unavailable', `http_${String(file.status)}`, `bill download: HTTP ${String(file.status)}`, file.status);
      // A ZIP of GBK CSVs (业务明细 and its 汇总); the details file is what reconciliation reads.
      try {
        return alipayDetailsText(new Uint8Array(await file.arrayBuffer()));
      } catch (error) {
        throw fail('bad_response', 'bill_unreadable', `bill download: ${(error as Error).message}`);
      }
    },
  };
}

// --- the trade bill (业务明细) ------------------------------------------------------------------

/** Parses Alipay's 业务明细 CSV: `#` comment lines around a header and tab-padded fields. */
export function parseAlipayBill(text: string): ChannelBillLine[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((line) => line.trim() !== '' && !line.startsWith('#'));
  const fields = (line: string) => line.split(',').map((field) => field.trim());
  const header = fields(lines[0] ?? '');
  const column = (name: string) => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`bill: no column ${name}`);
    return index;
  };
  const at = { tradeNo: column('支付宝交易号'), outTradeNo: column('商户订单号'), type: column('业务类型'), done: column('完成时间'), amount: column('订单金额（元）'), refundNo: column('退款批次号/请求号'), fee: column('服务费（元）') };
  return lines.slice(1).map((line): ChannelBillLine => {
    const row = fields(line);
    const type = row[at.type] ?? '';
    const refund = type === '退款';
    const amount = yuanToFen((row[at.amount] ?? '').replace(/^-/, ''));
    const fee = /^(-)?(\d+(?:\.\d{1,2})?)$/.exec(row[at.fee] ?? '');
    const feeYuan = fee ? yuanToFen(fee[2] ?? '') : undefined;
    const occurredAt = parseShanghaiDateTime(row[at.done] ?? '');
    if (!amount.ok || !feeYuan?.ok || occurredAt === undefined) throw new Error(`bill: bad line ${line}`);
    return {
      kind: refund ? 'refund' : 'payment',
      outTradeNo: row[at.outTradeNo] ?? '',
      channelTradeNo: row[at.tradeNo] ?? '',
      outRefundNo: refund ? (row[at.refundNo] ?? null) : null,
      channelRefundNo: null,
      amountFen: amount.fen,
      // 服务费 is written negative (a charge to the merchant); refunds give it back, positive.
      feeFen: (fee?.[1] ? feeYuan.fen : -feeYuan.fen) || 0, // never -0
      occurredAt,
      channelState: type,
    };
  });
}
