// Checkout receipts for the console: newest first, per member or the merchant's, by status or store.
import { and, desc, eq, lt } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { authorize, requireMerchantId, type AccessContext } from '../platform/index.js';
import { findMember } from './members.js';
import { checkouts } from './schema.js';

export type CheckoutListRow = typeof checkouts.$inferSelect;

export interface CheckoutListFilter {
  readonly memberId?: string | undefined;
  readonly storeId?: string | undefined;
  readonly status?: string | undefined;
  readonly after?: string | undefined;
  readonly limit: number;
}

/** One more row than the limit, so the caller can tell there is a next page. */
export async function listCheckouts(db: Db, ctx: AccessContext, filter: CheckoutListFilter): Promise<CheckoutListRow[]> {
  authorize(ctx, 'membership.read');
  const merchantId = requireMerchantId(ctx);
  // Another merchant's member id answers 404, like every other member route.
  if (filter.memberId) await findMember(db, merchantId, filter.memberId);
  return db
    .select()
    .from(checkouts)
    .where(
      and(
        eq(checkouts.merchantId, merchantId),
        filter.memberId ? eq(checkouts.memberId, filter.memberId) : undefined,
        filter.storeId ? eq(checkouts.storeId, filter.storeId) : undefined,
        filter.status ? eq(checkouts.status, filter.status) : undefined,
        filter.after ? lt(checkouts.id, filter.after) : undefined,
      ),
    )
    .orderBy(desc(checkouts.id))
    .limit(filter.limit + 1);
}
