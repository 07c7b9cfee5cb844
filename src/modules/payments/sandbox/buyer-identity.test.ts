import { describe, expect, it } from 'vitest';
import { routeBarcode } from '../counter/barcode-route.js';
import { alipayOpenId, alipayUserId, newAuthCode, wechatOpenid, wechatUnionid } from './buyer-identity.js';

describe('sandbox buyer identity', () => {
  it('is stable per buyer, scoped per app where the channel scopes it', () => {
    expect(wechatOpenid('wx1', 'alice')).toBe(wechatOpenid('wx1', 'alice'));
    expect(wechatOpenid('wx1', 'alice')).not.toBe(wechatOpenid('wx2', 'alice'));
    expect(wechatOpenid('wx1', 'alice')).toMatch(/^o[A-Za-z0-9_-]{27}$/);
    expect(wechatUnionid('alice')).not.toBe(wechatUnionid('bob'));
    expect(alipayUserId('alice')).toMatch(/^2088\d{12}$/);
    expect(alipayOpenId('2021001', 'alice')).not.toBe(alipayOpenId('2021002', 'alice'));
  });

  it('issues 付款码 that the counter routes to the issuing channel', () => {
    for (let i = 0; i < 200; i += 1) {
      const wechat = routeBarcode(newAuthCode('wechatpay'));
      const alipay = routeBarcode(newAuthCode('alipay'));
      expect(wechat.ok && wechat.channel).toBe('wechatpay');
      expect(alipay.ok && alipay.channel).toBe('alipay');
    }
  });
});
