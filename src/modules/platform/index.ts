// The platform module's door: tenancy, people, keys, access, audit, idempotency, outbox, webhooks.

export type { AccessContext, Actor } from './access.js';
export { assertStoreInScope, canSeeStore, requireMerchantId, systemContext } from './access.js';
export { appendAudit, withDeferredAudit, verifyAllAuditChains, type AuditRecord, type ChainVerification } from './audit.js';
export { authorize, isAllowed, registerPolicies, type Action } from './policy.js';
export { publishEvent, type DomainEvent } from './outbox.js';
export { dispatchOutbox, type DispatchSummary } from './outbox-dispatcher.js';
export { pruneOutbox, type RetentionSummary } from './outbox-retention.js';
export { subscribeToEvents, runEventConsumers, consumptionsOf, stuckConsumptions, type EventSubscriber, type ConsumptionRunSummary } from './event-subscribers.js';
export { createWebhookSender, type WebhookSender, type DeliveryRunSummary } from './webhook-delivery.js';
export { signatureHeader, signWebhook, verifyWebhookSignature } from './webhook-signature.js';
export { webhookRetryDelaysMs, webhookRetrySpanMs } from './webhook-schedule.js';
export { platformErrors } from './errors.js';
export { roles, merchantRoles, type Role, type MerchantRole } from './roles.js';
export { createOperator, findFirstOperator, findMerchantById, getAgent, getStore, createMerchant, createStore } from './tenancy.js';
export { insertUser, createStaff } from './staff.js';
export { insertApiKey, createApiKey } from './api-keys.js';
export { contextForUserId } from './auth.js';
export { clampLimit, pageOf, type Page } from './paging.js';

export { platformModule } from './routes.js';
