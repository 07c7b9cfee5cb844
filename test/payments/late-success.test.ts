// The buyer charged after we gave up (closed, reversed, failed): the order becomes late_paid — visible,
// never a success for the business — and is refunded in full through the channel automatically,
// whether the news comes by notification, by a query or by the bill.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessDateOf, recheckGivenUpPayments, runtimeOf } from '../../src/modules/payments/payment-orders.js';
import { paymentOrders, refunds, sandboxNotifications, sandboxTrades } from '../../src/modules/payments/schema.js';
import { getPaymentSummary, runSandboxNotifications, startPayment } from '../../src/modules/payments/index.js';
import { systemContext } from '../../src/modules/platform/index.js';
import { eventsFor, getPayment, payInWallet, qrPayment, startPaymentsApp, type PaymentJson, type PaymentsTestApp } from './support.js';

let t: PaymentsTestApp;
beforeAll(async () => {
  t = await startPaymentsApp();
});
afterAll(() => t.close());

const today = businessDateOf(new Date());

/** Moves the sandbox clock: notifications delivered, WeChat refunds settled and their notifications delivered. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i += 1) await runSandboxNotifications(t.database.db, new Date());
}

async function sandboxTrade(outTradeNo: string) {
  const [trade] = await t.database.db.select().from(sandboxTrades).where(eq(sandboxTrades.outTradeNo, outTradeNo));
  return trade!;
}

async function lateSuccess(outTradeNo: string): Promise<void> {
  const response = await t.sandbox('POST', `/trades/${outTradeNo}/late-success`, { buyer: 'late-dave' });
  expect(response.statusCode, response.body).toBe(200);
}

function expectRefundedLate(payment: PaymentJson & { refunds: { id: string; status: string; amount_fen: number; reason?: string }[] }, amount: number) {
  expect(payment.status).toBe('late_paid');
  expect(payment.refunded_fen).toBe(amount);
  expect(payment.refunds).toEqual([expect.objectContaining({ status: 'succeeded', amount_fen: amount, reason: 'late_success_after_close' })]);
  const types = payment.timeline.map((e) => e.type);
  expect(types).toContain('late_success');
  expect(payment.timeline.find((e) => e.type === 'state_changed' && e.detail.to === 'late_paid')).toBeDefined();
}

async function expectAnnouncedAsLate(paymentId: string): Promise<void> {
  expect(await eventsFor(t, 'payment.succeeded', paymentId)).toEqual([]);
  expect(await eventsFor(t, 'payment.refunded', paymentId)).toEqual([]);
  expect(await eventsFor(t, 'payment.late_paid', paymentId)).toHaveLength(1);
  expect(await eventsFor(t, 'payment.late_paid_refunded', paymentId)).toHaveLength(1);
}

type Detailed = PaymentJson & { refunds: { id: string; status: string; amount_fen: number; reason?: string }[] };
const detail = async (id: string) => (await getPayment(t, id)) as Detailed;

describe('late success after give-up', () => {
  it('counter (WeChat): reversed after the buyer never confirmed, then paid after all → found by a query, refunded', async () => {
    const collected = await t.api('POST', '/v1/payments', { store_id: t.demo.storeIds[0], amount_fen: 2_345, auth_code: await t.buyerCode('wechatpay', 'confirm_then_pay', 50) });
    const given = collected.json() as PaymentJson;
    expect(given).toMatchObject({ status: 'closed', failure_reason: 'buyer_did_not_confirm' });
    expect((await sandboxTrade(given.out_trade_no)).state).toBe('REVOKED');

    await lateSuccess(given.out_trade_no);
    // A 付款码 order has no notify_url: the cashier asks the channel when the buyer shows the charge.
    const queried = await t.api('POST', `/v1/payments/${given.id}/query`);
    expect(queried.statusCode, queried.body).toBe(200);
    expect(queried.json().status).toBe('late_paid');
    await settle();

    const payment = await detail(given.id);
    expectRefundedLate(payment, 2_345);
    const trade = await sandboxTrade(given.out_trade_no);
    expect(trade.refundedFen).toBe(2_345); // the buyer has their money back at the channel
    await expectAnnouncedAsLate(given.id);
  });

  it('counter (Alipay): the worker asks once more a minute after the give-up, and finds the late payment', async () => {
    const collected = await t.api('POST', '/v1/payments', { store_id: t.demo.storeIds[0], amount_fen: 3_210, auth_code: await t.buyerCode('alipay', 'confirm_then_pay', 50) });
    const given = collected.json() as PaymentJson;
    expect(given.status).toBe('closed');
    await lateSuccess(given.out_trade_no);
    const rt = runtimeOf(t.database.db, t.config);
    // Too early: not yet asked.
    expect((await recheckGivenUpPayments(rt, new Date())).examined).toBe(0);
    const later = new Date(Date.now() + 2 * 60_000);
    const first = await recheckGivenUpPayments(rt, later);
    expect(first.errors).toBe(0);
    expect(first.changed).toBeGreaterThanOrEqual(1);
    // The query itself found it (no notification was delivered yet).
    expect((await getPayment(t, given.id)).status).toBe('late_paid');
    await settle();
    expectRefundedLate(await detail(given.id), 3_210);
    // Once per order: the next pass does not ask about it again.
    const again = await recheckGivenUpPayments(rt, later);
    const payment = await detail(given.id);
    expect(payment.timeline.filter((e) => e.type === 'late_check')).toHaveLength(1);
    expect(again.examined).toBe(0);
  });

  it('Alipay 付款码 the channel itself cancelled with a refund (撤销, action=refund) is not refunded twice', async () => {
    const collected = await t.api('POST', '/v1/payments', { store_id: t.demo.storeIds[0], amount_fen: 1_111, auth_code: await t.buyerCode('alipay', 'confirm_then_pay', 50) });
    const given = collected.json() as PaymentJson;
    expect(given.status).toBe('closed');
    // The buyer had paid just before the cancel: Alipay refunded them itself, and its query now says
    // TRADE_CLOSED with a payment date — "paid", but no longer charging anyone.
    await t.database.db.update(sandboxTrades).set({ paidAt: new Date() }).where(eq(sandboxTrades.outTradeNo, given.out_trade_no));
    const queried = await t.api('POST', `/v1/payments/${given.id}/query`);
    expect(queried.statusCode, queried.body).toBe(200);
    expect(queried.json()).toMatchObject({ status: 'closed', refunded_fen: 0 });
    const payment = await detail(given.id);
    expect(payment.refunds).toEqual([]);
    expect(payment.timeline.find((e) => e.type === 'late_channel_state')?.detail).toMatchObject({ channel_state: 'TRADE_CLOSED', local_status: 'closed' });
    expect(await eventsFor(t, 'payment.late_paid', given.id)).toEqual([]);
  });

  it('dynamic QR (Alipay): closed here while unscanned, then scanned and paid → refunded at once', async () => {
    const qr = await qrPayment(t, 'alipay', 1_800);
    const closed = await t.api('POST', `/v1/payments/${qr.id}/close`);
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json().status).toBe('closed');
    // An unscanned precreate does not exist at Alipay yet, so nothing was closed there: the buyer can still pay.
    await payInWallet(t, qr.code_url!, 'late-erin');
    await settle();
    const payment = await detail(qr.id);
    expectRefundedLate(payment, 1_800);
    expect((await sandboxTrade(qr.out_trade_no)).refundedFen).toBe(1_800);
    await expectAnnouncedAsLate(qr.id);
  });

  it('fifty concurrent duplicates of the late notification reserve and send one refund', async () => {
    const qr = await qrPayment(t, 'wechatpay', 990);
    expect((await t.api('POST', `/v1/payments/${qr.id}/close`)).json().status).toBe('closed');
    await lateSuccess(qr.out_trade_no);
    const [notification] = await t.database.db.select().from(sandboxNotifications).where(eq(sandboxNotifications.tradeId, (await sandboxTrade(qr.out_trade_no)).id));
    const replay = await t.sandbox('POST', `/notifications/${notification!.id}/replay?times=50`);
    expect(replay.statusCode, replay.body).toBe(200);
    await settle();
    const rows = await t.database.db.select().from(refunds).where(eq(refunds.paymentId, qr.id));
    expect(rows).toHaveLength(1);
    expectRefundedLate(await detail(qr.id), 990);
    expect((await sandboxTrade(qr.out_trade_no)).refundedFen).toBe(990);
  });

  it('found by the bill: reconciliation asks the channel, shows a late_success line and the refund goes out', async () => {
    const qr = await qrPayment(t, 'wechatpay', 4_321);
    expect((await t.api('POST', `/v1/payments/${qr.id}/close`)).json().status).toBe('closed');
    await lateSuccess(qr.out_trade_no);
    // The notification is lost: nothing delivers it. The bill is the only witness.
    const report = await t.api('POST', '/v1/reconciliations', { channel: 'wechatpay', date: today });
    expect(report.statusCode, report.body).toBe(201);
    const lines = (report.json() as { id: string; lines: { id: string; kind: string; out_trade_no: string; local_status: string }[] }).lines;
    const line = lines.find((l) => l.out_trade_no === qr.out_trade_no);
    expect(line).toMatchObject({ kind: 'late_success', local_status: 'late_paid' });
    const fixed = await t.api('POST', `/v1/reconciliations/${(report.json() as { id: string }).id}/lines/${line!.id}/resolve`, { action: 'query_and_fix', note: 'refunded automatically' });
    expect(fixed.json().resolution).toBe('fixed');
    await settle();
    expectRefundedLate(await detail(qr.id), 4_321);
    // The day's statement counts the money in and out: net zero for this order.
    const statement = (await t.api('GET', `/v1/settlements?date=${today}`)).json() as { totals: { gross_fen: number; refunds_fen: number } };
    expect(statement.totals.gross_fen - statement.totals.refunds_fen).toBeGreaterThanOrEqual(0);
    const listed = (await t.api('GET', '/v1/payments?status=late_paid')).json() as { items: { id: string }[] };
    expect(listed.items.map((p) => p.id)).toContain(qr.id);
  });

  it('a late success never fulfils a purpose: the superseded attempt is refunded, the purpose is paid once', async () => {
    const ctx = systemContext(t.demo.operatorId, t.demo.merchantId, 'membership');
    const purpose = { module: 'membership', kind: 'top_up', reference: `late_${Date.now()}` };
    const base = { storeId: t.demo.storeIds[0]!, amountFen: 5_000, description: '储值充值', purpose };
    const first = await startPayment(t.database.db, t.config, ctx, { ...base, method: { kind: 'qr', channel: 'alipay' } });
    const second = await startPayment(t.database.db, t.config, ctx, { ...base, method: { kind: 'qr', channel: 'wechatpay' } });
    expect((await getPaymentSummary(t.database.db, t.demo.merchantId, first.id))?.status).toBe('closed');
    await payInWallet(t, first.code_url!, 'late-fay'); // the old Alipay code, never scanned before
    await payInWallet(t, second.code_url!, 'late-fay');
    await settle();
    expect((await getPaymentSummary(t.database.db, t.demo.merchantId, first.id))).toMatchObject({ status: 'late_paid', refunded_fen: 5_000, purpose });
    expect((await getPaymentSummary(t.database.db, t.demo.merchantId, second.id))).toMatchObject({ status: 'succeeded', refunded_fen: 0, purpose });
    const rows = await t.database.db.select().from(paymentOrders).where(eq(paymentOrders.purposeReference, purpose.reference));
    expect(rows.filter((r) => r.status === 'succeeded').map((r) => r.id)).toEqual([second.id]);
    const [late] = await eventsFor(t, 'payment.late_paid', first.id);
    expect(late?.payload).toMatchObject({ purpose, refund_amount_fen: 5_000, status: 'late_paid' });
  });
});
