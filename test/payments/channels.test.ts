import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPaymentsApp, type PaymentJson, type PaymentsTestApp } from './support.js';

let t: PaymentsTestApp;
let operator: string;
beforeAll(async () => {
  t = await startPaymentsApp();
  operator = await t.login('operator');
});
afterAll(() => t.close());

interface Account {
  channel: string;
  mode: string;
  environment: string;
  config: Record<string, unknown>;
  secret_fingerprints: Record<string, string>;
  notify_url: string;
}

describe('channel accounts', () => {
  it('shows identifiers and fingerprints, never the private key or the APIv3 key', async () => {
    const response = await t.api('GET', '/v1/payment-channels');
    expect(response.statusCode).toBe(200);
    const items = (response.json() as { items: Account[] }).items;
    expect(items.map((a) => a.channel).sort()).toEqual(['alipay', 'wechatpay']);
    expect(response.body).not.toContain('PRIVATE KEY');
    const wechat = items.find((a) => a.channel === 'wechatpay')!;
    expect(Object.keys(wechat.secret_fingerprints).sort()).toEqual(['api_v3_key', 'merchant_private_key']);
    expect(wechat.config).toHaveProperty('merchant_serial_no');
    expect(wechat.config).not.toHaveProperty('api_v3_key');
    expect(wechat.notify_url).toMatch(/\/notify\/wechatpay\/pca_/);
    const cashier = await t.app.inject({ method: 'GET', url: '/v1/payment-channels', headers: { cookie: await t.login('cashier') } });
    expect(cashier.statusCode).toBe(403);
  });

  it('rejects credentials for the wrong channel or with an unreadable key', async () => {
    const alipay = (await t.sandbox('GET', '/credentials/alipay')).json() as Record<string, unknown>;
    const wrong = await t.api('PUT', '/v1/payment-channels/wechatpay', { environment: 'sandbox', credentials: alipay });
    expect(wrong.statusCode).toBe(400);
    const broken = await t.api('PUT', '/v1/payment-channels/alipay', { environment: 'sandbox', credentials: { ...alipay, app_private_key: `-----BEGIN PRIVATE KEY-----\n${'A'.repeat(80)}\n-----END PRIVATE KEY-----` } });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().code).toBe('channel_config_invalid');
  });

  it('runs a merchant in 服务商 mode under the operator’s credentials', async () => {
    const sp = (await t.sandbox('GET', '/credentials/wechatpay?mode=service_provider')).json() as {
      account: { sp_mchid: string; sp_appid: string; sub_mchid: string; sub_appid: string };
      merchant_serial_no: string;
      merchant_private_key: string;
      api_v3_key: string;
      platform: unknown;
    };
    const operatorPut = await t.app.inject({
      method: 'PUT',
      url: '/v1/operator/payment-channels/wechatpay',
      headers: { cookie: operator },
      payload: {
        environment: 'sandbox',
        wechatpay: { sp_mchid: sp.account.sp_mchid, sp_appid: sp.account.sp_appid, merchant_serial_no: sp.merchant_serial_no, merchant_private_key: sp.merchant_private_key, api_v3_key: sp.api_v3_key, platform: sp.platform },
      },
    });
    expect(operatorPut.statusCode, operatorPut.body).toBe(200);
    expect(operatorPut.body).not.toContain('PRIVATE KEY');
    const merchantPut = await t.api('PUT', '/v1/payment-channels/wechatpay', { environment: 'sandbox', via_operator: { sub_mchid: sp.account.sub_mchid, sub_appid: sp.account.sub_appid } });
    expect(merchantPut.statusCode, merchantPut.body).toBe(200);
    expect((merchantPut.json() as Account).mode).toBe('via_operator');
    const payment = (await t.api('POST', '/v1/payments', { store_id: t.demo.storeIds[0], amount_fen: 880, auth_code: await t.buyerCode('wechatpay', 'pay') })).json() as PaymentJson;
    expect(payment.status).toBe('succeeded');
    const refund = await t.api('POST', `/v1/payments/${payment.id}/refunds`, { amount_fen: 80, reason: 'sp refund' });
    expect(refund.statusCode, refund.body).toBe(201);
    const merchantOnOperator = await t.api('GET', '/v1/operator/payment-channels/wechatpay');
    expect(merchantOnOperator.statusCode).toBe(403);
  });
});
