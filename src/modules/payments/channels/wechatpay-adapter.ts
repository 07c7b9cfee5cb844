// WeChat Pay API v3 adapter (direct and 服务商 modes) on node:crypto + fetch, with the protocol
// functions of wechatpay-signature.ts and wechatpay-aes-gcm.ts. Every response is verified against
// the platform key before anything in it is believed, errors included: a forged ORDERNOTEXIST is as
// dangerous as a forged SUCCESS.
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import {
  ChannelError,
  type ChannelAdapter,
  type ChannelBillLine,
  type ChannelHttpAnswer,
  type ChannelNotification,
  type ChannelOrderRequest,
  type ChannelPayer,
  type ChannelRefundState,
  type ChannelRefundStatus,
  type ChannelTradeState,
  type ChannelTradeStatus,
  type NotificationRejection,
} from './adapter.js';
import { WECHATPAY_DEFAULT_BASE_URL, type WechatpayCredentials } from './channel-credentials.js';
import { formatShanghaiRfc3339 } from './shanghai-time.js';
import { createWechatOAuth } from './wechat-oauth.js';
import { decryptWechatpayResource, parseWechatpayNotification } from './wechatpay-aes-gcm.js';
import { createPlatformKeyring, normaliseSerial, readCertificateList, type PlatformCertificate, type PlatformCertificateStore, type PlatformKeyring } from './wechatpay-certificates.js';
import {
  newWechatpayNonce,
  signedMessageFromHeaders,
  signSha256WithRsa,
  signWechatpayRequest,
  verifyWechatpayResponse,
} from './wechatpay-signature.js';
import { yuanToFen } from './yuan-amount.js';

export interface AdapterRuntime {
  readonly fetch: typeof fetch;
  readonly now: () => Date;
  readonly timeoutMs: number;
}

const USER_AGENT = 'MemberPlus/0.1 (wechatpay-v3)';

interface WechatpayResponse {
  readonly status: number;
  readonly body: string;
  readonly json: Record<string, unknown> | undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function int(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : null;
}

function date(value: unknown): Date | null {
  const text = str(value);
  if (text === undefined) return null;
  const at = new Date(text);
  return Number.isNaN(at.getTime()) ? null : at;
}

const TRADE_STATES: Readonly<Record<string, ChannelTradeState>> = {
  NOTPAY: 'pending',
  USERPAYING: 'paying',
  ACCEPT: 'paying',
  SUCCESS: 'succeeded',
  REFUND: 'succeeded', // paid, then (partly) refunded: the payment itself succeeded
  CLOSED: 'closed',
  REVOKED: 'closed',
  PAYERROR: 'failed',
};

const REFUND_STATES: Readonly<Record<string, ChannelRefundState>> = {
  SUCCESS: 'succeeded',
  PROCESSING: 'processing',
  CLOSED: 'closed',
  ABNORMAL: 'failed',
};

// Business refusals of a 付款码 payment: the buyer was not charged, so the order simply failed.
const CODEPAY_FAILURES = new Set(['NOTENOUGH', 'AUTH_CODE_INVALID', 'AUTH_CODE_EXPIRE', 'AUTH_CODE_ERROR', 'TRADE_ERROR', 'BUYER_MISMATCH', 'PAYERROR', 'NOT_SUPPORT_CARD']);

export function createWechatpayAdapter(
  credentials: WechatpayCredentials,
  runtime: AdapterRuntime,
  certificateStore?: PlatformCertificateStore,
): ChannelAdapter & { readonly baseUrl: string; readonly platformKeyring: PlatformKeyring | undefined } {
  const baseUrl = (credentials.base_url ?? WECHATPAY_DEFAULT_BASE_URL).replace(/\/$/, '');
  const { account } = credentials;
  const partner = account.mode === 'service_provider';
  const signingMchid = account.mode === 'service_provider' ? account.sp_mchid : account.mchid;
  let merchantKey: KeyObject;
  let publicKeyMode: { readonly id: string; readonly key: KeyObject } | undefined;
  const pinned: { serialNo: string; key: KeyObject }[] = [];
  try {
    merchantKey = createPrivateKey(credentials.merchant_private_key);
    if (credentials.platform.mode === 'public_key') {
      publicKeyMode = { id: credentials.platform.public_key_id, key: createPublicKey(credentials.platform.public_key) };
    } else {
      for (const certificate of credentials.platform.certificates ?? []) pinned.push({ serialNo: certificate.serial_no, key: createPublicKey(certificate.public_key) });
    }
  } catch (error) {
    throw new ChannelError('wechatpay', 'misconfigured', 'bad_key', `cannot read a key: ${(error as Error).message}`);
  }
  // Platform-certificate mode: certificates come from GET /v3/certificates (and any pinned by hand).
  const keyring = publicKeyMode
    ? undefined
    : createPlatformKeyring({ pinned, store: certificateStore, download: (ring) => downloadPlatformCertificates(ring) });
  // Public-key ids compare exactly; certificate serials as hex numbers (see normaliseSerial).
  const lookupPlatformKey = (serial: string, now: Date) => (publicKeyMode ? (serial === publicKeyMode.id ? publicKeyMode.key : undefined) : keyring?.lookup(serial, now));

  const fail = (kind: 'rejected' | 'unavailable' | 'bad_response', code: string, message: string, status?: number) =>
    new ChannelError('wechatpay', kind, code, message, status);

  async function send(method: 'GET' | 'POST', url: URL, bodyText: string): Promise<Response> {
    const timestamp = Math.floor(runtime.now().getTime() / 1000);
    const authorization = signWechatpayRequest({
      method,
      pathWithQuery: url.pathname + url.search,
      timestamp,
      nonce: newWechatpayNonce(),
      body: bodyText,
      mchid: signingMchid,
      serialNo: credentials.merchant_serial_no,
      privateKey: merchantKey,
    });
    const headers: Record<string, string> = { Authorization: authorization, Accept: 'application/json', 'User-Agent': USER_AGENT };
    if (method === 'POST') headers['Content-Type'] = 'application/json';
    try {
      return await runtime.fetch(url, {
        method,
        headers,
        body: method === 'POST' ? bodyText : undefined,
        signal: AbortSignal.timeout(runtime.timeoutMs),
      });
    } catch (error) {
      throw fail('unavailable', 'network', `${method} ${url.pathname}: ${(error as Error).message}`);
    }
  }

  async function call(method: 'GET' | 'POST', path: string, body?: Record<string, unknown>): Promise<WechatpayResponse> {
    const url = new URL(baseUrl + path);
    const bodyText = body === undefined ? '' : JSON.stringify(body);
    const response = await send(method, url, bodyText);
    const text = await response.text();
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const message = signedMessageFromHeaders(headers, text);
    if (message !== undefined) await keyring?.ensure(message.serial, runtime.now(), 'response');
    // A gateway-level 5xx (load balancer, maintenance) carries no signature; its outcome is unknown.
    if (message === undefined) {
      if (response.status >= 500) throw fail('unavailable', `http_${String(response.status)}`, `${path}: HTTP ${String(response.status)}`, response.status);
      throw fail('bad_response', 'unsigned', `${path}: response without Wechatpay-* signature headers`, response.status);
    }
    const now = runtime.now();
    const verified = verifyWechatpayResponse(message, (serial) => lookupPlatformKey(serial, now), { now });
    if (!verified.ok) throw fail('bad_response', `signature_${verified.reason}`, `${path}: response signature rejected (${verified.reason})`, response.status);
    let json: Record<string, unknown> | undefined;
    if (text !== '') {
      try {
        const parsed: unknown = JSON.parse(text);
        json = isRecord(parsed) ? parsed : undefined;
      } catch {
        throw fail('bad_response', 'malformed', `${path}: response is not JSON`, response.status);
      }
    }
    return { status: response.status, body: text, json };
  }

  function errorOf(response: WechatpayResponse, path: string): ChannelError {
    const code = str(response.json?.code) ?? `http_${String(response.status)}`;
    const message = str(response.json?.message) ?? '';
    const kind = response.status >= 500 || code === 'SYSTEMERROR' || code === 'BANKERROR' || code === 'FREQUENCY_LIMITED' ? 'unavailable' : 'rejected';
    return fail(kind, code, `${path}: ${code} ${message}`.trim(), response.status);
  }

  const merchantFields = (): Record<string, string> =>
    account.mode === 'service_provider'
      ? { sp_appid: account.sp_appid, sp_mchid: account.sp_mchid, ...(account.sub_appid ? { sub_appid: account.sub_appid } : {}), sub_mchid: account.sub_mchid }
      : { appid: account.appid, mchid: account.mchid };
  const mchidFields = (): Record<string, string> =>
    account.mode === 'service_provider' ? { sp_mchid: account.sp_mchid, sub_mchid: account.sub_mchid } : { mchid: account.mchid };
  const mchidQuery = () => new URLSearchParams(mchidFields()).toString();
  const transactions = partner ? '/v3/pay/partner/transactions' : '/v3/pay/transactions';
  const byOutTradeNo = (outTradeNo: string) => `${transactions}/out-trade-no/${encodeURIComponent(outTradeNo)}`;

  function orderBody(order: ChannelOrderRequest): Record<string, unknown> {
    return {
      ...merchantFields(),
      description: order.description,
      out_trade_no: order.outTradeNo,
      time_expire: formatShanghaiRfc3339(order.expiresAt),
      notify_url: order.notifyUrl,
      amount: { total: order.amountFen, currency: 'CNY' },
    };
  }

  /** Reads a transaction (query answer, codepay answer or decrypted notification). */
  function tradeStatus(transaction: Record<string, unknown>, fallbackOutTradeNo: string): ChannelTradeStatus {
    const tradeState = str(transaction.trade_state) ?? 'UNKNOWN';
    const state = TRADE_STATES[tradeState];
    if (state === undefined) throw fail('bad_response', 'unknown_trade_state', `unknown trade_state ${tradeState}`);
    const amount = isRecord(transaction.amount) ? transaction.amount : {};
    const payer = isRecord(transaction.payer) ? transaction.payer : {};
    const payers: ChannelPayer[] = [];
    const spAppid = str(transaction.sp_appid) ?? str(transaction.appid);
    const openid = str(payer.openid) ?? str(payer.sp_openid);
    if (openid) payers.push({ kind: 'wechat_openid', value: openid, ...(spAppid ? { appId: spAppid } : {}) });
    const subOpenid = str(payer.sub_openid);
    const subAppid = str(transaction.sub_appid);
    if (subOpenid) payers.push({ kind: 'wechat_openid', value: subOpenid, ...(subAppid ? { appId: subAppid } : {}) });
    // Not in WeChat Pay's own payloads (unionids come from OAuth); the sandbox adds it, see ADR 0003.
    const unionid = str(payer.unionid);
    if (unionid) payers.push({ kind: 'wechat_unionid', value: unionid });
    return {
      state,
      outTradeNo: str(transaction.out_trade_no) ?? fallbackOutTradeNo,
      channelTradeNo: str(transaction.transaction_id) ?? null,
      amountFen: int(amount.total),
      paidAt: state === 'succeeded' ? date(transaction.success_time) : null,
      payers,
      channelState: tradeState,
    };
  }

  function refundStatus(refund: Record<string, unknown>, fallbackOutRefundNo: string): ChannelRefundStatus {
    // Queries and answers say `status`; notifications say `refund_status`.
    const channelState = str(refund.status) ?? str(refund.refund_status) ?? 'UNKNOWN';
    const state = REFUND_STATES[channelState];
    if (state === undefined) throw fail('bad_response', 'unknown_refund_status', `unknown refund status ${channelState}`);
    const amount = isRecord(refund.amount) ? refund.amount : {};
    return {
      state,
      outRefundNo: str(refund.out_refund_no) ?? fallbackOutRefundNo,
      channelRefundNo: str(refund.refund_id) ?? null,
      amountFen: int(amount.refund),
      succeededAt: state === 'succeeded' ? date(refund.success_time) : null,
      channelState,
    };
  }

  // A notification for another merchant of the same service provider must not move our orders.
  function belongsToUs(resource: Record<string, unknown>): boolean {
    if (account.mode === 'service_provider') return resource.sp_mchid === account.sp_mchid && resource.sub_mchid === account.sub_mchid;
    return resource.mchid === account.mchid;
  }

  async function queryOrder(outTradeNo: string): Promise<ChannelTradeStatus> {
    const path = `${byOutTradeNo(outTradeNo)}?${mchidQuery()}`;
    const response = await call('GET', path);
    if (response.status === 404) {
      return { state: 'not_found', outTradeNo, channelTradeNo: null, amountFen: null, paidAt: null, payers: [], channelState: str(response.json?.code) ?? 'ORDERNOTEXIST' };
    }
    if (response.status !== 200 || !response.json) throw errorOf(response, path);
    return tradeStatus(response.json, outTradeNo);
  }

  /**
   * GET /v3/certificates: each certificate opened with the APIv3 key (the AEAD tag proves it is WeChat
   * Pay's), then the answer's signature checked with a certificate already trusted or one from the list.
   */
  async function downloadPlatformCertificates(ring: PlatformKeyring): Promise<readonly PlatformCertificate[]> {
    const path = '/v3/certificates';
    const response = await send('GET', new URL(baseUrl + path), '');
    const text = await response.text();
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    if (response.status !== 200) throw fail(response.status >= 500 ? 'unavailable' : 'rejected', `http_${String(response.status)}`, `${path}: HTTP ${String(response.status)}`, response.status);
    const now = runtime.now();
    const list = readCertificateList(text, credentials.api_v3_key, now);
    if (!list.ok) throw fail('bad_response', `certificates_${list.reason}`, `${path}: ${list.reason}`);
    const message = signedMessageFromHeaders(headers, text);
    if (message === undefined) throw fail('bad_response', 'unsigned', `${path}: response without Wechatpay-* signature headers`);
    const fresh = new Map(list.certificates.map((certificate) => [certificate.serialNo, createPublicKey(certificate.certificatePem)]));
    const verified = verifyWechatpayResponse(message, (serial) => ring.lookup(serial, now) ?? fresh.get(normaliseSerial(serial)), { now });
    if (!verified.ok) throw fail('bad_response', `signature_${verified.reason}`, `${path}: response signature rejected (${verified.reason})`);
    return list.certificates;
  }

  return {
    channel: 'wechatpay',
    baseUrl,
    platformKeyring: keyring,
    walletOAuth: credentials.oauth ? createWechatOAuth(credentials.oauth, runtime) : undefined,

    async createQrOrder(order) {
      const path = `${transactions}/native`;
      const response = await call('POST', path, orderBody(order));
      const codeUrl = str(response.json?.code_url);
      if (response.status !== 200) throw errorOf(response, path);
      if (!codeUrl) throw fail('bad_response', 'malformed', `${path}: no code_url`);
      return { codeUrl };
    },

    async createInAppOrder(order) {
      const path = `${transactions}/jsapi`;
      // In 服务商 mode an openid of the merchant's own app is sub_openid (paid in sub_appid), else sp_openid.
      const subAppid = account.mode === 'service_provider' ? account.sub_appid : undefined;
      const useSub = subAppid !== undefined && order.payer.appId === subAppid;
      const payer = partner ? (useSub ? { sub_openid: order.payer.value } : { sp_openid: order.payer.value }) : { openid: order.payer.value };
      const response = await call('POST', path, { ...orderBody(order), payer });
      if (response.status !== 200) throw errorOf(response, path);
      const prepayId = str(response.json?.prepay_id);
      if (!prepayId) throw fail('bad_response', 'malformed', `${path}: no prepay_id`);
      const appId = account.mode === 'service_provider' ? (useSub && subAppid ? subAppid : account.sp_appid) : account.appid;
      const timeStamp = String(Math.floor(runtime.now().getTime() / 1000));
      const nonceStr = newWechatpayNonce();
      const pkg = `prepay_id=${prepayId}`;
      // The wallet's JSAPI call (WeixinJSBridge getBrandWCPayRequest) checks this signature.
      const paySign = signSha256WithRsa(`${appId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`, merchantKey);
      return { payParams: { appId, timeStamp, nonceStr, package: pkg, signType: 'RSA', paySign } };
    },

    async payWithAuthCode(order) {
      const path = `${transactions}/codepay`;
      const body = {
        ...merchantFields(),
        description: order.description,
        out_trade_no: order.outTradeNo,
        payer: { auth_code: order.authCode },
        amount: { total: order.amountFen, currency: 'CNY' },
      };
      const response = await call('POST', path, body);
      if (response.status === 200 && response.json) return tradeStatus(response.json, order.outTradeNo);
      const code = str(response.json?.code) ?? '';
      if (response.status === 202 || code === 'USERPAYING') {
        return { state: 'paying', outTradeNo: order.outTradeNo, channelTradeNo: null, amountFen: order.amountFen, paidAt: null, payers: [], channelState: 'USERPAYING' };
      }
      if (CODEPAY_FAILURES.has(code)) {
        return { state: 'failed', outTradeNo: order.outTradeNo, channelTradeNo: null, amountFen: order.amountFen, paidAt: null, payers: [], channelState: code };
      }
      // ORDERPAID: a retry of a payment that already went through; the query tells the truth.
      if (code === 'ORDERPAID') return queryOrder(order.outTradeNo);
      throw errorOf(response, path);
    },

    queryOrder,

    async closeOrder(outTradeNo) {
      const path = `${byOutTradeNo(outTradeNo)}/close`;
      const response = await call('POST', path, mchidFields());
      // Nothing to close is as good as closed: the buyer cannot pay an order the channel never had.
      if (response.status === 204 || response.status === 200 || response.status === 404) return;
      throw errorOf(response, path);
    },

    async reverseOrder(outTradeNo) {
      const path = `${byOutTradeNo(outTradeNo)}/reverse`;
      const response = await call('POST', path, merchantFields());
      if (response.status === 200 || response.status === 204 || response.status === 404) return;
      throw errorOf(response, path);
    },

    async refund(request) {
      const path = '/v3/refund/domestic/refunds';
      const body = {
        ...(account.mode === 'service_provider' ? { sub_mchid: account.sub_mchid } : {}),
        out_trade_no: request.outTradeNo,
        out_refund_no: request.outRefundNo,
        reason: request.reason,
        notify_url: request.notifyUrl,
        amount: { refund: request.refundFen, total: request.totalFen, currency: 'CNY' },
      };
      const response = await call('POST', path, body);
      if (response.status !== 200 || !response.json) throw errorOf(response, path);
      return refundStatus(response.json, request.outRefundNo);
    },

    async queryRefund(request) {
      const query = account.mode === 'service_provider' ? `?sub_mchid=${encodeURIComponent(account.sub_mchid)}` : '';
      const path = `/v3/refund/domestic/refunds/${encodeURIComponent(request.outRefundNo)}${query}`;
      const response = await call('GET', path);
      if (response.status === 404) {
        return { state: 'not_found', outRefundNo: request.outRefundNo, channelRefundNo: null, amountFen: null, succeededAt: null, channelState: str(response.json?.code) ?? 'RESOURCE_NOT_EXISTS' };
      }
      if (response.status !== 200 || !response.json) throw errorOf(response, path);
      const status = refundStatus(response.json, request.outRefundNo);
      if (str(response.json.out_trade_no) !== undefined && response.json.out_trade_no !== request.outTradeNo) {
        throw fail('bad_response', 'trade_mismatch', `refund ${request.outRefundNo} belongs to another order`);
      }
      return status;
    },

    async parseNotification({ headers, rawBody, now }) {
      const reject = (reason: NotificationRejection) => ({ ok: false, reason }) as const;
      const message = signedMessageFromHeaders(headers, rawBody);
      if (message === undefined) return reject('malformed');
      await keyring?.ensure(message.serial, now);
      const verified = verifyWechatpayResponse(message, (serial) => lookupPlatformKey(serial, now), { now });
      if (!verified.ok) return reject(verified.reason);
      let parsed: unknown;
      try {
        parsed = JSON.parse(rawBody);
      } catch {
        return reject('malformed');
      }
      const envelope = parseWechatpayNotification(parsed);
      if (!envelope.ok) return reject('malformed');
      const decrypted = decryptWechatpayResource(envelope.notification.resource, credentials.api_v3_key);
      if (!decrypted.ok) return reject(decrypted.reason === 'malformed' ? 'malformed' : 'decrypt_failed');
      let resource: unknown;
      try {
        resource = JSON.parse(decrypted.plaintext);
      } catch {
        return reject('malformed');
      }
      if (!isRecord(resource) || !belongsToUs(resource)) return reject('malformed');
      const { id: notificationId, event_type: eventType } = envelope.notification;
      let notification: ChannelNotification;
      try {
        if (eventType.startsWith('TRANSACTION.')) {
          const outTradeNo = str(resource.out_trade_no);
          if (!outTradeNo) return reject('malformed');
          notification = { kind: 'payment', notificationId, status: tradeStatus(resource, outTradeNo) };
        } else if (eventType.startsWith('REFUND.')) {
          const outTradeNo = str(resource.out_trade_no);
          const outRefundNo = str(resource.out_refund_no);
          if (!outTradeNo || !outRefundNo) return reject('malformed');
          notification = { kind: 'refund', notificationId, outTradeNo, status: refundStatus(resource, outRefundNo) };
        } else {
          return reject('malformed');
        }
      } catch {
        return reject('malformed');
      }
      return { ok: true, notification };
    },

    acknowledge(accepted): ChannelHttpAnswer {
      if (accepted) return { status: 204, headers: {}, body: '' };
      return { status: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'FAIL', message: '失败' }) };
    },

    async downloadBill(billDate) {
      // GZIP, as WeChat Pay recommends for bills: a busy merchant's day is megabytes of text.
      const query = new URLSearchParams({ bill_date: billDate, bill_type: 'ALL', ...(account.mode === 'service_provider' ? { sub_mchid: account.sub_mchid } : {}), tar_type: 'GZIP' });
      const path = `/v3/bill/tradebill?${query.toString()}`;
      const response = await call('GET', path);
      if (response.status !== 200 || !response.json) throw errorOf(response, path);
      const downloadUrl = str(response.json.download_url);
      const hashValue = str(response.json.hash_value);
      if (!downloadUrl || !hashValue || response.json.hash_type !== 'SHA1') throw fail('bad_response', 'malformed', `${path}: no download_url/hash`);
      // The file itself is not signed (it is a file, not an API answer); the SHA1 from the signed
      // answer above is what proves it is the channel's.
      const file = await send('GET', new URL(downloadUrl), '');
      const received = Buffer.from(await file.arrayBuffer());
      if (file.status !== 200) throw fail(file.status >= 500 ? 'unavailable' : 'rejected', `http_${String(file.status)}`, `bill download: HTTP ${String(file.status)}`, file.status);
      // The signed SHA1 is of the bill itself, so a gzip answer is inflated first.
      let bytes: Buffer;
      try {
        bytes = received[0] === 0x1f && received[1] === 0x8b ? gunzipSync(received, { maxOutputLength: 200 * 1024 * 1024 }) : received;
      } catch (error) {
        throw fail('bad_response', 'bill_unreadable', `bill download: ${(error as Error).message}`);
      }
      if (createHash('sha1').update(bytes).digest('hex').toLowerCase() !== hashValue.toLowerCase()) {
        throw fail('bad_response', 'bill_hash_mismatch', 'bill file does not match the signed SHA1');
      }
      return bytes.toString('utf8').replace(/^\uFEFF/, '');
    },
  };
}

// --- the trade bill file (交易账单), bill_type=ALL --------------------------------------------

// Every field is prefixed with a backtick so spreadsheets keep long numbers as text.
function billFields(line: string): string[] {
  return line.split(',').map((field) => field.trim().replace(/^`/, ''));
}

function yuanFen(text: string | undefined): number {
  const parsed = yuanToFen((text ?? '').trim());
  if (!parsed.ok) throw new Error(`bill: bad amount ${String(text)}`);
  return parsed.fen;
}

// Fees are written in yuan with up to 5 decimals; we keep fen, rounding half up (away from zero).
function feeFen(text: string | undefined): number {
  const match = /^(-)?(\d+)(?:\.(\d{1,5}))?$/.exec((text ?? '').trim());
  if (!match) throw new Error(`bill: bad fee ${String(text)}`);
  const [, minus, whole = '0', fraction = ''] = match;
  const hundredThousandths = BigInt(whole) * 100_000n + BigInt(fraction.padEnd(5, '0'));
  const fen = Number((hundredThousandths + 500n) / 1000n);
  return minus && fen !== 0 ? -fen : fen;
}

/** Parses a WeChat Pay trade bill (ALL): one line per payment and one per refund; totals checked. */
export function parseWechatpayBill(text: string): ChannelBillLine[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = billFields(lines[0] ?? '');
  const column = (name: string) => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`bill: no column ${name}`);
    return index;
  };
  const at = { time: column('交易时间'), tradeNo: column('微信订单号'), outTradeNo: column('商户订单号'), state: column('交易状态'), settle: column('应结订单金额'), refundNo: column('微信退款单号'), outRefundNo: column('商户退款单号'), refund: column('退款金额'), fee: column('手续费') };
  const summaryAt = lines.findIndex((line) => line.startsWith('总交易单数'));
  if (summaryAt < 0) throw new Error('bill: no summary lines');
  const rows = lines.slice(1, summaryAt).map(billFields);
  const result = rows.map((row): ChannelBillLine => {
    const state = row[at.state] ?? '';
    const refund = state === 'REFUND';
    const occurredAt = new Date(`${(row[at.time] ?? '').replace(' ', 'T')}+08:00`);
    if (Number.isNaN(occurredAt.getTime())) throw new Error(`bill: bad time ${String(row[at.time])}`);
    return {
      kind: refund ? 'refund' : 'payment',
      outTradeNo: row[at.outTradeNo] ?? '',
      channelTradeNo: row[at.tradeNo] ?? '',
      outRefundNo: refund ? (row[at.outRefundNo] ?? null) : null,
      channelRefundNo: refund ? (row[at.refundNo] ?? null) : null,
      amountFen: refund ? yuanFen(row[at.refund]) : yuanFen(row[at.settle]),
      feeFen: feeFen(row[at.fee]),
      occurredAt,
      channelState: state,
    };
  });
  const totals = billFields(lines[summaryAt + 1] ?? '');
  if (Number(totals[0]) !== result.length) throw new Error('bill: line count does not match the summary');
  return result;
}
