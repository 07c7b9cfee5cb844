// WeChat Pay platform-certificate mode end to end: the merchant configures no certificate; the
// adapter downloads them from the sandbox's GET /v3/certificates, verifies and caches them per channel
// account, picks the one a Wechatpay-Serial names, and fetches again when the sandbox rotates.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Aes, Formatter, Rsa } from 'wechatpay-axios-plugin';
import type { WechatpayCredentials } from '../../src/modules/payments/channels/channel-credentials.js';
import { createChannelAdapter } from '../../src/modules/payments/channels/create-adapter.js';
import { normaliseSerial } from '../../src/modules/payments/channels/wechatpay-certificates.js';
import { newWechatpayNonce, signWechatpayRequest } from '../../src/modules/payments/channels/wechatpay-signature.js';
import { cachedPlatformCertificates } from '../../src/modules/payments/platform-certificates.js';
import { runSandboxNotifications } from '../../src/modules/payments/sandbox/index.js';
import { channelAccounts } from '../../src/modules/payments/schema.js';
import { getPayment, payInWallet, qrPayment, startPaymentsApp, type PaymentsTestApp } from './support.js';

let t: PaymentsTestApp;
let credentials: WechatpayCredentials;
let accountId: string;

beforeAll(async () => {
  t = await startPaymentsApp();
  credentials = (await t.sandbox('GET', '/credentials/wechatpay?verification=platform_certificate')).json() as WechatpayCredentials;
  const put = await t.api('PUT', '/v1/payment-channels/wechatpay', { environment: 'sandbox', credentials });
  expect(put.statusCode, put.body).toBe(200);
  const [account] = await t.database.db.select().from(channelAccounts).where(and(eq(channelAccounts.merchantId, t.demo.merchantId), eq(channelAccounts.channel, 'wechatpay')));
  accountId = account!.id;
});
afterAll(() => t.close());

async function signedGet(path: string) {
  const auth = signWechatpayRequest({
    method: 'GET',
    pathWithQuery: `/sandbox/wechatpay${path}`,
    timestamp: Math.floor(Date.now() / 1000),
    nonce: newWechatpayNonce(),
    body: '',
    mchid: credentials.account.mode === 'direct' ? credentials.account.mchid : credentials.account.sp_mchid,
    serialNo: credentials.merchant_serial_no,
    privateKey: credentials.merchant_private_key,
  });
  return t.app.inject({ method: 'GET', url: `/sandbox/wechatpay${path}`, headers: { authorization: auth } });
}

describe('WeChat Pay platform certificates', () => {
  it('the sandbox serves /v3/certificates as WeChat Pay does: signed, each certificate sealed with the APIv3 key (checked with wechatpay-axios-plugin)', async () => {
    expect(credentials.platform).toEqual({ mode: 'platform_certificate' });
    const response = await signedGet('/v3/certificates');
    expect(response.statusCode).toBe(200);
    const body = response.json() as { data: { serial_no: string; effective_time: string; expire_time: string; encrypt_certificate: { algorithm: string; nonce: string; associated_data: string; ciphertext: string } }[] };
    expect(body.data.length).toBeGreaterThan(0);
    const entry = body.data.find((d) => d.serial_no === response.headers['wechatpay-serial'])!;
    expect(entry.encrypt_certificate.algorithm).toBe('AEAD_AES_256_GCM');
    expect(entry.encrypt_certificate.associated_data).toBe('certificate');
    expect(entry.expire_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
    const pem = Aes.AesGcm.decrypt(entry.encrypt_certificate.ciphertext, credentials.api_v3_key, entry.encrypt_certificate.nonce, 'certificate') as string;
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    // The answer is signed with the very certificate it lists (the bootstrap WeChat Pay documents).
    const message = Formatter.response(String(response.headers['wechatpay-timestamp']), String(response.headers['wechatpay-nonce']), response.body);
    expect(Rsa.verify(message, String(response.headers['wechatpay-signature']), Rsa.from(pem, Rsa.KEY_TYPE_PUBLIC))).toBe(true);
  });

  it('a payment verifies with a downloaded certificate, cached per channel account', async () => {
    const payment = await qrPayment(t, 'wechatpay', 1500);
    await payInWallet(t, payment.code_url!, 'cert-buyer');
    await runSandboxNotifications(t.database.db, new Date());
    expect((await getPayment(t, payment.id)).status).toBe('succeeded');
    const cached = await cachedPlatformCertificates(t.database.db, t.demo.merchantId, accountId);
    expect(cached.length).toBeGreaterThan(0);
    expect(cached[0]!.certificate).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(cached[0]!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 365 * 24 * 3600 * 1000);
  });

  it('after the sandbox rotates its certificate, an answer signed by the new serial makes the adapter fetch again', async () => {
    const before = await cachedPlatformCertificates(t.database.db, t.demo.merchantId, accountId);
    const rotated = await t.sandbox('POST', '/keys/wechatpay-platform-certificate/rotate');
    expect(rotated.statusCode).toBe(201);
    const newSerial = (rotated.json() as { serial_no: string }).serial_no;
    // Serials are kept as WeChat Pay compares them: upper case, no leading zeros (a serial may start with 0).
    expect(before.map((c) => c.serialNo)).not.toContain(normaliseSerial(newSerial));

    // A fresh adapter (as after the 60 s adapter cache) still has the old cache, signed answers now carry the new serial.
    const adapter = createChannelAdapter({ ...credentials, base_url: `${t.baseUrl}/sandbox/wechatpay` }, {
      platformCertificates: {
        load: async () => before.map((row) => ({ serialNo: row.serialNo, certificatePem: row.certificate, effectiveAt: row.effectiveAt, expiresAt: row.expiresAt })),
        save: async () => undefined,
      },
    });
    const payment = await qrPayment(t, 'wechatpay', 1600);
    const status = await adapter.queryOrder(payment.out_trade_no);
    expect(status.state).toBe('pending');

    // Through the domain: the notification is signed by the new certificate and still verifies.
    await payInWallet(t, payment.code_url!, 'cert-buyer');
    await runSandboxNotifications(t.database.db, new Date());
    expect((await getPayment(t, payment.id)).status).toBe('succeeded');
    const after = await cachedPlatformCertificates(t.database.db, t.demo.merchantId, accountId);
    expect(after.map((c) => c.serialNo)).toContain(normaliseSerial(newSerial));
    expect(after.length).toBe(before.length + 1);
  });

  it('an answer signed by a certificate the channel never listed is refused', async () => {
    const adapter = createChannelAdapter({ ...credentials, base_url: `${t.baseUrl}/sandbox/wechatpay`, api_v3_key: 'Z'.repeat(32) });
    // With the wrong APIv3 key nothing can be opened, so nothing is trusted.
    await expect(adapter.queryOrder('nosuchorder01')).rejects.toMatchObject({ kind: 'bad_response', channelCode: 'signature_unknown_serial' });
  });
});
