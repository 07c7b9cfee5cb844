// The counter's breakdown before anything is spent: the real checkout (checkout.ts) runs inside a
// transaction that is then rolled back on purpose, so the preview prices exactly as the checkout
// will — member discount → coupons → points → stored value — with the same rules and errors, and
// leaves nothing behind: no ledger entry, audit entry, outbox event, claimed reference or lock.
// Pricing depends on the same rows either way; a duplicate pure pricing function would drift.
import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/client.js';
import type { AccessContext } from '../platform/index.js';
import { checkout, type CheckoutInput, type CheckoutResult } from './checkout.js';

/** Thrown to roll the preview's transaction back; carries the answer out. */
class PreviewRollback extends Error {
  constructor(readonly result: CheckoutResult) {
    super('checkout preview: rolled back on purpose');
  }
}

export type CheckoutPreviewInput = Omit<CheckoutInput, 'reference' | 'collect'> & { readonly reference?: string | undefined };

/**
 * The checkout's answer for this input, without spending anything. The reference defaults to a
 * throwaway one (a real order reference already used is refused, as the checkout would).
 * `status` is `completed` when nothing is left to pay (then `pointsEarned` is what completing earns),
 * else `remainder_due`.
 */
export async function previewCheckout(db: Db, ctx: AccessContext, input: CheckoutPreviewInput): Promise<CheckoutResult> {
  const reference = input.reference ?? `preview:${randomBytes(12).toString('hex')}`;
  try {
    await db.transaction(async (tx) => {
      const result = await checkout(tx, ctx, { ...input, reference, collect: undefined });
      throw new PreviewRollback(result);
    });
  } catch (error) {
    if (error instanceof PreviewRollback) return error.result;
    throw error;
  }
  throw new Error('checkout preview: the transaction committed'); // unreachable: the callback always throws
}
