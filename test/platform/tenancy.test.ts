import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
let operator: string;
let owner: string;
beforeAll(async () => {
  t = await startTestApp();
  operator = await t.login('operator');
  owner = await t.login('owner');
});
afterAll(() => t.close());

describe('operator → agents → merchants → stores', () => {
  it('onboards a merchant with its owner under an agent, and the agent sees it', async () => {
    const agent = await t.app.inject({ method: 'POST', url: '/v1/agents', headers: { cookie: operator }, payload: { name: '西南代理', share_bps: 2500 } });
    expect(agent.statusCode).toBe(201);
    const merchant = await t.app.inject({
      method: 'POST',
      url: '/v1/merchants',
      headers: { cookie: operator },
      payload: { name: '川味小馆', agent_id: json(agent).id, owner: { login: 'chuan-owner', display_name: '老板', password: 'chuan-owner-2026' } },
    });
    expect(merchant.statusCode).toBe(201);
    expect(json(merchant)).toMatchObject({ name: '川味小馆', agent_id: json(agent).id, status: 'active' });
    const ownerCookie = await t.login('chuan-owner', 'chuan-owner-2026');
    const me = await t.app.inject({ method: 'GET', url: '/v1/merchant', headers: { cookie: ownerCookie } });
    expect(json(me).id).toBe(json(merchant).id);

    const demoAgent = await t.login('agent');
    const seen = await t.app.inject({ method: 'GET', url: '/v1/merchants', headers: { cookie: demoAgent } });
    expect(json<{ items: { id: string }[] }>(seen).items.map((m) => m.id)).toEqual([t.demo.merchantId]);
  });

  it('keeps merchants out of operator actions', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/merchants', headers: { cookie: owner } });
    expect(response.statusCode).toBe(403);
    expect(json(response).code).toBe('forbidden');
  });

  it('suspending a merchant ends its staff access and keys', async () => {
    const merchant = await t.app.inject({ method: 'POST', url: '/v1/merchants', headers: { cookie: operator }, payload: { name: 'Soon suspended', owner: { login: 'sus-owner', display_name: 'S', password: 'sus-owner-2026' } } });
    const cookie = await t.login('sus-owner', 'sus-owner-2026');
    const key = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: { cookie }, payload: { name: 'k', scopes: ['platform:read'] } });
    const suspend = await t.app.inject({ method: 'PATCH', url: `/v1/merchants/${json<{ id: string }>(merchant).id}`, headers: { cookie: operator }, payload: { status: 'suspended' } });
    expect(json(suspend).status).toBe('suspended');
    expect((await t.app.inject({ method: 'GET', url: '/v1/stores', headers: { cookie } })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/v1/stores', headers: { authorization: `Bearer ${json<{ secret: string }>(key).secret}` } })).statusCode).toBe(401);
  });

  it('creates, lists and updates stores with an audit entry for each change', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/v1/stores', headers: { cookie: owner }, payload: { name: '静安店', address: '南京西路 1 号' } });
    expect(created.statusCode).toBe(201);
    const storeId = json(created).id as string;
    const updated = await t.app.inject({ method: 'PATCH', url: `/v1/stores/${storeId}`, headers: { cookie: owner }, payload: { status: 'closed' } });
    expect(json(updated).status).toBe('closed');
    const audit = await t.app.inject({ method: 'GET', url: `/v1/audit-log?target_id=${storeId}`, headers: { cookie: owner } });
    const entries = json<{ items: { action: string; before: unknown; after: unknown }[] }>(audit).items;
    expect(entries.map((e) => e.action)).toEqual(['store.update', 'store.create']);
    expect(entries[0]).toMatchObject({ before: { status: 'active' }, after: { status: 'closed' } });
  });
});

describe('staff and store scope', () => {
  it('a store manager sees only their stores and can create cashiers only there', async () => {
    const manager = await t.login('manager');
    const [own, other] = t.demo.storeIds;
    const stores = await t.app.inject({ method: 'GET', url: '/v1/stores', headers: { cookie: manager } });
    expect(json<{ items: { id: string }[] }>(stores).items.map((s) => s.id)).toEqual([own]);
    expect((await t.app.inject({ method: 'GET', url: `/v1/stores/${other}`, headers: { cookie: manager } })).statusCode).toBe(404);

    const elsewhere = await t.app.inject({ method: 'POST', url: '/v1/staff', headers: { cookie: manager }, payload: { login: 'cashier2', display_name: 'C2', password: 'cashier-pass-1', role: 'cashier', store_ids: [other] } });
    expect(elsewhere.statusCode, elsewhere.body).toBe(404);
    const admin = await t.app.inject({ method: 'POST', url: '/v1/staff', headers: { cookie: manager }, payload: { login: 'admin2', display_name: 'A2', password: 'admin-pass-12', role: 'merchant_admin' } });
    expect(json(admin).code).toBe('role_not_assignable');
    const cashier = await t.app.inject({ method: 'POST', url: '/v1/staff', headers: { cookie: manager }, payload: { login: 'cashier3', display_name: 'C3', password: 'cashier-pass-1', role: 'cashier', store_ids: [own] } });
    expect(cashier.statusCode).toBe(201);
    expect(json(cashier).store_ids).toEqual([own]);
  });

  it('a user can belong to several stores of one merchant', async () => {
    const [a, b] = t.demo.storeIds;
    const created = await t.app.inject({ method: 'POST', url: '/v1/staff', headers: { cookie: owner }, payload: { login: 'floater', display_name: 'Floater', password: 'floater-pass-1', role: 'store_manager', store_ids: [a, b] } });
    expect(json(created).store_ids).toEqual([a, b].sort());
    const cookie = await t.login('floater', 'floater-pass-1');
    const stores = await t.app.inject({ method: 'GET', url: '/v1/stores', headers: { cookie } });
    expect(json<{ items: unknown[] }>(stores).items).toHaveLength(2);
  });

  it('rejects duplicate logins, missing stores for store roles and cashiers managing staff', async () => {
    const dup = await t.app.inject({ method: 'POST', url: '/v1/staff', headers: { cookie: owner }, payload: { login: 'CASHIER', display_name: 'x', password: 'cashier-pass-1', role: 'cashier', store_ids: [t.demo.storeIds[0]] } });
    expect(json(dup).code).toBe('login_taken');
    const noStores = await t.app.inject({ method: 'POST', url: '/v1/staff', headers: { cookie: owner }, payload: { login: 'nostore', display_name: 'x', password: 'cashier-pass-1', role: 'cashier' } });
    expect(json(noStores).code).toBe('stores_required');
    const cashier = await t.login('cashier');
    expect((await t.app.inject({ method: 'GET', url: '/v1/staff', headers: { cookie: cashier } })).statusCode).toBe(403);
  });

  it('disabling a user ends their sessions; nobody disables themselves', async () => {
    const guideSession = await t.login('admin');
    const self = t.demo.logins.find((l) => l.login === 'admin')!;
    const selfDisable = await t.app.inject({ method: 'PATCH', url: `/v1/staff/${self.userId}`, headers: { cookie: guideSession }, payload: { status: 'disabled' } });
    expect(json(selfDisable).code).toBe('cannot_change_self');
    const disabled = await t.app.inject({ method: 'PATCH', url: `/v1/staff/${self.userId}`, headers: { cookie: owner }, payload: { status: 'disabled' } });
    expect(json(disabled).status).toBe('disabled');
    expect((await t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: { cookie: guideSession } })).statusCode).toBe(401);
    const relogin = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { login: 'admin', password: 'memberplus2026' } });
    expect(json(relogin).code).toBe('account_disabled');
  });
});
