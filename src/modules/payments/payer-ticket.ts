// The payer ticket: proof that a browser is the one that ran a store-QR pay flow. The pay page sets
// it (an httpOnly, SameSite=Lax cookie, signed, 30 minutes) when it places the order; pages that
// act for the payer afterwards (支付即会员 on the result page) require it, because knowing a
// payment id — it is in the result page's URL — proves nothing.
import type { Config } from '../../config.js';
import { signedTokens } from '../../kernel/signed-token.js';

export const PAYER_TICKET_COOKIE = 'mp_payer';
export const PAYER_TICKET_TTL_SECONDS = 30 * 60;

interface TicketPayload {
  readonly mch: string;
  readonly pay: string;
}

const signers = new WeakMap<object, ReturnType<typeof signedTokens<TicketPayload>>>();
function signer(config: Pick<Config, 'secretKey'>) {
  let s = signers.get(config);
  if (!s) signers.set(config, (s = signedTokens<TicketPayload>(config.secretKey, 'payments:h5-payer-ticket')));
  return s;
}

export function issuePayerTicket(config: Pick<Config, 'secretKey'>, payment: { merchantId: string; id: string }, now = new Date()): string {
  return signer(config).sign({ mch: payment.merchantId, pay: payment.id }, new Date(now.getTime() + PAYER_TICKET_TTL_SECONDS * 1000));
}

/** The payment this browser paid, when its ticket is genuine and fresh; null otherwise. */
export function readPayerTicket(config: Pick<Config, 'secretKey'>, cookieValue: string | undefined, now = new Date()): { merchantId: string; paymentId: string } | null {
  const payload = signer(config).verify(cookieValue, now);
  if (!payload || typeof payload.mch !== 'string' || typeof payload.pay !== 'string') return null;
  return { merchantId: payload.mch, paymentId: payload.pay };
}

export const payerTicketCookieOptions = (config: Pick<Config, 'publicUrl'>) =>
  ({ path: '/h5', httpOnly: true, sameSite: 'lax', secure: config.publicUrl.startsWith('https:'), maxAge: PAYER_TICKET_TTL_SECONDS }) as const;
