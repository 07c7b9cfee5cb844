import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature } from './webhook-signature.js';

const secret = 'whsec_test_0123456789abcdefghijklmnopqrstuv';
const body = '{"id":"evt_01","type":"payment.succeeded","data":{"amount":1200,"note":"拿铁"}}';
const t = 1_767_225_600; // 2026-01-01T00:00:00Z
const nowMs = t * 1000;

describe('webhook signature', () => {
  it('is t=<seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>', () => {
    const independent = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(signWebhook(secret, body, t)).toBe(`t=${t},v1=${independent}`);
  });

  it('verifies what it signs, within the 300 s tolerance either way', () => {
    const header = signWebhook(secret, body, t);
    expect(verifyWebhookSignature(secret, body, header, { nowMs })).toBe(true);
    expect(verifyWebhookSignature(secret, body, header, { nowMs: nowMs + 300_000 })).toBe(true);
    expect(verifyWebhookSignature(secret, body, header, { nowMs: nowMs - 300_000 })).toBe(true);
    expect(verifyWebhookSignature(secret, body, header, { nowMs: nowMs + 301_000 })).toBe(false);
    expect(verifyWebhookSignature(secret, body, header, { nowMs: nowMs - 301_000 })).toBe(false);
    expect(verifyWebhookSignature(secret, body, header, { nowMs: nowMs + 3_600_000, toleranceSeconds: 3_600 })).toBe(true);
  });

  it('refuses another secret, a changed body, a moved timestamp and malformed headers', () => {
    const header = signWebhook(secret, body, t);
    expect(verifyWebhookSignature(`${secret}x`, body, header, { nowMs })).toBe(false);
    expect(verifyWebhookSignature(secret, body.replace('1200', '1201'), header, { nowMs })).toBe(false);
    expect(verifyWebhookSignature(secret, body, header.replace(`t=${t}`, `t=${t + 1}`), { nowMs })).toBe(false);
    for (const bad of [undefined, null, '', 'garbage', `t=${t}`, `v1=${'0'.repeat(64)}`, `t=abc,v1=${'0'.repeat(64)}`, `t=${t},v1=XYZ`, `t=${t},v1`]) {
      expect(verifyWebhookSignature(secret, body, bad, { nowMs })).toBe(false);
    }
    expect(verifyWebhookSignature('', body, header, { nowMs })).toBe(false);
  });

  it('accepts the header when any of several v1 entries matches (secret rotation)', () => {
    const header = signWebhook(secret, body, t);
    const other = signWebhook('whsec_old', body, t).split(',')[1];
    expect(verifyWebhookSignature(secret, body, `${header.split(',')[0]},${other},${header.split(',')[1]}`, { nowMs })).toBe(true);
    expect(verifyWebhookSignature(secret, body, `${header.split(',')[0]},${other}`, { nowMs })).toBe(false);
  });

  it('round-trips any body and secret, and one flipped character breaks it', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string(), fc.integer({ min: 0, max: 4_000_000_000 }), (key, raw, ts) => {
        const header = signWebhook(key, raw, ts);
        expect(verifyWebhookSignature(key, raw, header, { nowMs: ts * 1000 })).toBe(true);
        expect(verifyWebhookSignature(key, `${raw}.`, header, { nowMs: ts * 1000 })).toBe(false);
      }),
    );
  });
});
