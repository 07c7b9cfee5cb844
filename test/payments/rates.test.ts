// Fee rates, readable: the merchant sees what it pays; the operator (and the merchant's agent) see
// fee, channel cost, margin and the agent's share, and set fee and cost per merchant and channel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
const as: Record<string, string> = {};
beforeAll(async () => {
  t = await startTestApp();
  for (const login of ['owner', 'cashier', 'operator', 'agent']) as[login] = await t.login(login);
});
afterAll(() => t.close());

const call = (login: string, method: 'GET' | 'PUT', url: string, payload?: object) => t.app.inject({ method, url, headers: { cookie: as[login]! }, ...(payload && { payload }) });

interface MerchantRates {
  merchant_id: string;
  merchant_name: string;
  agent: { id: string; name: string; share_bps: number } | null;
  channels: { channel: string; fee_rate_ppm: number; cost_rate_ppm: number; margin_ppm: number; agent_ppm: number }[];
}

describe('fee rates', () => {
  it('the operator sets fee and cost; reads them back with margin and the agent’s share', async () => {
    const put = await call('operator', 'PUT', `/v1/operator/merchants/${t.demo.merchantId}/payment-channels/wechatpay/rates`, { fee_rate_ppm: 6000, cost_rate_ppm: 2500 });
    expect(put.statusCode, put.body).toBe(204);
    const one = await call('operator', 'GET', `/v1/operator/merchants/${t.demo.merchantId}/payment-rates`);
    expect(one.statusCode, one.body).toBe(200);
    const rates = one.json() as MerchantRates;
    expect(rates.agent).toMatchObject({ share_bps: 3000 });
    expect(rates.channels.find((c) => c.channel === 'wechatpay')).toEqual({ channel: 'wechatpay', fee_rate_ppm: 6000, cost_rate_ppm: 2500, margin_ppm: 3500, agent_ppm: 1050, status: 'active' });
    expect(rates.channels.find((c) => c.channel === 'alipay')).toMatchObject({ fee_rate_ppm: 3800, cost_rate_ppm: 2000, margin_ppm: 1800, agent_ppm: 540 });

    const all = (await call('operator', 'GET', '/v1/operator/payment-rates')).json() as { items: MerchantRates[] };
    expect(all.items.map((m) => m.merchant_id)).toContain(t.demo.merchantId);
    // The merchant's agent sees the same for its merchant.
    const agentView = await call('agent', 'GET', `/v1/operator/merchants/${t.demo.merchantId}/payment-rates`);
    expect(agentView.statusCode).toBe(200);
    expect((agentView.json() as MerchantRates).channels).toEqual(rates.channels);
    // …but cannot change them.
    expect((await call('agent', 'PUT', `/v1/operator/merchants/${t.demo.merchantId}/payment-channels/wechatpay/rates`, { fee_rate_ppm: 1, cost_rate_ppm: 1 })).statusCode).toBe(403);
  });

  it('the merchant owner sees its fee rate per channel, never the channel cost', async () => {
    const own = await call('owner', 'GET', '/v1/payment-rates');
    expect(own.statusCode, own.body).toBe(200);
    const items = (own.json() as { items: Record<string, unknown>[] }).items;
    expect(items.map((i) => i.channel).sort()).toEqual(['alipay', 'wechatpay']);
    for (const item of items) expect(Object.keys(item).sort()).toEqual(['channel', 'fee_rate_ppm', 'status']);
    const accounts = (await call('owner', 'GET', '/v1/payment-channels')).json() as { items: Record<string, unknown>[] };
    for (const account of accounts.items) {
      expect(account).toHaveProperty('fee_rate_ppm');
      expect(account).not.toHaveProperty('cost_rate_ppm');
    }
    expect((await call('owner', 'GET', '/v1/operator/payment-rates')).statusCode).toBe(403);
    expect((await call('owner', 'GET', `/v1/operator/merchants/${t.demo.merchantId}/payment-rates`)).statusCode).toBe(403);
    expect((await call('cashier', 'GET', '/v1/payment-rates')).statusCode).toBe(403);
  });

  it('answers 404 for a merchant the operator does not have', async () => {
    const ghost = 'mch_00000000000000000000000000';
    expect((await call('operator', 'GET', `/v1/operator/merchants/${ghost}/payment-rates`)).statusCode).toBe(404);
    expect((await call('operator', 'PUT', `/v1/operator/merchants/${ghost}/payment-channels/alipay/rates`, { fee_rate_ppm: 3000, cost_rate_ppm: 2000 })).statusCode).toBe(404);
  });
});
