import type { TestApp } from './app.js';

// The tenant-isolation walk (test/platform/tenant-isolation.test.ts) calls every /v1 route with
// another merchant's credentials and merchant A's ids. It finds A's ids here: one entry per route
// param name (and per id-like body field: `store_id` / `store_ids` use `storeId`). A route whose
// param has no entry fails the walk, so a module that adds `/v1/things/:thingId` adds `thingId`
// here: a function that creates one of merchant A's things THROUGH THE API (as A's owner, or as
// the operator for operator-level resources) and returns its id.

export interface TenantFixtureContext {
  readonly t: TestApp;
  /** Merchant A: the demo merchant. */
  readonly merchantId: string;
  /** Calls the API as A's owner (console session); fails unless the answer is 2xx; returns the JSON body. */
  asA<T = Record<string, unknown>>(method: HttpMethod, url: string, payload?: object): Promise<T>;
  /** Calls the API as the operator admin, for operator-level resources of A (its agent). */
  asOperator<T = Record<string, unknown>>(method: HttpMethod, url: string, payload?: object): Promise<T>;
  /** Another fixture's id: built once, shared by every route that needs it. */
  id(param: string): Promise<string>;
}

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
export type TenantFixture = (f: TenantFixtureContext) => Promise<string>;

interface Created {
  readonly id: string;
}
interface Listed {
  readonly items: Created[];
}

export const tenantFixtures: Readonly<Record<string, TenantFixture>> = {
  // ---- platform ----
  merchantId: async (f) => f.merchantId,
  /** The agent that brought A in (the walk moves A to an agent of its own first). */
  agentId: async (f) => {
    const merchant = await f.asOperator<{ agent_id: string | null }>('GET', `/v1/merchants/${f.merchantId}`);
    if (merchant.agent_id) return merchant.agent_id;
    const agent = await f.asOperator<Created>('POST', '/v1/agents', { name: 'Agent of A' });
    await f.asOperator('PATCH', `/v1/merchants/${f.merchantId}`, { agent_id: agent.id });
    return agent.id;
  },
  storeId: async (f) => (await f.asA<Created>('POST', '/v1/stores', { name: 'A · walk store', address: '上海市静安区 1 号' })).id,
  userId: async (f) =>
    (
      await f.asA<Created>('POST', '/v1/staff', {
        login: 'a-walk-cashier',
        display_name: 'A cashier',
        password: 'a-walk-cashier-2026',
        role: 'cashier',
        store_ids: [await f.id('storeId')],
      })
    ).id,
  keyId: async (f) => (await f.asA<Created>('POST', '/v1/api-keys', { name: 'A walk key', scopes: ['platform:read'] })).id,
  endpointId: async (f) =>
    (await f.asA<Created>('POST', '/v1/webhook-endpoints', { url: 'https://example.com/a/webhooks', description: 'A walk endpoint', event_types: ['*'] })).id,
  deliveryId: async (f) => {
    const endpointId = await f.id('endpointId');
    await f.asA('POST', `/v1/webhook-endpoints/${endpointId}/test`, {});
    const deliveries = await f.asA<Listed>('GET', `/v1/webhook-deliveries?endpoint_id=${endpointId}`);
    const delivery = deliveries.items[0];
    if (!delivery) throw new Error('the test event made no delivery for A’s endpoint');
    return delivery.id;
  },
  // ---- membership ----
  memberId: async (f) =>
    (await f.asA<Created>('POST', '/v1/members', { phone: '13700137001', display_name: 'A walk member', consent_version: 'v1', consent_purposes: ['membership'] })).id,
  templateId: async (f) =>
    (
      await f.asA<Created>('POST', '/v1/membership/coupon-templates', {
        name: 'A walk ¥10 off',
        kind: 'cash_off',
        value_fen: 1000,
        validity: { kind: 'relative', days: 30 },
      })
    ).id,
  giftRuleId: async (f) => (await f.asA<Created>('POST', '/v1/membership/coupon-gift-rules', { trigger: 'join', template_id: await f.id('templateId'), enabled: false })).id,
  couponId: async (f) => (await f.asA<Created>('POST', `/v1/membership/coupon-templates/${await f.id('templateId')}/issues`, { member_id: await f.id('memberId') })).id,
  spendEntryId: async (f) => {
    const memberId = await f.id('memberId');
    await f.asA('POST', `/v1/members/${memberId}/stored-value/top-ups`, { amount_fen: 10_000, payment_reference: 'walk-top-up' });
    return (await f.asA<{ entry: Created }>('POST', `/v1/members/${memberId}/stored-value/spends`, { amount_fen: 1_000 })).entry.id;
  },
  /** What an unmerge could not give back: the survivor spent the absorbed member's points while merged. */
  shortfallId: async (f) => {
    const enrolled = (phone: string) => f.asA<Created & { person_id: string }>('POST', '/v1/members', { phone, consent_version: 'v1', consent_purposes: ['membership'] });
    const survivor = await enrolled('13700137011');
    const absorbed = await enrolled('13700137012');
    await f.asA('POST', `/v1/members/${absorbed.id}/points/earn`, { points: 50, reason: 'walk fixture' });
    const merge = await f.asA<Created>('POST', '/v1/identity/merges', { survivor_id: survivor.person_id, absorbed_id: absorbed.person_id, reason: 'walk fixture' });
    await f.asA('POST', `/v1/members/${survivor.id}/points/spend`, { points: 20 });
    await f.asA('POST', `/v1/identity/merges/${merge.id}/unmerge`, { reason: 'walk fixture' });
    const page = await f.asA<Listed>('GET', `/v1/membership/merge-shortfalls?merge_id=${merge.id}`);
    if (!page.items[0]) throw new Error('the unmerge left no shortfall for A');
    return page.items[0].id;
  },
  // ---- identity (ID+) ----
  personId: async (f) => (await identityPerson(f, 'walk-person')).person_id,
  // Body fields are filled during the walk, after A's snapshot: they reuse persons the path fixtures made.
  survivorId: async (f) => f.id('personId'),
  absorbedId: async (f) => {
    await f.id('suggestionId');
    const found = await f.asA<Listed>('GET', '/v1/identity/persons?identifier_kind=email&identifier_value=walk-dup-2@example.com');
    if (!found.items[0]) throw new Error('the suggestion fixture’s second person is missing');
    return found.items[0].id;
  },
  identifierId: async (f) =>
    (await f.asA<Created>('POST', `/v1/identity/persons/${await f.id('personId')}/identifiers`, { kind: 'card_number', value: 'WALK-CARD-1' })).id,
  mergeId: async (f) => {
    const survivor = await identityPerson(f, 'walk-merge-survivor');
    const absorbed = await identityPerson(f, 'walk-merge-absorbed');
    return (await f.asA<Created>('POST', '/v1/identity/merges', { survivor_id: survivor.person_id, absorbed_id: absorbed.person_id, reason: 'walk fixture' })).id;
  },
  /** A conflict: a unionid links two persons holding different verified phones. */
  itemId: async (f) => {
    const app = 'wx1111111111111111';
    await f.asA('POST', '/v1/identity/resolve', { identifiers: [{ kind: 'wechat_unionid', value: 'walk-u' }, { kind: 'phone', value: '13800138801', verified: true }], create: true, context: 'verified_binding' });
    await f.asA('POST', '/v1/identity/resolve', { identifiers: [{ kind: 'wechat_openid', value: `${app}:walk-o` }, { kind: 'phone', value: '13900139801', verified: true }], create: true, context: 'verified_binding' });
    const result = await f.asA<{ review_item_ids: string[] }>('POST', '/v1/identity/resolve', { identifiers: [{ kind: 'wechat_unionid', value: 'walk-u' }, { kind: 'wechat_openid', value: `${app}:walk-o` }], create: true, context: 'payment' });
    const itemId = result.review_item_ids[0];
    if (!itemId) throw new Error('the conflicting touch opened no review item for A');
    return itemId;
  },
  suggestionId: async (f) => {
    const profile = { display_name: '周walk', birthday: '1985-06-15', address: '上海市静安区南京西路 1 号' };
    const first = await identityPerson(f, 'walk-dup-1', profile);
    await identityPerson(f, 'walk-dup-2', profile);
    const page = await f.asA<Listed>('GET', `/v1/identity/suggestions?person_id=${first.person_id}`);
    const suggestion = page.items[0];
    if (!suggestion) throw new Error('two identical profiles made no suggestion for A');
    return suggestion.id;
  },
  // ---- payments (the demo merchant's channels point at the built-in sandbox, reached in-process) ----
  paymentId: async (f) => (await paidPayment(f, 1200)).id,
  refundId: async (f) => (await f.asA<Created>('POST', `/v1/payments/${(await paidPayment(f, 900)).id}/refunds`, { amount_fen: 100, reason: 'walk fixture' })).id,
  checkoutId: async (f) =>
    (await f.asA<Created>('POST', '/v1/checkouts', { member_id: await f.id('memberId'), store_id: f.t.demo.storeIds[0], reference: 'walk-checkout', amount_fen: 1_000 })).id,
  topUpId: async (f) => {
    const code = await f.t.app.inject({ method: 'POST', url: '/sandbox/buyer-codes', payload: { channel: 'alipay', behaviour: 'pay' } });
    const { auth_code: authCode } = code.json<{ auth_code: string }>();
    return (await f.asA<Created>('POST', '/v1/membership/top-ups', { member_id: await f.id('memberId'), store_id: f.t.demo.storeIds[0], amount_fen: 1_000, payment: { auth_code: authCode } })).id;
  },
  qrId: async (f) => (await f.asA<Created>('POST', `/v1/stores/${f.t.demo.storeIds[0]}/qr-codes`, { desk: '1号收银台' })).id,
  qrFile: async (f) => f.id('qrId'),
  /** A day whose bill shows an order paid at the channel that A still has as paying: one open line. */
  reconciliationId: async (f) => {
    const order = await f.asA<{ code_url: string }>('POST', '/v1/payments', { store_id: f.t.demo.storeIds[0], amount_fen: 300, mode: 'qr', channel: 'alipay' });
    const paid = await f.t.app.inject({ method: 'POST', url: `${new URL(order.code_url).pathname}/pay`, payload: { buyer: 'walk-buyer' } });
    if (paid.statusCode >= 400) throw new Error(`sandbox wallet: ${paid.statusCode} ${paid.body}`);
    const date = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    return (await f.asA<Created>('POST', '/v1/reconciliations', { channel: 'alipay', date })).id;
  },
  lineId: async (f) => {
    const report = await f.asA<{ lines: Created[] }>('GET', `/v1/reconciliations/${await f.id('reconciliationId')}`);
    if (!report.lines[0]) throw new Error('A’s reconciliation found no mismatch line');
    return report.lines[0].id;
  },
};

/** A payment of A's, paid at the counter with a sandbox 付款码. */
async function paidPayment(f: TenantFixtureContext, amountFen: number): Promise<Created> {
  const code = await f.t.app.inject({ method: 'POST', url: '/sandbox/buyer-codes', payload: { channel: 'alipay', behaviour: 'pay' } });
  const { auth_code: authCode } = code.json<{ auth_code: string }>();
  return f.asA<Created>('POST', '/v1/payments', { store_id: f.t.demo.storeIds[0], amount_fen: amountFen, auth_code: authCode });
}

function identityPerson(f: TenantFixtureContext, tag: string, profile?: object): Promise<{ person_id: string }> {
  return f.asA('POST', '/v1/identity/resolve', { identifiers: [{ kind: 'email', value: `${tag}@example.com` }], create: true, context: 'api', ...(profile && { profile }) });
}
