import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePerson } from '../../src/modules/identity/index.js';
import { systemContext } from '../../src/modules/platform/index.js';
import { json, startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
let owner: string;
let bearer: Record<string, string>;
beforeAll(async () => {
  t = await startTestApp();
  owner = await t.login('owner');
  bearer = { authorization: `Bearer ${t.demo.apiKey}` };
});
afterAll(() => t.close());

const APP = 'wxd678efh567hg6787';
const OTHER_APP = 'wx1111111111111111';

interface Resolved {
  person_id: string | null;
  outcome: string;
  created: boolean;
  linked_identifier_ids: string[];
  unlinked: { kind: string; value: string }[];
  merges: { merge_id: string; survivor_id: string; absorbed_id: string }[];
  review_item_ids: string[];
  decisions: { outcome: string; reasons: string[] }[];
}
interface PersonJson {
  id: string;
  requested_id: string;
  status: string;
  identifiers: { id: string; kind: string; value: string; verified: boolean; strength: string; source: string }[];
  history: { event: string }[];
  merges: { id: string }[];
  sources: string[];
}

type Identifier = { kind: string; value: string; verified?: boolean; app_id?: string };

async function resolveVia(identifiers: Identifier[], context: string, create = true, extra: object = {}) {
  const response = await t.app.inject({ method: 'POST', url: '/v1/identity/resolve', headers: bearer, payload: { identifiers, create, context, ...extra } });
  expect(response.statusCode, response.body).toBe(200);
  return json<Resolved>(response);
}

async function person(id: string): Promise<PersonJson> {
  const response = await t.app.inject({ method: 'GET', url: `/v1/identity/persons/${id}`, headers: { cookie: owner } });
  expect(response.statusCode, response.body).toBe(200);
  return json<PersonJson>(response);
}

describe('resolve', () => {
  it('creates a person for new identifiers, then finds it by any of them', async () => {
    const first = await resolveVia([{ kind: 'wechat_openid', value: 'oA1', app_id: APP }, { kind: 'wechat_unionid', value: 'uA1' }], 'payment', true, { source: 'payment:pay_test1' });
    expect(first).toMatchObject({ outcome: 'created', created: true });
    expect(first.linked_identifier_ids).toHaveLength(2);
    const again = await resolveVia([{ kind: 'wechat_unionid', value: 'uA1' }], 'event', false);
    expect(again).toMatchObject({ person_id: first.person_id, outcome: 'found', created: false });
    const p = await person(first.person_id!);
    expect(p.identifiers.map((i) => `${i.kind}:${i.value}:${i.strength}`).sort()).toEqual([`wechat_openid:${APP}:oA1:medium`, 'wechat_unionid:uA1:strong']);
    expect(p.sources).toEqual(['payment:pay_test1']);
    expect(p.history.map((h) => h.event).sort()).toEqual(['created', 'linked']);
  });

  it('does not create when create is false', async () => {
    const result = await resolveVia([{ kind: 'email', value: 'nobody@example.com' }], 'api', false);
    expect(result).toMatchObject({ person_id: null, outcome: 'not_found' });
  });

  it('normalises values: a phone typed with +86 and spaces finds the same person', async () => {
    const created = await resolveVia([{ kind: 'phone', value: '138 0013 8001' }], 'api');
    const found = await resolveVia([{ kind: 'phone', value: '+86 138-0013-8001' }], 'api', false);
    expect(found.person_id).toBe(created.person_id);
  });

  it('refuses invalid identifiers with a problem naming the field, writing nothing', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/v1/identity/resolve', headers: bearer, payload: { identifiers: [{ kind: 'phone', value: '021-12345678' }], create: true, context: 'api' } });
    expect(response.statusCode).toBe(400);
    expect(json(response)).toMatchObject({ code: 'identifier_invalid' });
    expect(JSON.stringify(json(response).errors)).toContain('identifiers[0].value');
  });

  it('links identifiers observed together in a trusted context, not in an untrusted one', async () => {
    const created = await resolveVia([{ kind: 'alipay_user_id', value: '2088000000000001' }], 'payment');
    const untrusted = await resolveVia([{ kind: 'alipay_user_id', value: '2088000000000001' }, { kind: 'email', value: 'Li@Example.com' }], 'event');
    expect(untrusted).toMatchObject({ person_id: created.person_id, outcome: 'found', linked_identifier_ids: [] });
    expect(untrusted.unlinked).toEqual([{ kind: 'email', value: 'li@example.com' }]);
    const trusted = await resolveVia([{ kind: 'alipay_user_id', value: '2088000000000001' }, { kind: 'phone', value: '13800138002', verified: true }], 'verified_binding');
    expect(trusted.linked_identifier_ids).toHaveLength(1);
    const p = await person(created.person_id!);
    expect(p.identifiers.find((i) => i.kind === 'phone')).toMatchObject({ verified: true, strength: 'strong' });
    expect(p.identifiers.some((i) => i.kind === 'email')).toBe(false);
  });

  it('upgrades a phone to verified (strong) when proven in a trusted context', async () => {
    const created = await resolveVia([{ kind: 'phone', value: '13800138003' }], 'api');
    expect((await person(created.person_id!)).identifiers[0]).toMatchObject({ verified: false, strength: 'medium' });
    await resolveVia([{ kind: 'phone', value: '13800138003', verified: true }], 'verified_binding');
    expect((await person(created.person_id!)).identifiers[0]).toMatchObject({ verified: true, strength: 'strong' });
  });

  it('merges automatically when a strong identifier proves two persons the same', async () => {
    // Two openids of one WeChat user in two apps, first seen apart; then a payment shows one with the unionid.
    const a = await resolveVia([{ kind: 'wechat_openid', value: 'oB1', app_id: APP }, { kind: 'wechat_unionid', value: 'uB' }], 'payment');
    const b = await resolveVia([{ kind: 'wechat_openid', value: 'oB2', app_id: OTHER_APP }], 'payment');
    expect(b.person_id).not.toBe(a.person_id);
    const together = await resolveVia([{ kind: 'wechat_openid', value: 'oB2', app_id: OTHER_APP }, { kind: 'wechat_unionid', value: 'uB' }], 'payment');
    expect(together.outcome).toBe('merged');
    expect(together.merges.map((m) => [m.survivor_id, m.absorbed_id])).toEqual([[a.person_id, b.person_id]]);
    expect(together.merges[0]!.merge_id).toMatch(/^mrg_/);
    expect(together.person_id).toBe(a.person_id);
    // The absorbed id keeps resolving to the survivor.
    const absorbed = await person(b.person_id!);
    expect(absorbed).toMatchObject({ id: a.person_id, requested_id: b.person_id, status: 'active' });
    expect(absorbed.identifiers).toHaveLength(3);
    const raw = await t.app.inject({ method: 'GET', url: `/v1/identity/persons/${b.person_id}?follow=false`, headers: { cookie: owner } });
    expect(json(raw)).toMatchObject({ id: b.person_id, status: 'merged', merged_into: a.person_id, identifiers: [] });
  });

  it('sends persons with different verified phones to the review queue even if a strong identifier links them', async () => {
    const a = await resolveVia([{ kind: 'wechat_unionid', value: 'uC' }, { kind: 'phone', value: '13800138010', verified: true }], 'verified_binding');
    const b = await resolveVia([{ kind: 'wechat_openid', value: 'oC', app_id: APP }, { kind: 'phone', value: '13900139010', verified: true }], 'verified_binding');
    const together = await resolveVia([{ kind: 'wechat_openid', value: 'oC', app_id: APP }, { kind: 'wechat_unionid', value: 'uC' }], 'payment');
    expect(together).toMatchObject({ outcome: 'ambiguous', merges: [] });
    expect(together.review_item_ids).toHaveLength(1);
    expect(together.decisions[0]!.reasons.join('\n')).toContain('different verified phones');
    // Nothing was linked across the two persons.
    expect((await person(a.person_id!)).identifiers).toHaveLength(2);
    expect((await person(b.person_id!)).identifiers).toHaveLength(2);
    const queue = await t.app.inject({ method: 'GET', url: '/v1/identity/review-queue', headers: { cookie: owner } });
    const item = json<{ items: { id: string; first_person_id: string; second_person_id: string; decision: { conflicts: unknown[] } }[] }>(queue).items.find((i) => i.id === together.review_item_ids[0]);
    expect([item!.first_person_id, item!.second_person_id].sort()).toEqual([a.person_id, b.person_id].sort());
    expect(item!.decision.conflicts).toHaveLength(1);
    // The same touch again does not open a second item.
    const repeat = await resolveVia([{ kind: 'wechat_openid', value: 'oC', app_id: APP }, { kind: 'wechat_unionid', value: 'uC' }], 'payment');
    expect(repeat.review_item_ids).toEqual(together.review_item_ids);
  });

  it('never merges on medium or weak evidence', async () => {
    const a = await resolveVia([{ kind: 'email', value: 'fam@example.com' }, { kind: 'device_id', value: 'tablet-1' }], 'api');
    const b = await resolveVia([{ kind: 'alipay_user_id', value: '2088000000000009' }, { kind: 'device_id', value: 'tablet-1' }], 'payment');
    expect(b.person_id).not.toBe(a.person_id);
    const medium = await resolveVia([{ kind: 'email', value: 'fam@example.com' }, { kind: 'alipay_user_id', value: '2088000000000009' }], 'payment');
    expect(medium.outcome).toBe('ambiguous');
    expect(medium.decisions[0]).toMatchObject({ outcome: 'no_merge' });
    // A weak identifier held by two persons finds neither on its own.
    const weak = await resolveVia([{ kind: 'device_id', value: 'tablet-1' }], 'event', false);
    expect(weak).toMatchObject({ person_id: null, outcome: 'not_found' });
  });

  it('never finds a person by a masked phone, which thousands share', async () => {
    const a = await resolveVia([{ kind: 'email', value: 'masked@example.com' }, { kind: 'masked_phone', value: '138 **** 5678' }], 'api');
    const alone = await resolveVia([{ kind: 'masked_phone', value: '138****5678' }], 'payment', false);
    expect(alone).toMatchObject({ person_id: null, outcome: 'not_found' });
    const created = await resolveVia([{ kind: 'masked_phone', value: '138****5678' }], 'payment');
    expect(created.person_id).not.toBe(a.person_id);
    expect((await person(a.person_id!)).identifiers.map((i) => `${i.kind}:${i.value}`)).toContain('masked_phone:138****5678');
  });

  it('in an untrusted context a strong coincidence goes to review instead of merging', async () => {
    const a = await resolveVia([{ kind: 'card_number', value: 'VIP-0001' }], 'api');
    const b = await resolveVia([{ kind: 'wechat_openid', value: 'oD', app_id: APP }], 'payment');
    const claimed = await resolveVia([{ kind: 'card_number', value: 'vip 0001' }, { kind: 'wechat_openid', value: 'oD', app_id: APP }], 'api');
    expect(claimed).toMatchObject({ outcome: 'ambiguous', merges: [] });
    expect(claimed.review_item_ids).toHaveLength(1);
    expect(claimed.person_id).toBe(a.person_id);
    expect(b.person_id).not.toBe(a.person_id);
  });

  it('lets staff search by identifier, and only managers and above resolve', async () => {
    const created = await resolveVia([{ kind: 'email', value: 'search@example.com' }], 'api');
    const cashier = await t.login('cashier');
    const search = await t.app.inject({ method: 'GET', url: '/v1/identity/persons?identifier_kind=email&identifier_value=SEARCH@example.com', headers: { cookie: cashier } });
    expect(json<{ items: { id: string }[] }>(search).items.map((p) => p.id)).toEqual([created.person_id]);
    const denied = await t.app.inject({ method: 'POST', url: '/v1/identity/resolve', headers: { cookie: cashier }, payload: { identifiers: [{ kind: 'email', value: 'x@example.com' }], create: true, context: 'api' } });
    expect(denied.statusCode).toBe(403);
    const manager = await t.login('manager');
    const allowed = await t.app.inject({ method: 'POST', url: '/v1/identity/resolve', headers: { cookie: manager }, payload: { identifiers: [{ kind: 'email', value: 'x@example.com' }], create: true, context: 'api' } });
    expect(allowed.statusCode).toBe(200);
  });

  it('audits what resolution changes', async () => {
    const created = await resolveVia([{ kind: 'email', value: 'audited@example.com' }], 'api');
    const audit = await t.app.inject({ method: 'GET', url: `/v1/audit-log?target_id=${created.person_id}`, headers: { cookie: owner } });
    expect(json<{ items: { action: string }[] }>(audit).items.map((e) => e.action)).toEqual(['identity.person.create']);
  });
});

describe('resolvePerson for other modules', () => {
  it('takes payments’ call shape (merchant id, payer identifiers with app id, source) inside a transaction', async () => {
    const result = await t.database.db.transaction((tx) =>
      resolvePerson(tx, { merchantId: t.demo.merchantId, identifiers: [{ kind: 'wechat_openid', value: 'oPay', appId: APP }], source: 'payment:pay_x' }),
    );
    expect(result).toMatchObject({ outcome: 'created', created: true });
    const again = await t.database.db.transaction((tx) =>
      resolvePerson(tx, systemContext(t.demo.operatorId, t.demo.merchantId, 'test'), { identifiers: [{ kind: 'wechat_openid', value: `${APP}:oPay` }], create: false, context: 'payment' }),
    );
    expect(again.personId).toBe(result.personId);
  });
});

describe('concurrent first touches', () => {
  it('20 concurrent resolves of one new identifier give one person', async () => {
    const identifiers = [{ kind: 'wechat_openid', value: 'oRace', app_id: APP }, { kind: 'wechat_unionid', value: 'uRace' }];
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.app.inject({ method: 'POST', url: '/v1/identity/resolve', headers: bearer, payload: { identifiers: i % 2 ? [...identifiers].reverse() : identifiers, create: true, context: 'payment' } }),
      ),
    );
    for (const response of responses) expect(response.statusCode, response.body).toBe(200);
    const ids = new Set(responses.map((r) => json<Resolved>(r).person_id));
    expect(ids.size).toBe(1);
    expect(responses.filter((r) => json<Resolved>(r).created)).toHaveLength(1);
    const rows = await t.database.db.execute(sql`select count(*)::int as n from identity_persons p where exists (select 1 from identity_identifiers i where i.person_id = p.id and i.value = 'uRace')`);
    expect((rows as { rows: { n: number }[] }).rows[0]!.n).toBe(1);
    const orphans = await t.database.db.execute(sql`select count(*)::int as n from identity_persons p where p.status = 'active' and not exists (select 1 from identity_identifiers i where i.merchant_id = p.merchant_id and i.person_id = p.id)`);
    expect((orphans as { rows: { n: number }[] }).rows[0]!.n).toBe(0);
  });
});
