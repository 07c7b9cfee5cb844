import { describe, expect, it } from 'vitest';
import { routeBarcode } from './barcode-route.js';

const digits = (prefix: string, length: number) => prefix + '7'.repeat(length - prefix.length);

describe('routeBarcode', () => {
  it.each(['10', '11', '12', '13', '14', '15'])('routes 18 digits starting %s to WeChat Pay', (prefix) => {
    const code = digits(prefix, 18);
    expect(routeBarcode(code)).toEqual({ ok: true, channel: 'wechatpay', authCode: code });
  });

  it.each(['25', '26', '27', '28', '29', '30'])('routes 16–24 digits starting %s to Alipay', (prefix) => {
    for (const length of [16, 17, 18, 20, 24]) {
      const code = digits(prefix, length);
      expect(routeBarcode(code)).toEqual({ ok: true, channel: 'alipay', authCode: code });
    }
  });

  it('recognises 19 digits starting 62 as UnionPay, which we do not take', () => {
    expect(routeBarcode(digits('62', 19))).toEqual({ ok: false, reason: 'unsupported_channel', channel: 'unionpay' });
  });

  it.each([
    ['WeChat prefix, 17 digits', digits('13', 17)],
    ['WeChat prefix, 19 digits', digits('13', 19)],
    ['WeChat range edge below, 09', digits('09', 18)],
    ['18 digits starting 16', digits('16', 18)],
    ['Alipay prefix, 15 digits', digits('28', 15)],
    ['Alipay prefix, 25 digits', digits('28', 25)],
    ['Alipay range edge below, 24', digits('24', 18)],
    ['Alipay range edge above, 31', digits('31', 18)],
    ['UnionPay prefix, 18 digits', digits('62', 18)],
    ['UnionPay prefix, 20 digits', digits('62', 20)],
    ['letters', `13456789012345678a`],
    ['a dash inside', '1345-6789012345678'],
    ['full-width digits', '１３４５６７８９０１２３４５６７８９'],
    ['an empty scan', ''],
    ['a QR payload', 'https://qr.alipay.com/bax08431'],
  ])('does not recognise %s', (_name, code) => {
    expect(routeBarcode(code)).toEqual({ ok: false, reason: 'unrecognised' });
  });

  it('ignores the Enter a keyboard-wedge scanner sends after the code', () => {
    const code = digits('13', 18);
    expect(routeBarcode(`${code}\r\n`)).toEqual({ ok: true, channel: 'wechatpay', authCode: code });
  });
});
