// WeChat Pay API v3 signatures (SHA256withRSA, PKCS#1 v1.5, base64): requests we send carry an
// Authorization header signed with the merchant key; responses and notifications we receive carry
// Wechatpay-* headers signed with the platform key. The sandbox gateway uses the same functions the
// other way round, so both sides of the protocol share one implementation.
import { createSign, createVerify, randomBytes, type KeyLike } from 'node:crypto';

export const WECHATPAY_AUTH_SCHEMA = 'WECHATPAY2-SHA256-RSA2048';
// WeChat Pay documents a 5-minute window; anything older may be a replay.
export const WECHATPAY_MAX_SKEW_SECONDS = 300;

export interface WechatpayRequestToSign {
  readonly method: string;
  /** Path and query exactly as sent on the wire, e.g. `/v3/pay/transactions/id/1?mchid=1`. */
  readonly pathWithQuery: string;
  /** Unix seconds. */
  readonly timestamp: number | string;
  readonly nonce: string;
  /** The raw body text as sent; empty for GET. */
  readonly body: string;
}

export interface WechatpayAuthorization {
  readonly mchid: string;
  readonly serialNo: string;
  readonly timestamp: string;
  readonly nonceStr: string;
  readonly signature: string;
}

export type WechatpayVerifyFailure = 'malformed' | 'unknown_serial' | 'stale_timestamp' | 'bad_signature';

export type WechatpayVerification = { readonly ok: true } | { readonly ok: false; readonly reason: WechatpayVerifyFailure };

export type WechatpayRequestVerification =
  | { readonly ok: true; readonly authorization: WechatpayAuthorization }
  | { readonly ok: false; readonly reason: WechatpayVerifyFailure };

/** What the Wechatpay-* response/notification headers carry, plus the raw body they sign. */
export interface WechatpaySignedMessage {
  readonly timestamp: string;
  readonly nonce: string;
  readonly signature: string;
  /** Platform certificate serial (hex) or `PUB_KEY_ID_…` in public-key mode. */
  readonly serial: string;
  readonly signatureType?: string | undefined;
  /** The raw body text as received, never re-serialised JSON. */
  readonly body: string;
}

/** Finds the platform public key (or certificate PEM) for a `Wechatpay-Serial`; undefined if unknown. */
export type WechatpayPublicKeyLookup = (serial: string) => KeyLike | undefined;

/** Finds a merchant's public key for the serial_no in its Authorization header (sandbox side). */
export type WechatpayMerchantKeyLookup = (mchid: string, serialNo: string) => KeyLike | undefined;

export interface WechatpayVerifyOptions {
  readonly now: Date;
  readonly maxSkewSeconds?: number;
}

// Every signed line ends in \n, the last one too: `a\nb\n...\n`.
function joinLines(lines: readonly string[]): string {
  return `${lines.join('\n')}\n`;
}

export function buildRequestSigningMessage(request: WechatpayRequestToSign): string {
  return joinLines([request.method.toUpperCase(), request.pathWithQuery, String(request.timestamp), request.nonce, request.body]);
}

export function buildResponseSigningMessage(timestamp: number | string, nonce: string, body: string): string {
  return joinLines([String(timestamp), nonce, body]);
}

export function signSha256WithRsa(message: string, privateKey: KeyLike): string {
  return createSign('sha256WithRSAEncryption').update(message, 'utf8').sign(privateKey, 'base64');
}

export function verifySha256WithRsa(message: string, signatureBase64: string, publicKey: KeyLike): boolean {
  return createVerify('sha256WithRSAEncryption').update(message, 'utf8').verify(publicKey, signatureBase64, 'base64');
}

/** 32 alphanumeric characters, as WeChat Pay's own SDKs send. */
export function newWechatpayNonce(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}

export function buildAuthorizationHeader(authorization: WechatpayAuthorization): string {
  const { mchid, serialNo, timestamp, nonceStr, signature } = authorization;
  return `${WECHATPAY_AUTH_SCHEMA} mchid="${mchid}",serial_no="${serialNo}",timestamp="${timestamp}",nonce_str="${nonceStr}",signature="${signature}"`;
}

/** Signs a request with the merchant key and returns the whole Authorization header value. */
export function signWechatpayRequest(
  request: WechatpayRequestToSign & { readonly mchid: string; readonly serialNo: string; readonly privateKey: KeyLike },
): string {
  return buildAuthorizationHeader({
    mchid: request.mchid,
    serialNo: request.serialNo,
    timestamp: String(request.timestamp),
    nonceStr: request.nonce,
    signature: signSha256WithRsa(buildRequestSigningMessage(request), request.privateKey),
  });
}

const AUTH_KEYS = { mchid: 'mchid', serial_no: 'serialNo', timestamp: 'timestamp', nonce_str: 'nonceStr', signature: 'signature' } as const;

export function parseAuthorizationHeader(
  header: string,
): { readonly ok: true; readonly authorization: WechatpayAuthorization } | { readonly ok: false; readonly reason: 'malformed' } {
  const malformed = { ok: false, reason: 'malformed' } as const;
  const prefix = `${WECHATPAY_AUTH_SCHEMA} `;
  if (!header.startsWith(prefix)) return malformed;
  const params = header.slice(prefix.length);
  const param = /\s*([a-z_]+)="([^"\n]*)"\s*(,|$)/y;
  const found: Partial<Record<keyof WechatpayAuthorization, string>> = {};
  let separator: string | undefined = ',';
  while (separator === ',') {
    const match = param.exec(params);
    if (!match) return malformed;
    const name = match[1] ?? '';
    separator = match[3];
    // Only the five documented parameters, each once: anything else is not a header we signed.
    if (!Object.hasOwn(AUTH_KEYS, name)) return malformed;
    const field = AUTH_KEYS[name as keyof typeof AUTH_KEYS];
    if (found[field] !== undefined) return malformed;
    found[field] = match[2] ?? '';
  }
  const { mchid, serialNo, timestamp, nonceStr, signature } = found;
  if (!mchid || !serialNo || !timestamp || !nonceStr || !signature) return malformed;
  return { ok: true, authorization: { mchid, serialNo, timestamp, nonceStr, signature } };
}

const TIMESTAMP = /^\d{1,12}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function isSkewed(timestamp: string, now: Date, maxSkewSeconds: number): boolean {
  return Math.abs(now.getTime() / 1000 - Number(timestamp)) > maxSkewSeconds;
}

// A newline inside a field would let one signed message be re-split into different fields.
function hasNewline(...fields: readonly string[]): boolean {
  return fields.some((field) => field.includes('\n'));
}

/**
 * Verifies a response or notification from WeChat Pay (or from the sandbox). Fails closed: an
 * unknown serial, a timestamp outside the window or any malformed field is a rejection.
 */
export function verifyWechatpayResponse(
  message: WechatpaySignedMessage,
  lookupPublicKey: WechatpayPublicKeyLookup,
  options: WechatpayVerifyOptions,
): WechatpayVerification {
  const { timestamp, nonce, signature, serial, signatureType, body } = message;
  if (
    !TIMESTAMP.test(timestamp) ||
    nonce === '' ||
    hasNewline(nonce) ||
    signature === '' ||
    !BASE64.test(signature) ||
    wechatpaySerialKind(serial) === undefined ||
    (signatureType !== undefined && signatureType !== WECHATPAY_AUTH_SCHEMA)
  ) {
    return { ok: false, reason: 'malformed' };
  }
  const publicKey = lookupPublicKey(serial);
  if (publicKey === undefined) return { ok: false, reason: 'unknown_serial' };
  if (isSkewed(timestamp, options.now, options.maxSkewSeconds ?? WECHATPAY_MAX_SKEW_SECONDS)) {
    return { ok: false, reason: 'stale_timestamp' };
  }
  const signed = buildResponseSigningMessage(timestamp, nonce, body);
  return verifySha256WithRsa(signed, signature, publicKey) ? { ok: true } : { ok: false, reason: 'bad_signature' };
}

/** Verifies a merchant's signed request; the sandbox gateway's side of `signWechatpayRequest`. */
export function verifyWechatpayRequest(
  request: { readonly method: string; readonly pathWithQuery: string; readonly body: string; readonly authorization: string },
  lookupMerchantKey: WechatpayMerchantKeyLookup,
  options: WechatpayVerifyOptions,
): WechatpayRequestVerification {
  const parsed = parseAuthorizationHeader(request.authorization);
  if (!parsed.ok) return parsed;
  const { authorization } = parsed;
  if (
    !TIMESTAMP.test(authorization.timestamp) ||
    !BASE64.test(authorization.signature) ||
    hasNewline(request.method, request.pathWithQuery)
  ) {
    return { ok: false, reason: 'malformed' };
  }
  const publicKey = lookupMerchantKey(authorization.mchid, authorization.serialNo);
  if (publicKey === undefined) return { ok: false, reason: 'unknown_serial' };
  if (isSkewed(authorization.timestamp, options.now, options.maxSkewSeconds ?? WECHATPAY_MAX_SKEW_SECONDS)) {
    return { ok: false, reason: 'stale_timestamp' };
  }
  const signed = buildRequestSigningMessage({
    method: request.method,
    pathWithQuery: request.pathWithQuery,
    timestamp: authorization.timestamp,
    nonce: authorization.nonceStr,
    body: request.body,
  });
  return verifySha256WithRsa(signed, authorization.signature, publicKey)
    ? { ok: true, authorization }
    : { ok: false, reason: 'bad_signature' };
}

/**
 * Which kind of key a `Wechatpay-Serial` names: new merchants only get public-key mode
 * (`PUB_KEY_ID_…`), older ones platform certificates (hex serial). Undefined if neither.
 */
export function wechatpaySerialKind(serial: string): 'public_key' | 'platform_certificate' | undefined {
  if (/^PUB_KEY_ID_[0-9A-Za-z]+$/.test(serial)) return 'public_key';
  if (/^[0-9A-Fa-f]{1,64}$/.test(serial)) return 'platform_certificate';
  return undefined;
}

/** Signs a response or notification body; returns the Wechatpay-* headers the receiver verifies. */
export function signWechatpayResponse(input: {
  readonly timestamp: number | string;
  readonly nonce: string;
  readonly body: string;
  readonly serial: string;
  readonly privateKey: KeyLike;
}): Record<'Wechatpay-Timestamp' | 'Wechatpay-Nonce' | 'Wechatpay-Signature' | 'Wechatpay-Serial' | 'Wechatpay-Signature-Type', string> {
  return {
    'Wechatpay-Timestamp': String(input.timestamp),
    'Wechatpay-Nonce': input.nonce,
    'Wechatpay-Signature': signSha256WithRsa(buildResponseSigningMessage(input.timestamp, input.nonce, input.body), input.privateKey),
    'Wechatpay-Serial': input.serial,
    'Wechatpay-Signature-Type': WECHATPAY_AUTH_SCHEMA,
  };
}

/**
 * Reads the Wechatpay-* headers (Node lower-cases header names) into a message to verify;
 * undefined when one is missing or repeated.
 */
export function signedMessageFromHeaders(
  headers: Readonly<Record<string, string | readonly string[] | undefined>>,
  body: string,
): WechatpaySignedMessage | undefined {
  const single = (name: string): string | undefined => {
    const value = headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  // A repeated header is ambiguous: which copy was signed? Refuse rather than pick one.
  const repeated = ['wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-signature', 'wechatpay-serial', 'wechatpay-signature-type'].some(
    (name) => Array.isArray(headers[name]),
  );
  if (repeated) return undefined;
  const timestamp = single('wechatpay-timestamp');
  const nonce = single('wechatpay-nonce');
  const signature = single('wechatpay-signature');
  const serial = single('wechatpay-serial');
  if (timestamp === undefined || nonce === undefined || signature === undefined || serial === undefined) return undefined;
  return { timestamp, nonce, signature, serial, signatureType: single('wechatpay-signature-type'), body };
}
