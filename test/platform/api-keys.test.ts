import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
let owner: string;
beforeAll(async () => {
  t = await startTestApp();
  owner = await t.login('owner');
});
afterAll(() => t.close());

describe('merchant API keys', () => {
  it('shows the secret once, authenticates with it, records last use and stops at revocation', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: { cookie: owner }, payload: { name: 'POS sync', scopes: ['platform:read'] } });
    expect(created.statusCode).toBe(201);
    const { id, secret } = json<{ id: string; secret: string }>(created);
    expect(secret).toMatch(/^mpk_key_/);

    const listed = await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: { cookie: owner } });
    expect(listed.body).not.toContain(secret.split('.')[1]);

    const stores = await t.app.inject({ method: 'GET', url: '/v1/stores', headers: { authorization: `Bearer ${secret}` } });
    expect(stores.statusCode).toBe(200);
    const afterUse = json<{ items: { id: string; last_used_at: string | null }[] }>(await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: { cookie: owner } }));
    expect(afterUse.items.find((k) => k.id === id)?.last_used_at).not.toBeNull();

    const write = await t.app.inject({ method: 'POST', url: '/v1/stores', headers: { authorization: `Bearer ${secret}` }, payload: { name: 'nope' } });
    expect(write.statusCode).toBe(403);

    const revoked = await t.app.inject({ method: 'POST', url: `/v1/api-keys/${id}/revoke`, headers: { cookie: owner } });
    expect(json(revoked).revoked_at).not.toBeNull();
    const again = await t.app.inject({ method: 'POST', url: `/v1/api-keys/${id}/revoke`, headers: { cookie: owner } });
    expect(json(again).code).toBe('api_key_revoked');
    expect((await t.app.inject({ method: 'GET', url: '/v1/stores', headers: { authorization: `Bearer ${secret}` } })).statusCode).toBe(401);
  });

  it('writes made with a key are audited under the key', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: { cookie: owner }, payload: { name: 'writer', scopes: ['platform:write'] } });
    const { id, secret } = json<{ id: string; secret: string }>(created);
    const store = await t.app.inject({ method: 'POST', url: '/v1/stores', headers: { authorization: `Bearer ${secret}` }, payload: { name: 'API store' } });
    expect(store.statusCode).toBe(201);
    const audit = json<{ items: { actor_kind: string; actor_id: string }[] }>(
      await t.app.inject({ method: 'GET', url: `/v1/audit-log?target_id=${json<{ id: string }>(store).id}`, headers: { cookie: owner } }),
    );
    expect(audit.items[0]).toMatchObject({ actor_kind: 'api_key', actor_id: id });
  });

  it('refuses scopes a merchant cannot grant and keys cannot mint keys', async () => {
    const refused = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: { cookie: owner }, payload: { name: 'x', scopes: ['operator:write'] } });
    expect(refused.statusCode).toBe(403);
    expect(json(refused).code).toBe('scope_not_grantable');
    const byKey = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: { authorization: `Bearer ${t.demo.apiKey}` }, payload: { name: 'x', scopes: ['platform:read'] } });
    expect(byKey.statusCode).toBe(403);
  });

  it('operator keys act for the operator, never inside a merchant', async () => {
    const operator = await t.login('operator');
    const created = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: { cookie: operator }, payload: { name: 'ops automation', scopes: ['operator:read'] } });
    expect(json(created).kind).toBe('operator');
    const secret = json<{ secret: string }>(created).secret;
    const merchants = await t.app.inject({ method: 'GET', url: '/v1/merchants', headers: { authorization: `Bearer ${secret}` } });
    expect(merchants.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/v1/stores', headers: { authorization: `Bearer ${secret}` } })).statusCode).toBeGreaterThanOrEqual(400);
  });
});
