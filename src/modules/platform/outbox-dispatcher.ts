import { and, asc, eq, inArray, isNull, or, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { newId } from '../../kernel/ids.js';
import { subscribersOf } from './event-subscribers.js';
import { eventConsumptions, outboxEvents, webhookDeliveries, webhookEndpoints } from './schema.js';
import { firstAttemptAt } from './webhook-schedule.js';
import { subscribesTo } from './webhooks.js';

export interface DispatchSummary {
  readonly events: number;
  readonly deliveries: number;
  /** In-process subscriber consumptions created (see event-subscribers.ts). */
  readonly consumptions: number;
}

/**
 * Moves committed, undispatched outbox events into webhook deliveries, one per enabled endpoint of
 * the event's merchant that subscribes to its type, and into consumptions, one per in-process
 * subscriber of its type, and marks the events dispatched — all in one transaction. Events locked by another dispatcher are skipped (SKIP LOCKED), so processes running
 * side by side never dispatch an event twice; the unique (event, endpoint) index backs that up.
 */
export async function dispatchOutbox(db: Db, options: { now?: Date; batchSize?: number } = {}): Promise<DispatchSummary> {
  const now = options.now ?? new Date();
  const batchSize = options.batchSize ?? 100;
  return db.transaction(async (tx) => {
    const events = await tx
      .select()
      .from(outboxEvents)
      .where(isNull(outboxEvents.dispatchedAt))
      .orderBy(asc(outboxEvents.occurredAt))
      .limit(batchSize)
      .for('update', { skipLocked: true });
    if (!events.length) return { events: 0, deliveries: 0, consumptions: 0 };
    const merchantIds = [...new Set(events.map((e) => e.merchantId))];
    const endpoints = await tx
      .select({ merchantId: webhookEndpoints.merchantId, id: webhookEndpoints.id, eventTypes: webhookEndpoints.eventTypes })
      .from(webhookEndpoints)
      .where(and(inArray(webhookEndpoints.merchantId, merchantIds), eq(webhookEndpoints.enabled, true)));
    const deliveries = events.flatMap((event) =>
      endpoints
        .filter((endpoint) => endpoint.merchantId === event.merchantId && subscribesTo(endpoint.eventTypes, event.type))
        .map((endpoint) => ({
          merchantId: event.merchantId,
          id: newId('webhookDelivery'),
          endpointId: endpoint.id,
          eventId: event.id,
          eventType: event.type,
          nextAttemptAt: firstAttemptAt(now),
        })),
    );
    if (deliveries.length) await tx.insert(webhookDeliveries).values(deliveries).onConflictDoNothing();
    const consumptions = events.flatMap((event) =>
      subscribersOf(event.type).map((subscriber) => ({ merchantId: event.merchantId, eventId: event.id, subscriber, eventType: event.type, nextAttemptAt: now })),
    );
    if (consumptions.length) await tx.insert(eventConsumptions).values(consumptions).onConflictDoNothing();
    const dispatched: SQL[] = merchantIds.map(
      (merchantId) =>
        and(
          eq(outboxEvents.merchantId, merchantId),
          inArray(
            outboxEvents.id,
            events.filter((e) => e.merchantId === merchantId).map((e) => e.id),
          ),
        )!,
    );
    await tx.update(outboxEvents).set({ dispatchedAt: now }).where(or(...dispatched));
    return { events: events.length, deliveries: deliveries.length, consumptions: consumptions.length };
  });
}
