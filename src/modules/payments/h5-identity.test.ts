import { describe, expect, it } from 'vitest';
import { createH5Identity } from './h5-identity.js';

const identity = createH5Identity('test-secret-key-0123456789abcdef');
const now = new Date('2026-03-01T00:00:00Z');

describe('H5 OAuth state and payer cookies', () => {
  it('accepts the state only with the cookie of the browser that started the round trip', () => {
    const started = identity.startOAuth({ qrToken: 'qrtoken01', accountId: 'pca_1', channel: 'wechatpay', now });
    expect(started.state).toMatch(/^[0-9a-f]{64}$/);
    expect(identity.checkState({ cookie: started.cookie, state: started.state, channel: 'wechatpay', now })).toEqual({ ok: true, qrToken: 'qrtoken01', accountId: 'pca_1' });
    const other = identity.startOAuth({ qrToken: 'qrtoken01', accountId: 'pca_1', channel: 'wechatpay', now });
    // Another browser's state (login CSRF), a missing or altered cookie, another channel, too late.
    expect(identity.checkState({ cookie: started.cookie, state: other.state, channel: 'wechatpay', now })).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(identity.checkState({ cookie: undefined, state: started.state, channel: 'wechatpay', now })).toMatchObject({ ok: false, reason: 'missing' });
    expect(identity.checkState({ cookie: `${started.cookie}x`, state: started.state, channel: 'wechatpay', now })).toMatchObject({ ok: false, reason: 'missing' });
    expect(identity.checkState({ cookie: started.cookie, state: started.state, channel: 'alipay', now })).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(identity.checkState({ cookie: started.cookie, state: started.state, channel: 'wechatpay', now: new Date(now.getTime() + 11 * 60_000) })).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('keeps the payer per channel account, sealed, for 30 days', () => {
    const payer = { kind: 'wechat_openid', value: 'oABCDEF123', appId: 'wx1' } as const;
    const cookie = identity.payerCookie({ accountId: 'pca_1', payer, now });
    expect(cookie).not.toContain('oABCDEF123');
    expect(identity.payerFor({ cookie, accountId: 'pca_1', now })).toEqual(payer);
    expect(identity.payerFor({ cookie, accountId: 'pca_2', now })).toBeUndefined();
    expect(identity.payerFor({ cookie, accountId: 'pca_1', now: new Date(now.getTime() + 31 * 24 * 3600_000) })).toBeUndefined();
    expect(createH5Identity('another-secret-key-0123456789abc').payerFor({ cookie, accountId: 'pca_1', now })).toBeUndefined();
  });
});
