import { registerPolicies } from '../platform/index.js';

// Who may do what with payments. Store-scoped staff (managers, cashiers, guides) additionally see
// only their stores' payments: services filter by the access context's store scope.
const owners = ['merchant_owner', 'merchant_admin'] as const;

export function registerPaymentPolicies(): void {
  registerPolicies({
    'payments.read': { roles: [...owners, 'store_manager', 'cashier', 'shopping_guide'], scope: 'payments:read' },
    'payments.collect': { roles: [...owners, 'store_manager', 'cashier'], scope: 'payments:write' },
    'payments.refund': { roles: [...owners, 'store_manager'], scope: 'payments:write' },
    'payment_qr_codes.write': { roles: [...owners, 'store_manager'], scope: 'payments:write' },
    'payment_channels.read': { roles: [...owners], scope: 'payments:read' },
    'payment_channels.write': { roles: [...owners], scope: 'payments:write' },
    'settlements.read': { roles: [...owners], scope: 'payments:read' },
    'reconciliations.read': { roles: [...owners], scope: 'payments:read' },
    'reconciliations.write': { roles: [...owners], scope: 'payments:write' },
    'operator.settlements.read': { roles: ['operator_admin', 'agent'], scope: 'operator:read' },
    'operator.payment_channels.read': { roles: ['operator_admin'], scope: 'operator:read' },
    'operator.payment_channels.write': { roles: ['operator_admin'], scope: 'operator:write' },
    'operator.payment_rates.read': { roles: ['operator_admin', 'agent'], scope: 'operator:read' },
    'operator.payment_rates.write': { roles: ['operator_admin'], scope: 'operator:write' },
  });
}
