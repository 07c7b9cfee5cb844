import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelAccounts, notifications } from '../../src/modules/payments/schema.js';
import { adapterFor, closeExpiredPayments, confirmPendingPayments, loadPayment } from '../../src/modules/payments/payment-orders.js';
import { processStoredNotifications, recordNotification } from '../../src/modules/payments/notifications.js';
import { runSandboxNotifications } from '../../src/modules/payments/sandbox/index.js';
import { eventsFor, getPayment, payInWallet, qrPayment, sandboxNotificationsOf, startPaymentsApp, type PaymentsTestApp } from './support.js';

let t: PaymentsTestApp;
beforeAll(async () => {
  t = await startPaymentsApp();
});
afterAll(() => t.close());

const rt = () => ({ db: t.database.db, config: t.config });
const later = (seconds: number) => new Date(Date.now() + seconds * 1000);

async function accountOfChannel(channel: 'wechatpay' | 'alipay') {
  const [account] = await t.database.db.select().from(channelAccounts).where(and(eq(channelAccounts.merchantId, t.demo.merchantId), eq(channelAccounts.channel, channel)));
  return account!;
}

describe.each(['wechatpay', 'alipay'] as const)('%s notifications', (channel) => {
  const accepted = channel === 'wechatpay' ? [200, 204] : [200];

  it('rejects tampered and stale notifications and leaves the order waiting', async () => {
    const payment = await qrPayment(t, channel);
    await payInWallet(t, payment.code_url!);
    const [owed] = await sandboxNotificationsOf(t, payment.out_trade_no);
    expect(owed).toBeDefined();
    // Only WeChat Pay's notifications carry a signed timestamp (stale) and an AES-GCM tag.
    for (const tamper of ['body', 'signature', ...(channel === 'wechatpay' ? ['stale', 'tag'] : [])]) {
      const response = await t.sandbox('POST', `/notifications/${owed!.id}/replay?times=1&tamper=${tamper}`);
      const [result] = (response.json() as { results: { status: number; body: string }[] }).results;
      if (channel === 'wechatpay') expect(result!.status, tamper).toBeGreaterThanOrEqual(400);
      else expect(result!.body, tamper).toBe('fail');
    }
    expect((await getPayment(t, payment.id)).status).toBe('paying');
  });

  it('applies 50 concurrent duplicates once: one state change, one payment.succeeded event', async () => {
    const payment = await qrPayment(t, channel, 4321);
    await payInWallet(t, payment.code_url!, 'bob');
    const [owed] = await sandboxNotificationsOf(t, payment.out_trade_no);
    const response = await t.sandbox('POST', `/notifications/${owed!.id}/replay?times=50&tamper=none`);
    const results = (response.json() as { results: { status: number; body: string }[] }).results;
    expect(results).toHaveLength(50);
    // Every answer is the channel's acknowledgement. On a loaded machine a few duplicates may outlast
    // the sandbox's 5 s patience (status null): the channel would send those again, harmlessly.
    const answered = results.filter((r) => r.status !== null);
    expect(answered.length).toBeGreaterThan(0);
    for (const result of answered) {
      expect(accepted).toContain(result.status);
      if (channel === 'alipay') expect(result.body).toBe('success');
    }
    const detail = await getPayment(t, payment.id);
    expect(detail.status).toBe('succeeded');
    expect(detail.timeline.filter((e) => e.type === 'state_changed' && e.detail.to === 'succeeded')).toHaveLength(1);
    expect(detail.payer_identifiers.length).toBeGreaterThan(0);
    expect(await eventsFor(t, 'payment.succeeded', payment.id)).toHaveLength(1);
    const stored = await t.database.db.select().from(notifications).where(eq(notifications.paymentId, payment.id));
    expect(stored).toHaveLength(1);
    expect(stored[0]!.processedAt).not.toBeNull();
    // The sandbox's own delivery afterwards is one more duplicate: acknowledged, no effect.
    await runSandboxNotifications(t.database.db, new Date());
    expect(await eventsFor(t, 'payment.succeeded', payment.id)).toHaveLength(1);
  });

  it('processes a stored-but-unprocessed notification exactly once after a crash', async () => {
    const payment = await qrPayment(t, channel, 777);
    await payInWallet(t, payment.code_url!, 'carol');
    const account = await accountOfChannel(channel);
    const adapter = await adapterFor(rt(), account, t.demo.operatorId);
    // What a verified notification carries, recorded the way the endpoint records it; then the process "dies".
    const status = await adapter.queryOrder(payment.out_trade_no);
    expect(status.state).toBe('succeeded');
    await recordNotification(t.database.db, account, { kind: 'payment', notificationId: `crash-${payment.id}`, status }, new Date());
    expect((await getPayment(t, payment.id)).status).toBe('paying');
    const first = await processStoredNotifications(t.database.db, later(60));
    const second = await processStoredNotifications(t.database.db, later(120));
    expect(first.processed).toBeGreaterThanOrEqual(1);
    expect(second.processed).toBe(0);
    expect((await getPayment(t, payment.id)).status).toBe('succeeded');
    expect(await eventsFor(t, 'payment.succeeded', payment.id)).toHaveLength(1);
  });

  it('confirms a paid order by query when its notification is late', async () => {
    const payment = await qrPayment(t, channel, 555);
    await payInWallet(t, payment.code_url!, 'dave');
    const report = await confirmPendingPayments(rt(), later(60));
    expect(report.changed).toBeGreaterThanOrEqual(1);
    const detail = await getPayment(t, payment.id);
    expect(detail.status).toBe('succeeded');
    expect(detail.timeline.some((e) => e.type === 'channel_query' && e.detail.source === 'worker.confirm')).toBe(true);
    // The notification that finally arrives changes nothing.
    await runSandboxNotifications(t.database.db, new Date());
    expect(await eventsFor(t, 'payment.succeeded', payment.id)).toHaveLength(1);
  });

  it('closes expired unpaid orders at the channel and here', async () => {
    const payment = await qrPayment(t, channel, 999);
    await closeExpiredPayments(rt(), later(16 * 60));
    const closed = await loadPayment(t.database.db, t.demo.merchantId, payment.id);
    expect(closed.status).toBe('closed');
    const account = await accountOfChannel(channel);
    const adapter = await adapterFor(rt(), account, t.demo.operatorId);
    expect(['closed', 'not_found']).toContain((await adapter.queryOrder(payment.out_trade_no)).state);
    expect(await eventsFor(t, 'payment.closed', payment.id)).toHaveLength(1);
  });
});

describe('notification endpoint', () => {
  it('answers an unknown account in the channel’s failure shape', async () => {
    const wechat = await t.app.inject({ method: 'POST', url: '/notify/wechatpay/pca_00000000000000000000000000', headers: { 'content-type': 'application/json' }, payload: '{}' });
    expect(wechat.statusCode).toBe(404);
    expect(wechat.json()).toEqual({ code: 'FAIL', message: '失败' });
    const alipay = await t.app.inject({ method: 'POST', url: '/notify/alipay/pca_00000000000000000000000000', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=b' });
    expect(alipay.body).toBe('fail');
  });
});
