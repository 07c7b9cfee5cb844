// Outbox retention: events, their webhook deliveries and attempts, and their subscriber consumptions
// are kept for EVENT_RETENTION_DAYS (the merchant's event log and delivery history), then removed so
// the tables stay the size of a month, not of the business's whole life. Anything still owed — a
// delivery or consumption that is pending — keeps its event, however old.

import { and, eq, inArray, isNotNull, lt, notExists, or, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { eventConsumptions, outboxEvents, webhookAttempts, webhookDeliveries } from './schema.js';

export interface RetentionSummary {
  readonly events: number;
  readonly deliveries: number;
  readonly attempts: number;
  readonly consumptions: number;
}

/** Removes up to `batchSize` finished events older than `keepDays`, with what hangs off them, in one transaction. */
export async function pruneOutbox(db: Db, options: { now?: Date; keepDays: number; batchSize?: number }): Promise<RetentionSummary> {
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - options.keepDays * 86_400_000);
  const batchSize = options.batchSize ?? 1_000;
  return db.transaction(async (tx) => {
    const events = await tx
      .select({ merchantId: outboxEvents.merchantId, id: outboxEvents.id })
      .from(outboxEvents)
      .where(
        and(
          isNotNull(outboxEvents.dispatchedAt),
          lt(outboxEvents.occurredAt, cutoff),
          notExists(
            tx
              .select({ one: webhookDeliveries.id })
              .from(webhookDeliveries)
              .where(and(eq(webhookDeliveries.merchantId, outboxEvents.merchantId), eq(webhookDeliveries.eventId, outboxEvents.id), eq(webhookDeliveries.status, 'pending'))),
          ),
          notExists(
            tx
              .select({ one: eventConsumptions.eventId })
              .from(eventConsumptions)
              .where(and(eq(eventConsumptions.merchantId, outboxEvents.merchantId), eq(eventConsumptions.eventId, outboxEvents.id), eq(eventConsumptions.status, 'pending'))),
          ),
        ),
      )
      .orderBy(outboxEvents.occurredAt)
      .limit(batchSize)
      .for('update', { skipLocked: true });
    if (!events.length) return { events: 0, deliveries: 0, attempts: 0, consumptions: 0 };

    const byMerchant = new Map<string, string[]>();
    for (const e of events) byMerchant.set(e.merchantId, [...(byMerchant.get(e.merchantId) ?? []), e.id]);
    const ofEvents = (merchantColumn: typeof webhookDeliveries.merchantId | typeof eventConsumptions.merchantId, eventColumn: typeof webhookDeliveries.eventId | typeof eventConsumptions.eventId): SQL =>
      or(...[...byMerchant].map(([merchantId, ids]) => and(eq(merchantColumn, merchantId), inArray(eventColumn, ids))))!;

    const deliveries = await tx.delete(webhookDeliveries).where(ofEvents(webhookDeliveries.merchantId, webhookDeliveries.eventId)).returning({ merchantId: webhookDeliveries.merchantId, id: webhookDeliveries.id });
    let attempts = 0;
    if (deliveries.length) {
      const deliveriesByMerchant = new Map<string, string[]>();
      for (const d of deliveries) deliveriesByMerchant.set(d.merchantId, [...(deliveriesByMerchant.get(d.merchantId) ?? []), d.id]);
      const removed = await tx
        .delete(webhookAttempts)
        .where(or(...[...deliveriesByMerchant].map(([merchantId, ids]) => and(eq(webhookAttempts.merchantId, merchantId), inArray(webhookAttempts.deliveryId, ids))))!)
        .returning({ n: webhookAttempts.attemptNo });
      attempts = removed.length;
    }
    const consumptions = await tx.delete(eventConsumptions).where(ofEvents(eventConsumptions.merchantId, eventConsumptions.eventId)).returning({ id: eventConsumptions.eventId });
    await tx.delete(outboxEvents).where(or(...[...byMerchant].map(([merchantId, ids]) => and(eq(outboxEvents.merchantId, merchantId), inArray(outboxEvents.id, ids))))!);
    return { events: events.length, deliveries: deliveries.length, attempts, consumptions: consumptions.length };
  });
}
