import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWebhookSender,
  dispatchOutbox,
  publishEvent,
  verifyWebhookSignature,
  webhookRetryDelaysMs,
  type WebhookSender,
} from '../../src/modules/platform/index.js';
import { startWorkers } from '../../src/workers.js';
import { json, startTestApp, testConfig, type TestApp } from '../support/app.js';

// Real HTTP receivers on 127.0.0.1 and an explicit clock: retries are reached by moving the clock
// to the scheduled time, never by waiting.

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

interface Receiver {
  readonly url: string;
  readonly received: Received[];
  /** Status code for the next requests. */
  answer: number;
  /** Resolves with the next request that arrives. */
  next(): Promise<Received>;
  close(): Promise<void>;
}

const receivers: Receiver[] = [];

async function startReceiver(answer = 200): Promise<Receiver> {
  const received: Received[] = [];
  let waiting: ((r: Received) => void)[] = [];
  const receiver: Receiver = {
    url: '',
    received,
    answer,
    next: () => new Promise((resolve) => waiting.push(resolve)),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const entry = { headers: request.headers, body };
      received.push(entry);
      response.statusCode = receiver.answer;
      response.end(receiver.answer < 300 ? 'ok' : 'receiver is down');
      const resolvers = waiting;
      waiting = [];
      for (const resolve of resolvers) resolve(entry);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(receiver, { url: `http://127.0.0.1:${port}/memberplus/hook` });
  receivers.push(receiver);
  return receiver;
}

let t: TestApp;
let owner: string;
let sender: WebhookSender;
// The explicit clock: it starts at the real time (routes use it) and only ever moves forward.
let clock = new Date();
const advance = (ms: number) => (clock = new Date(Math.max(clock.getTime(), Date.now()) + ms));

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.login('owner');
  sender = createWebhookSender(t.database.db, { secretKey: t.config.secretKey, allowPrivateTargets: true });
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await t.close();
});

interface EndpointCreated {
  id: string;
  url: string;
  secret: string;
  event_types: string[];
  enabled: boolean;
  description: string | null;
  created_at: string;
}
interface DeliveryView {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  status: string;
  attempts: number;
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: string | null;
}
interface AttemptView {
  attempt_no: number;
  attempted_at: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  manual: boolean;
}
type DeliveryDetail = Omit<DeliveryView, 'attempts'> & { payload: Record<string, unknown>; attempts: AttemptView[] };

async function createEndpoint(url: string, eventTypes: string[], cookie = owner): Promise<EndpointCreated> {
  const response = await t.app.inject({ method: 'POST', url: '/v1/webhook-endpoints', headers: { cookie }, payload: { url, event_types: eventTypes, description: 'test receiver' } });
  expect(response.statusCode).toBe(201);
  return json<EndpointCreated>(response);
}

async function deleteEndpoint(id: string): Promise<void> {
  expect((await t.app.inject({ method: 'DELETE', url: `/v1/webhook-endpoints/${id}`, headers: { cookie: owner } })).statusCode).toBe(204);
}

async function publish(type: string, payload: Record<string, unknown>): Promise<string> {
  const event = await t.database.db.transaction((tx) => publishEvent(tx, t.demo.merchantId, type, payload));
  return event.id;
}

async function deliveries(query: string, cookie = owner): Promise<DeliveryView[]> {
  const response = await t.app.inject({ method: 'GET', url: `/v1/webhook-deliveries?${query}`, headers: { cookie } });
  expect(response.statusCode).toBe(200);
  return json<{ items: DeliveryView[] }>(response).items;
}

async function delivery(id: string): Promise<DeliveryDetail> {
  const response = await t.app.inject({ method: 'GET', url: `/v1/webhook-deliveries/${id}`, headers: { cookie: owner } });
  expect(response.statusCode).toBe(200);
  return json<DeliveryDetail>(response);
}

function independentSignature(secret: string, header: string, body: string): { t: number; v1: string; expected: string } {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=') as [string, string]));
  const ts = Number(parts.t);
  return { t: ts, v1: parts.v1!, expected: createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex') };
}

describe('webhook endpoints', () => {
  it('creates an endpoint showing the secret once, lists, updates and deletes it, each write audited', async () => {
    const receiver = await startReceiver();
    const created = await createEndpoint(receiver.url, ['order.paid', 'order.paid', 'member.joined']);
    expect(created).toMatchObject({ url: receiver.url, description: 'test receiver', event_types: ['order.paid', 'member.joined'], enabled: true });
    expect(created.id).toMatch(/^whe_/);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);

    const listed = await t.app.inject({ method: 'GET', url: '/v1/webhook-endpoints', headers: { cookie: owner } });
    expect(json<{ items: Record<string, unknown>[] }>(listed).items).toEqual([
      { id: created.id, url: receiver.url, description: 'test receiver', event_types: ['order.paid', 'member.joined'], enabled: true, created_at: created.created_at },
    ]);
    expect(listed.body).not.toContain(created.secret);

    const patched = await t.app.inject({ method: 'PATCH', url: `/v1/webhook-endpoints/${created.id}`, headers: { cookie: owner }, payload: { event_types: ['*'], enabled: false, description: null } });
    expect(patched.statusCode).toBe(200);
    expect(json(patched)).toMatchObject({ id: created.id, event_types: ['*'], enabled: false, description: null });
    expect(json(patched)).not.toHaveProperty('secret');

    const test = await t.app.inject({ method: 'POST', url: `/v1/webhook-endpoints/${created.id}/test`, headers: { cookie: owner } });
    expect(test.statusCode).toBe(202);
    await deleteEndpoint(created.id);
    expect((await t.app.inject({ method: 'PATCH', url: `/v1/webhook-endpoints/${created.id}`, headers: { cookie: owner }, payload: { enabled: true } })).statusCode).toBe(404);
    expect(json<{ items: unknown[] }>(await t.app.inject({ method: 'GET', url: '/v1/webhook-endpoints', headers: { cookie: owner } })).items).toEqual([]);

    const audit = await t.app.inject({ method: 'GET', url: `/v1/audit-log?target_id=${created.id}`, headers: { cookie: owner } });
    const entries = json<{ items: { action: string; before: unknown; after: unknown }[] }>(audit).items;
    expect(entries.map((e) => e.action)).toEqual(['webhook_endpoint.delete', 'webhook_endpoint.test', 'webhook_endpoint.update', 'webhook_endpoint.create']);
    expect(entries[2]).toMatchObject({ before: { event_types: ['order.paid', 'member.joined'], enabled: true, description: 'test receiver' }, after: { event_types: ['*'], enabled: false, description: null } });
    expect(audit.body).not.toContain(created.secret);
    // The pending test delivery of the deleted endpoint ended instead of retrying forever.
    const [ended] = await deliveries(`endpoint_id=${created.id}`);
    expect(ended).toMatchObject({ status: 'failed', last_error: 'endpoint deleted', next_attempt_at: null });
  });

  it('refuses URLs that are not http(s), empty subscriptions and unknown fields', async () => {
    for (const url of ['ftp://example.com/hook', 'javascript:alert(1)', 'not a url', 'https://user:pw@example.com/hook']) {
      const response = await t.app.inject({ method: 'POST', url: '/v1/webhook-endpoints', headers: { cookie: owner }, payload: { url, event_types: ['*'] } });
      expect(response.statusCode, url).toBe(400);
      expect(json(response).code, url).toBe('webhook_url_invalid');
    }
    const empty = await t.app.inject({ method: 'POST', url: '/v1/webhook-endpoints', headers: { cookie: owner }, payload: { url: 'https://example.com/h', event_types: [] } });
    expect(json(empty).code).toBe('validation_failed');
    const badType = await t.app.inject({ method: 'POST', url: '/v1/webhook-endpoints', headers: { cookie: owner }, payload: { url: 'https://example.com/h', event_types: ['Order Paid'] } });
    expect(json(badType).code).toBe('validation_failed');
    const unknown = await t.app.inject({ method: 'POST', url: '/v1/webhook-endpoints', headers: { cookie: owner }, payload: { url: 'https://example.com/h', event_types: ['*'], secret: 'mine' } });
    expect(json(unknown).code).toBe('validation_failed');
    const patchBad = await createEndpoint('https://example.com/h', ['*']);
    const patched = await t.app.inject({ method: 'PATCH', url: `/v1/webhook-endpoints/${patchBad.id}`, headers: { cookie: owner }, payload: { url: 'file:///etc/passwd' } });
    expect(json(patched).code).toBe('webhook_url_invalid');
    await deleteEndpoint(patchBad.id);
    expect(json<{ items: unknown[] }>(await t.app.inject({ method: 'GET', url: '/v1/webhook-endpoints', headers: { cookie: owner } })).items).toEqual([]);
  });

  it('is for merchant managers: store staff are refused', async () => {
    const cashier = await t.login('cashier');
    expect((await t.app.inject({ method: 'GET', url: '/v1/webhook-endpoints', headers: { cookie: cashier } })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/v1/webhook-deliveries', headers: { cookie: cashier } })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/v1/events', headers: { cookie: cashier } })).statusCode).toBe(403);
    const admin = await t.login('admin');
    expect((await t.app.inject({ method: 'GET', url: '/v1/webhook-endpoints', headers: { cookie: admin } })).statusCode).toBe(200);
  });
});

describe('outbox → deliveries → receivers', () => {
  it('never delivers an event whose transaction rolled back; delivers a committed one once, signed', async () => {
    const receiver = await startReceiver();
    const endpoint = await createEndpoint(receiver.url, ['*']);

    await expect(
      t.database.db.transaction(async (tx) => {
        await publishEvent(tx, t.demo.merchantId, 'order.paid', { order_id: 'rolled-back' });
        throw new Error('the order failed after the event was written');
      }),
    ).rejects.toThrow('the order failed');
    const eventId = await publish('order.paid', { order_id: 'ord_1', amount: 3_800, note: '拿铁 latte' });

    const sentAt = advance(0);
    expect(await dispatchOutbox(t.database.db, { now: clock })).toEqual({ events: 1, deliveries: 1, consumptions: 0 });
    expect(await dispatchOutbox(t.database.db, { now: clock })).toEqual({ events: 0, deliveries: 0, consumptions: 0 });
    await sender.runDue(clock);
    // Nothing is due any more, now or a day later.
    await sender.runDue(advance(24 * 3_600_000));

    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['user-agent']).toBe('MemberPlus-Webhooks/1');
    expect(request!.headers['memberplus-event-id']).toBe(eventId);
    expect(request!.headers['memberplus-event-type']).toBe('order.paid');
    const body = JSON.parse(request!.body) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['id', 'type', 'created_at', 'merchant_id', 'data']);
    expect(body).toMatchObject({ id: eventId, type: 'order.paid', merchant_id: t.demo.merchantId, data: { order_id: 'ord_1', amount: 3_800, note: '拿铁 latte' } });

    const header = request!.headers['memberplus-signature'] as string;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const signed = independentSignature(endpoint.secret, header, request!.body);
    expect(signed.v1).toBe(signed.expected);
    expect(verifyWebhookSignature(endpoint.secret, request!.body, header, { nowMs: signed.t * 1000 + 1_000 })).toBe(true);
    expect(verifyWebhookSignature(endpoint.secret, request!.body.replace('3800', '3801'), header, { nowMs: signed.t * 1000 })).toBe(false);

    const [listed] = await deliveries(`endpoint_id=${endpoint.id}`);
    expect(listed).toMatchObject({ event_id: eventId, event_type: 'order.paid', status: 'delivered', attempts: 1, last_status_code: 200, last_error: null, next_attempt_at: null });
    const detail = await delivery(listed!.id);
    expect(detail.payload).toEqual(body);
    expect(detail.attempts.map((a) => [a.attempt_no, a.attempted_at, a.status_code, a.error, a.manual])).toEqual([[1, sentAt.toISOString(), 200, null, false]]);
    expect(detail.attempts[0]!.duration_ms).toBeGreaterThanOrEqual(0);

    const events = json<{ items: { id: string; type: string; payload: unknown; occurred_at: string }[] }>(await t.app.inject({ method: 'GET', url: '/v1/events?type=order.paid', headers: { cookie: owner } }));
    expect(events.items.map(({ id, type, payload }) => ({ id, type, payload }))).toEqual([{ id: eventId, type: 'order.paid', payload: { order_id: 'ord_1', amount: 3_800, note: '拿铁 latte' } }]);
    expect(events.items[0]!.occurred_at).toBe(body.created_at);
    await deleteEndpoint(endpoint.id);
  });

  it('retries a receiver that answered 500 at the scheduled time, with the same event id', async () => {
    const receiver = await startReceiver(500);
    const endpoint = await createEndpoint(receiver.url, ['order.refunded']);
    const eventId = await publish('order.refunded', { order_id: 'ord_2' });
    const first = advance(0);
    await dispatchOutbox(t.database.db, { now: first });
    await sender.runDue(first);
    expect(receiver.received).toHaveLength(1);

    const [pending] = await deliveries(`endpoint_id=${endpoint.id}`);
    expect(pending).toMatchObject({ status: 'pending', attempts: 1, last_status_code: 500 });
    expect(pending!.last_error).toContain('HTTP 500');
    expect(new Date(pending!.next_attempt_at!).getTime()).toBe(first.getTime() + webhookRetryDelaysMs[1]!);

    receiver.answer = 200;
    // One second early: not yet.
    await sender.runDue(new Date(first.getTime() + webhookRetryDelaysMs[1]! - 1_000));
    expect(receiver.received).toHaveLength(1);
    clock = new Date(first.getTime() + webhookRetryDelaysMs[1]!);
    await sender.runDue(clock);
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received.map((r) => r.headers['memberplus-event-id'])).toEqual([eventId, eventId]);
    expect(receiver.received[1]!.body).toBe(receiver.received[0]!.body);

    const detail = await delivery(pending!.id);
    expect(detail).toMatchObject({ status: 'delivered', last_status_code: 200, last_error: null, next_attempt_at: null });
    expect(detail.attempts.map((a) => [a.attempt_no, a.status_code, a.manual])).toEqual([
      [1, 500, false],
      [2, 200, false],
    ]);
    expect(new Date(detail.attempts[1]!.attempted_at).getTime() - new Date(detail.attempts[0]!.attempted_at).getTime()).toBe(60_000);
    await deleteEndpoint(endpoint.id);
  });

  it('marks a delivery failed after the whole schedule (over 24 h); a manual resend then delivers it', async () => {
    const receiver = await startReceiver(503);
    const endpoint = await createEndpoint(receiver.url, ['payout.settled']);
    const eventId = await publish('payout.settled', { payout_id: 'po_1' });
    advance(0);
    await dispatchOutbox(t.database.db, { now: clock });
    const [queued] = await deliveries(`endpoint_id=${endpoint.id}`);

    let rounds = 0;
    for (let detail = await delivery(queued!.id); detail.status === 'pending'; detail = await delivery(queued!.id)) {
      clock = new Date(Math.max(clock.getTime(), new Date(detail.next_attempt_at!).getTime()));
      await sender.runDue(clock);
      rounds++;
      expect(rounds).toBeLessThanOrEqual(webhookRetryDelaysMs.length);
    }
    const dead = await delivery(queued!.id);
    expect(dead).toMatchObject({ status: 'failed', next_attempt_at: null, last_status_code: 503, delivered_at: null });
    expect(dead.attempts).toHaveLength(webhookRetryDelaysMs.length);
    expect(receiver.received).toHaveLength(webhookRetryDelaysMs.length);
    expect(new Set(receiver.received.map((r) => r.headers['memberplus-event-id']))).toEqual(new Set([eventId]));
    const span = new Date(dead.attempts.at(-1)!.attempted_at).getTime() - new Date(dead.attempts[0]!.attempted_at).getTime();
    expect(span).toBeGreaterThanOrEqual(24 * 3_600_000);

    // Dead means dead: a week later nothing is sent automatically.
    await sender.runDue(advance(7 * 24 * 3_600_000));
    expect(receiver.received).toHaveLength(webhookRetryDelaysMs.length);

    receiver.answer = 200;
    const resent = await t.app.inject({ method: 'POST', url: `/v1/webhook-deliveries/${queued!.id}/resend`, headers: { cookie: owner } });
    expect(resent.statusCode).toBe(202);
    expect(json(resent)).toMatchObject({ id: queued!.id, status: 'delivered', attempts: webhookRetryDelaysMs.length + 1, last_status_code: 200 });
    expect(receiver.received).toHaveLength(webhookRetryDelaysMs.length + 1);
    const last = receiver.received.at(-1)!;
    expect(last.headers['memberplus-event-id']).toBe(eventId);
    expect(verifyWebhookSignature(endpoint.secret, last.body, last.headers['memberplus-signature'] as string)).toBe(true);
    const detail = await delivery(queued!.id);
    expect(detail.attempts.at(-1)).toMatchObject({ attempt_no: webhookRetryDelaysMs.length + 1, status_code: 200, manual: true });
    expect(detail.delivered_at).not.toBeNull();

    // A resend of a delivered delivery sends again too (regardless of status), and is audited.
    expect((await t.app.inject({ method: 'POST', url: `/v1/webhook-deliveries/${queued!.id}/resend`, headers: { cookie: owner } })).statusCode).toBe(202);
    expect(receiver.received).toHaveLength(webhookRetryDelaysMs.length + 2);
    const audit = json<{ items: { action: string }[] }>(await t.app.inject({ method: 'GET', url: `/v1/audit-log?target_id=${queued!.id}`, headers: { cookie: owner } }));
    expect(audit.items.map((e) => e.action)).toEqual(['webhook_delivery.resend', 'webhook_delivery.resend']);
    await deleteEndpoint(endpoint.id);
  });

  it('sends nothing to disabled endpoints, and holds queued deliveries while an endpoint is disabled', async () => {
    const receiver = await startReceiver();
    const disabled = await createEndpoint(receiver.url, ['*']);
    await t.app.inject({ method: 'PATCH', url: `/v1/webhook-endpoints/${disabled.id}`, headers: { cookie: owner }, payload: { enabled: false } });
    await publish('member.joined', { member_id: 'mem_1' });
    advance(0);
    await dispatchOutbox(t.database.db, { now: clock });
    await sender.runDue(clock);
    expect(await deliveries(`endpoint_id=${disabled.id}`)).toEqual([]);
    expect(receiver.received).toEqual([]);

    // Queued while enabled, then disabled before it went out: it waits, and goes once re-enabled.
    await t.app.inject({ method: 'PATCH', url: `/v1/webhook-endpoints/${disabled.id}`, headers: { cookie: owner }, payload: { enabled: true } });
    await publish('member.joined', { member_id: 'mem_2' });
    await dispatchOutbox(t.database.db, { now: clock });
    await t.app.inject({ method: 'PATCH', url: `/v1/webhook-endpoints/${disabled.id}`, headers: { cookie: owner }, payload: { enabled: false } });
    await sender.runDue(advance(3_600_000));
    expect(receiver.received).toEqual([]);
    await t.app.inject({ method: 'PATCH', url: `/v1/webhook-endpoints/${disabled.id}`, headers: { cookie: owner }, payload: { enabled: true } });
    await sender.runDue(clock);
    expect(receiver.received.map((r) => (JSON.parse(r.body) as { data: unknown }).data)).toEqual([{ member_id: 'mem_2' }]);
    await deleteEndpoint(disabled.id);
  });

  it('delivers each endpoint only the event types it subscribed to', async () => {
    const paid = await startReceiver();
    const all = await startReceiver();
    const joined = await startReceiver();
    const endpoints = [await createEndpoint(paid.url, ['order.paid']), await createEndpoint(all.url, ['*']), await createEndpoint(joined.url, ['member.joined', 'member.left'])];
    const paidId = await publish('order.paid', { order_id: 'ord_3' });
    const joinedId = await publish('member.joined', { member_id: 'mem_3' });
    const otherId = await publish('coupon.redeemed', { coupon_id: 'cpn_1' });
    advance(0);
    await dispatchOutbox(t.database.db, { now: clock });
    await sender.runDue(clock);
    const ids = (r: Receiver) => r.received.map((x) => x.headers['memberplus-event-id']).sort();
    expect(ids(paid)).toEqual([paidId]);
    expect(ids(joined)).toEqual([joinedId]);
    expect(ids(all)).toEqual([paidId, joinedId, otherId].sort());

    const filtered = await deliveries(`event_type=member.joined&endpoint_id=${endpoints[1]!.id}`);
    expect(filtered.map((d) => d.event_id)).toEqual([joinedId]);
    const firstPage = json<{ items: DeliveryView[]; next_cursor: string | null }>(
      await t.app.inject({ method: 'GET', url: `/v1/webhook-deliveries?endpoint_id=${endpoints[1]!.id}&limit=2`, headers: { cookie: owner } }),
    );
    expect(firstPage.items).toHaveLength(2);
    const secondPage = await deliveries(`endpoint_id=${endpoints[1]!.id}&limit=2&after=${firstPage.next_cursor}`);
    expect(secondPage).toHaveLength(1);
    expect([...firstPage.items, ...secondPage].map((d) => d.event_id)).toEqual([otherId, joinedId, paidId]);
    expect((await deliveries('status=delivered&event_type=coupon.redeemed')).map((d) => d.event_id)).toEqual([otherId]);
    for (const e of endpoints) await deleteEndpoint(e.id);
  });

  it('sends a webhook.test event to the chosen endpoint only', async () => {
    const chosen = await startReceiver();
    const other = await startReceiver();
    const endpoints = [await createEndpoint(chosen.url, ['order.paid']), await createEndpoint(other.url, ['*'])];
    const response = await t.app.inject({ method: 'POST', url: `/v1/webhook-endpoints/${endpoints[0]!.id}/test`, headers: { cookie: owner } });
    expect(response.statusCode).toBe(202);
    const { event_id: eventId } = json<{ event_id: string }>(response);
    advance(0);
    await dispatchOutbox(t.database.db, { now: clock });
    await sender.runDue(clock);
    expect(other.received).toEqual([]);
    expect(chosen.received).toHaveLength(1);
    expect(JSON.parse(chosen.received[0]!.body)).toMatchObject({ id: eventId, type: 'webhook.test', data: { endpoint_id: endpoints[0]!.id } });
    expect(verifyWebhookSignature(endpoints[0]!.secret, chosen.received[0]!.body, chosen.received[0]!.headers['memberplus-signature'] as string, { nowMs: clock.getTime() })).toBe(true);
    for (const e of endpoints) await deleteEndpoint(e.id);
  });

  it('sends each attempt once when several workers run at the same time', async () => {
    const receiver = await startReceiver();
    const endpoint = await createEndpoint(receiver.url, ['*']);
    const eventIds: string[] = [];
    for (let i = 0; i < 12; i++) eventIds.push(await publish('order.paid', { order_id: `ord_c${i}` }));
    advance(0);
    // Two dispatchers and five senders side by side, each with its own view of the work.
    const dispatched = await Promise.all([dispatchOutbox(t.database.db, { now: clock }), dispatchOutbox(t.database.db, { now: clock })]);
    expect(dispatched.reduce((sum, d) => sum + d.events, 0)).toBe(12);
    const senders = Array.from({ length: 5 }, () => createWebhookSender(t.database.db, { secretKey: t.config.secretKey, batchSize: 3, allowPrivateTargets: true }));
    await Promise.all(senders.map((s) => s.runDue(clock)));
    const seen = receiver.received.map((r) => r.headers['memberplus-event-id']);
    expect(seen.sort()).toEqual([...eventIds].sort());
    const listed = await deliveries(`endpoint_id=${endpoint.id}&limit=50`);
    expect(listed).toHaveLength(12);
    expect(listed.every((d) => d.status === 'delivered' && d.attempts === 1)).toBe(true);
    await deleteEndpoint(endpoint.id);
  });
});

describe('private network targets (SSRF)', () => {
  it('does not send to a private address even if the endpoint was stored while it was allowed', async () => {
    const receiver = await startReceiver();
    const endpoint = await createEndpoint(receiver.url, ['private.check']);
    const guardedSender = createWebhookSender(t.database.db, { secretKey: t.config.secretKey });
    await publish('private.check', { n: 1 });
    await dispatchOutbox(t.database.db, { now: advance(0) });
    await guardedSender.runDue(clock);
    expect(receiver.received).toHaveLength(0);
    const [listed] = await deliveries(`endpoint_id=${endpoint.id}`);
    expect(listed).toMatchObject({ status: 'pending', attempts: 1, last_status_code: null });
    expect(listed!.last_error).toContain('private address');
    await deleteEndpoint(endpoint.id);
  });
});

describe('tenant isolation', () => {
  it("another merchant can neither see nor resend this merchant's endpoints, deliveries or events", async () => {
    const receiver = await startReceiver();
    const endpoint = await createEndpoint(receiver.url, ['*']);
    const eventId = await publish('order.paid', { order_id: 'ord_secret' });
    advance(0);
    await dispatchOutbox(t.database.db, { now: clock });
    await sender.runDue(clock);
    const [mine] = await deliveries(`endpoint_id=${endpoint.id}`);

    const operator = await t.login('operator');
    await t.app.inject({ method: 'POST', url: '/v1/merchants', headers: { cookie: operator }, payload: { name: 'Other Tea', owner: { login: 'tea-owner', display_name: 'Tea', password: 'tea-owner-2026' } } });
    const other = await t.login('tea-owner', 'tea-owner-2026');

    const get = await t.app.inject({ method: 'GET', url: `/v1/webhook-deliveries/${mine!.id}`, headers: { cookie: other } });
    expect(get.statusCode).toBe(404);
    expect(json(get).code).toBe('webhook_delivery_not_found');
    const resend = await t.app.inject({ method: 'POST', url: `/v1/webhook-deliveries/${mine!.id}/resend`, headers: { cookie: other } });
    expect(resend.statusCode).toBe(404);
    expect(await deliveries('', other)).toEqual([]);
    expect(await deliveries(`endpoint_id=${endpoint.id}`, other)).toEqual([]);
    for (const request of [
      { method: 'PATCH' as const, url: `/v1/webhook-endpoints/${endpoint.id}`, payload: { enabled: false } },
      { method: 'DELETE' as const, url: `/v1/webhook-endpoints/${endpoint.id}` },
      { method: 'POST' as const, url: `/v1/webhook-endpoints/${endpoint.id}/test` },
    ]) {
      const response = await t.app.inject({ ...request, headers: { cookie: other } });
      expect(response.statusCode, request.url).toBe(404);
      expect(json(response).code).toBe('webhook_endpoint_not_found');
    }
    expect(json<{ items: unknown[] }>(await t.app.inject({ method: 'GET', url: '/v1/webhook-endpoints', headers: { cookie: other } })).items).toEqual([]);
    const events = await t.app.inject({ method: 'GET', url: '/v1/events', headers: { cookie: other } });
    expect(events.body).not.toContain(eventId);

    // Nothing was changed or sent on the other merchant's behalf.
    expect(receiver.received).toHaveLength(1);
    expect(await delivery(mine!.id)).toMatchObject({ status: 'delivered' });
    expect(json(await t.app.inject({ method: 'GET', url: '/v1/webhook-endpoints', headers: { cookie: owner } }))).toMatchObject({ items: [{ id: endpoint.id, enabled: true }] });
    await deleteEndpoint(endpoint.id);
  });
});

describe('background worker', () => {
  it('does nothing when WEBHOOK_WORKER is false, and otherwise dispatches and delivers until stopped', async () => {
    const receiver = await startReceiver();
    const endpoint = await createEndpoint(receiver.url, ['shift.closed']);
    const off = startWorkers(testConfig({ WEBHOOK_WORKER: 'false' }), t.database, t.app.log);
    const eventId = await publish('shift.closed', { store_id: t.demo.storeIds[0] });
    await off.stop();
    expect(await deliveries(`endpoint_id=${endpoint.id}`)).toEqual([]);

    const arrived = receiver.next();
    const workers = startWorkers(t.config, t.database, t.app.log, { intervalMs: 10 });
    const request = await arrived;
    await workers.stop();
    expect(request.headers['memberplus-event-id']).toBe(eventId);
    expect(await deliveries(`endpoint_id=${endpoint.id}`)).toMatchObject([{ event_id: eventId, status: 'delivered' }]);
    await deleteEndpoint(endpoint.id);
  });
});
