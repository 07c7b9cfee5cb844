// The real WeChat Pay adapter against the sandbox gateway over HTTP, in both merchant modes and both
// platform verification modes.
import { createPublicKey, createVerify, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Aes } from 'wechatpay-axios-plugin';
import { ChannelError, type ChannelAdapter } from '../../src/modules/payments/channels/adapter.js';
import type { WechatpayCredentials } from '../../src/modules/payments/channels/channel-credentials.js';
import { createChannelAdapter, parseChannelBill } from '../../src/modules/payments/channels/create-adapter.js';
import { buildWechatpayNotification } from '../../src/modules/payments/channels/wechatpay-aes-gcm.js';
import { newWechatpayNonce, signWechatpayResponse } from '../../src/modules/payments/channels/wechatpay-signature.js';
import { runSandboxNotifications, sandboxKeysFor, wechatOpenid, wechatUnionid } from '../../src/modules/payments/sandbox/index.js';
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

async function deliverAll(now = new Date()) {
  return runSandboxNotifications(h.t.database.db, now);
}

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

const modes = [
  { mode: 'direct', verification: 'public_key' },
  { mode: 'direct', verification: 'platform_certificate' },
  { mode: 'service_provider', verification: 'public_key' },
  { mode: 'service_provider', verification: 'platform_certificate' },
] as const;

describe.each(modes)('WeChat Pay adapter, $mode mode, $verification verification', ({ mode, verification }) => {
  let credentials: WechatpayCredentials;
  let adapter: ChannelAdapter;
  const payerAppid = () => (credentials.account.mode === 'direct' ? credentials.account.appid : (credentials.account.sub_appid ?? ''));

  beforeAll(async () => {
    credentials = await h.credentials('wechatpay', { mode, verification, merchant_name: '测试咖啡' });
    adapter = createChannelAdapter(credentials);
  });

  it('hands out credentials in the requested mode that the sandbox accepts', () => {
    expect(credentials.account.mode).toBe(mode);
    expect(credentials.platform.mode).toBe(verification);
    expect(credentials.base_url).toBe(`${h.base}/sandbox/wechatpay`);
  });

  it('Native: QR order, wallet payment by a chosen buyer, query, signed and encrypted notification', async () => {
    const outTradeNo = tradeNo('nat');
    const { codeUrl } = await adapter.createQrOrder(order(outTradeNo, 1234));
    expect(codeUrl).toMatch(new RegExp(`^${h.base}/sandbox/wallet/wechatpay/`));
    // Creating the same order again is harmless and gives the same QR.
    expect((await adapter.createQrOrder(order(outTradeNo, 1234))).codeUrl).toBe(codeUrl);
    expect((await adapter.queryOrder(outTradeNo)).state).toBe('pending');

    const page = await fetch(codeUrl);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('测试咖啡');
    expect(html).toContain('¥12.34');
    expect((await h.pay(codeUrl, 'alice')).status).toBe(200);
    // A double tap pays once.
    await h.pay(codeUrl, 'alice');

    const status = await adapter.queryOrder(outTradeNo);
    expect(status).toMatchObject({ state: 'succeeded', outTradeNo, amountFen: 1234, channelState: 'SUCCESS' });
    expect(status.channelTradeNo).toMatch(/^4200\d{24}$/);
    expect(status.paidAt).toBeInstanceOf(Date);
    expect(status.payers).toContainEqual({ kind: 'wechat_openid', value: wechatOpenid(payerAppid(), 'alice'), appId: payerAppid() });
    expect(status.payers).toContainEqual({ kind: 'wechat_unionid', value: wechatUnionid('alice') });

    const before = receiver.received.length;
    const run = await deliverAll();
    expect(run.delivered).toBeGreaterThanOrEqual(1);
    const sent = receiver.received.slice(before).find((n) => n.body.includes('TRANSACTION.SUCCESS'));
    expect(sent).toBeDefined();
    const parsed = await adapter.parseNotification({ headers: sent!.headers, rawBody: sent!.body, now: new Date() });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok || parsed.notification.kind !== 'payment') throw new Error('expected a payment notification');
    expect(parsed.notification.status).toMatchObject({ state: 'succeeded', outTradeNo, amountFen: 1234, channelTradeNo: status.channelTradeNo });
    const [notification] = await h.notifications(outTradeNo);
    expect(notification).toMatchObject({ kind: 'payment', status: 'delivered', attempts: 1 });
  });

  it('refunds partially then fully, never beyond the payment, with refund notifications', async () => {
    const outTradeNo = tradeNo('rfd');
    const { codeUrl } = await adapter.createQrOrder(order(outTradeNo, 1000));
    await h.pay(codeUrl, 'bob');
    const partial = await adapter.refund({ outTradeNo, outRefundNo: `${outTradeNo}R1`, refundFen: 300, totalFen: 1000, reason: '部分退款', notifyUrl: receiver.url });
    expect(partial).toMatchObject({ state: 'processing', outRefundNo: `${outTradeNo}R1`, amountFen: 300 });
    // The same refund number again is the same refund, not a second one.
    expect((await adapter.refund({ outTradeNo, outRefundNo: `${outTradeNo}R1`, refundFen: 300, totalFen: 1000, reason: '部分退款', notifyUrl: receiver.url })).channelRefundNo).toBe(partial.channelRefundNo);
    await expectChannelError(adapter.refund({ outTradeNo, outRefundNo: `${outTradeNo}R2`, refundFen: 701, totalFen: 1000, reason: '超额', notifyUrl: receiver.url }), 'rejected', 'INVALID_REQUEST');
    const full = await adapter.refund({ outTradeNo, outRefundNo: `${outTradeNo}R3`, refundFen: 700, totalFen: 1000, reason: '余款', notifyUrl: receiver.url });
    expect(full.state).toBe('processing');
    expect((await adapter.queryRefund({ outTradeNo, outRefundNo: `${outTradeNo}R3` })).state).toBe('processing');

    const before = receiver.received.length;
    const run = await deliverAll();
    expect(run.refundsSettled).toBeGreaterThanOrEqual(2);
    expect(await adapter.queryRefund({ outTradeNo, outRefundNo: `${outTradeNo}R1` })).toMatchObject({ state: 'succeeded', amountFen: 300, channelState: 'SUCCESS' });
    expect((await adapter.queryRefund({ outTradeNo, outRefundNo: `${outTradeNo}R3` })).succeededAt).toBeInstanceOf(Date);
    expect((await adapter.queryRefund({ outTradeNo, outRefundNo: 'NOPE0001' })).state).toBe('not_found');
    const refundNotifications = receiver.received.slice(before).filter((n) => n.body.includes('REFUND.SUCCESS'));
    expect(refundNotifications.length).toBeGreaterThanOrEqual(2);
    const outRefundNos: string[] = [];
    for (const sent of refundNotifications) {
      const parsed = await adapter.parseNotification({ headers: sent.headers, rawBody: sent.body, now: new Date() });
      if (parsed.ok && parsed.notification.kind === 'refund' && parsed.notification.outTradeNo === outTradeNo) {
        expect(parsed.notification.status.state).toBe('succeeded');
        outRefundNos.push(parsed.notification.status.outRefundNo);
      }
    }
    expect(outRefundNos.sort()).toEqual([`${outTradeNo}R1`, `${outTradeNo}R3`]);
    // Fully refunded: the payment itself still reads as paid (WeChat says REFUND).
    expect(await adapter.queryOrder(outTradeNo)).toMatchObject({ state: 'succeeded', channelState: 'REFUND' });
    await expectChannelError(adapter.refund({ outTradeNo, outRefundNo: `${outTradeNo}R4`, refundFen: 1, totalFen: 1000, reason: 'x', notifyUrl: receiver.url }), 'rejected', 'INVALID_REQUEST');
  });

  it('closes an unpaid order and refuses to close a paid one', async () => {
    const open = tradeNo('cls');
    const { codeUrl } = await adapter.createQrOrder(order(open));
    await adapter.closeOrder(open);
    expect((await adapter.queryOrder(open)).state).toBe('closed');
    // The wallet no longer offers to pay a closed order.
    await h.pay(codeUrl, 'carol');
    expect((await adapter.queryOrder(open)).state).toBe('closed');
    await adapter.closeOrder(open); // closing twice is fine
    await adapter.closeOrder(tradeNo('nev')); // and so is closing what the channel never saw
    const paid = tradeNo('pdc');
    await h.pay((await adapter.createQrOrder(order(paid))).codeUrl, 'carol');
    await expectChannelError(adapter.closeOrder(paid), 'rejected', 'ORDERPAID');
    expect((await adapter.queryOrder(tradeNo('unk'))).state).toBe('not_found');
  });

  it('JSAPI: in-app order for a known openid, with a pay signature the wallet can check', async () => {
    const outTradeNo = tradeNo('jsa');
    const appId = payerAppid();
    const openid = wechatOpenid(appId, 'dora');
    const { payParams } = await adapter.createInAppOrder({ ...order(outTradeNo, 880), payer: { kind: 'wechat_openid', value: openid, appId } });
    expect(payParams).toMatchObject({ appId, signType: 'RSA' });
    expect(payParams.package).toMatch(/^prepay_id=wx[0-9a-f]{32}$/);
    const merchantPublicKey = createPublicKey(credentials.merchant_private_key);
    const message = `${payParams.appId}\n${payParams.timeStamp}\n${payParams.nonceStr}\n${payParams.package}\n`;
    expect(createVerify('RSA-SHA256').update(message).verify(merchantPublicKey, payParams.paySign ?? '', 'base64')).toBe(true);
    const prepayId = (payParams.package ?? '').replace('prepay_id=', '');
    await h.pay(`${h.base}/sandbox/wallet/wechatpay/${prepayId}`, 'ignored');
    const status = await adapter.queryOrder(outTradeNo);
    expect(status.state).toBe('succeeded');
    expect(status.payers).toContainEqual({ kind: 'wechat_openid', value: openid, appId });
  });

  it('付款码: pays at once, or after the buyer confirms, or fails for lack of funds', async () => {
    const now = tradeNo('cpa');
    const code = await h.buyerCode('wechatpay', 'pay', { buyer: 'erin' });
    const paid = await adapter.payWithAuthCode({ ...order(now, 500), authCode: code.auth_code });
    expect(paid).toMatchObject({ state: 'succeeded', amountFen: 500, channelState: 'SUCCESS' });
    expect(paid.payers.map((p) => p.value)).toContain(wechatOpenid(payerAppid(), 'erin'));
    // The counter retrying the same payment gets the same answer; the code cannot pay another order.
    expect((await adapter.payWithAuthCode({ ...order(now, 500), authCode: code.auth_code })).state).toBe('succeeded');
    expect((await adapter.payWithAuthCode({ ...order(tradeNo('cpx'), 500), authCode: code.auth_code })).state).toBe('failed');

    const confirming = tradeNo('cpc');
    const slow = await h.buyerCode('wechatpay', 'confirm_then_pay', { buyer: 'erin', polls_before_confirm: 1 });
    expect(await adapter.payWithAuthCode({ ...order(confirming, 600), authCode: slow.auth_code })).toMatchObject({ state: 'paying', channelState: 'USERPAYING' });
    expect(await adapter.queryOrder(confirming)).toMatchObject({ state: 'paying', channelState: 'USERPAYING' });
    expect(await adapter.queryOrder(confirming)).toMatchObject({ state: 'succeeded', amountFen: 600 });

    const poor = await h.buyerCode('wechatpay', 'insufficient_funds');
    expect(await adapter.payWithAuthCode({ ...order(tradeNo('cpp'), 700), authCode: poor.auth_code })).toMatchObject({ state: 'failed', channelState: 'NOTENOUGH' });
    expect(await adapter.payWithAuthCode({ ...order(tradeNo('cpi'), 700), authCode: '999999999999999999' })).toMatchObject({ state: 'failed', channelState: 'AUTH_CODE_INVALID' });
  });

  it('付款码: a buyer who never confirms is reversed; one who cancels ends failed', async () => {
    const giveUp = tradeNo('cpr');
    const code = await h.buyerCode('wechatpay', 'confirm_then_cancel', { polls_before_confirm: 10 });
    expect((await adapter.payWithAuthCode({ ...order(giveUp, 300), authCode: code.auth_code })).state).toBe('paying');
    expect((await adapter.queryOrder(giveUp)).state).toBe('paying');
    await adapter.reverseOrder(giveUp);
    expect(await adapter.queryOrder(giveUp)).toMatchObject({ state: 'closed', channelState: 'REVOKED' });

    const cancels = tradeNo('cpn');
    const quick = await h.buyerCode('wechatpay', 'confirm_then_cancel', { polls_before_confirm: 0 });
    expect((await adapter.payWithAuthCode({ ...order(cancels, 300), authCode: quick.auth_code })).state).toBe('paying');
    expect(await adapter.queryOrder(cancels)).toMatchObject({ state: 'failed', channelState: 'PAYERROR' });

    // Reversing a paid barcode order gives the buyer the money back: the order ends revoked.
    const paidThenReversed = tradeNo('cpv');
    await adapter.payWithAuthCode({ ...order(paidThenReversed, 300), authCode: (await h.buyerCode('wechatpay', 'pay')).auth_code });
    await adapter.reverseOrder(paidThenReversed);
    expect((await adapter.queryOrder(paidThenReversed)).channelState).toBe('REVOKED');
  });

  it("downloads today's bill in WeChat's format, verified by its SHA1, listing payments and refunds", async () => {
    const outTradeNo = tradeNo('bil');
    await h.pay((await adapter.createQrOrder(order(outTradeNo, 2000))).codeUrl, 'fay');
    await adapter.refund({ outTradeNo, outRefundNo: `${outTradeNo}R`, refundFen: 500, totalFen: 2000, reason: '退', notifyUrl: receiver.url });
    await deliverAll();
    const text = await adapter.downloadBill(shanghaiToday());
    expect(text.split('\r\n')[0]).toMatch(/^交易时间,公众账号ID,商户号/);
    expect(text).toContain(`\`${outTradeNo}`);
    expect(text).toContain('总交易单数');
    const lines = parseChannelBill('wechatpay', text);
    expect(lines.find((l) => l.kind === 'payment' && l.outTradeNo === outTradeNo)).toMatchObject({ amountFen: 2000, feeFen: 8, channelState: 'SUCCESS' });
    expect(lines.find((l) => l.kind === 'refund' && l.outTradeNo === outTradeNo)).toMatchObject({ amountFen: 500, outRefundNo: `${outTradeNo}R`, feeFen: -2 });
    await expectChannelError(adapter.downloadBill('2026-02-30'), 'rejected', 'PARAM_ERROR');
  });
});

describe('WeChat Pay signatures, both ways', () => {
  it('the sandbox refuses a request signed with a key it does not know (SIGN_ERROR 401)', async () => {
    const credentials = await h.credentials('wechatpay');
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const forger = createChannelAdapter({ ...credentials, merchant_private_key: stranger });
    const error = await expectChannelError(forger.queryOrder('ANY000001'), 'rejected', 'SIGN_ERROR');
    expect(error.httpStatus).toBe(401);
    // The same request from the key holder goes through.
    expect((await createChannelAdapter(credentials).queryOrder('ANY000001')).state).toBe('not_found');
  });

  it('the adapter refuses answers whose signature does not verify (forged or altered)', async () => {
    const credentials = await h.credentials('wechatpay');
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const wrongPlatform = createChannelAdapter({ ...credentials, platform: { mode: 'public_key', public_key_id: (credentials.platform as { public_key_id: string }).public_key_id, public_key: otherKey } });
    await expectChannelError(wrongPlatform.queryOrder('ANY000002'), 'bad_response', 'signature_bad_signature');
    // A man in the middle who changes the answer: "not found" becomes "paid".
    const tampering: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const text = (await response.text()).replace('ORDERNOTEXIST', 'SUCCESSXXXXXX');
      return new Response(text, { status: response.status, headers: response.headers });
    };
    await expectChannelError(createChannelAdapter(credentials, { fetch: tampering }).queryOrder('ANY000003'), 'bad_response', 'signature_bad_signature');
    // A clock 10 minutes off makes every answer look stale.
    const late = createChannelAdapter(credentials, { now: () => new Date(Date.now() + 10 * 60_000) });
    await expectChannelError(late.queryOrder('ANY000004'), 'bad_response', 'signature_stale_timestamp');
  });
});

describe('WeChat Pay notifications', () => {
  let credentials: WechatpayCredentials;
  let adapter: ChannelAdapter;
  let notificationId: string;
  let outTradeNo: string;
  beforeAll(async () => {
    credentials = await h.credentials('wechatpay', { mode: 'service_provider' });
    adapter = createChannelAdapter(credentials);
    outTradeNo = tradeNo('ntf');
    await h.pay((await adapter.createQrOrder(order(outTradeNo, 4321))).codeUrl, 'gus');
    const [notification] = await h.notifications(outTradeNo);
    notificationId = notification!.id;
  });

  it('retries on the WeChat schedule until the merchant answers 2xx', async () => {
    const t0 = new Date();
    const fails = receiver.answer;
    receiver.answer = () => ({ status: 500, headers: { 'content-type': 'application/json' }, body: '{"code":"FAIL","message":"失败"}' });
    try {
      await deliverAll(t0);
      expect((await h.notifications(outTradeNo))[0]).toMatchObject({ status: 'pending', attempts: 1, next_attempt_at: new Date(t0.getTime() + 15_000).toISOString() });
      await deliverAll(new Date(t0.getTime() + 14_000));
      expect((await h.notifications(outTradeNo))[0]?.attempts).toBe(1);
      await deliverAll(new Date(t0.getTime() + 15_000));
      expect((await h.notifications(outTradeNo))[0]).toMatchObject({ status: 'pending', attempts: 2 });
    } finally {
      receiver.answer = fails;
    }
    // The third attempt, 15 s later, is signed afresh: the merchant accepts it.
    const before = receiver.received.length;
    await deliverAll(new Date(t0.getTime() + 30_000));
    expect((await h.notifications(outTradeNo))[0]).toMatchObject({ status: 'delivered', attempts: 3 });
    const third = receiver.received[before];
    expect(third).toBeDefined();
    expect((await adapter.parseNotification({ headers: third!.headers, rawBody: third!.body, now: new Date(t0.getTime() + 30_000) })).ok).toBe(true);
  });

  it('replays a burst of 50 identical notifications on request', async () => {
    const before = receiver.received.length;
    const response = await fetch(`${h.base}/sandbox/notifications/${notificationId}/replay?times=50`, { method: 'POST' });
    const { results } = (await response.json()) as { results: { status: number }[] };
    expect(results).toHaveLength(50);
    expect(results.every((r) => r.status === 204)).toBe(true);
    const burst = receiver.received.slice(before);
    expect(burst).toHaveLength(50);
    const ids = new Set<string>();
    for (const sent of burst) {
      const parsed = await adapter.parseNotification({ headers: sent.headers, rawBody: sent.body, now: new Date() });
      if (parsed.ok) ids.add(parsed.notification.notificationId);
    }
    expect(ids.size).toBe(1);
  });

  it.each([
    ['body', 'bad_signature'],
    ['signature', 'bad_signature'],
    ['tag', 'decrypt_failed'],
    ['stale', 'stale_timestamp'],
  ] as const)('rejects a notification with a tampered %s (%s)', async (tamper, reason) => {
    const before = receiver.received.length;
    await fetch(`${h.base}/sandbox/notifications/${notificationId}/replay?times=1&tamper=${tamper}`, { method: 'POST' });
    const sent = receiver.received[before];
    expect(sent).toBeDefined();
    expect(await adapter.parseNotification({ headers: sent!.headers, rawBody: sent!.body, now: new Date() })).toEqual({ ok: false, reason });
  });

  it('rejects a genuine notification meant for another merchant of the same service provider', async () => {
    const sibling = createChannelAdapter({ ...credentials, account: { ...(credentials.account as { mode: 'service_provider'; sp_mchid: string; sp_appid: string }), mode: 'service_provider', sub_mchid: '1699999999' } });
    const ours = [];
    for (const sent of receiver.received.filter((n) => n.body.includes('TRANSACTION.SUCCESS'))) {
      const parsed = await adapter.parseNotification({ headers: sent.headers, rawBody: sent.body, now: new Date() });
      if (parsed.ok && parsed.notification.kind === 'payment' && parsed.notification.status.outTradeNo === outTradeNo) ours.push(sent);
    }
    expect(ours.length).toBeGreaterThan(0);
    expect(await sibling.parseNotification({ headers: ours[0]!.headers, rawBody: ours[0]!.body, now: new Date() })).toEqual({ ok: false, reason: 'malformed' });
  });

  it('decrypts a notification encrypted by wechatpay-axios-plugin (independent AES-GCM), and not once its tag is flipped', async () => {
    const keys = await sandboxKeysFor(h.t.database.db, h.t.config.secretKey);
    const account = credentials.account as { sp_mchid: string; sub_mchid: string; sp_appid: string };
    const transaction = JSON.stringify({ sp_mchid: account.sp_mchid, sub_mchid: account.sub_mchid, sp_appid: account.sp_appid, out_trade_no: 'PLUGIN0001', transaction_id: '4200000000202611250000000001', trade_type: 'NATIVE', trade_state: 'SUCCESS', success_time: '2026-11-25T10:00:00+08:00', amount: { total: 99, currency: 'CNY' }, payer: { sp_openid: 'oPLUGINopenid' } });
    const nonce = 'n0nce1234567';
    const ciphertext = Aes.AesGcm.encrypt(transaction, credentials.api_v3_key, nonce, 'transaction');
    const notify = (sealed: string) => {
      const body = JSON.stringify(buildWechatpayNotification({ id: 'plugin-1', createTime: new Date(), eventType: 'TRANSACTION.SUCCESS', summary: '支付成功', resource: { algorithm: 'AEAD_AES_256_GCM', ciphertext: sealed, nonce, associated_data: 'transaction', original_type: 'transaction' } }));
      const signed = signWechatpayResponse({ timestamp: Math.floor(Date.now() / 1000), nonce: newWechatpayNonce(), body, serial: keys.wechatpay_public_key.serial, privateKey: keys.wechatpay_public_key.privateKey });
      return { headers: Object.fromEntries(Object.entries(signed).map(([k, v]) => [k.toLowerCase(), v])), rawBody: body, now: new Date() };
    };
    const parsed = await adapter.parseNotification(notify(ciphertext));
    expect(parsed.ok && parsed.notification.kind === 'payment' && parsed.notification.status).toMatchObject({ state: 'succeeded', outTradeNo: 'PLUGIN0001', amountFen: 99 });
    const sealed = Buffer.from(ciphertext, 'base64');
    sealed[sealed.length - 3] = (sealed[sealed.length - 3] ?? 0) ^ 0x80;
    expect(await adapter.parseNotification(notify(sealed.toString('base64')))).toEqual({ ok: false, reason: 'decrypt_failed' });
  });

  it('acknowledges exactly as WeChat expects', () => {
    expect(adapter.acknowledge(true)).toEqual({ status: 204, headers: {}, body: '' });
    const refused = adapter.acknowledge(false);
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(JSON.parse(refused.body)).toEqual({ code: 'FAIL', message: '失败' });
  });
});
