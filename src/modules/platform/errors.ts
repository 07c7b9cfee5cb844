import { defineErrors } from '../../kernel/errors.js';

export const platformErrors = defineErrors({
  invalid_credentials: { status: 401, title: 'Login or password is wrong' },
  account_locked: { status: 423, title: 'Account is locked after too many failed logins' },
  account_disabled: { status: 403, title: 'Account is disabled' },
  session_required: { status: 403, title: 'This action needs a console session, not an API key' },
  password_too_weak: { status: 400, title: 'Password does not meet the policy' },
  password_mismatch: { status: 400, title: 'Current password is wrong' },
  merchant_context_required: { status: 400, title: 'This action needs a merchant context' },
  operator_only: { status: 403, title: 'Only the operator can do this' },
  merchant_not_found: { status: 404, title: 'Merchant not found' },
  agent_not_found: { status: 404, title: 'Agent not found' },
  store_not_found: { status: 404, title: 'Store not found' },
  user_not_found: { status: 404, title: 'User not found' },
  api_key_not_found: { status: 404, title: 'API key not found' },
  login_taken: { status: 409, title: 'This login is already in use' },
  role_not_assignable: { status: 403, title: 'You cannot assign this role' },
  stores_required: { status: 400, title: 'Store-scoped roles need at least one store' },
  scope_not_grantable: { status: 403, title: 'You cannot grant this scope' },
  api_key_revoked: { status: 409, title: 'API key is already revoked' },
  cannot_change_self: { status: 409, title: 'You cannot disable or demote yourself' },
  webhook_endpoint_not_found: { status: 404, title: 'Webhook endpoint not found' },
  webhook_delivery_not_found: { status: 404, title: 'Webhook delivery not found' },
  webhook_url_invalid: { status: 400, title: 'Webhook URL is not acceptable' },
  webhook_url_private: { status: 400, title: 'Webhook URL points into a private network' },
});

export type PlatformErrorCode = keyof typeof platformErrors.specs;
