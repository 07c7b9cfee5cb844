import { describe, expect, it } from 'vitest';
import { canAssignRole, isStoreScoped, roles } from './roles.js';

describe('canAssignRole', () => {
  it('lets owners create every merchant role but no operator role', () => {
    expect(canAssignRole('merchant_owner', 'merchant_admin')).toBe(true);
    expect(canAssignRole('merchant_owner', 'cashier')).toBe(true);
    expect(canAssignRole('merchant_owner', 'operator_admin')).toBe(false);
  });

  it('keeps admins from creating owners and managers from creating managers', () => {
    expect(canAssignRole('merchant_admin', 'merchant_owner')).toBe(false);
    expect(canAssignRole('store_manager', 'store_manager')).toBe(false);
    expect(canAssignRole('store_manager', 'cashier')).toBe(true);
  });

  it('gives cashiers and guides no power over users', () => {
    for (const target of roles) {
      expect(canAssignRole('cashier', target)).toBe(false);
      expect(canAssignRole('shopping_guide', target)).toBe(false);
    }
  });

  it('scopes only store roles to stores', () => {
    expect(roles.filter(isStoreScoped)).toEqual(['store_manager', 'cashier', 'shopping_guide']);
  });
});
