// A sandbox-environment channel account talks to the sandbox this server serves: every channel URL
// in its credentials (API base, gateway, OAuth pages) is pointed at /sandbox, whatever was stored.
import type { ChannelCredentials } from './channels/channel-credentials.js';

export function sandboxUrls(publicUrl: string) {
  return {
    wechatpayBaseUrl: `${publicUrl}/sandbox/wechatpay`,
    alipayGatewayUrl: `${publicUrl}/sandbox/alipay/gateway.do`,
    wechatAuthorizeUrl: `${publicUrl}/sandbox/wechat/connect/oauth2/authorize`,
    wechatApiBaseUrl: `${publicUrl}/sandbox/wechat`,
    alipayAuthorizeUrl: `${publicUrl}/sandbox/alipay/oauth2/publicAppAuthorize.htm`,
  };
}

export function locateInSandbox(credentials: ChannelCredentials, publicUrl: string): ChannelCredentials {
  const urls = sandboxUrls(publicUrl);
  if (credentials.channel === 'wechatpay') {
    return {
      ...credentials,
      base_url: urls.wechatpayBaseUrl,
      ...(credentials.oauth ? { oauth: { ...credentials.oauth, authorize_url: urls.wechatAuthorizeUrl, api_base_url: urls.wechatApiBaseUrl } } : {}),
    };
  }
  return { ...credentials, gateway_url: urls.alipayGatewayUrl, ...(credentials.oauth ? { oauth: { ...credentials.oauth, authorize_url: urls.alipayAuthorizeUrl } } : {}) };
}
