import type { Db } from '../../db/client.js';
import { assertStoreInScope, getStore, requireMerchantId, systemContext, type AccessContext } from '../platform/index.js';

/**
 * A store named in a membership request must be the merchant's and in the actor's scope. The
 * lookup runs as the system: an API key with only membership scopes may still name its stores.
 */
export async function assertStore(db: Db, ctx: AccessContext, storeId: string): Promise<void> {
  assertStoreInScope(ctx, storeId);
  await getStore(db, systemContext(ctx.operatorId, requireMerchantId(ctx), 'membership: store check'), storeId);
}
