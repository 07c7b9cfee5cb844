import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
// Independent implementation, used only as an oracle.
import { Aes } from 'wechatpay-axios-plugin';
import {
  buildWechatpayNotification,
  decryptWechatpayResource,
  encryptWechatpayResource,
  parseWechatpayNotification,
  type WechatpayEncryptedResource,
} from './wechatpay-aes-gcm.js';

// The plugin's typings declare AesGcm on a namespace its exported class does not re-export.
interface AesGcmOracle {
  encrypt(plaintext: string, key: string, iv: string, aad?: string): string;
  decrypt(ciphertext: string, key: string, iv: string, aad?: string): string;
}
const { AesGcm } = Aes as unknown as { AesGcm: AesGcmOracle };

const API_V3_KEY = 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6';
const NONCE = 'fdasflkja484';
const transaction = JSON.stringify({
  mchid: '1900007291',
  out_trade_no: '1217752501201407033233368018',
  transaction_id: '4200000000000000000000000000',
  trade_state: 'SUCCESS',
  amount: { total: 10000, payer_total: 10000, currency: 'CNY' },
  attach: '会员+ 储值',
});

function flipByte(base64: string, fromEnd: number): string {
  const bytes = Buffer.from(base64, 'base64');
  const index = bytes.length - fromEnd;
  bytes[index] = (bytes[index] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}

function sealed(plaintext = transaction, associatedData = 'transaction'): WechatpayEncryptedResource {
  return encryptWechatpayResource(plaintext, { apiV3Key: API_V3_KEY, nonce: NONCE, associatedData, originalType: 'transaction' });
}

describe('decryptWechatpayResource', () => {
  it('opens what the plugin seals, with and without associated data', () => {
    for (const aad of ['transaction', '']) {
      const ciphertext = AesGcm.encrypt(transaction, API_V3_KEY, NONCE, aad);
      const resource = { algorithm: 'AEAD_AES_256_GCM', ciphertext, nonce: NONCE, associated_data: aad };
      expect(decryptWechatpayResource(resource, API_V3_KEY)).toEqual({ ok: true, plaintext: transaction });
    }
  });

  it('seals what the plugin opens, byte for byte the same ciphertext', () => {
    const resource = sealed();
    expect(resource.ciphertext).toBe(AesGcm.encrypt(transaction, API_V3_KEY, NONCE, 'transaction'));
    expect(AesGcm.decrypt(resource.ciphertext, API_V3_KEY, NONCE, 'transaction')).toBe(transaction);
  });

  it('round-trips any text and associated data (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ maxLength: 64 }), (plaintext, aad) => {
        const resource = sealed(plaintext, aad);
        expect(decryptWechatpayResource(resource, API_V3_KEY)).toEqual({ ok: true, plaintext });
        expect(AesGcm.decrypt(resource.ciphertext, API_V3_KEY, NONCE, aad)).toBe(plaintext);
      }),
    );
  });

  it('rejects a flipped tag byte and a flipped ciphertext byte', () => {
    const resource = sealed();
    const tagLength = 16;
    expect(decryptWechatpayResource({ ...resource, ciphertext: flipByte(resource.ciphertext, 1) }, API_V3_KEY)).toEqual({
      ok: false,
      reason: 'authentication_failed',
    });
    expect(decryptWechatpayResource({ ...resource, ciphertext: flipByte(resource.ciphertext, tagLength + 1) }, API_V3_KEY)).toEqual({
      ok: false,
      reason: 'authentication_failed',
    });
  });

  it('rejects every single-bit flip anywhere in ciphertext or tag (property)', () => {
    const resource = sealed('{"trade_state":"SUCCESS"}');
    const length = Buffer.from(resource.ciphertext, 'base64').length;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: length - 1 }), fc.integer({ min: 0, max: 7 }), (index, bit) => {
        const bytes = Buffer.from(resource.ciphertext, 'base64');
        bytes[index] = (bytes[index] ?? 0) ^ (1 << bit);
        expect(decryptWechatpayResource({ ...resource, ciphertext: bytes.toString('base64') }, API_V3_KEY)).toEqual({
          ok: false,
          reason: 'authentication_failed',
        });
      }),
    );
  });

  it('rejects the wrong associated data, nonce or key', () => {
    const resource = sealed();
    const failed = { ok: false, reason: 'authentication_failed' };
    expect(decryptWechatpayResource({ ...resource, associated_data: 'refund' }, API_V3_KEY)).toEqual(failed);
    expect(decryptWechatpayResource({ ...resource, associated_data: '' }, API_V3_KEY)).toEqual(failed);
    expect(decryptWechatpayResource({ ...resource, nonce: 'fdasflkja485' }, API_V3_KEY)).toEqual(failed);
    expect(decryptWechatpayResource(resource, 'Z1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6')).toEqual(failed);
  });

  it('rejects a truncated tag rather than checking fewer bytes', () => {
    const resource = sealed();
    const bytes = Buffer.from(resource.ciphertext, 'base64');
    const truncated = bytes.subarray(0, bytes.length - 4).toString('base64');
    expect(decryptWechatpayResource({ ...resource, ciphertext: truncated }, API_V3_KEY).ok).toBe(false);
  });

  it.each([
    ['a ciphertext shorter than the tag', { ciphertext: Buffer.alloc(15).toString('base64') }],
    ['a ciphertext that is not base64', { ciphertext: 'not base64!' }],
    ['a nonce of 11 characters', { nonce: 'fdasflkja48' }],
    ['a nonce of 12 characters but 13 bytes', { nonce: 'fdasflkja48é' }],
  ])('rejects %s as malformed', (_name, change) => {
    expect(decryptWechatpayResource({ ...sealed(), ...change }, API_V3_KEY)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('rejects another algorithm', () => {
    expect(decryptWechatpayResource({ ...sealed(), algorithm: 'AEAD_SM4_GCM' }, API_V3_KEY)).toEqual({ ok: false, reason: 'unsupported_algorithm' });
  });

  it('rejects plaintext that is not UTF-8 instead of returning replacement characters', () => {
    // The string-based encrypt cannot produce invalid UTF-8, so seal raw bytes directly.
    const cipher = createCipheriv('aes-256-gcm', Buffer.from(API_V3_KEY), Buffer.from(NONCE), { authTagLength: 16 });
    const sealedBytes = Buffer.concat([cipher.update(Buffer.from([0xff, 0xfe])), cipher.final(), cipher.getAuthTag()]).toString('base64');
    expect(decryptWechatpayResource({ algorithm: 'AEAD_AES_256_GCM', ciphertext: sealedBytes, nonce: NONCE, associated_data: '' }, API_V3_KEY)).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('throws on an APIv3 key that is not 32 bytes: a configuration error, not a bad message', () => {
    expect(() => decryptWechatpayResource(sealed(), 'short')).toThrow(RangeError);
    expect(() => encryptWechatpayResource('x', { apiV3Key: `${API_V3_KEY}x`, nonce: NONCE, associatedData: '', originalType: 'refund' })).toThrow(RangeError);
    expect(() => encryptWechatpayResource('x', { apiV3Key: API_V3_KEY, nonce: 'short', associatedData: '', originalType: 'refund' })).toThrow(RangeError);
  });
});

describe('buildWechatpayNotification', () => {
  const notification = buildWechatpayNotification({
    id: 'EV-2018022511223320873',
    createTime: new Date('2015-05-20T05:29:35Z'),
    eventType: 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    resource: sealed(),
  });

  it('has the documented shape, times in Beijing time', () => {
    expect(notification).toEqual({
      id: 'EV-2018022511223320873',
      create_time: '2015-05-20T13:29:35+08:00',
      resource_type: 'encrypt-resource',
      event_type: 'TRANSACTION.SUCCESS',
      resource: {
        algorithm: 'AEAD_AES_256_GCM',
        ciphertext: AesGcm.encrypt(transaction, API_V3_KEY, NONCE, 'transaction'),
        nonce: NONCE,
        associated_data: 'transaction',
        original_type: 'transaction',
      },
      summary: '支付成功',
    });
  });

  it('survives JSON and parses back into something we can decrypt', () => {
    const parsed = parseWechatpayNotification(JSON.parse(JSON.stringify(notification)));
    expect(parsed).toEqual({ ok: true, notification });
    if (parsed.ok) expect(decryptWechatpayResource(parsed.notification.resource, API_V3_KEY)).toEqual({ ok: true, plaintext: transaction });
  });

  it('treats a missing associated_data as empty, as WeChat Pay does', () => {
    const resource: Record<string, unknown> = { ...notification.resource };
    delete resource.associated_data;
    expect(parseWechatpayNotification({ ...notification, resource })).toMatchObject({ ok: true, notification: { resource: { associated_data: '' } } });
  });

  it.each([
    ['null', null],
    ['an array', []],
    ['no resource', { ...notification, resource: undefined }],
    ['a plain resource type', { ...notification, resource_type: 'plain' }],
    ['another algorithm', { ...notification, resource: { ...notification.resource, algorithm: 'AEAD_SM4_GCM' } }],
    ['a numeric ciphertext', { ...notification, resource: { ...notification.resource, ciphertext: 42 } }],
    ['no id', { ...notification, id: undefined }],
  ])('rejects %s as malformed', (_name, body) => {
    expect(parseWechatpayNotification(body)).toEqual({ ok: false, reason: 'malformed' });
  });
});
