import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const operators = pgTable('platform_operators', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: createdAt(),
});

/** 代理商: brings merchants and earns a share of their fees. */
export const agents = pgTable(
  'platform_agents',
  {
    id: text('id').primaryKey(),
    operatorId: text('operator_id').notNull(),
    name: text('name').notNull(),
    contactName: text('contact_name'), // personal information
    contactPhone: text('contact_phone'), // personal information
    shareBps: integer('share_bps').notNull().default(0),
    status: text('status').notNull().default('active'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('platform_agents_operator_idx').on(t.operatorId)],
);

export const merchants = pgTable(
  'platform_merchants',
  {
    id: text('id').primaryKey(),
    operatorId: text('operator_id').notNull(),
    agentId: text('agent_id'),
    name: text('name').notNull(),
    legalName: text('legal_name'),
    timezone: text('timezone').notNull().default('Asia/Shanghai'),
    status: text('status').notNull().default('active'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('platform_merchants_operator_idx').on(t.operatorId), index('platform_merchants_agent_idx').on(t.agentId)],
);

export const stores = pgTable(
  'platform_stores',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    name: text('name').notNull(),
    address: text('address'),
    phone: text('phone'),
    status: text('status').notNull().default('active'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.id] }), uniqueIndex('platform_stores_id_uq').on(t.id)],
);

export const users = pgTable(
  'platform_users',
  {
    id: text('id').primaryKey(),
    operatorId: text('operator_id').notNull(),
    agentId: text('agent_id'),
    merchantId: text('merchant_id'),
    role: text('role').notNull(),
    login: text('login').notNull(),
    displayName: text('display_name').notNull(), // personal information
    phone: text('phone'), // personal information
    passwordHash: text('password_hash').notNull(),
    status: text('status').notNull().default('active'),
    failedLogins: integer('failed_logins').notNull().default(0),
    lockedUntil: at('locked_until'),
    passwordChangedAt: at('password_changed_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('platform_users_login_uq').on(sql`lower(${t.login})`),
    index('platform_users_merchant_idx').on(t.merchantId),
  ],
);

/** Store-scoped roles see only the stores listed here. */
export const userStores = pgTable(
  'platform_user_stores',
  {
    merchantId: text('merchant_id').notNull(),
    userId: text('user_id').notNull(),
    storeId: text('store_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.userId, t.storeId] })],
);

export const sessions = pgTable(
  'platform_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    id: text('id').notNull(),
    userId: text('user_id').notNull(),
    createdAt: createdAt(),
    expiresAt: at('expires_at').notNull(),
    lastSeenAt: at('last_seen_at').notNull().defaultNow(),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [index('platform_sessions_user_idx').on(t.userId)],
);

export const apiKeys = pgTable(
  'platform_api_keys',
  {
    id: text('id').primaryKey(),
    operatorId: text('operator_id').notNull(),
    merchantId: text('merchant_id'),
    name: text('name').notNull(),
    secretHash: text('secret_hash').notNull(),
    scopes: text('scopes').array().notNull(),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    lastUsedAt: at('last_used_at'),
    revokedAt: at('revoked_at'),
  },
  (t) => [index('platform_api_keys_merchant_idx').on(t.merchantId)],
);

/** Append-only, hash-chained: each entry's hash covers the previous hash and its canonical JSON. */
export const auditEntries = pgTable(
  'platform_audit_entries',
  {
    chainId: text('chain_id').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    id: text('id').notNull(),
    occurredAt: at('occurred_at').notNull(),
    operatorId: text('operator_id'),
    merchantId: text('merchant_id'),
    actorKind: text('actor_kind').notNull(),
    actorId: text('actor_id').notNull(),
    actorLabel: text('actor_label').notNull(),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id').notNull(),
    before: jsonb('before'),
    after: jsonb('after'),
    requestId: text('request_id'),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.chainId, t.seq] }),
    index('platform_audit_entries_merchant_idx').on(t.merchantId, t.occurredAt),
  ],
);

export const auditHeads = pgTable('platform_audit_heads', {
  chainId: text('chain_id').primaryKey(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  hash: text('hash').notNull(),
});

export const idempotencyKeys = pgTable(
  'platform_idempotency_keys',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    statusCode: integer('status_code'),
    responseHeaders: jsonb('response_headers'),
    responseBody: text('response_body'),
    createdAt: createdAt(),
    completedAt: at('completed_at'),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] })],
);

/** Transactional outbox: written in the same transaction as the change it announces. */
export const outboxEvents = pgTable(
  'platform_outbox_events',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    type: text('type').notNull(),
    payload: jsonb('payload').notNull(),
    occurredAt: at('occurred_at').notNull().defaultNow(),
    dispatchedAt: at('dispatched_at'),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    index('platform_outbox_undispatched_idx').on(t.occurredAt).where(sql`${t.dispatchedAt} is null`),
    index('platform_outbox_merchant_type_idx').on(t.merchantId, t.type, t.id),
    // Retention walks dispatched events oldest first.
    index('platform_outbox_dispatched_idx').on(t.occurredAt).where(sql`${t.dispatchedAt} is not null`),
  ],
);

export const webhookEndpoints = pgTable(
  'platform_webhook_endpoints',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    url: text('url').notNull(),
    description: text('description'),
    eventTypes: text('event_types').array().notNull(),
    secretCiphertext: text('secret_ciphertext').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.id] })],
);

export const webhookDeliveries = pgTable(
  'platform_webhook_deliveries',
  {
    merchantId: text('merchant_id').notNull(),
    id: text('id').notNull(),
    endpointId: text('endpoint_id').notNull(),
    eventId: text('event_id').notNull(),
    eventType: text('event_type').notNull(),
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    /** Automatic attempts only: the position in the retry schedule (manual resends do not use it up). */
    scheduledAttempts: integer('scheduled_attempts').notNull().default(0),
    /** While pending: when the next automatic attempt is due; a worker pushes it ahead as its lease. */
    nextAttemptAt: at('next_attempt_at'),
    lastAttemptAt: at('last_attempt_at'),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    deliveredAt: at('delivered_at'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    uniqueIndex('platform_webhook_deliveries_event_endpoint_uq').on(t.merchantId, t.eventId, t.endpointId),
    index('platform_webhook_deliveries_due_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index('platform_webhook_deliveries_endpoint_idx').on(t.merchantId, t.endpointId, t.id),
  ],
);

export const webhookAttempts = pgTable(
  'platform_webhook_attempts',
  {
    merchantId: text('merchant_id').notNull(),
    deliveryId: text('delivery_id').notNull(),
    attemptNo: integer('attempt_no').notNull(),
    attemptedAt: at('attempted_at').notNull(),
    statusCode: integer('status_code'),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
    manual: boolean('manual').notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.deliveryId, t.attemptNo] })],
);

/**
 * One row per (event, in-process subscriber): written by the dispatcher in the same transaction that
 * marks the event dispatched, and marked `done` in the same transaction as the subscriber's effect —
 * so each subscriber applies each event exactly once, and a failing one retries on its own schedule
 * without holding up the others.
 */
export const eventConsumptions = pgTable(
  'platform_event_consumptions',
  {
    merchantId: text('merchant_id').notNull(),
    eventId: text('event_id').notNull(),
    subscriber: text('subscriber').notNull(),
    eventType: text('event_type').notNull(),
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: at('next_attempt_at'),
    lastError: text('last_error'),
    doneAt: at('done_at'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.eventId, t.subscriber] }),
    index('platform_event_consumptions_due_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
  ],
);
