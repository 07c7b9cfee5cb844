import { commonErrors } from '../../kernel/errors.js';
import { platformErrors } from './errors.js';
import type { Role } from './roles.js';

/** Who is acting: a console user, an API key, or the system itself (workers, channel callbacks). */
export interface Actor {
  readonly kind: 'user' | 'api_key' | 'system';
  readonly id: string;
  readonly label: string;
  /** A user's role; null for API keys and the system. */
  readonly role: Role | null;
  /** An API key's scopes; null for users and the system. */
  readonly scopes: readonly string[] | null;
}

/**
 * Every service call receives one: the actor, the tenant it acts in, the stores it may touch and
 * why it is acting. Services filter every query by it; nothing reads a tenant row without it.
 */
export interface AccessContext {
  readonly actor: Actor;
  readonly operatorId: string;
  readonly agentId: string | null;
  readonly merchantId: string | null;
  readonly storeScope: 'all' | readonly string[];
  readonly purpose: string;
  readonly requestId?: string;
}

export function requireMerchantId(ctx: AccessContext): string {
  if (!ctx.merchantId) throw platformErrors.make('merchant_context_required');
  return ctx.merchantId;
}

export function canSeeStore(ctx: AccessContext, storeId: string): boolean {
  return ctx.storeScope === 'all' || ctx.storeScope.includes(storeId);
}

/** Store-scoped actors get a not-found for stores outside their scope: no existence leak. */
export function assertStoreInScope(ctx: AccessContext, storeId: string): void {
  if (!canSeeStore(ctx, storeId)) throw commonErrors.make('not_found', 'store not found');
}

export function systemContext(operatorId: string, merchantId: string | null, purpose: string): AccessContext {
  return {
    actor: { kind: 'system', id: 'system', label: 'system', role: null, scopes: null },
    operatorId,
    agentId: null,
    merchantId,
    storeScope: 'all',
    purpose,
  };
}
