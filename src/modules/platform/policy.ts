import { commonErrors } from '../../kernel/errors.js';
import type { AccessContext } from './access.js';
import type { Role } from './roles.js';

// One policy entry per action: which roles may do it and which API-key scope grants it.
// Unknown actions and unknown actors are denied: security checks fail closed.

const merchantStaff: readonly Role[] = ['merchant_owner', 'merchant_admin', 'store_manager', 'cashier', 'shopping_guide'];
const merchantManagers: readonly Role[] = ['merchant_owner', 'merchant_admin'];

interface PolicyEntry {
  readonly roles: readonly Role[];
  /** API-key scope that grants the action; null = never through an API key. */
  readonly scope: string | null;
}

const policyTable = {
  'operator.merchants.read': { roles: ['operator_admin', 'agent'], scope: 'operator:read' },
  'operator.merchants.write': { roles: ['operator_admin'], scope: 'operator:write' },
  'operator.agents.read': { roles: ['operator_admin'], scope: 'operator:read' },
  'operator.agents.write': { roles: ['operator_admin'], scope: 'operator:write' },
  'operator.api_keys.read': { roles: ['operator_admin'], scope: null },
  'operator.api_keys.write': { roles: ['operator_admin'], scope: null },
  'operator.audit.read': { roles: ['operator_admin'], scope: 'operator:read' },
  'stores.read': { roles: merchantStaff, scope: 'platform:read' },
  'stores.write': { roles: merchantManagers, scope: 'platform:write' },
  'staff.read': { roles: [...merchantManagers, 'store_manager'], scope: 'platform:read' },
  'staff.write': { roles: [...merchantManagers, 'store_manager'], scope: 'platform:write' },
  'api_keys.read': { roles: merchantManagers, scope: null },
  'api_keys.write': { roles: merchantManagers, scope: null },
  'audit.read': { roles: merchantManagers, scope: 'platform:read' },
  'webhooks.read': { roles: merchantManagers, scope: 'platform:read' },
  'webhooks.write': { roles: merchantManagers, scope: 'platform:write' },
  'events.read': { roles: merchantManagers, scope: 'platform:read' },
  'merchant.read': { roles: merchantStaff, scope: 'platform:read' },
  'merchant.write': { roles: ['merchant_owner'], scope: null },
} satisfies Record<string, PolicyEntry>;

export type Action = keyof typeof policyTable;

/** Scopes an API key may carry; `*` for all of the merchant's (or operator's) own modules. */
export const merchantScopes = [
  'platform:read',
  'platform:write',
  'payments:read',
  'payments:write',
  'identity:read',
  'identity:write',
  'membership:read',
  'membership:write',
  // A partner's key: issues coupons of the templates the merchant enabled for partners, nothing else.
  'membership:coupons.issue',
] as const;
export const operatorScopes = ['operator:read', 'operator:write'] as const;

const extraPolicies = new Map<string, PolicyEntry>();

/** Later modules add their own actions through this, keeping the table closed per action. */
export function registerPolicies(entries: Record<string, PolicyEntry>): void {
  for (const [action, entry] of Object.entries(entries)) extraPolicies.set(action, entry);
}

function policyFor(action: string): PolicyEntry | undefined {
  return (policyTable as Record<string, PolicyEntry>)[action] ?? extraPolicies.get(action);
}

export function isAllowed(ctx: AccessContext, action: Action | (string & {})): boolean {
  const entry = policyFor(action);
  if (!entry) return false;
  const { actor } = ctx;
  if (actor.kind === 'system') return true;
  if (actor.kind === 'user') return actor.role !== null && entry.roles.includes(actor.role);
  if (actor.kind === 'api_key') {
    if (!entry.scope || !actor.scopes) return false;
    const isOperatorScope = entry.scope.startsWith('operator:');
    // A merchant key never acts as the operator and an operator key never inside a merchant.
    if (isOperatorScope !== (ctx.merchantId === null)) return false;
    if (actor.scopes.includes(entry.scope) || actor.scopes.includes('*')) return true;
    // write implies read within a module.
    const [module, mode] = entry.scope.split(':');
    return mode === 'read' && actor.scopes.includes(`${module}:write`);
  }
  return false;
}

export function authorize(ctx: AccessContext, action: Action | (string & {})): void {
  if (!isAllowed(ctx, action)) throw commonErrors.make('forbidden', `not allowed: ${action}`);
}
