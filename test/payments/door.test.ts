// The payments door as another module uses it: startPayment / getPaymentSummary / refundPayment
// with a purpose, against the sandbox over HTTP, and through inject when the app does not listen.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentOrders, sandboxTrades } from '../../src/modules/payments/schema.js';
import { getPaymentSummary, refundPayment, runSandboxNotifications, startPayment, type StartPaymentInput } from '../../src/modules/payments/index.js';
import { systemContext } from '../../src/modules/platform/index.js';
import { AppError } from '../../src/kernel/errors.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { eventsFor, getPayment, payInWallet, startPaymentsApp, type PaymentsTestApp } from './support.js';

let t: PaymentsTestApp;
beforeAll(async () => {
  t = await startPaymentsApp();
});
afterAll(() => t.close());

const ctx = () => systemContext(t.demo.operatorId, t.demo.merchantId, 'membership');
let seq = 0;
const purpose = (kind = 'top_up') => ({ module: 'membership', kind, reference: `ref_${Date.now()}_${(seq += 1)}` });

function input(p: StartPaymentInput['purpose'], method: StartPaymentInput['method'], amountFen = 10_000): StartPaymentInput {
  return { storeId: t.demo.storeIds[0]!, amountFen, description: '储值充值 top-up', purpose: p, method };
}

async function codeOf(error: Promise<unknown>): Promise<string> {
  try {
    await error;
  } catch (e) {
    if (e instanceof AppError) return e.code;
    throw e;
  }
  return 'no error';
}

async function paymentsOfPurpose(reference: string) {
  return t.database.db.select().from(paymentOrders).where(eq(paymentOrders.purposeReference, reference));
}

describe('startPayment with a 付款码', () => {
  it('charges once, carries the purpose in the view, the API, the summary and the events', async () => {
    const p = purpose();
    const started = await startPayment(t.database.db, t.config, ctx(), input(p, { kind: 'barcode', authCode: await t.buyerCode('wechatpay', 'pay', 0, 'door-alice') }));
    expect(started).toMatchObject({ status: 'succeeded', channel: 'wechatpay', amount_fen: 10_000, code_url: null });
    expect(started.paid_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(started.person_id).toMatch(/^per_/);
    expect(Object.keys(started).sort()).toEqual(['amount_fen', 'channel', 'code_url', 'id', 'paid_at', 'person_id', 'status']);

    const api = (await getPayment(t, started.id)) as unknown as { purpose: unknown };
    expect(api.purpose).toEqual(p);
    expect(await getPaymentSummary(t.database.db, t.demo.merchantId, started.id)).toEqual({
      id: started.id,
      status: 'succeeded',
      amount_fen: 10_000,
      refunded_fen: 0,
      person_id: started.person_id,
      store_id: t.demo.storeIds[0],
      paid_at: started.paid_at,
      purpose: p,
    });
    const [event] = await eventsFor(t, 'payment.succeeded', started.id);
    expect(event?.payload.purpose).toEqual(p);

    // Asked again for the same purpose and amount: the same payment, nothing charged again.
    const again = await startPayment(t.database.db, t.config, ctx(), input(p, { kind: 'barcode', authCode: await t.buyerCode('wechatpay', 'pay') }));
    expect(again.id).toBe(started.id);
    expect(await paymentsOfPurpose(p.reference)).toHaveLength(1);
    // Another amount for a paid purpose is refused.
    expect(await codeOf(startPayment(t.database.db, t.config, ctx(), input(p, { kind: 'barcode', authCode: await t.buyerCode('wechatpay', 'pay') }, 20_000)))).toBe('purpose_already_paid');
  });

  it('a refused code fails the payment; the purpose can then be paid by another attempt', async () => {
    const p = purpose();
    const failed = await startPayment(t.database.db, t.config, ctx(), input(p, { kind: 'barcode', authCode: await t.buyerCode('alipay', 'insufficient_funds') }));
    expect(failed.status).toBe('failed');
    const paid = await startPayment(t.database.db, t.config, ctx(), input(p, { kind: 'barcode', authCode: await t.buyerCode('alipay', 'pay') }));
    expect(paid.status).toBe('succeeded');
    expect(paid.id).not.toBe(failed.id);
    const [event] = await eventsFor(t, 'payment.failed', failed.id);
    expect(event?.payload.purpose).toEqual(p);
  });

  it('concurrent starts for one purpose never leave two payments succeeded nor a charged buyer on a closed order', async () => {
    const p = purpose('checkout');
    const codes = await Promise.all([1, 2, 3, 4, 5].map(() => t.buyerCode('wechatpay', 'pay')));
    const results = await Promise.allSettled(codes.map((authCode) => startPayment(t.database.db, t.config, ctx(), input(p, { kind: 'barcode', authCode }, 3_000))));
    for (const r of results) if (r.status === 'rejected') expect((r.reason as AppError).code).toBe('purpose_payment_in_progress');
    const rows = await paymentsOfPurpose(p.reference);
    const succeeded = rows.filter((r) => r.status === 'succeeded');
    expect(succeeded.length).toBeLessThanOrEqual(1);
    for (const r of results) if (r.status === 'fulfilled' && r.value.status === 'succeeded') expect(r.value.id).toBe(succeeded[0]!.id);
    for (const row of rows.filter((r) => r.status !== 'succeeded' && r.status !== 'created' && r.status !== 'paying')) {
      const [trade] = await t.database.db.select().from(sandboxTrades).where(eq(sandboxTrades.outTradeNo, row.outTradeNo));
      if (trade) expect(trade.state).not.toBe('SUCCESS');
    }
  });
});

describe('startPayment with a dynamic QR', () => {
  it('answers a code URL; a new attempt closes the old one, which can no longer be paid', async () => {
    const p = purpose();
    // WeChat Native: the order exists at the channel from the start, so closing it there works at once
    // (an unscanned Alipay precreate does not exist yet: see late-success.test.ts).
    const first = await startPayment(t.database.db, t.config, ctx(), input(p, { kind: 'qr', channel: 'wechatpay' }));
    expect(first).toMatchObject({ status: 'paying', channel: 'wechatpay', paid_at: null, person_id: null });
    expect(first.code_url).toMatch(/^http/);
    const second = await startPayment(t.database.db, t.config, ctx(), input(p, { kind: 'qr', channel: 'alipay' }));
    expect(second.id).not.toBe(first.id);
    const old = await getPayment(t, first.id);
    expect(old).toMatchObject({ status: 'closed', failure_reason: 'superseded' });
    // The buyer who scans the old code cannot pay it: the channel closed it.
    await payInWallet(t, first.code_url!).catch(() => undefined);
    const [oldTrade] = await t.database.db.select().from(sandboxTrades).where(eq(sandboxTrades.outTradeNo, old.out_trade_no));
    expect(oldTrade?.state).toBe('CLOSED');
    await payInWallet(t, second.code_url!, 'door-bob');
    await runSandboxNotifications(t.database.db, new Date());
    expect((await getPaymentSummary(t.database.db, t.demo.merchantId, second.id))?.status).toBe('succeeded');
    const [event] = await eventsFor(t, 'payment.succeeded', second.id);
    expect(event?.payload.purpose).toEqual(p);
  });

  it('when the buyer paid the old code just before a new attempt, the old payment is the answer', async () => {
    const p = purpose();
    const first = await startPayment(t.database.db, t.config, ctx(), input(p, { kind: 'qr', channel: 'wechatpay' }, 5_000));
    await payInWallet(t, first.code_url!, 'door-carol');
    // The notification has not arrived yet; closing finds the order paid (ORDERPAID → query).
    const again = await startPayment(t.database.db, t.config, ctx(), input(p, { kind: 'qr', channel: 'wechatpay' }, 5_000));
    expect(again).toMatchObject({ id: first.id, status: 'succeeded' });
    expect(await paymentsOfPurpose(p.reference)).toHaveLength(1);
  });
});

describe('refundPayment', () => {
  it('refunds a purpose payment, checks the purpose, and announces it with the purpose', async () => {
    const p = purpose();
    const paid = await startPayment(t.database.db, t.config, ctx(), input(p, { kind: 'barcode', authCode: await t.buyerCode('alipay', 'pay') }));
    expect(await codeOf(refundPayment(t.database.db, t.config, ctx(), paid.id, { amountFen: 100, reason: 'x', purpose: { ...p, reference: 'other' } }))).toBe('purpose_mismatch');
    const refund = await refundPayment(t.database.db, t.config, ctx(), paid.id, { amountFen: 4_000, reason: '退还储值本金', outRefundNo: `r${paid.id.slice(-20)}`, purpose: p });
    expect(refund).toMatchObject({ payment_id: paid.id, status: 'succeeded', amount_fen: 4_000 });
    const twice = await refundPayment(t.database.db, t.config, ctx(), paid.id, { amountFen: 4_000, reason: '退还储值本金', outRefundNo: `r${paid.id.slice(-20)}` });
    expect(twice.id).toBe(refund.id);
    expect((await getPaymentSummary(t.database.db, t.demo.merchantId, paid.id))?.refunded_fen).toBe(4_000);
    const [event] = await eventsFor(t, 'payment.refunded', paid.id);
    expect(event?.payload).toMatchObject({ purpose: p, refund_amount_fen: 4_000 });
    expect(await codeOf(refundPayment(t.database.db, t.config, ctx(), paid.id, { amountFen: 7_000, reason: 'too much' }))).toBe('refund_exceeds_paid');
  });
});

describe('door input and scope', () => {
  it('rejects malformed input with payment_input_invalid and unknown payments with null', async () => {
    const p = purpose();
    expect(await codeOf(startPayment(t.database.db, t.config, ctx(), input({ ...p, module: 'Membership!' }, { kind: 'qr', channel: 'alipay' })))).toBe('payment_input_invalid');
    expect(await codeOf(startPayment(t.database.db, t.config, ctx(), input(p, { kind: 'qr', channel: 'alipay' }, 0)))).toBe('payment_input_invalid');
    expect(await codeOf(startPayment(t.database.db, t.config, ctx(), input(p, { kind: 'barcode', authCode: '1' })))).toBe('payment_input_invalid');
    expect(await getPaymentSummary(t.database.db, t.demo.merchantId, 'pay_00000000000000000000000000')).toBeNull();
  });

  it('another merchant cannot read the payment', async () => {
    const paid = await startPayment(t.database.db, t.config, ctx(), input(purpose(), { kind: 'barcode', authCode: await t.buyerCode('wechatpay', 'pay') }));
    expect(await getPaymentSummary(t.database.db, 'mch_00000000000000000000000000', paid.id)).toBeNull();
  });
});

describe('the door in an app that does not listen (inject only)', () => {
  let local: TestApp;
  beforeAll(async () => {
    local = await startTestApp({ PAYMENTS_POLL_INTERVAL_MS: '10' });
  });
  afterAll(() => local.close());

  it('reaches the sandbox in-process and collects', async () => {
    const code = await local.app.inject({ method: 'POST', url: '/sandbox/buyer-codes', payload: { channel: 'alipay', behaviour: 'pay' } });
    const authCode = (code.json() as { auth_code: string }).auth_code;
    const started = await startPayment(local.database.db, local.config, systemContext(local.demo.operatorId, local.demo.merchantId, 'membership'), {
      storeId: local.demo.storeIds[0]!,
      amountFen: 1_500,
      description: '结账 checkout',
      purpose: { module: 'membership', kind: 'checkout', reference: 'chk_1' },
      method: { kind: 'barcode', authCode },
    });
    expect(started.status).toBe('succeeded');
  });
});
