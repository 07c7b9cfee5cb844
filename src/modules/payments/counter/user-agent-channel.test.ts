import { describe, expect, it } from 'vitest';
import { channelFromUserAgent } from './user-agent-channel.js';

const wechat =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x1800323c) NetType/WIFI Language/zh_CN';
const alipay =
  'Mozilla/5.0 (Linux; U; Android 14; zh-CN; V2309A Build/UP1A.231005.007) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/69.0.3497.100 UWS/3.22.2.9999 UCBS/3.22.2.9999_220000000000 Mobile Safari/537.36 NebulaSDK/1.8.100112 Nebula AlipayDefined(nt:WIFI,ws:360|0|3.0) AliApp(AP/10.6.10.8000) AlipayClient/10.6.10.8000 Language/zh-Hans useStatusBar/true isConcaveScreen/true Region/CNAriver/1.0.0';
const safari =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

describe('channelFromUserAgent', () => {
  it.each([
    ['WeChat', wechat, 'wechatpay'],
    ['Alipay', alipay, 'alipay'],
    ['a plain browser', safari, 'unknown'],
    ['an empty header', '', 'unknown'],
    ['no header', undefined, 'unknown'],
    ['both markers at once', `${wechat} AlipayClient/10.6`, 'unknown'],
  ])('reads %s as %s', (_name, userAgent, channel) => {
    expect(channelFromUserAgent(userAgent)).toBe(channel);
  });
});
