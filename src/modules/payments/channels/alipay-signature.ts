// Alipay Open API (v2 gateway) RSA2 signatures: SHA256withRSA, base64, over `k=v&k=v` of the
// parameters sorted by key, values as-is (not URL-encoded). We sign requests and verify
// notifications and responses; the sandbox gateway does the opposite with the same functions.
import { createSign, createVerify, type KeyLike } from 'node:crypto';

export type AlipayParams = Readonly<Record<string, string | undefined>>;

export type AlipayVerifyFailure = 'missing_signature' | 'unsupported_sign_type' | 'malformed' | 'bad_signature';

export type AlipayVerification = { readonly ok: true } | { readonly ok: false; readonly reason: AlipayVerifyFailure };

export type AlipayResponseVerification =
  | { readonly ok: true; readonly responseKey: string; readonly content: string }
  | { readonly ok: false; readonly reason: AlipayVerifyFailure };

const RSA2 = 'RSA2';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// Requests sign everything but `sign`; async notifications also leave out `sign_type` (rsaCheckV1).
const REQUEST_UNSIGNED = ['sign'] as const;
const NOTIFICATION_UNSIGNED = ['sign', 'sign_type'] as const;

/**
 * The text Alipay signs. Empty and missing values are skipped, as Alipay's gateway and its Java SDK
 * do (`StringUtils.areNotEmpty(key, value)`); alipay-sdk for Node would write `k=` instead, which
 * only matters if an empty value is ever sent, so we never send one.
 */
export function buildAlipaySigningContent(params: AlipayParams, unsigned: readonly string[]): string {
  return Object.keys(params)
    .filter((key) => key !== '' && !unsigned.includes(key))
    .sort()
    .flatMap((key) => {
      const value = params[key];
      return value === undefined || value === '' ? [] : [`${key}=${value}`];
    })
    .join('&');
}

function signRsa2(content: string, privateKey: KeyLike): string {
  return createSign('RSA-SHA256').update(content, 'utf8').sign(privateKey, 'base64');
}

function verifyRsa2(content: string, signature: string, publicKey: KeyLike): boolean {
  return createVerify('RSA-SHA256').update(content, 'utf8').verify(publicKey, signature, 'base64');
}

function verifyParams(params: AlipayParams, publicKey: KeyLike, unsigned: readonly string[], signTypeRequired: boolean): AlipayVerification {
  const { sign, sign_type: signType } = params;
  if (sign === undefined || sign === '') return { ok: false, reason: 'missing_signature' };
  // Only RSA2: RSA (SHA1) is deprecated, and accepting it would let a forger pick the weaker one.
  if (signType !== RSA2 && (signTypeRequired || signType !== undefined)) return { ok: false, reason: 'unsupported_sign_type' };
  if (!BASE64.test(sign)) return { ok: false, reason: 'malformed' };
  return verifyRsa2(buildAlipaySigningContent(params, unsigned), sign, publicKey) ? { ok: true } : { ok: false, reason: 'bad_signature' };
}

/** Signature for a gateway request: every parameter but `sign`, `sign_type` included. */
export function signAlipayRequest(params: AlipayParams, appPrivateKey: KeyLike): string {
  return signRsa2(buildAlipaySigningContent(params, REQUEST_UNSIGNED), appPrivateKey);
}

/** The sandbox gateway's check of a merchant request, against the app's public key. */
export function verifyAlipayRequest(params: AlipayParams, appPublicKey: KeyLike): AlipayVerification {
  return verifyParams(params, appPublicKey, REQUEST_UNSIGNED, true);
}

/** Signature for an async notification form: every field but `sign` and `sign_type`. */
export function signAlipayNotification(params: AlipayParams, alipayPrivateKey: KeyLike): string {
  return signRsa2(buildAlipaySigningContent(params, NOTIFICATION_UNSIGNED), alipayPrivateKey);
}

/** Verifies a decoded notification form (field values already form-decoded, as received). */
export function verifyAlipayNotification(form: AlipayParams, alipayPublicKey: KeyLike): AlipayVerification {
  return verifyParams(form, alipayPublicKey, NOTIFICATION_UNSIGNED, false);
}

/** `alipay.trade.pay` → `alipay_trade_pay_response`, the node a response carries. */
export function alipayResponseKey(method: string): string {
  return `${method.replaceAll('.', '_')}_response`;
}

// Index just past the JSON string that opens at `start` (a `"`).
function endOfString(text: string, start: number): number {
  let index = start + 1;
  while (index < text.length && text[index] !== '"') index += text[index] === '\\' ? 2 : 1;
  return index + 1;
}

// Index just past the JSON value that opens at `start`; the text is known to be valid JSON.
function endOfValue(text: string, start: number): number {
  let depth = 0;
  let index = start;
  while (index < text.length) {
    const char = text[index];
    if (char === '"') {
      index = endOfString(text, index);
      if (depth === 0) return index;
      continue;
    }
    if (char === '{' || char === '[') depth += 1;
    else if (char === '}' || char === ']') {
      if (depth === 0) return index;
      depth -= 1;
      if (depth === 0) return index + 1;
    } else if (char === ',' && depth === 0) return index;
    index += 1;
  }
  return index;
}

// Raw text of each top-level member of a JSON object, keyed by name; undefined on a repeated name.
function topLevelMemberTexts(text: string): Map<string, string> | undefined {
  const members = new Map<string, string>();
  const skipSpace = (from: number): number => {
    let index = from;
    while (/\s/.test(text[index] ?? '')) index += 1;
    return index;
  };
  let index = skipSpace(0) + 1; // past the opening {
  for (;;) {
    index = skipSpace(index);
    if (text[index] !== '"') return members;
    const keyEnd = endOfString(text, index);
    const key = JSON.parse(text.slice(index, keyEnd)) as string;
    const valueStart = skipSpace(skipSpace(keyEnd) + 1); // past the colon
    const valueEnd = endOfValue(text, valueStart);
    if (members.has(key)) return undefined;
    members.set(key, text.slice(valueStart, valueEnd).trimEnd());
    index = skipSpace(valueEnd);
    if (text[index] !== ',') return members;
    index += 1;
  }
}

/**
 * Alipay signs the exact JSON text of the `<method>_response` node (or `error_response`), so it is
 * cut from the raw body rather than re-serialised: escapes such as `\/` must survive byte for byte.
 * alipay-sdk 4.x cuts by string search and leaves `,"sign":…}` attached; this follows the Java SDK
 * and Alipay's documentation instead.
 */
export function extractAlipayResponseContent(
  rawBody: string,
  method: string,
):
  | { readonly ok: true; readonly responseKey: string; readonly content: string; readonly sign: string | undefined }
  | { readonly ok: false; readonly reason: 'malformed' } {
  const malformed = { ok: false, reason: 'malformed' } as const;
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    return malformed;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return malformed;
  const members = topLevelMemberTexts(rawBody);
  if (members === undefined) return malformed;
  const responseKey = [alipayResponseKey(method), 'error_response'].find((key) => members.has(key));
  const content = responseKey === undefined ? undefined : members.get(responseKey);
  if (responseKey === undefined || content === undefined || !content.startsWith('{')) return malformed;
  const sign: unknown = (parsed as Record<string, unknown>).sign;
  return { ok: true, responseKey, content, sign: typeof sign === 'string' ? sign : undefined };
}

/** Verifies a gateway response body; on success returns the node text that was signed. */
export function verifyAlipayResponse(rawBody: string, method: string, alipayPublicKey: KeyLike): AlipayResponseVerification {
  const extracted = extractAlipayResponseContent(rawBody, method);
  if (!extracted.ok) return extracted;
  const { responseKey, content, sign } = extracted;
  if (sign === undefined || sign === '') return { ok: false, reason: 'missing_signature' };
  if (!BASE64.test(sign)) return { ok: false, reason: 'malformed' };
  return verifyRsa2(content, sign, alipayPublicKey) ? { ok: true, responseKey, content } : { ok: false, reason: 'bad_signature' };
}

/** A signed gateway response body as Alipay writes it, for the sandbox: `{"<key>":{…},"sign":"…"}`. */
export function buildSignedAlipayResponse(responseKey: string, node: Readonly<Record<string, unknown>>, alipayPrivateKey: KeyLike): string {
  const content = JSON.stringify(node);
  return `{${JSON.stringify(responseKey)}:${content},"sign":${JSON.stringify(signRsa2(content, alipayPrivateKey))}}`;
}
