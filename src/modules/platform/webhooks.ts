import { and, asc, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { newId } from '../../kernel/ids.js';
import type { SecretBox } from '../../kernel/secret-box.js';
import { requireMerchantId, type AccessContext } from './access.js';
import { appendAudit } from './audit.js';
import { platformErrors } from './errors.js';
import { publishEvent } from './outbox.js';
import { clampLimit, pageOf, type Page } from './paging.js';
import { authorize } from './policy.js';
import { outboxEvents, webhookAttempts, webhookDeliveries, webhookEndpoints } from './schema.js';
import { randomToken } from './secrets.js';
import { webhookPayload, type WebhookDelivery } from './webhook-delivery.js';
import { firstAttemptAt } from './webhook-schedule.js';
import { isPrivateHostName } from './webhook-target.js';

// Merchant-facing webhook endpoints, their delivery log and the merchant's domain events.

export interface WebhookEndpoint {
  readonly id: string;
  readonly url: string;
  readonly description: string | null;
  readonly eventTypes: string[];
  readonly enabled: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface WebhookEndpointInput {
  readonly url: string;
  readonly description?: string | null | undefined;
  readonly eventTypes: readonly string[];
}

export interface WebhookEndpointPatch {
  readonly url?: string | undefined;
  readonly description?: string | null | undefined;
  readonly eventTypes?: readonly string[] | undefined;
  readonly enabled?: boolean | undefined;
}

/** Subscribes to every event type. */
export const allEventTypes = '*';
export const testEventType = 'webhook.test';

type EndpointRow = typeof webhookEndpoints.$inferSelect;

function toEndpoint(row: EndpointRow): WebhookEndpoint {
  return { id: row.id, url: row.url, description: row.description, eventTypes: row.eventTypes, enabled: row.enabled, createdAt: row.createdAt, updatedAt: row.updatedAt };
}

/** `whsec_` + 256 random bits: the HMAC key, shown to the merchant once. */
export function newWebhookSecret(): string {
  return `whsec_${randomToken(32)}`;
}

/** Receivers are reached over HTTP(S) only; credentials in the URL would be stored and logged in clear. */
export function checkWebhookUrl(url: string, options: { allowPrivateTargets: boolean }): string {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw platformErrors.make('webhook_url_invalid', 'not a URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw platformErrors.make('webhook_url_invalid', 'the URL must start with http:// or https://');
  if (!parsed.hostname) throw platformErrors.make('webhook_url_invalid', 'the URL has no host');
  if (parsed.username || parsed.password) throw platformErrors.make('webhook_url_invalid', 'the URL must not carry a user name or password');
  if (!options.allowPrivateTargets && isPrivateHostName(parsed.hostname)) {
    throw platformErrors.make('webhook_url_private', `${parsed.hostname} is a private or local address; the operator can allow such targets with WEBHOOK_ALLOW_PRIVATE_TARGETS=true`);
  }
  return url.trim();
}

/** Whether an endpoint subscribed to `eventTypes` receives an event of `type`. */
export function subscribesTo(eventTypes: readonly string[], type: string): boolean {
  return eventTypes.includes(allEventTypes) || eventTypes.includes(type);
}

function ownEndpoint(merchantId: string, endpointId: string) {
  return and(eq(webhookEndpoints.merchantId, merchantId), eq(webhookEndpoints.id, endpointId));
}

async function lockEndpoint(tx: Db, merchantId: string, endpointId: string): Promise<EndpointRow> {
  const [row] = await tx.select().from(webhookEndpoints).where(ownEndpoint(merchantId, endpointId)).for('update');
  if (!row) throw platformErrors.make('webhook_endpoint_not_found');
  return row;
}

export async function listWebhookEndpoints(db: Db, ctx: AccessContext): Promise<WebhookEndpoint[]> {
  authorize(ctx, 'webhooks.read');
  const merchantId = requireMerchantId(ctx);
  const rows = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.merchantId, merchantId)).orderBy(asc(webhookEndpoints.id));
  return rows.map(toEndpoint);
}

export async function getWebhookEndpoint(db: Db, ctx: AccessContext, endpointId: string): Promise<WebhookEndpoint> {
  authorize(ctx, 'webhooks.read');
  const [row] = await db.select().from(webhookEndpoints).where(ownEndpoint(requireMerchantId(ctx), endpointId));
  if (!row) throw platformErrors.make('webhook_endpoint_not_found');
  return toEndpoint(row);
}

/** Creates an endpoint; the signing secret is returned here and never again. */
export async function createWebhookEndpoint(
  db: Db,
  ctx: AccessContext,
  input: WebhookEndpointInput,
  secrets: SecretBox,
  targets: { allowPrivateTargets: boolean },
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  authorize(ctx, 'webhooks.write');
  const merchantId = requireMerchantId(ctx);
  const url = checkWebhookUrl(input.url, targets);
  const eventTypes = [...new Set(input.eventTypes)];
  const secret = newWebhookSecret();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(webhookEndpoints)
      .values({ merchantId, id: newId('webhookEndpoint'), url, description: input.description ?? null, eventTypes, secretCiphertext: secrets.seal(secret) })
      .returning();
    await appendAudit(tx, ctx, {
      action: 'webhook_endpoint.create',
      targetType: 'webhook_endpoint',
      targetId: row!.id,
      after: { url, description: row!.description, event_types: eventTypes, enabled: row!.enabled },
    });
    return { endpoint: toEndpoint(row!), secret };
  });
}

export async function updateWebhookEndpoint(db: Db, ctx: AccessContext, endpointId: string, patch: WebhookEndpointPatch, targets: { allowPrivateTargets: boolean }): Promise<WebhookEndpoint> {
  authorize(ctx, 'webhooks.write');
  const merchantId = requireMerchantId(ctx);
  const changes = {
    ...(patch.url !== undefined && { url: checkWebhookUrl(patch.url, targets) }),
    ...(patch.description !== undefined && { description: patch.description }),
    ...(patch.eventTypes !== undefined && { eventTypes: [...new Set(patch.eventTypes)] }),
    ...(patch.enabled !== undefined && { enabled: patch.enabled }),
  };
  return db.transaction(async (tx) => {
    const before = await lockEndpoint(tx, merchantId, endpointId);
    const [after] = await tx.update(webhookEndpoints).set({ ...changes, updatedAt: new Date() }).where(ownEndpoint(merchantId, endpointId)).returning();
    const summary = (e: EndpointRow) => ({
      ...(changes.url !== undefined && { url: e.url }),
      ...(changes.description !== undefined && { description: e.description }),
      ...(changes.eventTypes !== undefined && { event_types: e.eventTypes }),
      ...(changes.enabled !== undefined && { enabled: e.enabled }),
    });
    await appendAudit(tx, ctx, { action: 'webhook_endpoint.update', targetType: 'webhook_endpoint', targetId: endpointId, before: summary(before), after: summary(after!) });
    return toEndpoint(after!);
  });
}

/** Deletes an endpoint; its pending deliveries end as failed, their log stays. */
export async function deleteWebhookEndpoint(db: Db, ctx: AccessContext, endpointId: string): Promise<void> {
  authorize(ctx, 'webhooks.write');
  const merchantId = requireMerchantId(ctx);
  await db.transaction(async (tx) => {
    const before = await lockEndpoint(tx, merchantId, endpointId);
    await tx.delete(webhookEndpoints).where(ownEndpoint(merchantId, endpointId));
    await tx
      .update(webhookDeliveries)
      .set({ status: 'failed', nextAttemptAt: null, lastError: 'endpoint deleted' })
      .where(and(eq(webhookDeliveries.merchantId, merchantId), eq(webhookDeliveries.endpointId, endpointId), eq(webhookDeliveries.status, 'pending')));
    await appendAudit(tx, ctx, {
      action: 'webhook_endpoint.delete',
      targetType: 'webhook_endpoint',
      targetId: endpointId,
      before: { url: before.url, description: before.description, event_types: before.eventTypes, enabled: before.enabled },
    });
  });
}

/**
 * Publishes a `webhook.test` event and queues it for this endpoint only: the event is marked
 * dispatched in the same transaction, so the dispatcher never fans it out to other endpoints.
 */
export async function sendTestEvent(db: Db, ctx: AccessContext, endpointId: string): Promise<{ eventId: string; deliveryId: string }> {
  authorize(ctx, 'webhooks.write');
  const merchantId = requireMerchantId(ctx);
  return db.transaction(async (tx) => {
    const endpoint = await lockEndpoint(tx, merchantId, endpointId);
    const event = await publishEvent(tx, merchantId, testEventType, { endpoint_id: endpoint.id, message: 'MemberPlus test event' });
    const now = new Date();
    await tx
      .update(outboxEvents)
      .set({ dispatchedAt: now })
      .where(and(eq(outboxEvents.merchantId, merchantId), eq(outboxEvents.id, event.id)));
    const deliveryId = newId('webhookDelivery');
    await tx.insert(webhookDeliveries).values({ merchantId, id: deliveryId, endpointId, eventId: event.id, eventType: event.type, nextAttemptAt: firstAttemptAt(now) });
    await appendAudit(tx, ctx, { action: 'webhook_endpoint.test', targetType: 'webhook_endpoint', targetId: endpointId, after: { event_id: event.id, delivery_id: deliveryId } });
    return { eventId: event.id, deliveryId };
  });
}

// ---- delivery log ----

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface DeliveryFilter {
  readonly endpointId?: string | undefined;
  readonly status?: WebhookDeliveryStatus | undefined;
  readonly eventType?: string | undefined;
  readonly after?: string | undefined;
  readonly limit?: number | undefined;
}

/** Newest first; `after` is the id of the last delivery of the previous page. */
export async function listWebhookDeliveries(db: Db, ctx: AccessContext, filter: DeliveryFilter): Promise<Page<WebhookDelivery>> {
  authorize(ctx, 'webhooks.read');
  const merchantId = requireMerchantId(ctx);
  const limit = clampLimit(filter.limit);
  const conditions: SQL[] = [eq(webhookDeliveries.merchantId, merchantId)];
  if (filter.endpointId) conditions.push(eq(webhookDeliveries.endpointId, filter.endpointId));
  if (filter.status) conditions.push(eq(webhookDeliveries.status, filter.status));
  if (filter.eventType) conditions.push(eq(webhookDeliveries.eventType, filter.eventType));
  if (filter.after) conditions.push(lt(webhookDeliveries.id, filter.after));
  const rows = await db
    .select()
    .from(webhookDeliveries)
    .where(and(...conditions))
    .orderBy(desc(webhookDeliveries.id))
    .limit(limit + 1);
  return pageOf(rows, limit);
}

export type WebhookAttempt = typeof webhookAttempts.$inferSelect;

export interface WebhookDeliveryDetail {
  readonly delivery: WebhookDelivery;
  /** The body as sent to the receiver. */
  readonly payload: ReturnType<typeof webhookPayload>;
  readonly attempts: WebhookAttempt[];
}

export async function getWebhookDelivery(db: Db, ctx: AccessContext, deliveryId: string): Promise<WebhookDeliveryDetail> {
  authorize(ctx, 'webhooks.read');
  const merchantId = requireMerchantId(ctx);
  const [row] = await db
    .select({ delivery: webhookDeliveries, event: outboxEvents })
    .from(webhookDeliveries)
    .innerJoin(outboxEvents, and(eq(outboxEvents.merchantId, webhookDeliveries.merchantId), eq(outboxEvents.id, webhookDeliveries.eventId)))
    .where(and(eq(webhookDeliveries.merchantId, merchantId), eq(webhookDeliveries.id, deliveryId)));
  if (!row) throw platformErrors.make('webhook_delivery_not_found');
  const attempts = await db
    .select()
    .from(webhookAttempts)
    .where(and(eq(webhookAttempts.merchantId, merchantId), eq(webhookAttempts.deliveryId, deliveryId)))
    .orderBy(asc(webhookAttempts.attemptNo));
  return { delivery: row.delivery, payload: webhookPayload(row.event), attempts };
}

// ---- the merchant's domain events ----

export type OutboxEvent = typeof outboxEvents.$inferSelect;

/** Newest first; `after` is the id of the last event of the previous page. */
export async function listEvents(
  db: Db,
  ctx: AccessContext,
  filter: { type?: string | undefined; after?: string | undefined; limit?: number | undefined },
): Promise<Page<OutboxEvent>> {
  authorize(ctx, 'events.read');
  const merchantId = requireMerchantId(ctx);
  const limit = clampLimit(filter.limit);
  const conditions: SQL[] = [eq(outboxEvents.merchantId, merchantId)];
  if (filter.type) conditions.push(eq(outboxEvents.type, filter.type));
  if (filter.after) conditions.push(lt(outboxEvents.id, filter.after));
  const rows = await db
    .select()
    .from(outboxEvents)
    .where(and(...conditions))
    .orderBy(desc(outboxEvents.id))
    .limit(limit + 1);
  return pageOf(rows, limit);
}
