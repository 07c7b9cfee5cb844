import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestApp, type TestApp } from '../support/app.js';

// Payments resolve their payer through ID+: a counter payment with a sandbox 付款码 ends with the
// payment's person_id, and that person holds the channel's payer identifiers.
let t: TestApp;
let owner: string;
beforeAll(async () => {
  t = await startTestApp();
  owner = await t.login('owner');
});
afterAll(() => t.close());

async function payAtCounter(channel: 'alipay' | 'wechatpay', buyer: string) {
  const code = await t.app.inject({ method: 'POST', url: '/sandbox/buyer-codes', payload: { channel, behaviour: 'pay', buyer } });
  expect(code.statusCode, code.body).toBeLessThan(300);
  const { auth_code: authCode } = json<{ auth_code: string }>(code);
  const payment = await t.app.inject({ method: 'POST', url: '/v1/payments', headers: { cookie: owner }, payload: { store_id: t.demo.storeIds[0], amount_fen: 1200, auth_code: authCode } });
  expect(payment.statusCode, payment.body).toBeLessThan(300);
  const { id } = json<{ id: string }>(payment);
  const read = await t.app.inject({ method: 'GET', url: `/v1/payments/${id}`, headers: { cookie: owner } });
  return json<{ id: string; status: string; person_id: string | null; payer_identifiers: { kind: string; value: string }[] }>(read);
}

describe('payments → identity', () => {
  it('a paid counter payment names the person behind the payer, the same one each time', async () => {
    const first = await payAtCounter('alipay', 'payer-walk-1');
    expect(first.status).toBe('succeeded');
    expect(first.person_id).toMatch(/^per_/);
    const person = json<{ identifiers: { kind: string; value: string; source: string }[] }>(await t.app.inject({ method: 'GET', url: `/v1/identity/persons/${first.person_id}`, headers: { cookie: owner } }));
    for (const payer of first.payer_identifiers) expect(person.identifiers.map((i) => i.kind)).toContain(payer.kind);
    expect(person.identifiers[0]!.source).toBe(`payment:${first.id}`);
    const second = await payAtCounter('alipay', 'payer-walk-1');
    expect(second.person_id).toBe(first.person_id);
  });
});
