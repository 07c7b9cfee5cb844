// Roles and what each may do. One policy entry per action; store-scoped roles are further limited
// to their stores by the services.

export const roles = [
  'operator_admin',
  'agent',
  'merchant_owner',
  'merchant_admin',
  'store_manager',
  'cashier',
  'shopping_guide',
] as const;
export type Role = (typeof roles)[number];

export const merchantRoles = ['merchant_owner', 'merchant_admin', 'store_manager', 'cashier', 'shopping_guide'] as const;
export type MerchantRole = (typeof merchantRoles)[number];

export const storeScopedRoles: readonly Role[] = ['store_manager', 'cashier', 'shopping_guide'];

export function isStoreScoped(role: Role): boolean {
  return storeScopedRoles.includes(role);
}

export function isMerchantRole(role: string): role is MerchantRole {
  return (merchantRoles as readonly string[]).includes(role);
}

/** Who may create or change a user of the given role (owners are made by the operator). */
export function canAssignRole(actorRole: Role, targetRole: Role): boolean {
  switch (actorRole) {
    case 'operator_admin':
      return targetRole === 'merchant_owner' || targetRole === 'operator_admin' || targetRole === 'agent';
    case 'merchant_owner':
      return isMerchantRole(targetRole);
    case 'merchant_admin':
      return targetRole === 'merchant_admin' || isStoreScoped(targetRole);
    case 'store_manager':
      return targetRole === 'cashier' || targetRole === 'shopping_guide';
    default:
      return false;
  }
}
