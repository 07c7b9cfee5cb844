import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
let auth: { authorization: string };
beforeAll(async () => {
  t = await startTestApp({ BODY_LIMIT_BYTES: '4096' });
  auth = { authorization: `Bearer ${t.demo.apiKey}` };
});
afterAll(() => t.close());

describe('Idempotency-Key', () => {
  it('replays the first response for the same key and body, without a second write', async () => {
    const headers = { ...auth, 'idempotency-key': 'create-store-1' };
    const first = await t.app.inject({ method: 'POST', url: '/v1/stores', headers, payload: { name: 'Idem' } });
    const second = await t.app.inject({ method: 'POST', url: '/v1/stores', headers, payload: { name: 'Idem' } });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(json(second).id).toBe(json(first).id);
    const stores = json<{ items: { name: string }[] }>(await t.app.inject({ method: 'GET', url: '/v1/stores', headers: auth }));
    expect(stores.items.filter((s) => s.name === 'Idem')).toHaveLength(1);
  });

  it('answers 409 when the same key comes with another body', async () => {
    const headers = { ...auth, 'idempotency-key': 'create-store-2' };
    await t.app.inject({ method: 'POST', url: '/v1/stores', headers, payload: { name: 'One' } });
    const reused = await t.app.inject({ method: 'POST', url: '/v1/stores', headers, payload: { name: 'Two' } });
    expect(reused.statusCode).toBe(409);
    expect(json(reused).code).toBe('idempotency_key_reused');
  });

  it('runs concurrent duplicates once', async () => {
    const headers = { ...auth, 'idempotency-key': 'create-store-3' };
    const responses = await Promise.all(Array.from({ length: 8 }, () => t.app.inject({ method: 'POST', url: '/v1/stores', headers, payload: { name: 'Concurrent' } })));
    const created = new Set(responses.filter((r) => r.statusCode === 201).map((r) => json(r).id));
    expect(created.size).toBe(1);
    for (const r of responses) expect([201, 409]).toContain(r.statusCode);
    const stores = json<{ items: { name: string }[] }>(await t.app.inject({ method: 'GET', url: '/v1/stores', headers: auth }));
    expect(stores.items.filter((s) => s.name === 'Concurrent')).toHaveLength(1);
  });
});

describe('problem+json errors', () => {
  it('lists every bad field and rejects unknown fields', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/v1/staff', headers: auth, payload: { login: 'x', role: 'emperor', extra: true } });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = json<{ code: string; errors: { field: string }[] }>(response);
    expect(body.code).toBe('validation_failed');
    const fields = body.errors.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['body.extra', 'body.display_name', 'body.password', 'body.login', 'body.role']));
  });

  it('answers malformed JSON, oversized bodies and unknown routes with stable codes', async () => {
    const malformed = await t.app.inject({ method: 'POST', url: '/v1/stores', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"name":' });
    expect(json(malformed).code).toBe('validation_failed');
    const huge = await t.app.inject({ method: 'POST', url: '/v1/stores', headers: auth, payload: { name: 'x'.repeat(5000) } });
    expect(huge.statusCode).toBe(413);
    expect(json(huge).code).toBe('payload_too_large');
    const missing = await t.app.inject({ method: 'GET', url: '/v1/nothing-here', headers: auth });
    expect(missing.statusCode).toBe(404);
    expect(json(missing).code).toBe('not_found');
    const badId = await t.app.inject({ method: 'GET', url: '/v1/stores/not-an-id', headers: auth });
    expect(badId.statusCode).toBe(400);
  });

  it('serves health, readiness and the OpenAPI document', async () => {
    expect(json(await t.app.inject({ method: 'GET', url: '/healthz' })).status).toBe('ok');
    expect(json(await t.app.inject({ method: 'GET', url: '/readyz' })).status).toBe('ready');
    const openapi = json<{ openapi: string; paths: Record<string, unknown> }>(await t.app.inject({ method: 'GET', url: '/openapi.json' }));
    expect(openapi.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.paths)).toContain('/v1/stores');
  });
});
