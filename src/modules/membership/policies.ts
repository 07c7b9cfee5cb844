import { registerPolicies } from '../platform/index.js';

// Who may do what with membership. Members belong to the merchant, not to a store, so store-scoped
// staff see every member; stores they name in a request must be in their scope.
const owners = ['merchant_owner', 'merchant_admin'] as const;
const staff = [...owners, 'store_manager', 'cashier', 'shopping_guide'] as const;
const counter = [...owners, 'store_manager', 'cashier'] as const;
const managers = [...owners, 'store_manager'] as const;

export function registerMembershipPolicies(): void {
  registerPolicies({
    'membership.read': { roles: staff, scope: 'membership:read' },
    'membership.program.write': { roles: owners, scope: 'membership:write' },
    // Guides enrol the people they serve (导购 attribution comes with scenes).
    'membership.members.write': { roles: staff, scope: 'membership:write' },
    'membership.points.earn': { roles: counter, scope: 'membership:write' },
    'membership.points.spend': { roles: counter, scope: 'membership:write' },
    'membership.points.reverse': { roles: managers, scope: 'membership:write' },
    'membership.points.adjust': { roles: managers, scope: 'membership:write' },
    'membership.tiers.override': { roles: owners, scope: 'membership:write' },
    'membership.stored_value.top_up': { roles: counter, scope: 'membership:write' },
    'membership.stored_value.spend': { roles: counter, scope: 'membership:write' },
    'membership.stored_value.refund': { roles: managers, scope: 'membership:write' },
    'membership.coupons.write': { roles: owners, scope: 'membership:write' },
    'membership.coupons.issue': { roles: managers, scope: 'membership:write' },
    'membership.coupons.redeem': { roles: counter, scope: 'membership:write' },
    'membership.coupons.void': { roles: managers, scope: 'membership:write' },
    'membership.reports.read': { roles: owners, scope: 'membership:read' },
    'membership.checkout': { roles: counter, scope: 'membership:write' },
    'membership.checkout.refund': { roles: managers, scope: 'membership:write' },
    // Settling or writing off what an unmerge could not give back: a person's decision with a reason, never a key.
    'membership.merge_shortfalls.settle': { roles: owners, scope: null },
    // Partners issue coupons of the templates enabled for them with a key of this scope only;
    // staff issue through membership.coupons.issue.
    'membership.coupons.partner_issue': { roles: [], scope: 'membership:coupons.issue' },
  });
}
