import { createPublicKey, generateKeyPairSync, type KeyLike } from 'node:crypto';
import { describe, expect, it } from 'vitest';
// Independent implementation, used only as an oracle.
import { Formatter, Rsa } from 'wechatpay-axios-plugin';
import {
  buildAuthorizationHeader,
  buildRequestSigningMessage,
  buildResponseSigningMessage,
  newWechatpayNonce,
  parseAuthorizationHeader,
  signedMessageFromHeaders,
  signSha256WithRsa,
  signWechatpayRequest,
  signWechatpayResponse,
  verifyWechatpayRequest,
  verifyWechatpayResponse,
  wechatpaySerialKind,
} from './wechatpay-signature.js';

const keyPair = () =>
  generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
const merchant = keyPair();
const platform = keyPair();
const stranger = keyPair();

const MCHID = '1900007291';
const MERCHANT_SERIAL = '408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB';
const PUB_KEY_ID = 'PUB_KEY_ID_0119000072912025061800123456000000';
const CERT_SERIAL = '5157F09EFDC096DE15EBE81A47057A7232F1B8E1';
const now = new Date('2025-06-18T08:00:00Z');
const nowSeconds = Math.floor(now.getTime() / 1000);

const requests = [
  {
    method: 'GET',
    pathWithQuery: '/v3/pay/transactions/out-trade-no/1217752501201407033233368018?mchid=1900007291',
    body: '',
  },
  {
    method: 'POST',
    pathWithQuery: '/v3/pay/partner/transactions/codepay',
    body: JSON.stringify({
      sp_appid: 'wx8888888888888888',
      sp_mchid: MCHID,
      sub_mchid: '1900000109',
      description: '会员+ 储值卡充值 ¥100',
      out_trade_no: '1217752501201407033233368018',
      amount: { total: 10000, currency: 'CNY' },
      payer: { auth_code: '134567890123456789' },
    }),
  },
  { method: 'POST', pathWithQuery: '/v3/pay/transactions/out-trade-no/1217752501201407033233368018/close', body: '' },
  { method: 'GET', pathWithQuery: '/v3/refund/domestic/refunds/R2025?sub_mchid=1900000109&x=a%20b', body: '' },
] as const;

describe('request signing', () => {
  it.each(requests)('matches wechatpay-axios-plugin byte for byte: $method $pathWithQuery', (request) => {
    const nonce = newWechatpayNonce();
    const message = buildRequestSigningMessage({ ...request, timestamp: nowSeconds, nonce });
    expect(message).toBe(Formatter.request(request.method, request.pathWithQuery, nowSeconds, nonce, request.body));

    const signature = signSha256WithRsa(message, merchant.privateKey);
    expect(signature).toBe(Rsa.sign(message, merchant.privateKey));

    const header = signWechatpayRequest({ ...request, timestamp: nowSeconds, nonce, mchid: MCHID, serialNo: MERCHANT_SERIAL, privateKey: merchant.privateKey });
    expect(header).toBe(Formatter.authorization(MCHID, nonce, signature, nowSeconds, MERCHANT_SERIAL));
  });

  it('writes five newline-terminated lines, the body line empty when there is no body', () => {
    expect(buildRequestSigningMessage({ method: 'GET', pathWithQuery: '/v3/certificates', timestamp: 1554208460, nonce: 'N', body: '' })).toBe(
      'GET\n/v3/certificates\n1554208460\nN\n\n',
    );
  });

  it('makes 32-character alphanumeric nonces that differ', () => {
    const a = newWechatpayNonce();
    expect(a).toMatch(/^[0-9A-Z]{32}$/);
    expect(newWechatpayNonce()).not.toBe(a);
  });
});

describe('parseAuthorizationHeader', () => {
  const header = Formatter.authorization(MCHID, 'NONCE1', 'c2lnbmF0dXJl', 1554208460, MERCHANT_SERIAL);

  it('reads back what the plugin and buildAuthorizationHeader write', () => {
    const parsed = parseAuthorizationHeader(header);
    expect(parsed).toEqual({
      ok: true,
      authorization: { mchid: MCHID, serialNo: MERCHANT_SERIAL, timestamp: '1554208460', nonceStr: 'NONCE1', signature: 'c2lnbmF0dXJl' },
    });
    if (parsed.ok) expect(buildAuthorizationHeader(parsed.authorization)).toBe(header);
  });

  it('accepts the parameters in another order and with spaces after commas', () => {
    const reordered = 'WECHATPAY2-SHA256-RSA2048 signature="c2ln", nonce_str="N", timestamp="1", serial_no="AB", mchid="1"';
    expect(parseAuthorizationHeader(reordered)).toEqual({
      ok: true,
      authorization: { mchid: '1', serialNo: 'AB', timestamp: '1', nonceStr: 'N', signature: 'c2ln' },
    });
  });

  it.each([
    ['another schema', header.replace('WECHATPAY2-SHA256-RSA2048', 'WECHATPAY2-SM2-WITH-SM3')],
    ['no schema', header.slice('WECHATPAY2-SHA256-RSA2048 '.length)],
    ['a missing parameter', header.replace(/,signature="[^"]*"/, '')],
    ['an empty parameter', header.replace(/nonce_str="[^"]*"/, 'nonce_str=""')],
    ['a repeated parameter', `${header},mchid="1"`],
    ['an unknown parameter', `${header},extra="1"`],
    ['a trailing comma', `${header},`],
    ['an unquoted value', header.replace(`mchid="${MCHID}"`, `mchid=${MCHID}`)],
    ['a newline in a value', header.replace('NONCE1', 'NON\nCE1')],
  ])('rejects %s as malformed', (_name, bad) => {
    expect(parseAuthorizationHeader(bad)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('verifyWechatpayRequest (sandbox side)', () => {
  const lookupMerchantKey = (mchid: string, serialNo: string): KeyLike | undefined =>
    mchid === MCHID && serialNo === MERCHANT_SERIAL ? merchant.publicKey : undefined;
  const request = requests[1];
  const signedBy = (privateKey: string, timestamp = nowSeconds, nonce = 'NONCE') =>
    Formatter.authorization(
      MCHID,
      nonce,
      Rsa.sign(Formatter.request(request.method, request.pathWithQuery, timestamp, nonce, request.body), privateKey),
      timestamp,
      MERCHANT_SERIAL,
    );

  it('accepts a request signed by the plugin', () => {
    const result = verifyWechatpayRequest({ ...request, authorization: signedBy(merchant.privateKey) }, lookupMerchantKey, { now });
    expect(result).toMatchObject({ ok: true, authorization: { mchid: MCHID, serialNo: MERCHANT_SERIAL, nonceStr: 'NONCE' } });
  });

  it('rejects a tampered body, path or method', () => {
    const authorization = signedBy(merchant.privateKey);
    const tampered = [
      { ...request, body: request.body.replace('10000', '1') },
      { ...request, pathWithQuery: '/v3/pay/partner/transactions/native' },
      { ...request, method: 'PUT' },
    ];
    for (const changed of tampered) {
      expect(verifyWechatpayRequest({ ...changed, authorization }, lookupMerchantKey, { now })).toEqual({ ok: false, reason: 'bad_signature' });
    }
  });

  it('rejects a signature by another key, an unknown merchant serial and a stale timestamp', () => {
    expect(verifyWechatpayRequest({ ...request, authorization: signedBy(stranger.privateKey) }, lookupMerchantKey, { now })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    const otherSerial = signedBy(merchant.privateKey).replace(MERCHANT_SERIAL, CERT_SERIAL);
    expect(verifyWechatpayRequest({ ...request, authorization: otherSerial }, lookupMerchantKey, { now })).toEqual({
      ok: false,
      reason: 'unknown_serial',
    });
    expect(verifyWechatpayRequest({ ...request, authorization: signedBy(merchant.privateKey, nowSeconds - 301) }, lookupMerchantKey, { now })).toEqual({
      ok: false,
      reason: 'stale_timestamp',
    });
  });

  it('rejects a non-numeric timestamp as malformed', () => {
    const authorization = signedBy(merchant.privateKey).replace(`timestamp="${String(nowSeconds)}"`, 'timestamp="soon"');
    expect(verifyWechatpayRequest({ ...request, authorization }, lookupMerchantKey, { now })).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('verifyWechatpayResponse', () => {
  const keys = new Map<string, KeyLike>([
    [PUB_KEY_ID, platform.publicKey],
    // Certificate mode: any KeyLike the lookup returns works, a certificate PEM or a KeyObject.
    [CERT_SERIAL, createPublicKey(platform.publicKey)],
  ]);
  const lookup = (serial: string) => keys.get(serial);
  const body = JSON.stringify({ id: 'EV-2018022511223320873', event_type: 'TRANSACTION.SUCCESS', summary: '支付成功' });
  const signedBy = (privateKey: string, serial = PUB_KEY_ID, timestamp = nowSeconds, nonce = 'fdasflkja484w') => ({
    timestamp: String(timestamp),
    nonce,
    body,
    serial,
    signature: Rsa.sign(Formatter.response(timestamp, nonce, body), privateKey),
    signatureType: 'WECHATPAY2-SHA256-RSA2048',
  });

  it('builds the same message as the plugin', () => {
    expect(buildResponseSigningMessage(nowSeconds, 'n', body)).toBe(Formatter.response(nowSeconds, 'n', body));
    expect(buildResponseSigningMessage(nowSeconds, 'n', '')).toBe(`${String(nowSeconds)}\nn\n\n`);
  });

  it('accepts Rsa.sign of Formatter.response in public-key mode and certificate mode', () => {
    expect(verifyWechatpayResponse(signedBy(platform.privateKey, PUB_KEY_ID), lookup, { now })).toEqual({ ok: true });
    expect(verifyWechatpayResponse(signedBy(platform.privateKey, CERT_SERIAL), lookup, { now })).toEqual({ ok: true });
  });

  it('accepts an empty body (204 responses are signed too)', () => {
    const signature = Rsa.sign(Formatter.response(nowSeconds, 'n', ''), platform.privateKey);
    expect(verifyWechatpayResponse({ timestamp: String(nowSeconds), nonce: 'n', body: '', serial: PUB_KEY_ID, signature }, lookup, { now })).toEqual({
      ok: true,
    });
  });

  it('rejects a tampered body, nonce or timestamp as a bad signature', () => {
    const signed = signedBy(platform.privateKey);
    const tampered = [
      { ...signed, body: body.replace('TRANSACTION.SUCCESS', 'REFUND.SUCCESS') },
      { ...signed, body: `${body} ` },
      { ...signed, nonce: 'fdasflkja484x' },
      { ...signed, timestamp: String(nowSeconds + 1) },
    ];
    for (const message of tampered) expect(verifyWechatpayResponse(message, lookup, { now })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('rejects a signature by another key', () => {
    expect(verifyWechatpayResponse(signedBy(stranger.privateKey), lookup, { now })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('rejects WeChat Pay\'s signature probe (WECHATPAY/SIGNTEST/…)', () => {
    const probe = { ...signedBy(platform.privateKey), signature: 'WECHATPAY/SIGNTEST/cVeynl3+5b2ilFr2SnIZLEsLA5pWIUdzmoYfT+rBQ1c5fLydNGuXuS/2QQaSGG1mUsOM9WcwNbAlk8SVj6vTjWfZOpuiRB+xkvVHHhOaE3xcA==' };
    expect(verifyWechatpayResponse(probe, lookup, { now }).ok).toBe(false);
  });

  it('rejects timestamps more than 300 s from now in either direction, accepts 300 s exactly', () => {
    for (const skew of [-301, 301, -86_400]) {
      expect(verifyWechatpayResponse(signedBy(platform.privateKey, PUB_KEY_ID, nowSeconds + skew), lookup, { now })).toEqual({
        ok: false,
        reason: 'stale_timestamp',
      });
    }
    for (const skew of [-300, 300]) {
      expect(verifyWechatpayResponse(signedBy(platform.privateKey, PUB_KEY_ID, nowSeconds + skew), lookup, { now })).toEqual({ ok: true });
    }
    expect(verifyWechatpayResponse(signedBy(platform.privateKey, PUB_KEY_ID, nowSeconds - 301), lookup, { now, maxSkewSeconds: 600 })).toEqual({
      ok: true,
    });
  });

  it('rejects a serial it has no key for', () => {
    expect(verifyWechatpayResponse(signedBy(platform.privateKey, 'PUB_KEY_ID_0000'), lookup, { now })).toEqual({ ok: false, reason: 'unknown_serial' });
  });

  it.each([
    ['a non-numeric timestamp', { timestamp: '2025-06-18T08:00:00Z' }],
    ['an empty nonce', { nonce: '' }],
    ['a newline in the nonce', { nonce: 'a\nb' }],
    ['an empty signature', { signature: '' }],
    ['a signature that is not base64', { signature: 'not base64!' }],
    ['a serial of neither kind', { serial: 'PUB-KEY-1' }],
    ['another signature type', { signatureType: 'WECHATPAY2-SM2-WITH-SM3' }],
  ])('rejects %s as malformed', (_name, change) => {
    expect(verifyWechatpayResponse({ ...signedBy(platform.privateKey), ...change }, lookup, { now })).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('signWechatpayResponse (sandbox side)', () => {
  it('produces headers the plugin verifies and we read back', () => {
    const body = '{"code":"SUCCESS"}';
    const headers = signWechatpayResponse({ timestamp: nowSeconds, nonce: 'abc', body, serial: PUB_KEY_ID, privateKey: platform.privateKey });
    expect(Rsa.verify(Formatter.response(nowSeconds, 'abc', body), headers['Wechatpay-Signature'], platform.publicKey)).toBe(true);

    const lowerCased = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
    const message = signedMessageFromHeaders(lowerCased, body);
    expect(message).toEqual({ timestamp: String(nowSeconds), nonce: 'abc', signature: headers['Wechatpay-Signature'], serial: PUB_KEY_ID, signatureType: 'WECHATPAY2-SHA256-RSA2048', body });
    if (message) expect(verifyWechatpayResponse(message, (serial) => (serial === PUB_KEY_ID ? platform.publicKey : undefined), { now })).toEqual({ ok: true });
  });

  it('reads no message when a header is missing or repeated', () => {
    const complete = { 'wechatpay-timestamp': '1', 'wechatpay-nonce': 'n', 'wechatpay-signature': 's', 'wechatpay-serial': PUB_KEY_ID };
    expect(signedMessageFromHeaders(complete, '')).toBeDefined();
    expect(signedMessageFromHeaders({ ...complete, 'wechatpay-signature': undefined }, '')).toBeUndefined();
    expect(signedMessageFromHeaders({ ...complete, 'wechatpay-serial': [PUB_KEY_ID, CERT_SERIAL] }, '')).toBeUndefined();
  });
});

describe('wechatpaySerialKind', () => {
  it('tells public-key ids from certificate serials', () => {
    expect(wechatpaySerialKind(PUB_KEY_ID)).toBe('public_key');
    expect(wechatpaySerialKind(CERT_SERIAL)).toBe('platform_certificate');
    expect(wechatpaySerialKind('')).toBeUndefined();
    expect(wechatpaySerialKind('PUB_KEY_ID_')).toBeUndefined();
    expect(wechatpaySerialKind('../../etc/passwd')).toBeUndefined();
  });
});
