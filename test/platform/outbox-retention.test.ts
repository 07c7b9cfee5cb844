import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookSender, dispatchOutbox, pruneOutbox, publishEvent, runEventConsumers, subscribeToEvents } from '../../src/modules/platform/index.js';
import { eventConsumptions, outboxEvents, webhookAttempts, webhookDeliveries } from '../../src/modules/platform/schema.js';
import { startTestApp, type TestApp } from '../support/app.js';

// The clock is passed explicitly: "31 days later" is a `now` argument, not a wait.

let t: TestApp;
let owner: string;
let status = 200;
const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => response.writeHead(status).end());
});

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.login('owner');
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  server.close();
  await t.close();
});

const day = 86_400_000;

async function publish(type: string): Promise<string> {
  const event = await t.database.db.transaction((tx) => publishEvent(tx, t.demo.merchantId, type, {}));
  return event.id;
}

async function remaining(ids: string[]) {
  const db = t.database.db;
  const mine = (column: typeof outboxEvents.id) => and(eq(outboxEvents.merchantId, t.demo.merchantId), inArray(column, ids));
  return {
    events: (await db.select({ id: outboxEvents.id }).from(outboxEvents).where(mine(outboxEvents.id))).map((r) => r.id).sort(),
    deliveries: (await db.select().from(webhookDeliveries).where(inArray(webhookDeliveries.eventId, ids))).length,
    consumptions: (await db.select().from(eventConsumptions).where(inArray(eventConsumptions.eventId, ids))).length,
  };
}

describe('outbox retention', () => {
  it('removes finished old events with their deliveries, attempts and consumptions, and keeps everything still owed', async () => {
    const { port } = server.address() as AddressInfo;
    const created = await t.app.inject({ method: 'POST', url: '/v1/webhook-endpoints', headers: { cookie: owner }, payload: { url: `http://127.0.0.1:${port}/hook`, event_types: ['retention.delivered', 'retention.consumed', 'retention.retrying', 'retention.undispatched'] } });
    expect(created.statusCode).toBe(201);
    const removeSubscriber = subscribeToEvents({ name: 'test.retention', types: ['retention.consumed'], handle: async () => {} });
    const sender = createWebhookSender(t.database.db, { secretKey: t.config.secretKey, allowPrivateTargets: true });
    try {
      const start = new Date();
      const delivered = await publish('retention.delivered');
      const consumed = await publish('retention.consumed');
      await dispatchOutbox(t.database.db, { now: start });
      await sender.runDue(start);
      await runEventConsumers(t.database.db, { now: start });

      // Owed: a delivery still retrying (receiver down), and an event not yet dispatched.
      status = 500;
      const retrying = await publish('retention.retrying');
      await dispatchOutbox(t.database.db, { now: start });
      await sender.runDue(start);
      const undispatched = await publish('retention.undispatched');
      const ids = [delivered, consumed, retrying, undispatched];

      expect(await pruneOutbox(t.database.db, { now: new Date(start.getTime() + 29 * day), keepDays: 30 })).toMatchObject({ events: 0 });

      const later = new Date(start.getTime() + 31 * day);
      const summary = await pruneOutbox(t.database.db, { now: later, keepDays: 30 });
      expect(summary.events).toBeGreaterThanOrEqual(2);
      const left = await remaining(ids);
      expect(left.events).toEqual([retrying, undispatched].sort());
      // The retrying event keeps its delivery and attempt; the removed ones leave nothing behind.
      expect(left.deliveries).toBe(1);
      expect(left.consumptions).toBe(0);
      const orphanAttempts = await t.database.db.select().from(webhookAttempts).where(eq(webhookAttempts.merchantId, t.demo.merchantId));
      const liveDeliveries = new Set((await t.database.db.select({ id: webhookDeliveries.id }).from(webhookDeliveries)).map((d) => d.id));
      expect(orphanAttempts.every((a) => liveDeliveries.has(a.deliveryId))).toBe(true);
    } finally {
      removeSubscriber();
      status = 200;
    }
  });
});
