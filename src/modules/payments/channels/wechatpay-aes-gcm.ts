// WeChat Pay v3 notifications carry their payload encrypted with AEAD_AES_256_GCM under the
// merchant's APIv3 key. We decrypt (and must check the tag: an unchecked tag lets anyone who can
// reach the endpoint forge a payment); the sandbox encrypts.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { formatShanghaiRfc3339 } from './shanghai-time.js';

export const WECHATPAY_RESOURCE_ALGORITHM = 'AEAD_AES_256_GCM';
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const NONCE_BYTES = 12;

export interface WechatpayEncryptedResource {
  readonly algorithm: typeof WECHATPAY_RESOURCE_ALGORITHM;
  /** base64 of ciphertext followed by the 16-byte tag */
  readonly ciphertext: string;
  readonly nonce: string;
  readonly associated_data: string;
  /** `transaction`, `refund`, … */
  readonly original_type: string;
}

export interface WechatpayNotification {
  readonly id: string;
  readonly create_time: string;
  readonly resource_type: 'encrypt-resource';
  /** `TRANSACTION.SUCCESS`, `REFUND.SUCCESS`, `REFUND.ABNORMAL`, `REFUND.CLOSED`, … */
  readonly event_type: string;
  readonly resource: WechatpayEncryptedResource;
  readonly summary: string;
}

export type WechatpayDecryption =
  | { readonly ok: true; readonly plaintext: string }
  | { readonly ok: false; readonly reason: 'malformed' | 'unsupported_algorithm' | 'authentication_failed' };

// The APIv3 key is a 32-character ASCII string used as raw key bytes; a wrong length is a
// configuration error, not a bad message, so it throws.
function keyBytes(apiV3Key: string): Buffer {
  const key = Buffer.from(apiV3Key, 'utf8');
  if (key.length !== KEY_BYTES) throw new RangeError(`APIv3 key must be ${String(KEY_BYTES)} bytes, got ${String(key.length)}`);
  return key;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function encryptWechatpayResource(
  plaintext: string,
  input: { readonly apiV3Key: string; readonly nonce: string; readonly associatedData: string; readonly originalType: string },
): WechatpayEncryptedResource {
  const iv = Buffer.from(input.nonce, 'utf8');
  if (iv.length !== NONCE_BYTES) throw new RangeError(`nonce must be ${String(NONCE_BYTES)} bytes, got ${String(iv.length)}`);
  const cipher = createCipheriv('aes-256-gcm', keyBytes(input.apiV3Key), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(input.associatedData, 'utf8'));
  const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return {
    algorithm: WECHATPAY_RESOURCE_ALGORITHM,
    ciphertext: sealed.toString('base64'),
    nonce: input.nonce,
    associated_data: input.associatedData,
    original_type: input.originalType,
  };
}

/** Decrypts a notification resource; any tampering, wrong key or wrong AAD is `authentication_failed`. */
export function decryptWechatpayResource(
  resource: Pick<WechatpayEncryptedResource, 'ciphertext' | 'nonce' | 'associated_data'> & { readonly algorithm: string },
  apiV3Key: string,
): WechatpayDecryption {
  const key = keyBytes(apiV3Key);
  if (resource.algorithm !== WECHATPAY_RESOURCE_ALGORITHM) return { ok: false, reason: 'unsupported_algorithm' };
  const iv = Buffer.from(resource.nonce, 'utf8');
  if (iv.length !== NONCE_BYTES || !BASE64.test(resource.ciphertext)) return { ok: false, reason: 'malformed' };
  const sealed = Buffer.from(resource.ciphertext, 'base64');
  if (sealed.length < TAG_BYTES) return { ok: false, reason: 'malformed' };
  // authTagLength pins the tag to 16 bytes, so a truncated tag cannot weaken the check.
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  decipher.setAAD(Buffer.from(resource.associated_data, 'utf8'));
  let opened: Buffer;
  try {
    opened = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return { ok: false, reason: 'authentication_failed' };
  }
  try {
    return { ok: true, plaintext: new TextDecoder('utf-8', { fatal: true }).decode(opened) };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
}

/** The whole notification body the sandbox posts (JSON.stringify it once, then sign that text). */
export function buildWechatpayNotification(input: {
  readonly id: string;
  readonly createTime: Date;
  readonly eventType: string;
  readonly summary: string;
  readonly resource: WechatpayEncryptedResource;
}): WechatpayNotification {
  return {
    id: input.id,
    create_time: formatShanghaiRfc3339(input.createTime),
    resource_type: 'encrypt-resource',
    event_type: input.eventType,
    resource: input.resource,
    summary: input.summary,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the shape of a parsed notification body before anything reads it. */
export function parseWechatpayNotification(
  value: unknown,
): { readonly ok: true; readonly notification: WechatpayNotification } | { readonly ok: false; readonly reason: 'malformed' } {
  const malformed = { ok: false, reason: 'malformed' } as const;
  if (!isRecord(value) || !isRecord(value.resource)) return malformed;
  const { id, create_time, resource_type, event_type, summary, resource } = value;
  const { algorithm, ciphertext, nonce, associated_data = '', original_type } = resource;
  if (
    typeof id !== 'string' ||
    typeof create_time !== 'string' ||
    resource_type !== 'encrypt-resource' ||
    typeof event_type !== 'string' ||
    algorithm !== WECHATPAY_RESOURCE_ALGORITHM ||
    typeof ciphertext !== 'string' ||
    typeof nonce !== 'string' ||
    typeof associated_data !== 'string' ||
    typeof original_type !== 'string'
  ) {
    return malformed;
  }
  return {
    ok: true,
    notification: {
      id,
      create_time,
      resource_type,
      event_type,
      summary: typeof summary === 'string' ? summary : '',
      resource: { algorithm, ciphertext, nonce, associated_data, original_type },
    },
  };
}
