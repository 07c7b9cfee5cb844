// Who paid: the channel's payer identifiers (openid, Alipay user id) are kept on the payment. When the
// identity (ID+) module exists and exports `resolvePerson`, it turns them into a person id inside the
// same transaction; until then the identifiers alone are stored and ID+ can resolve them later from
// the `payment.succeeded` events.
import type { Db } from '../../db/client.js';
import type { ChannelPayer } from './channels/adapter.js';

type ResolvePerson = (tx: Db, input: { merchantId: string; identifiers: readonly ChannelPayer[]; source: string }) => Promise<{ personId: string } | string | null>;

let resolver: Promise<ResolvePerson | null> | undefined;

// A computed specifier keeps the type checker from requiring a module that may not exist yet.
const identityModule = ['..', 'identity', 'index.js'].join('/');

async function loadResolver(): Promise<ResolvePerson | null> {
  try {
    const mod: unknown = await import(identityModule);
    const candidate = (mod as { resolvePerson?: unknown }).resolvePerson;
    return typeof candidate === 'function' ? (candidate as ResolvePerson) : null;
  } catch {
    return null;
  }
}

/** The person behind the payer identifiers, or null when ID+ is absent or does not know them. */
export async function resolvePayer(tx: Db, merchantId: string, payers: readonly ChannelPayer[], paymentId: string): Promise<string | null> {
  if (!payers.length) return null;
  resolver ??= loadResolver();
  const resolvePerson = await resolver;
  if (!resolvePerson) return null;
  // A savepoint: ID+ failing must not undo the payment it is told about.
  try {
    return await tx.transaction(async (sp) => {
      const result = await resolvePerson(sp, { merchantId, identifiers: payers, source: `payment:${paymentId}` });
      if (result === null) return null;
      return typeof result === 'string' ? result : result.personId;
    });
  } catch {
    return null;
  }
}
