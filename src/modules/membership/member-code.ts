// The member card's dynamic code (动态会员码): the card number followed by a 6-digit one-time value,
// HOTP (RFC 4226 truncation) of the member's secret over the merchant and a 30-second time step.
// A code is accepted in the step it was made and the next one only, so a screenshot stops working
// within 30–60 s. The merchant is inside the MAC: a code never identifies a member elsewhere.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const CODE_STEP_SECONDS = 30;
const OTP_DIGITS = 6;

export function timeStep(now: Date): number {
  return Math.floor(now.getTime() / 1000 / CODE_STEP_SECONDS);
}

export function oneTimeValue(secret: string, merchantId: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const digest = createHmac('sha256', Buffer.from(secret, 'base64url')).update(merchantId).update('\n').update(counter).digest();
  const offset = digest[digest.length - 1]! & 0x0f;
  const binary = digest.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** OTP_DIGITS).padStart(OTP_DIGITS, '0');
}

export function memberCode(cardNumber: string, secret: string, merchantId: string, now: Date): { code: string; expiresAt: Date } {
  const step = timeStep(now);
  return { code: `${cardNumber}${oneTimeValue(secret, merchantId, step)}`, expiresAt: new Date((step + 2) * CODE_STEP_SECONDS * 1000) };
}

/** Card number and one-time value of a scanned code, or null when it cannot be one. */
export function parseMemberCode(code: string): { cardNumber: string; otp: string } | null {
  const trimmed = code.trim();
  if (!/^[0-9]{12,26}$/.test(trimmed)) return null;
  return { cardNumber: trimmed.slice(0, -OTP_DIGITS), otp: trimmed.slice(-OTP_DIGITS) };
}

/** True when the value was made for this member and merchant in the current or the previous step. */
export function acceptsOneTimeValue(secret: string, merchantId: string, otp: string, now: Date): boolean {
  const step = timeStep(now);
  let ok = false;
  for (const s of [step, step - 1]) {
    const expected = Buffer.from(oneTimeValue(secret, merchantId, s));
    const given = Buffer.from(otp);
    // Both steps are always computed: the answer's timing does not say which one matched.
    if (given.length === expected.length && timingSafeEqual(given, expected)) ok = true;
  }
  return ok;
}
