// WeChat web OAuth, snsapi_base (silent): the buyer's browser goes to
// open.weixin.qq.com/connect/oauth2/authorize and comes back with a one-time code (5 minutes), which
// the server trades at api.weixin.qq.com/sns/oauth2/access_token (appid + AppSecret) for the openid.
// These endpoints are the official account's, not WeChat Pay's: plain JSON, no signatures.
import { ChannelError, type WalletOAuth } from './adapter.js';
import { WECHAT_OAUTH_DEFAULT_API_BASE_URL, WECHAT_OAUTH_DEFAULT_AUTHORIZE_URL, type WechatpayCredentials } from './channel-credentials.js';

type Oauth = NonNullable<WechatpayCredentials['oauth']>;

export function createWechatOAuth(oauth: Oauth, runtime: { readonly fetch: typeof fetch; readonly timeoutMs: number }): WalletOAuth {
  const fail = (kind: 'rejected' | 'unavailable' | 'bad_response', code: string, message: string) => new ChannelError('wechatpay', kind, code, `oauth: ${message}`);
  return {
    authorizeUrl({ redirectUri, state }) {
      // WeChat checks the parameters in this order; #wechat_redirect is part of the documented URL.
      const query = new URLSearchParams({ appid: oauth.appid, redirect_uri: redirectUri, response_type: 'code', scope: 'snsapi_base', state });
      return `${oauth.authorize_url ?? WECHAT_OAUTH_DEFAULT_AUTHORIZE_URL}?${query.toString()}#wechat_redirect`;
    },
    async exchangeCode(code) {
      const query = new URLSearchParams({ appid: oauth.appid, secret: oauth.app_secret, code, grant_type: 'authorization_code' });
      const url = `${(oauth.api_base_url ?? WECHAT_OAUTH_DEFAULT_API_BASE_URL).replace(/\/$/, '')}/sns/oauth2/access_token?${query.toString()}`;
      let response: Response;
      try {
        response = await runtime.fetch(url, { signal: AbortSignal.timeout(runtime.timeoutMs) });
      } catch (error) {
        throw fail('unavailable', 'network', (error as Error).message);
      }
      if (response.status >= 500) throw fail('unavailable', `http_${String(response.status)}`, `HTTP ${String(response.status)}`);
      let body: Record<string, unknown>;
      try {
        body = (await response.json()) as Record<string, unknown>;
      } catch {
        throw fail('bad_response', 'malformed', 'answer is not JSON');
      }
      // 40029 invalid code, 40163 code been used, 40125 invalid appsecret, …
      if (typeof body.errcode === 'number' && body.errcode !== 0) throw fail(body.errcode === -1 ? 'unavailable' : 'rejected', String(body.errcode), String(body.errmsg ?? ''));
      // 快照页模式: a user browsing a snapshot of the page gets a virtual openid that cannot pay.
      if (body.is_snapshotuser === 1) throw fail('rejected', 'snapshot_user', 'the buyer is on a page snapshot; the openid is virtual');
      const openid = typeof body.openid === 'string' ? body.openid : '';
      if (!/^[0-9A-Za-z_-]{6,64}$/.test(openid)) throw fail('bad_response', 'malformed', 'no openid in the answer');
      return { kind: 'wechat_openid', value: openid, appId: oauth.appid };
    },
  };
}
