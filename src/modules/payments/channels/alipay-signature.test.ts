import { createSign, generateKeyPairSync } from 'node:crypto';
// Independent implementation (Alipay's own Node SDK), used here as an oracle.
import { AlipaySdk } from 'alipay-sdk';
import { describe, expect, it } from 'vitest';
import {
  alipayResponseKey,
  buildAlipaySigningContent,
  buildSignedAlipayResponse,
  extractAlipayResponseContent,
  signAlipayNotification,
  signAlipayRequest,
  verifyAlipayNotification,
  verifyAlipayRequest,
  verifyAlipayResponse,
} from './alipay-signature.js';

const keyPair = () =>
  generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
const app = keyPair(); // the merchant/ISV application's key pair
const alipay = keyPair(); // Alipay's (here: the sandbox's) key pair
const stranger = keyPair();

const APP_ID = '2021004100000001';
// As a merchant configures it: signs with the app key, verifies with Alipay's public key.
const sdk = new AlipaySdk({ appId: APP_ID, privateKey: app.privateKey, alipayPublicKey: alipay.publicKey, keyType: 'PKCS8' });

const notification = {
  notify_time: '2025-06-18 16:00:00',
  notify_type: 'trade_status_sync',
  notify_id: 'ac05099524730693a8b330c5ecf72da9786',
  app_id: APP_ID,
  charset: 'utf-8',
  version: '1.0',
  trade_no: '2025061822001400000000000001',
  out_trade_no: 'pay_01JXYZ',
  trade_status: 'TRADE_SUCCESS',
  total_amount: '12.30',
  receipt_amount: '12.30',
  buyer_logon_id: '159****5620',
  subject: '会员+ 储值 100% & more = 满意',
  gmt_payment: '2025-06-18 15:59:58',
  fund_bill_list: '[{"amount":"12.30","fundChannel":"ALIPAYACCOUNT"}]',
  passback_params: 'merchant%3Dmch_01',
};

function signedNotification(privateKey = alipay.privateKey): Record<string, string> {
  return { ...notification, sign_type: 'RSA2', sign: signAlipayNotification(notification, privateKey) };
}

describe('buildAlipaySigningContent', () => {
  it('sorts by key, joins k=v with &, leaves values as they are', () => {
    expect(buildAlipaySigningContent({ b: '2', a: 'x=1&y', c: '会员 %20', sign: 'S' }, ['sign'])).toBe('a=x=1&y&b=2&c=会员 %20');
  });

  it('skips empty and missing values, as Alipay\'s gateway does', () => {
    expect(buildAlipaySigningContent({ b: '', a: '1', c: undefined, d: '0' }, [])).toBe('a=1&d=0');
  });

  it('sorts by UTF-16 code unit, like Java\'s TreeMap and alipay-sdk\'s sort()', () => {
    expect(buildAlipaySigningContent({ a_b: '1', aB: '2', ab: '3', A: '4' }, [])).toBe('A=4&aB=2&a_b=1&ab=3');
  });
});

describe('Alipay notifications', () => {
  it('we sign, alipay-sdk\'s checkNotifySignV2 accepts', () => {
    expect(sdk.checkNotifySignV2(signedNotification())).toBe(true);
  });

  it('we sign, alipay-sdk rejects the form once a field is changed', () => {
    expect(sdk.checkNotifySignV2({ ...signedNotification(), total_amount: '1230.00' })).toBe(false);
    expect(sdk.checkNotifySignV2(signedNotification(stranger.privateKey))).toBe(false);
  });

  it('accepts a form signed without sign and sign_type, as Alipay signs notifications', () => {
    expect(verifyAlipayNotification(signedNotification(), alipay.publicKey)).toEqual({ ok: true });
    const withoutSignType = signedNotification();
    delete withoutSignType.sign_type;
    expect(verifyAlipayNotification(withoutSignType, alipay.publicKey)).toEqual({ ok: true });
  });

  it('verifies against alipay-sdk\'s own RSA check of the same content', () => {
    const form = signedNotification();
    expect(sdk.rsaCheck(buildAlipaySigningContent(form, ['sign', 'sign_type']), form.sign ?? '', 'RSA2')).toBe(true);
  });

  it('rejects a tampered field, an added field, a removed field and another key', () => {
    const form = signedNotification();
    const withoutField = { ...form };
    delete withoutField.gmt_payment;
    for (const tampered of [{ ...form, trade_status: 'TRADE_FINISHED' }, { ...form, refund_fee: '1.00' }, withoutField]) {
      expect(verifyAlipayNotification(tampered, alipay.publicKey)).toEqual({ ok: false, reason: 'bad_signature' });
    }
    expect(verifyAlipayNotification(signedNotification(stranger.privateKey), alipay.publicKey)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyAlipayNotification(form, app.publicKey)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('rejects a missing signature, RSA (SHA1) and junk in sign', () => {
    const form = signedNotification();
    expect(verifyAlipayNotification({ ...form, sign: undefined }, alipay.publicKey)).toEqual({ ok: false, reason: 'missing_signature' });
    expect(verifyAlipayNotification({ ...form, sign: '' }, alipay.publicKey)).toEqual({ ok: false, reason: 'missing_signature' });
    expect(verifyAlipayNotification({ ...form, sign_type: 'RSA' }, alipay.publicKey)).toEqual({ ok: false, reason: 'unsupported_sign_type' });
    expect(verifyAlipayNotification({ ...form, sign: 'not base64!' }, alipay.publicKey)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('differs from alipay-sdk only on empty values: we skip them as Alipay does, it writes "k="', () => {
    const withEmpty = { ...notification, body: '' };
    const form = { ...withEmpty, sign_type: 'RSA2', sign: signAlipayNotification(withEmpty, alipay.privateKey) };
    expect(verifyAlipayNotification(form, alipay.publicKey)).toEqual({ ok: true });
    expect(sdk.checkNotifySignV2(form)).toBe(false);
  });
});

describe('Alipay requests', () => {
  const bizParams = {
    notifyUrl: 'https://pay.example.com/v1/channels/alipay/notify?x=1&y=2',
    appAuthToken: '202506BBa1b2c3d4e5f6',
    bizContent: {
      outTradeNo: 'pay_01JXYZ',
      scene: 'bar_code',
      authCode: '287654321098765432',
      subject: '会员+ 储值',
      totalAmount: '12.30',
      extendParams: { sysServiceProviderId: '2088000000000001' },
    },
  };
  const signedBySdk = (): Record<string, string> => Object.fromEntries(new URLSearchParams(sdk.sdkExecute('alipay.trade.pay', bizParams)));

  it('alipay-sdk signs, we verify with the app public key (sandbox side)', () => {
    const params = signedBySdk();
    expect(params.sign_type).toBe('RSA2');
    expect(verifyAlipayRequest(params, app.publicKey)).toEqual({ ok: true });
  });

  it('our request signature is byte-equal to alipay-sdk\'s', () => {
    const { sign, ...unsigned } = signedBySdk();
    expect(signAlipayRequest(unsigned, app.privateKey)).toBe(sign);
  });

  it('keeps sign_type in a request signature: dropping it breaks verification', () => {
    const params = signedBySdk();
    expect(verifyAlipayNotification(params, app.publicKey)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('rejects a tampered request, a request without sign_type and one signed by another key', () => {
    const params = signedBySdk();
    const tamperedBiz = params.biz_content?.replace('12.30', '0.01');
    expect(verifyAlipayRequest({ ...params, biz_content: tamperedBiz }, app.publicKey)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyAlipayRequest({ ...params, app_auth_token: undefined }, app.publicKey)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyAlipayRequest({ ...params, sign_type: undefined }, app.publicKey)).toEqual({ ok: false, reason: 'unsupported_sign_type' });
    expect(verifyAlipayRequest(params, stranger.publicKey)).toEqual({ ok: false, reason: 'bad_signature' });
  });
});

describe('Alipay responses', () => {
  const method = 'alipay.trade.precreate';
  const node = { code: '10000', msg: 'Success', out_trade_no: 'pay_01JXYZ', qr_code: 'https://qr.alipay.com/bax08431' };

  it('names the response node after the method', () => {
    expect(alipayResponseKey(method)).toBe('alipay_trade_precreate_response');
  });

  it('verifies a body we sign, and alipay-sdk\'s RSA check agrees on the signed content', () => {
    const body = buildSignedAlipayResponse(alipayResponseKey(method), node, alipay.privateKey);
    const result = verifyAlipayResponse(body, method, alipay.publicKey);
    expect(result).toEqual({ ok: true, responseKey: 'alipay_trade_precreate_response', content: JSON.stringify(node) });
    const sign = (JSON.parse(body) as { sign: string }).sign;
    expect(sdk.rsaCheck(JSON.stringify(node), sign, 'RSA2')).toBe(true);
  });

  it('signs the raw node text, keeping escapes and spacing exactly as sent', () => {
    // Alipay escapes slashes; re-serialising would lose `\/` and break the signature.
    const nodeText = '{"code":"10000","msg":"Success","qr_code":"https:\\/\\/qr.alipay.com\\/bax08431","sign":"inner"}';
    const sign = createSign('RSA-SHA256').update(nodeText, 'utf8').sign(alipay.privateKey, 'base64');
    const body = ` {\n  "alipay_trade_precreate_response" : ${nodeText} ,\n  "alipay_cert_sn":"abc", "sign" : "${sign}"\n} `;
    expect(extractAlipayResponseContent(body, method)).toEqual({ ok: true, responseKey: 'alipay_trade_precreate_response', content: nodeText, sign });
    expect(verifyAlipayResponse(body, method, alipay.publicKey)).toMatchObject({ ok: true, content: nodeText });
  });

  it('falls back to error_response, which Alipay signs too', () => {
    const error = { code: '40004', msg: 'Business Failed', sub_code: 'ACQ.TRADE_HAS_SUCCESS', sub_msg: '交易已被支付' };
    const body = buildSignedAlipayResponse('error_response', error, alipay.privateKey);
    expect(verifyAlipayResponse(body, method, alipay.publicKey)).toEqual({ ok: true, responseKey: 'error_response', content: JSON.stringify(error) });
  });

  it('rejects a tampered node, another key and a missing sign', () => {
    const body = buildSignedAlipayResponse(alipayResponseKey(method), node, alipay.privateKey);
    expect(verifyAlipayResponse(body.replace('10000', '10003'), method, alipay.publicKey)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyAlipayResponse(buildSignedAlipayResponse(alipayResponseKey(method), node, stranger.privateKey), method, alipay.publicKey)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    const unsigned = JSON.stringify({ alipay_trade_precreate_response: node });
    expect(verifyAlipayResponse(unsigned, method, alipay.publicKey)).toEqual({ ok: false, reason: 'missing_signature' });
  });

  it.each([
    ['not JSON', '<html>502</html>'],
    ['a JSON array', '[]'],
    ['another method\'s node', JSON.stringify({ alipay_trade_pay_response: { code: '10000' }, sign: 'c2ln' })],
    ['a repeated node', '{"alipay_trade_precreate_response":{"code":"40004"},"alipay_trade_precreate_response":{"code":"10000"},"sign":"c2ln"}'],
    ['a node that is not an object', JSON.stringify({ alipay_trade_precreate_response: 'c2VjcmV0', sign: 'c2ln' })],
  ])('rejects %s as malformed', (_name, body) => {
    expect(verifyAlipayResponse(body, method, alipay.publicKey)).toEqual({ ok: false, reason: 'malformed' });
  });
});
