// The aggregated store QR (一码付) opens one page in whichever app scanned it; the app's
// User-Agent says which wallet can pay there.

export type UserAgentChannel = 'wechatpay' | 'alipay' | 'unknown';

export function channelFromUserAgent(userAgent: string | undefined): UserAgentChannel {
  if (userAgent === undefined) return 'unknown';
  const wechat = userAgent.includes('MicroMessenger');
  const alipay = userAgent.includes('AlipayClient');
  // Both markers at once is no real app: refuse to guess rather than start the wrong payment.
  if (wechat === alipay) return 'unknown';
  return wechat ? 'wechatpay' : 'alipay';
}
