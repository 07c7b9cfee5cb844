// The member's session on the H5 pages: a signed cookie (no server state), scoped to one merchant
// and one member, short-lived and refreshed while used, with an absolute limit from sign-in.
// Logout clears it. A stolen cookie works until it expires (≤ 30 min idle, ≤ 12 h in all): the
// card it opens shows a code that stops working within a minute once the cookie is gone.
import type { Config } from '../../config.js';
import { signedTokens } from '../../kernel/signed-token.js';

export const MEMBER_SESSION_COOKIE = 'mp_member';
export const SESSION_IDLE_SECONDS = 30 * 60;
export const SESSION_ABSOLUTE_SECONDS = 12 * 3600;
/** Re-issue the cookie once this much of its idle time has passed. */
const REFRESH_AFTER_SECONDS = 5 * 60;

export interface MemberSession {
  readonly merchantId: string;
  readonly memberId: string;
  readonly personId: string | null;
  /** Sign-in time (seconds): the absolute limit counts from here. */
  readonly since: number;
  readonly expiresAt: number;
}

interface Payload {
  readonly mch: string;
  readonly mem: string;
  readonly per: string | null;
  readonly since: number;
}

const signers = new WeakMap<object, ReturnType<typeof signedTokens<Payload>>>();
function signer(config: Pick<Config, 'secretKey'>) {
  let s = signers.get(config);
  if (!s) signers.set(config, (s = signedTokens<Payload>(config.secretKey, 'membership:consumer-session')));
  return s;
}

export function issueSession(config: Pick<Config, 'secretKey'>, input: { merchantId: string; memberId: string; personId: string | null; since?: number }, now: Date): string {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const since = input.since ?? nowSeconds;
  const expires = Math.min(nowSeconds + SESSION_IDLE_SECONDS, since + SESSION_ABSOLUTE_SECONDS);
  return signer(config).sign({ mch: input.merchantId, mem: input.memberId, per: input.personId, since }, new Date(expires * 1000));
}

export function readSession(config: Pick<Config, 'secretKey'>, cookieValue: string | undefined, now: Date): MemberSession | null {
  const p = signer(config).verify(cookieValue, now);
  if (!p || typeof p.mch !== 'string' || typeof p.mem !== 'string' || typeof p.since !== 'number') return null;
  if (now.getTime() / 1000 >= p.since + SESSION_ABSOLUTE_SECONDS) return null;
  return { merchantId: p.mch, memberId: p.mem, personId: typeof p.per === 'string' ? p.per : null, since: p.since, expiresAt: p.exp };
}

/** A fresh cookie value for a session in use, or null when the current one is fresh enough. */
export function refreshedSession(config: Pick<Config, 'secretKey'>, session: MemberSession, now: Date): string | null {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (session.expiresAt - nowSeconds > SESSION_IDLE_SECONDS - REFRESH_AFTER_SECONDS) return null;
  if (session.since + SESSION_ABSOLUTE_SECONDS <= nowSeconds) return null;
  return issueSession(config, session, now);
}

export const sessionCookieOptions = (config: Pick<Config, 'publicUrl'>) =>
  ({ path: '/h5', httpOnly: true, sameSite: 'lax', secure: config.publicUrl.startsWith('https:'), maxAge: SESSION_IDLE_SECONDS }) as const;
