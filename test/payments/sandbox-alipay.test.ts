// The real Alipay adapter (alipay-sdk signing) against the sandbox gateway over HTTP, ISV and direct.
import { generateKeyPairSync } from 'node:crypto';
import { AlipaySdk } from 'alipay-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelError, type ChannelAdapter } from '../../src/modules/payments/channels/adapter.js';
import type { AlipayCredentials } from '../../src/modules/payments/channels/channel-credentials.js';
import { createChannelAdapter, parseChannelBill } from '../../src/modules/payments/channels/create-adapter.js';
import { alipayOpenId, alipayUserId, runSandboxNotifications } from '../../src/modules/payments/sandbox/index.js';
import { shanghaiToday, startReceiver, startSandbox, tradeNo, type Receiver, type SandboxHarness } from './sandbox-support.js';

let h: SandboxHarness;
let receiver: Receiver;
beforeAll(async () => {
  h = await startSandbox();
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
  await h.close();
});

const order = (outTradeNo: string, amountFen = 100) => ({
  outTradeNo,
  amountFen,
  description: '会员+ 测试门店',
  expiresAt: new Date(Date.now() + 15 * 60_000),
  notifyUrl: receiver.url,
});

async function expectChannelError(promise: Promise<unknown>, kind: ChannelError['kind'], code?: string): Promise<ChannelError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChannelError);
  const channelError = error as ChannelError;
  expect(channelError.kind).toBe(kind);
  if (code !== undefined) expect(channelError.channelCode).toBe(code);
  return channelError;
}

function sdkFor(credentials: AlipayCredentials): AlipaySdk {
  return new AlipaySdk({ appId: credentials.account.app_id, privateKey: credentials.app_private_key.trim(), keyType: 'PKCS8', alipayPublicKey: credentials.alipay_public_key.trim(), gateway: credentials.gateway_url ?? '' });
}

describe.each(['direct', 'isv'] as const)('Alipay adapter, %s mode', (mode) => {
  let credentials: AlipayCredentials;
  let adapter: ChannelAdapter;

  beforeAll(async () => {
    credentials = await h.credentials('alipay', { mode, merchant_name: '测试茶饮' });
    adapter = createChannelAdapter(credentials);
  });

  it('hands out credentials in the requested mode', () => {
    expect(credentials.account.mode).toBe(mode);
    expect(credentials.gateway_url).toBe(`${h.base}/sandbox/alipay/gateway.do`);
    if (credentials.account.mode === 'isv') expect(credentials.account.sys_service_provider_id).toMatch(/^2088\d{12}$/);
  });

  it('precreate: QR order, scan, payment by a chosen buyer, query and a notification alipay-sdk verifies', async () => {
    const outTradeNo = tradeNo('pre');
    const { codeUrl } = await adapter.createQrOrder(order(outTradeNo, 1888));
    expect(codeUrl).toMatch(new RegExp(`^${h.base}/sandbox/wallet/alipay/`));
    // Until a buyer scans it, the trade does not exist at Alipay.
    expect(await adapter.queryOrder(outTradeNo)).toMatchObject({ state: 'not_found', channelState: 'ACQ.TRADE_NOT_EXIST' });
    const page = await (await fetch(codeUrl)).text();
    expect(page).toContain('¥18.88');
    expect(page).toContain('支付宝');
    expect(await adapter.queryOrder(outTradeNo)).toMatchObject({ state: 'pending', channelState: 'WAIT_BUYER_PAY' });
    await h.pay(codeUrl, 'alice');
    const status = await adapter.queryOrder(outTradeNo);
    expect(status).toMatchObject({ state: 'succeeded', amountFen: 1888, channelState: 'TRADE_SUCCESS' });
    expect(status.payers).toContainEqual({ kind: 'alipay_user_id', value: alipayUserId('alice') });
    expect(status.payers).toContainEqual({ kind: 'alipay_open_id', value: alipayOpenId(credentials.account.app_id, 'alice'), appId: credentials.account.app_id });

    const before = receiver.received.length;
    await runSandboxNotifications(h.t.database.db, new Date());
    const sent = receiver.received.slice(before).find((n) => n.body.includes(outTradeNo));
    expect(sent).toBeDefined();
    const form = Object.fromEntries(new URLSearchParams(sent!.body));
    expect(form).toMatchObject({ trade_status: 'TRADE_SUCCESS', total_amount: '18.88', out_trade_no: outTradeNo, app_id: credentials.account.app_id });
    // Cross-check: Alipay's own SDK accepts the sandbox's signature.
    expect(sdkFor(credentials).checkNotifySignV2(form)).toBe(true);
    const parsed = await adapter.parseNotification({ headers: sent!.headers, rawBody: sent!.body, now: new Date() });
    expect(parsed.ok && parsed.notification.kind === 'payment' && parsed.notification.status).toMatchObject({ state: 'succeeded', outTradeNo, amountFen: 1888 });
    expect((await h.notifications(outTradeNo))[0]).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  it('refunds partially then fully, never beyond the payment; a fully refunded trade still reads as paid', async () => {
    const outTradeNo = tradeNo('arf');
    const { codeUrl } = await adapter.createQrOrder(order(outTradeNo, 1000));
    await h.pay(codeUrl, 'bob');
    expect(await adapter.refund({ outTradeNo, outRefundNo: `${outTradeNo}R1`, refundFen: 400, totalFen: 1000, reason: '部分退款', notifyUrl: receiver.url })).toMatchObject({ state: 'succeeded', amountFen: 400 });
    // The same request number again moves no money and reports the same refund.
    expect(await adapter.refund({ outTradeNo, outRefundNo: `${outTradeNo}R1`, refundFen: 400, totalFen: 1000, reason: '部分退款', notifyUrl: receiver.url })).toMatchObject({ state: 'succeeded', amountFen: 400 });
    await expectChannelError(adapter.refund({ outTradeNo, outRefundNo: `${outTradeNo}R2`, refundFen: 601, totalFen: 1000, reason: '超额', notifyUrl: receiver.url }), 'rejected', 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL');
    expect((await adapter.refund({ outTradeNo, outRefundNo: `${outTradeNo}R3`, refundFen: 600, totalFen: 1000, reason: '余款', notifyUrl: receiver.url })).state).toBe('succeeded');
    expect(await adapter.queryRefund({ outTradeNo, outRefundNo: `${outTradeNo}R3` })).toMatchObject({ state: 'succeeded', amountFen: 600, channelState: 'REFUND_SUCCESS' });
    expect((await adapter.queryRefund({ outTradeNo, outRefundNo: `${outTradeNo}R9` })).state).toBe('not_found');
    expect(await adapter.queryOrder(outTradeNo)).toMatchObject({ state: 'succeeded', channelState: 'TRADE_CLOSED' });

    const before = receiver.received.length;
    await runSandboxNotifications(h.t.database.db, new Date());
    const refunds = [];
    for (const sent of receiver.received.slice(before)) {
      const parsed = await adapter.parseNotification({ headers: sent.headers, rawBody: sent.body, now: new Date() });
      if (parsed.ok && parsed.notification.kind === 'refund' && parsed.notification.outTradeNo === outTradeNo) refunds.push(parsed.notification.status.outRefundNo);
    }
    expect(refunds.sort()).toEqual([`${outTradeNo}R1`, `${outTradeNo}R3`]);
  });

  it('closes and cancels; refuses to close a paid trade', async () => {
    const scanned = tradeNo('acl');
    const { codeUrl } = await adapter.createQrOrder(order(scanned));
    await adapter.closeOrder(scanned); // never scanned: nothing to close at Alipay yet
    expect((await adapter.queryOrder(scanned)).state).toBe('not_found');
    expect((await fetch(codeUrl)).status).toBe(200);
    const other = tradeNo('acm');
    const second = await adapter.createQrOrder(order(other));
    await fetch(second.codeUrl);
    await adapter.closeOrder(other);
    expect(await adapter.queryOrder(other)).toMatchObject({ state: 'closed', channelState: 'TRADE_CLOSED' });
    const paid = tradeNo('acp');
    await h.pay((await adapter.createQrOrder(order(paid))).codeUrl, 'carol');
    await expectChannelError(adapter.closeOrder(paid), 'rejected', 'ACQ.TRADE_STATUS_ERROR');
  });

  it('trade.create for the in-app pay page, paid in the wallet by the buyer it names', async () => {
    const outTradeNo = tradeNo('acr');
    const buyerId = alipayUserId('dora');
    const { payParams } = await adapter.createInAppOrder({ ...order(outTradeNo, 660), payer: { kind: 'alipay_user_id', value: buyerId } });
    expect(payParams.tradeNO).toMatch(/^\d{8}22\d{18}$/);
    await h.pay(`${h.base}/sandbox/wallet/alipay/${payParams.tradeNO ?? ''}`, 'ignored');
    const status = await adapter.queryOrder(outTradeNo);
    expect(status.state).toBe('succeeded');
    expect(status.channelTradeNo).toBe(payParams.tradeNO);
    expect(status.payers).toContainEqual({ kind: 'alipay_user_id', value: buyerId });
  });

  it('付款码: 10000 paid, 10003 then paid after polling, 10003 then cancelled, balance too low', async () => {
    const code = await h.buyerCode('alipay', 'pay', { buyer: 'erin' });
    expect(code.auth_code).toMatch(/^(2[5-9]|30)\d{16}$/);
    const paid = await adapter.payWithAuthCode({ ...order(tradeNo('abp'), 500), authCode: code.auth_code });
    expect(paid).toMatchObject({ state: 'succeeded', amountFen: 500 });
    expect(paid.payers).toContainEqual({ kind: 'alipay_user_id', value: alipayUserId('erin') });

    const waiting = tradeNo('abw');
    const slow = await h.buyerCode('alipay', 'confirm_then_pay', { polls_before_confirm: 1 });
    expect(await adapter.payWithAuthCode({ ...order(waiting, 600), authCode: slow.auth_code })).toMatchObject({ state: 'paying', channelState: '10003' });
    expect((await adapter.queryOrder(waiting)).state).toBe('pending');
    expect((await adapter.queryOrder(waiting)).state).toBe('succeeded');

    const givesUp = tradeNo('abc');
    const never = await h.buyerCode('alipay', 'confirm_then_cancel', { polls_before_confirm: 10 });
    expect((await adapter.payWithAuthCode({ ...order(givesUp, 700), authCode: never.auth_code })).state).toBe('paying');
    await adapter.reverseOrder(givesUp);
    expect((await adapter.queryOrder(givesUp)).state).toBe('closed');

    const poor = await h.buyerCode('alipay', 'insufficient_funds');
    expect(await adapter.payWithAuthCode({ ...order(tradeNo('abn'), 800), authCode: poor.auth_code })).toMatchObject({ state: 'failed', channelState: 'ACQ.BUYER_BALANCE_NOT_ENOUGH' });
  });

  it("downloads today's 业务明细 bill and parses payments and refunds", async () => {
    const outTradeNo = tradeNo('abl');
    await h.pay((await adapter.createQrOrder(order(outTradeNo, 3000))).codeUrl, 'fay');
    await adapter.refund({ outTradeNo, outRefundNo: `${outTradeNo}R`, refundFen: 1000, totalFen: 3000, reason: '退', notifyUrl: receiver.url });
    const text = await adapter.downloadBill(shanghaiToday());
    expect(text).toContain('#支付宝业务明细查询');
    const lines = parseChannelBill('alipay', text);
    expect(lines.find((l) => l.kind === 'payment' && l.outTradeNo === outTradeNo)).toMatchObject({ amountFen: 3000, feeFen: 11, channelState: '交易' });
    expect(lines.find((l) => l.kind === 'refund' && l.outTradeNo === outTradeNo)).toMatchObject({ amountFen: 1000, outRefundNo: `${outTradeNo}R`, feeFen: -4 });
  });
});

describe('Alipay signatures and notifications', () => {
  let credentials: AlipayCredentials;
  let adapter: ChannelAdapter;
  beforeAll(async () => {
    credentials = await h.credentials('alipay');
    adapter = createChannelAdapter(credentials);
  });

  it('the sandbox refuses a request signed with another key (40002 isv.invalid-signature)', async () => {
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await expectChannelError(createChannelAdapter({ ...credentials, app_private_key: stranger }).queryOrder('ANY000001'), 'rejected', 'isv.invalid-signature');
    expect((await adapter.queryOrder('ANY000001')).state).toBe('not_found');
  });

  it('the adapter refuses answers that do not verify with the Alipay public key', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await expectChannelError(createChannelAdapter({ ...credentials, alipay_public_key: other }).queryOrder('ANY000002'), 'bad_response', 'signature_bad_signature');
    const tampering: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const text = (await response.text()).replace('ACQ.TRADE_NOT_EXIST', 'ACQ.TRADE_HAS_GONE');
      return new Response(text, { status: response.status, headers: response.headers });
    };
    await expectChannelError(createChannelAdapter(credentials, { fetch: tampering }).queryOrder('ANY000003'), 'bad_response', 'signature_bad_signature');
  });

  it('rejects tampered and badly signed notifications; answers exactly `success`', async () => {
    const outTradeNo = tradeNo('ant');
    await h.pay((await adapter.createQrOrder(order(outTradeNo, 250))).codeUrl, 'gus');
    const [notification] = await h.notifications(outTradeNo);
    for (const [tamper, expected] of [
      ['none', { ok: true }],
      ['body', { ok: false, reason: 'bad_signature' }],
      ['signature', { ok: false, reason: 'bad_signature' }],
    ] as const) {
      const before = receiver.received.length;
      await fetch(`${h.base}/sandbox/notifications/${notification!.id}/replay?tamper=${tamper}`, { method: 'POST' });
      const sent = receiver.received[before];
      expect(await adapter.parseNotification({ headers: sent!.headers, rawBody: sent!.body, now: new Date() })).toMatchObject(expected);
      expect(sdkFor(credentials).checkNotifySignV2(Object.fromEntries(new URLSearchParams(sent!.body)))).toBe(tamper === 'none');
    }
    expect(adapter.acknowledge(true)).toMatchObject({ status: 200, body: 'success' });
    expect(adapter.acknowledge(false).body).not.toBe('success');
  });

  it('retries on the Alipay schedule until the body is exactly `success`', async () => {
    const outTradeNo = tradeNo('ans');
    const answer = receiver.answer;
    receiver.answer = () => ({ status: 200, body: 'SUCCESS' });
    let t0: Date;
    try {
      await h.pay((await adapter.createQrOrder(order(outTradeNo, 260))).codeUrl, 'hal');
      t0 = new Date();
      await runSandboxNotifications(h.t.database.db, t0);
      expect((await h.notifications(outTradeNo))[0]).toMatchObject({ status: 'pending', attempts: 1, next_attempt_at: new Date(t0.getTime() + 4 * 60_000).toISOString() });
    } finally {
      receiver.answer = answer;
    }
    await runSandboxNotifications(h.t.database.db, new Date(t0.getTime() + 4 * 60_000));
    expect((await h.notifications(outTradeNo))[0]).toMatchObject({ status: 'delivered', attempts: 2 });
  });
});
