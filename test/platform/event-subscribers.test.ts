import { and, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  consumptionsOf,
  dispatchOutbox,
  publishEvent,
  runEventConsumers,
  stuckConsumptions,
  subscribeToEvents,
  webhookRetryDelaysMs,
} from '../../src/modules/platform/index.js';
import { outboxEvents } from '../../src/modules/platform/schema.js';
import { startTestApp, type TestApp } from '../support/app.js';

// Subscribers here write through the real outbox (publishEvent) so that "applied exactly once" and
// "rolled back on failure" are read back from the database, not from a counter in memory.

let t: TestApp;
const removals: (() => void)[] = [];

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());
afterEach(() => {
  while (removals.length) removals.pop()!();
});

async function reactionsTo(eventId: string): Promise<number> {
  const rows = await t.database.db
    .select()
    .from(outboxEvents)
    .where(and(eq(outboxEvents.merchantId, t.demo.merchantId), eq(outboxEvents.type, 'test.reaction')));
  return rows.filter((row) => (row.payload as { source: string }).source === eventId).length;
}

describe('in-process event subscribers', () => {
  it('apply each event exactly once per subscriber, even with two consumer runs side by side', async () => {
    removals.push(
      subscribeToEvents({
        name: 'test.reactor',
        types: ['test.happened'],
        handle: async (tx, event) => {
          await publishEvent(tx, event.merchantId, 'test.reaction', { source: event.id });
        },
      }),
    );
    const clock = new Date();
    const event = await t.database.db.transaction((tx) => publishEvent(tx, t.demo.merchantId, 'test.happened', { n: 1 }));
    const first = await dispatchOutbox(t.database.db, { now: clock });
    expect(first.consumptions).toBe(1);
    const runs = await Promise.all([runEventConsumers(t.database.db, { now: clock }), runEventConsumers(t.database.db, { now: clock })]);
    expect(runs.reduce((sum, r) => sum + r.applied, 0)).toBe(1);
    await runEventConsumers(t.database.db, { now: new Date(clock.getTime() + 60_000) });
    expect(await reactionsTo(event.id)).toBe(1);
    const [consumption] = await consumptionsOf(t.database.db, t.demo.merchantId, event.id);
    expect(consumption).toMatchObject({ subscriber: 'test.reactor', status: 'done', attempts: 1 });
  });

  it('roll back a failing subscriber’s writes and retry it on the schedule, without blocking others', async () => {
    let failuresLeft = 1;
    removals.push(
      subscribeToEvents({
        name: 'test.flaky',
        types: ['test.flaky'],
        handle: async (tx, event) => {
          await publishEvent(tx, event.merchantId, 'test.reaction', { source: event.id });
          if (failuresLeft-- > 0) throw new Error('downstream not ready');
        },
      }),
      subscribeToEvents({
        name: 'test.steady',
        types: ['test.flaky'],
        handle: async (tx, event) => {
          await publishEvent(tx, event.merchantId, 'test.reaction', { source: `${event.id}:steady` });
        },
      }),
    );
    const clock = new Date();
    const event = await t.database.db.transaction((tx) => publishEvent(tx, t.demo.merchantId, 'test.flaky', {}));
    expect((await dispatchOutbox(t.database.db, { now: clock })).consumptions).toBe(2);
    expect(await runEventConsumers(t.database.db, { now: clock })).toEqual({ applied: 1, retrying: 1, failed: 0 });
    expect(await reactionsTo(event.id)).toBe(0);
    expect(await reactionsTo(`${event.id}:steady`)).toBe(1);
    const stuck = await stuckConsumptions(t.database.db);
    expect(stuck.find((c) => c.eventId === event.id)).toMatchObject({ subscriber: 'test.flaky', attempts: 1, lastError: 'downstream not ready' });

    // Not before the scheduled retry; then once.
    expect((await runEventConsumers(t.database.db, { now: new Date(clock.getTime() + webhookRetryDelaysMs[1]! - 1_000) })).applied).toBe(0);
    expect((await runEventConsumers(t.database.db, { now: new Date(clock.getTime() + webhookRetryDelaysMs[1]!) })).applied).toBe(1);
    expect(await reactionsTo(event.id)).toBe(1);
  });

  it('give up after the schedule and leave the consumption visible as failed', async () => {
    removals.push(
      subscribeToEvents({
        name: 'test.broken',
        types: ['test.broken'],
        handle: async () => {
          throw new Error('always');
        },
      }),
    );
    let clock = new Date();
    const event = await t.database.db.transaction((tx) => publishEvent(tx, t.demo.merchantId, 'test.broken', {}));
    await dispatchOutbox(t.database.db, { now: clock });
    for (let attempt = 0; attempt < webhookRetryDelaysMs.length; attempt++) {
      clock = new Date(clock.getTime() + (webhookRetryDelaysMs[attempt] ?? 0));
      await runEventConsumers(t.database.db, { now: clock });
    }
    const [consumption] = await consumptionsOf(t.database.db, t.demo.merchantId, event.id);
    expect(consumption).toMatchObject({ status: 'failed', attempts: webhookRetryDelaysMs.length, nextAttemptAt: null });
  });
});
