import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSandboxNotifications } from '../../src/modules/payments/sandbox/index.js';
import { eventsFor, getPayment, startPaymentsApp, type PaymentJson, type PaymentsTestApp } from './support.js';

let t: PaymentsTestApp;
let manager: string;
let cashier: string;
beforeAll(async () => {
  t = await startPaymentsApp();
  manager = await t.login('manager');
  cashier = await t.login('cashier');
});
afterAll(() => t.close());

async function paid(channel: 'wechatpay' | 'alipay', amount: number): Promise<PaymentJson> {
  const response = await t.api('POST', '/v1/payments', { store_id: t.demo.storeIds[0], amount_fen: amount, auth_code: await t.buyerCode(channel, 'pay') });
  const payment = response.json() as PaymentJson;
  expect(payment.status).toBe('succeeded');
  return payment;
}

const refund = (paymentId: string, body: Record<string, unknown>, headers: Record<string, string> = {}) => t.api('POST', `/v1/payments/${paymentId}/refunds`, body, headers);

/** Lets the sandbox finish refunds still processing (WeChat answers PROCESSING) and notify us. */
async function settle() {
  await runSandboxNotifications(t.database.db, new Date(Date.now() + 60_000));
}

describe.each(['wechatpay', 'alipay'] as const)('%s refunds', (channel) => {
  it('refunds partially several times, then fully, never more than paid', async () => {
    const payment = await paid(channel, 1000);
    const first = await refund(payment.id, { amount_fen: 300, reason: '部分退款' });
    expect(first.statusCode, first.body).toBe(201);
    const second = await refund(payment.id, { amount_fen: 200, reason: '部分退款' });
    expect(second.statusCode).toBe(201);
    const tooMuch = await refund(payment.id, { amount_fen: 501, reason: 'too much' });
    expect(tooMuch.statusCode).toBe(409);
    expect(tooMuch.json()).toMatchObject({ code: 'refund_exceeds_paid', refundable_fen: 500 });
    const rest = await refund(payment.id, { amount_fen: 500, reason: '退完' });
    expect(rest.statusCode).toBe(201);
    await settle();
    const detail = await getPayment(t, payment.id);
    expect(detail.refunds.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(detail.refunded_fen).toBe(1000);
    expect(await eventsFor(t, 'payment.refunded', payment.id)).toHaveLength(3);
    const none = await refund(payment.id, { amount_fen: 1, reason: 'nothing left' });
    expect(none.json().code).toBe('refund_exceeds_paid');
  });

  it('is idempotent by out_refund_no and refuses the number for another refund', async () => {
    const payment = await paid(channel, 800);
    const body = { amount_fen: 100, out_refund_no: `r-${channel}-1`, reason: 'dup' };
    const a = await refund(payment.id, body);
    const b = await refund(payment.id, body);
    expect(b.json().id).toBe(a.json().id);
    const other = await refund(payment.id, { ...body, amount_fen: 200 });
    expect(other.statusCode).toBe(409);
    expect(other.json().code).toBe('refund_no_taken');
    await settle();
    expect((await getPayment(t, payment.id)).refunds).toHaveLength(1);
  });
});

describe('refund limits under concurrency', () => {
  it('accepts at most what was paid when ten refunds race', async () => {
    const payment = await paid('alipay', 1000);
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => refund(payment.id, { amount_fen: 300, reason: `race ${i}` })));
    const accepted = responses.filter((r) => r.statusCode === 201);
    expect(accepted).toHaveLength(3);
    for (const r of responses.filter((x) => x.statusCode !== 201)) expect(r.json().code).toBe('refund_exceeds_paid');
    await settle();
    expect((await getPayment(t, payment.id)).refunded_fen).toBe(900);
  });

  it('never lets the refund sum exceed the paid amount over random concurrent sequences (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('wechatpay' as const, 'alipay' as const),
        fc.integer({ min: 1, max: 5000 }),
        fc.array(fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }),
        async (channel, amount, batches) => {
          const payment = await paid(channel, amount);
          for (const batch of batches) {
            await Promise.all(batch.map((fen, i) => refund(payment.id, { amount_fen: fen, reason: `p${i}` })));
          }
          await settle();
          const detail = await getPayment(t, payment.id);
          const committed = detail.refunds.filter((r) => r.status === 'succeeded' || r.status === 'processing').reduce((s, r) => s + r.amount_fen, 0);
          expect(committed).toBeLessThanOrEqual(amount);
          expect(detail.refunded_fen).toBe(detail.refunds.filter((r) => r.status === 'succeeded').reduce((s, r) => s + r.amount_fen, 0));
          expect(detail.refunded_fen).toBeLessThanOrEqual(amount);
        },
      ),
      { numRuns: 6 },
    );
  });
});

describe('refund permissions and state', () => {
  it('lets a store manager refund but not a cashier', async () => {
    const payment = await paid('wechatpay', 500);
    const byCashier = await t.app.inject({ method: 'POST', url: `/v1/payments/${payment.id}/refunds`, headers: { cookie: cashier }, payload: { amount_fen: 100, reason: 'x' } });
    expect(byCashier.statusCode).toBe(403);
    const byManager = await t.app.inject({ method: 'POST', url: `/v1/payments/${payment.id}/refunds`, headers: { cookie: manager }, payload: { amount_fen: 100, reason: 'x' } });
    expect(byManager.statusCode, byManager.body).toBe(201);
  });

  it('refuses refunds of unpaid payments and replays an Idempotency-Key', async () => {
    const qr = (await t.api('POST', '/v1/payments', { store_id: t.demo.storeIds[0], amount_fen: 100, mode: 'qr', channel: 'alipay' })).json() as PaymentJson;
    const unpaid = await refund(qr.id, { amount_fen: 50, reason: 'x' });
    expect(unpaid.statusCode).toBe(409);
    expect(unpaid.json().code).toBe('payment_not_refundable');
    const payment = await paid('alipay', 400);
    const headers = { 'idempotency-key': `refund-${payment.id}` };
    const first = await refund(payment.id, { amount_fen: 100, reason: 'idem' }, headers);
    const again = await refund(payment.id, { amount_fen: 100, reason: 'idem' }, headers);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    await settle();
    expect((await getPayment(t, payment.id)).refunds).toHaveLength(1);
  });
});
