// In-process subscribers to domain events: how one module reacts to another's committed change
// (membership accrues points on `payment.succeeded`) without either importing the other's internals.
// Delivery is at-least-once from the outbox and exactly-once per subscriber: the consumption row is
// marked done in the same transaction as the subscriber's effect.

import { and, asc, eq, lte, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { DomainEvent } from './outbox.js';
import { eventConsumptions, outboxEvents } from './schema.js';
import { afterFailedAttempt } from './webhook-schedule.js';

export interface EventSubscriber {
  /** Stable name, stored with every consumption (`membership.accrual`). */
  readonly name: string;
  /** Event types it receives (exact names). */
  readonly types: readonly string[];
  /**
   * Applies the event inside `tx`. Throwing rolls back whatever it wrote and schedules a retry
   * (the webhook schedule: over a day); it must not call out of the process.
   */
  handle(tx: Db, event: DomainEvent): Promise<void>;
}

const subscribers = new Map<string, EventSubscriber>();

/** Registers a subscriber (once, when its module's index loads); returns its removal, for tests. */
export function subscribeToEvents(subscriber: EventSubscriber): () => void {
  if (!/^[a-z][a-z0-9_.-]*$/.test(subscriber.name)) throw new Error(`invalid subscriber name ${subscriber.name}`);
  subscribers.set(subscriber.name, subscriber);
  return () => {
    if (subscribers.get(subscriber.name) === subscriber) subscribers.delete(subscriber.name);
  };
}

/** Names of the subscribers that receive events of `type`, in a fixed order. */
export function subscribersOf(type: string): string[] {
  return [...subscribers.values()]
    .filter((s) => s.types.includes(type))
    .map((s) => s.name)
    .sort();
}

export interface ConsumptionRunSummary {
  readonly applied: number;
  readonly retrying: number;
  readonly failed: number;
}

/**
 * Applies every consumption due at `now`, one transaction each: claim the row (SKIP LOCKED, so
 * workers side by side never take the same one), run the subscriber in a savepoint, mark it done —
 * or, if the subscriber threw, undo its writes and record the failure with the next attempt time.
 */
export async function runEventConsumers(db: Db, options: { now?: Date; batchSize?: number } = {}): Promise<ConsumptionRunSummary> {
  const now = options.now ?? new Date();
  const batchSize = options.batchSize ?? 200;
  let applied = 0;
  let retrying = 0;
  let failed = 0;
  for (let i = 0; i < batchSize; i++) {
    const outcome = await db.transaction(async (tx) => {
      const [row] = await tx
        .select()
        .from(eventConsumptions)
        .where(and(eq(eventConsumptions.status, 'pending'), lte(eventConsumptions.nextAttemptAt, now)))
        .orderBy(asc(eventConsumptions.nextAttemptAt))
        .limit(1)
        .for('update', { skipLocked: true });
      if (!row) return 'none' as const;
      const subscriber = subscribers.get(row.subscriber);
      const [event] = await tx
        .select()
        .from(outboxEvents)
        .where(and(eq(outboxEvents.merchantId, row.merchantId), eq(outboxEvents.id, row.eventId)));
      let error: unknown = null;
      if (!subscriber) error = new Error(`no subscriber named ${row.subscriber} in this process`);
      else if (!event) error = new Error(`event ${row.eventId} not found`);
      else {
        try {
          await tx.transaction(async (savepoint) => {
            await subscriber.handle(savepoint, { id: event.id, merchantId: event.merchantId, type: event.type, payload: event.payload, occurredAt: event.occurredAt });
          });
        } catch (caught) {
          error = caught;
        }
      }
      const key = and(eq(eventConsumptions.merchantId, row.merchantId), eq(eventConsumptions.eventId, row.eventId), eq(eventConsumptions.subscriber, row.subscriber));
      const attempts = row.attempts + 1;
      if (error === null) {
        await tx.update(eventConsumptions).set({ status: 'done', attempts, doneAt: now, nextAttemptAt: null, lastError: null }).where(key);
        return 'applied' as const;
      }
      const next = afterFailedAttempt(attempts, now);
      const message = error instanceof Error ? error.message : String(error);
      await tx
        .update(eventConsumptions)
        .set({ status: next.status, attempts, nextAttemptAt: next.nextAttemptAt, lastError: message.slice(0, 2000) })
        .where(key);
      return next.status === 'failed' ? ('failed' as const) : ('retrying' as const);
    });
    if (outcome === 'none') break;
    if (outcome === 'applied') applied++;
    else if (outcome === 'retrying') retrying++;
    else failed++;
  }
  return { applied, retrying, failed };
}

/** Consumptions of one event, for operators and tests. */
export async function consumptionsOf(db: Db, merchantId: string, eventId: string) {
  return db
    .select()
    .from(eventConsumptions)
    .where(and(eq(eventConsumptions.merchantId, merchantId), eq(eventConsumptions.eventId, eventId)))
    .orderBy(asc(eventConsumptions.subscriber));
}

/** Pending and failed consumptions, oldest first: what an operator looks at when a reaction is missing. */
export async function stuckConsumptions(db: Db, limit = 100) {
  return db
    .select()
    .from(eventConsumptions)
    .where(sql`${eventConsumptions.status} <> 'done'`)
    .orderBy(asc(eventConsumptions.createdAt))
    .limit(limit);
}
