import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { accessOf, errors, iso, NoBody, Nullable, Page, PageQuery, StrictObject, Timestamp, type ModuleDeps } from '../../http/route-kit.js';
import { createWebhookSender, webhookSecretBox, type WebhookDelivery } from './webhook-delivery.js';
import * as webhooks from './webhooks.js';

const EventType = Type.String({ minLength: 1, maxLength: 100, pattern: '^(\\*|[a-z][a-z0-9_]*(\\.[a-z0-9_]+)*)$', description: 'an event type such as `payment.succeeded`, or `*` for all' });
const EventTypes = Type.Array(EventType, { minItems: 1, maxItems: 100 });
const Url = Type.String({ minLength: 1, maxLength: 2048, description: 'http:// or https:// URL that receives the POSTs' });
const Description = Type.String({ maxLength: 500 });
// Null first: with type coercion on, a string branch tried first would turn null into "".
const NullableDescription = Type.Union([Type.Null(), Description]);
const DeliveryStatus = Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]);
const endpointIdSchema = Type.String({ pattern: '^whe_[0-9a-z]{26}$', description: 'whe_… id' });
const deliveryIdSchema = Type.String({ pattern: '^whd_[0-9a-z]{26}$', description: 'whd_… id' });

const EndpointView = Type.Object({
  id: Type.String(),
  url: Type.String(),
  description: Nullable(Type.String()),
  event_types: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  created_at: Timestamp,
});
const deliveryFields = {
  id: Type.String(),
  endpoint_id: Type.String(),
  event_id: Type.String(),
  event_type: Type.String(),
  status: Type.String({ description: 'pending, delivered or failed (the retry schedule is exhausted)' }),
  next_attempt_at: Nullable(Timestamp),
  last_status_code: Nullable(Type.Integer()),
  last_error: Nullable(Type.String()),
  delivered_at: Nullable(Timestamp),
  created_at: Timestamp,
};
const DeliveryView = Type.Object({ ...deliveryFields, attempts: Type.Integer({ description: 'attempts made, manual resends included' }) });
const AttemptView = Type.Object({
  attempt_no: Type.Integer(),
  attempted_at: Timestamp,
  status_code: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
  duration_ms: Type.Integer(),
  manual: Type.Boolean(),
});
const PayloadView = Type.Object(
  { id: Type.String(), type: Type.String(), created_at: Timestamp, merchant_id: Type.String(), data: Type.Unknown() },
  { description: 'the JSON body POSTed to the endpoint' },
);
const DeliveryDetailView = Type.Object({ ...deliveryFields, payload: PayloadView, attempts: Type.Array(AttemptView) });
const EventView = Type.Object({ id: Type.String(), type: Type.String(), payload: Type.Unknown(), occurred_at: Timestamp });

const endpointView = (e: webhooks.WebhookEndpoint) => ({
  id: e.id,
  url: e.url,
  description: e.description,
  event_types: e.eventTypes,
  enabled: e.enabled,
  created_at: e.createdAt.toISOString(),
});
const deliveryFieldsOf = (d: WebhookDelivery) => ({
  id: d.id,
  endpoint_id: d.endpointId,
  event_id: d.eventId,
  event_type: d.eventType,
  status: d.status,
  // While an attempt is in flight this is its lease; only pending deliveries have a next attempt.
  next_attempt_at: d.status === 'pending' ? iso(d.nextAttemptAt) : null,
  last_status_code: d.lastStatusCode,
  last_error: d.lastError,
  delivered_at: iso(d.deliveredAt),
  created_at: d.createdAt.toISOString(),
});
const deliveryView = (d: WebhookDelivery) => ({ ...deliveryFieldsOf(d), attempts: d.attempts });
const attemptView = (a: webhooks.WebhookAttempt) => ({
  attempt_no: a.attemptNo,
  attempted_at: a.attemptedAt.toISOString(),
  status_code: a.statusCode,
  error: a.error,
  duration_ms: a.durationMs,
  manual: a.manual,
});

/** Outgoing webhooks: endpoints, the delivery log with manual resend, and the merchant's events. */
export async function webhookRoutes(instance: FastifyInstance, { db, config }: ModuleDeps): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const secrets = webhookSecretBox(config.secretKey);
  const targets = { allowPrivateTargets: config.WEBHOOK_ALLOW_PRIVATE_TARGETS };
  const sender = createWebhookSender(db, { secretKey: config.secretKey, ...targets });
  const tags = ['webhooks'];

  app.get('/webhook-endpoints', { schema: { tags, summary: 'List webhook endpoints', response: { 200: Type.Object({ items: Type.Array(EndpointView) }), ...errors() } } }, async (request) => ({
    items: (await webhooks.listWebhookEndpoints(db, accessOf(request))).map(endpointView),
  }));

  app.post(
    '/webhook-endpoints',
    {
      schema: {
        tags,
        summary: 'Create a webhook endpoint; the signing secret is shown once',
        body: StrictObject({ url: Url, description: Type.Optional(Description), event_types: EventTypes }),
        response: { 201: Type.Composite([EndpointView, Type.Object({ secret: Type.String({ description: 'whsec_…, the HMAC-SHA256 key for MemberPlus-Signature; shown once' }) })]), ...errors() },
      },
    },
    async (request, reply) => {
      const { url, description, event_types: eventTypes } = request.body;
      const created = await webhooks.createWebhookEndpoint(db, accessOf(request), { url, description, eventTypes }, secrets, targets);
      return reply.status(201).send({ ...endpointView(created.endpoint), secret: created.secret });
    },
  );

  app.patch(
    '/webhook-endpoints/:endpointId',
    {
      schema: {
        tags,
        summary: 'Change, enable or disable a webhook endpoint',
        params: StrictObject({ endpointId: endpointIdSchema }),
        body: StrictObject({ url: Type.Optional(Url), description: Type.Optional(NullableDescription), event_types: Type.Optional(EventTypes), enabled: Type.Optional(Type.Boolean()) }, { minProperties: 1 }),
        response: { 200: EndpointView, ...errors() },
      },
    },
    async (request) => {
      const b = request.body;
      return endpointView(await webhooks.updateWebhookEndpoint(db, accessOf(request), request.params.endpointId, { url: b.url, description: b.description, eventTypes: b.event_types, enabled: b.enabled }, targets));
    },
  );

  app.delete(
    '/webhook-endpoints/:endpointId',
    { schema: { tags, summary: 'Delete a webhook endpoint (its pending deliveries end as failed)', params: StrictObject({ endpointId: endpointIdSchema }), response: { 204: Type.Null(), ...errors() } } },
    async (request, reply) => {
      await webhooks.deleteWebhookEndpoint(db, accessOf(request), request.params.endpointId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/webhook-endpoints/:endpointId/test',
    {
      schema: {
        tags,
        summary: 'Send a webhook.test event to this endpoint only',
        params: StrictObject({ endpointId: endpointIdSchema }),
        body: NoBody,
        response: { 202: Type.Object({ event_id: Type.String() }), ...errors() },
      },
    },
    async (request, reply) => {
      const sent = await webhooks.sendTestEvent(db, accessOf(request), request.params.endpointId);
      return reply.status(202).send({ event_id: sent.eventId });
    },
  );

  app.get(
    '/webhook-deliveries',
    {
      schema: {
        tags,
        summary: 'The delivery log, newest first',
        querystring: StrictObject({
          endpoint_id: Type.Optional(Type.String({ maxLength: 64 })),
          status: Type.Optional(DeliveryStatus),
          event_type: Type.Optional(Type.String({ maxLength: 100 })),
          ...PageQuery,
        }),
        response: { 200: Page(DeliveryView), ...errors() },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await webhooks.listWebhookDeliveries(db, accessOf(request), { endpointId: q.endpoint_id, status: q.status, eventType: q.event_type, after: q.after, limit: q.limit });
      return { items: page.items.map(deliveryView), next_cursor: page.nextCursor };
    },
  );

  app.get(
    '/webhook-deliveries/:deliveryId',
    {
      schema: {
        tags,
        summary: 'A delivery with the body as sent and every attempt',
        params: StrictObject({ deliveryId: deliveryIdSchema }),
        response: { 200: DeliveryDetailView, ...errors() },
      },
    },
    async (request) => {
      const detail = await webhooks.getWebhookDelivery(db, accessOf(request), request.params.deliveryId);
      return { ...deliveryFieldsOf(detail.delivery), payload: detail.payload, attempts: detail.attempts.map(attemptView) };
    },
  );

  app.post(
    '/webhook-deliveries/:deliveryId/resend',
    {
      schema: {
        tags,
        summary: 'Send a delivery again now, whatever its status (a manual attempt)',
        params: StrictObject({ deliveryId: deliveryIdSchema }),
        body: NoBody,
        response: { 202: DeliveryView, ...errors() },
      },
    },
    async (request, reply) => reply.status(202).send(deliveryView(await sender.resend(accessOf(request), request.params.deliveryId))),
  );

  app.get(
    '/events',
    {
      schema: {
        tags,
        summary: 'The merchant’s domain events, newest first',
        querystring: StrictObject({ type: Type.Optional(Type.String({ maxLength: 100 })), ...PageQuery }),
        response: { 200: Page(EventView), ...errors() },
      },
    },
    async (request) => {
      const page = await webhooks.listEvents(db, accessOf(request), request.query);
      return { items: page.items.map((e) => ({ id: e.id, type: e.type, payload: e.payload, occurred_at: e.occurredAt.toISOString() })), next_cursor: page.nextCursor };
    },
  );
}
