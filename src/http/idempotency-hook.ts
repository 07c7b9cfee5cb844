import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/client.js';
import { platformModule } from '../modules/platform/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: { scope: string; key: string } | null;
  }
}

/**
 * `Idempotency-Key` on a POST: the first response is stored and replayed for the same key; the same
 * key with another body is a 409. Server errors release the key so a retry runs again.
 */
export function installIdempotency(app: FastifyInstance, db: Db): void {
  const service = platformModule.idempotency;
  app.decorateRequest('idempotency', null);
  app.addHook('preHandler', async (request, reply) => {
    const key = request.headers['idempotency-key'];
    if (request.method !== 'POST' || typeof key !== 'string' || !request.access) return;
    // One key space per caller, not per tenant: a replay skips the route's policy check, so a shared
    // space would hand a cashier the owner's response (an API key's secret) or an agent the operator's.
    const scope = `${request.access.merchantId ?? request.access.operatorId}/${request.access.actor.id}`;
    const claim = await service.claim(db, { scope, key, method: request.method, path: request.url, body: request.body });
    if (claim.kind === 'replay') {
      reply.header('idempotent-replayed', 'true');
      for (const [name, value] of Object.entries(claim.headers)) reply.header(name, value);
      return reply.status(claim.statusCode).send(claim.body);
    }
    request.idempotency = { scope, key };
    return undefined;
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotency;
    if (!claim) return payload;
    request.idempotency = null;
    if (reply.statusCode >= 500) {
      await service.release(db, claim.scope, claim.key);
    } else {
      const contentType = reply.getHeader('content-type');
      await service.complete(db, claim.scope, claim.key, {
        statusCode: reply.statusCode,
        headers: typeof contentType === 'string' ? { 'content-type': contentType } : {},
        body: typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : JSON.stringify(payload ?? null),
      });
    }
    return payload;
  });
}
