import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

// Short-lived bearer values a browser carries (consumer sessions, the H5 payer ticket): a JSON
// payload and its HMAC-SHA256 under a key derived from the configured secret key, one key per
// purpose, so a value signed for one purpose never verifies for another. Not encrypted: never put
// a secret in the payload.
export interface SignedTokens<P extends object> {
  sign(payload: P, expiresAt: Date): string;
  /** The payload when the signature holds and `now` is before the expiry; otherwise null. */
  verify(token: string | undefined, now: Date): (P & { exp: number }) | null;
}

export function signedTokens<P extends object>(secretKey: string, purpose: string): SignedTokens<P> {
  const key = Buffer.from(hkdfSync('sha256', secretKey, 'memberplus', `signed-token:${purpose}`, 32));
  const mac = (body: string) => createHmac('sha256', key).update(body).digest();
  return {
    sign(payload, expiresAt) {
      const body = Buffer.from(JSON.stringify({ ...payload, exp: Math.floor(expiresAt.getTime() / 1000) })).toString('base64url');
      return `${body}.${mac(body).toString('base64url')}`;
    },
    verify(token, now) {
      if (!token || token.length > 4096) return null;
      const [body, signature, extra] = token.split('.');
      if (!body || !signature || extra !== undefined) return null;
      const given = Buffer.from(signature, 'base64url');
      const expected = mac(body);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      let payload: unknown;
      try {
        payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      } catch {
        return null;
      }
      if (!payload || typeof payload !== 'object') return null;
      const exp = (payload as { exp?: unknown }).exp;
      if (typeof exp !== 'number' || exp * 1000 <= now.getTime()) return null;
      return payload as P & { exp: number };
    },
  };
}
