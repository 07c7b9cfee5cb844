import { createHmac, timingSafeEqual } from 'node:crypto';

// Outgoing webhooks carry `MemberPlus-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` where the
// HMAC key is the endpoint's secret (the whole `whsec_…` string, UTF-8) and the message is
// `<t>.<raw body>`. Signing the timestamp with the body lets receivers refuse replays.

export const signatureHeader = 'MemberPlus-Signature';

function hmacHex(secret: string, timestamp: number, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${rawBody}`, 'utf8').digest('hex');
}

/** The header value for one attempt; `timestamp` is unix seconds at sending time. */
export function signWebhook(secret: string, rawBody: string, timestamp: number): string {
  return `t=${timestamp},v1=${hmacHex(secret, timestamp, rawBody)}`;
}

export interface VerifyOptions {
  /** Accepted clock difference between sender and receiver, seconds (default 300). */
  readonly toleranceSeconds?: number;
  /** The receiver's clock, unix milliseconds (default Date.now()). */
  readonly nowMs?: number;
}

/**
 * Receiver side, meant to be copied into a merchant's code as is (it needs only node:crypto).
 * Pass the raw request body exactly as received, before any JSON parsing. Returns false for a
 * missing or malformed header, a wrong signature, or a timestamp outside the tolerance.
 *
 *   import { createHmac, timingSafeEqual } from 'node:crypto';
 *   if (!verifyWebhookSignature(process.env.MEMBERPLUS_WEBHOOK_SECRET, rawBody, req.headers['memberplus-signature'])) reject(400);
 */
export function verifyWebhookSignature(secret: string, rawBody: string, header: string | undefined | null, options: VerifyOptions = {}): boolean {
  if (!secret || typeof header !== 'string') return false;
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return false;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value)) return false;
      timestamp = Number(value);
    } else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) {
      signatures.push(value);
    }
  }
  if (timestamp === undefined || signatures.length === 0) return false;
  const tolerance = options.toleranceSeconds ?? 300;
  const nowSeconds = Math.floor((options.nowMs ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - timestamp) > tolerance) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${timestamp}.${rawBody}`, 'utf8').digest('hex'), 'utf8');
  // Several v1 entries may appear (e.g. while a secret is rotated): any one matching is enough.
  return signatures.some((candidate) => timingSafeEqual(Buffer.from(candidate, 'utf8'), expected));
}
