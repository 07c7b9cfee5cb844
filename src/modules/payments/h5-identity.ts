// Who the buyer on the H5 pay page is, in production: the wallet's own web OAuth (WeChat snsapi_base,
// Alipay auth_base). Two sealed cookies carry it (docs/decisions — see the ADR on channel protocol gaps):
// - the OAuth state cookie, set when the buyer is sent to the wallet's authorize page: which QR and
//   account the round trip is for, a random nonce, and ten minutes to come back. The `state` parameter
//   is that nonce with an HMAC over the cookie's content, so a callback is accepted only in the browser
//   that started it (anti-CSRF / login-fixation) and only once (the cookie is cleared on use);
// - the payer cookie, set after the code was exchanged: the payer identifier for one channel account,
//   for 30 days, so a regular customer is not sent round the wallet at every payment.
// Both are AES-GCM sealed with a key derived from the server secret: not readable, not forgeable.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createSecretBox } from '../../kernel/secret-box.js';
import type { ChannelName, ChannelPayer } from './channels/adapter.js';

export const OAUTH_STATE_COOKIE = 'mp_h5_oauth';
export const PAYER_COOKIE = 'mp_h5_payer';
export const OAUTH_STATE_TTL_MS = 10 * 60_000;
export const PAYER_TTL_MS = 30 * 24 * 3600_000;

interface StateCookie {
  readonly n: string; // nonce
  readonly q: string; // store QR token
  readonly a: string; // channel account id
  readonly c: ChannelName;
  readonly e: number; // expiry, ms
}

interface PayerCookie {
  readonly a: string; // channel account id
  readonly p: ChannelPayer;
  readonly e: number;
}

export type StateCheck = { readonly ok: true; readonly qrToken: string } | { readonly ok: false; readonly reason: 'missing' | 'mismatch' | 'expired' };

export function createH5Identity(secretKey: string) {
  const box = createSecretBox(secretKey, 'payments-h5-identity');
  const macKey = createHmac('sha256', secretKey).update('payments-h5-oauth-state').digest();
  const open = <T>(sealed: string | undefined): T | undefined => {
    if (!sealed) return undefined;
    try {
      return JSON.parse(box.open(sealed)) as T;
    } catch {
      return undefined;
    }
  };
  // WeChat allows at most 128 characters of [A-Za-z0-9] in `state`: 32 hex of nonce + 32 hex of MAC.
  const stateOf = (cookie: StateCookie) => `${cookie.n}${createHmac('sha256', macKey).update(JSON.stringify(cookie)).digest('hex').slice(0, 32)}`;

  return {
    /** Starts a round trip: the cookie to set and the `state` to send. */
    startOAuth(input: { qrToken: string; accountId: string; channel: ChannelName; now: Date }): { cookie: string; state: string } {
      const cookie: StateCookie = { n: randomBytes(16).toString('hex'), q: input.qrToken, a: input.accountId, c: input.channel, e: input.now.getTime() + OAUTH_STATE_TTL_MS };
      return { cookie: box.seal(JSON.stringify(cookie)), state: stateOf(cookie) };
    },

    /** The callback's `state` against the cookie of the browser that comes back. */
    checkState(input: { cookie: string | undefined; state: string; channel: ChannelName; now: Date }): StateCheck & { readonly accountId?: string } {
      const cookie = open<StateCookie>(input.cookie);
      if (!cookie) return { ok: false, reason: 'missing' };
      const expected = Buffer.from(stateOf(cookie));
      const given = Buffer.from(input.state);
      if (cookie.c !== input.channel || expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'mismatch' };
      if (cookie.e <= input.now.getTime()) return { ok: false, reason: 'expired' };
      return { ok: true, qrToken: cookie.q, accountId: cookie.a };
    },

    payerCookie(input: { accountId: string; payer: ChannelPayer; now: Date }): string {
      const cookie: PayerCookie = { a: input.accountId, p: input.payer, e: input.now.getTime() + PAYER_TTL_MS };
      return box.seal(JSON.stringify(cookie));
    },

    /** The payer for this channel account, if the browser holds a valid payer cookie for it. */
    payerFor(input: { cookie: string | undefined; accountId: string; now: Date }): ChannelPayer | undefined {
      const cookie = open<PayerCookie>(input.cookie);
      if (!cookie || cookie.a !== input.accountId || cookie.e <= input.now.getTime()) return undefined;
      return cookie.p;
    },
  };
}

export type H5Identity = ReturnType<typeof createH5Identity>;
