// The H5 pay page with the wallets' web OAuth, against the sandbox's faithful OAuth endpoints: WeChat
// snsapi_base (authorize → code → sns/oauth2/access_token → openid) and Alipay auth_base
// (publicAppAuthorize.htm → auth_code → alipay.system.oauth.token → user id). The payer learnt this
// way is the one the JSAPI / trade.create order names, and the one the payment resolves to.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import type { ChannelCredentials } from '../../src/modules/payments/channels/channel-credentials.js';
import { alipayUserId, runSandboxNotifications, wechatOpenid } from '../../src/modules/payments/sandbox/index.js';
import { paymentOrders } from '../../src/modules/payments/schema.js';
import { alipayUserAgent, getPayment, startPaymentsApp, weChatUserAgent, type PaymentsTestApp } from './support.js';

let t: PaymentsTestApp;
let qrPath: string;
const credentials: Partial<Record<'wechatpay' | 'alipay', ChannelCredentials>> = {};

beforeAll(async () => {
  t = await startPaymentsApp();
  for (const channel of ['wechatpay', 'alipay'] as const) {
    const issued = (await t.sandbox('GET', `/credentials/${channel}?oauth=true`)).json() as ChannelCredentials;
    credentials[channel] = issued;
    const put = await t.api('PUT', `/v1/payment-channels/${channel}`, { environment: 'sandbox', credentials: issued });
    expect(put.statusCode, put.body).toBe(200);
  }
  const created = await t.api('POST', `/v1/stores/${t.demo.storeIds[0]}/qr-codes`, { desk: 'OAuth' });
  qrPath = new URL((created.json() as { url: string }).url).pathname;
});
afterAll(() => t.close());

/** A tiny cookie jar: what a wallet's in-app browser keeps for our host. */
class Browser {
  readonly cookies = new Map<string, string>();
  constructor(readonly userAgent: string) {}
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  keep(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const cookie of response.cookies) {
      if (cookie.maxAge === 0 || cookie.value === '') this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    return response;
  }
  async get(url: string) {
    const u = new URL(url, t.baseUrl);
    return this.keep(await t.app.inject({ method: 'GET', url: u.pathname + u.search, headers: { 'user-agent': this.userAgent, cookie: this.header() } }));
  }
  async post(url: string, form: Record<string, string>) {
    const u = new URL(url, t.baseUrl);
    return this.keep(await t.app.inject({ method: 'POST', url: u.pathname + u.search, headers: { 'user-agent': this.userAgent, cookie: this.header(), 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(form).toString() }));
  }
}

function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[match[1]!] = match[2]!.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
  return fields;
}

/** Scan, go through the wallet's authorize page as `buyer`, come back to the pay page. */
async function signIn(browser: Browser, buyer: string): Promise<{ authorize: URL; callback: URL }> {
  const opened = await browser.get(qrPath);
  expect(opened.statusCode, opened.body.slice(0, 300)).toBe(302);
  const authorize = new URL(opened.headers.location as string);
  const page = await browser.get(authorize.toString());
  expect(page.statusCode, page.body.slice(0, 500)).toBe(200);
  expect(page.body).toContain('data-testid="oauth-confirm"');
  const confirmed = await browser.post(authorize.pathname, { ...hiddenFields(page.body), buyer });
  expect(confirmed.statusCode, confirmed.body).toBe(302);
  const callback = new URL(confirmed.headers.location as string);
  const back = await browser.get(callback.toString());
  expect(back.statusCode, back.body).toBe(303);
  expect(back.headers.location).toBe(qrPath);
  return { authorize, callback };
}

describe.each([
  ['wechatpay', weChatUserAgent],
  ['alipay', alipayUserAgent],
] as const)('%s web OAuth on the pay page', (channel, userAgent) => {
  it('redirects to the wallet’s authorize URL with the documented parameters and a signed state', async () => {
    const opened = await new Browser(userAgent).get(qrPath);
    expect(opened.statusCode).toBe(302);
    const url = new URL(opened.headers.location as string);
    const issued = credentials[channel]!;
    if (channel === 'wechatpay' && issued.channel === 'wechatpay') {
      expect(url.pathname).toBe('/sandbox/wechat/connect/oauth2/authorize');
      expect([...url.searchParams.keys()]).toEqual(['appid', 'redirect_uri', 'response_type', 'scope', 'state']);
      expect(url.searchParams.get('appid')).toBe(issued.oauth?.appid);
      expect(url.searchParams.get('response_type')).toBe('code');
      expect(url.searchParams.get('scope')).toBe('snsapi_base');
      expect(url.hash).toBe('#wechat_redirect');
    } else if (issued.channel === 'alipay') {
      expect(url.pathname).toBe('/sandbox/alipay/oauth2/publicAppAuthorize.htm');
      expect(url.searchParams.get('app_id')).toBe(issued.account.app_id);
      expect(url.searchParams.get('scope')).toBe('auth_base');
    }
    expect(url.searchParams.get('redirect_uri')).toBe(`${t.baseUrl}/h5/oauth/${channel}/callback`);
    expect(url.searchParams.get('state')).toMatch(/^[0-9a-f]{64}$/);
    expect(String(opened.headers['set-cookie'])).toMatch(/mp_h5_oauth=.*HttpOnly/);
  });

  it('pays as the buyer the wallet named: the order carries that payer and the payment resolves to it', async () => {
    const browser = new Browser(userAgent);
    await signIn(browser, `oauth-${channel}`);
    // Now the pay page shows; the amount goes in and the order names the OAuth payer.
    const pageShown = await browser.get(qrPath);
    expect(pageShown.statusCode).toBe(200);
    expect(pageShown.body).toContain(`data-channel="${channel}"`);
    const submitted = await browser.post(qrPath, { amount: '8.80' });
    expect(submitted.statusCode, submitted.body.slice(-500)).toBe(303);
    const wallet = new URL(submitted.headers.location as string);
    expect(wallet.searchParams.has('buyer')).toBe(false);
    // Whoever the wallet page is opened as, the order pays as the payer it named.
    const paid = await browser.post(`${wallet.pathname}/pay`, { buyer: 'somebody-else', return_url: wallet.searchParams.get('return_url')! });
    expect(paid.statusCode).toBe(303);
    await runSandboxNotifications(t.database.db, new Date());
    const paymentId = new URL(paid.headers.location as string).pathname.split('/').pop()!;
    const payment = await getPayment(t, paymentId);
    expect(payment.status).toBe('succeeded');
    const issued = credentials[channel]!;
    const expected = issued.channel === 'wechatpay' ? wechatOpenid(issued.oauth!.appid, `oauth-${channel}`) : alipayUserId(`oauth-${channel}`);
    expect(payment.payer_identifiers.map((p) => p.value)).toContain(expected);
    const [row] = await t.database.db.select().from(paymentOrders).where(and(eq(paymentOrders.merchantId, t.demo.merchantId), eq(paymentOrders.id, paymentId)));
    expect(row!.kind).toBe('in_app');

    // The next scan knows the buyer: no second trip round the wallet.
    expect((await browser.get(qrPath)).statusCode).toBe(200);
  });

  it('refuses a callback from another browser (CSRF), a replayed callback, and a code used twice', async () => {
    const victim = new Browser(userAgent);
    const attacker = new Browser(userAgent);
    const opened = await attacker.get(qrPath);
    const authorize = new URL(opened.headers.location as string);
    const page = await attacker.get(authorize.toString());
    const confirmed = await attacker.post(authorize.pathname, { ...hiddenFields(page.body), buyer: 'mallory' });
    const callback = new URL(confirmed.headers.location as string);
    // The attacker's callback URL, opened in the victim's browser (no matching state cookie).
    const forged = await victim.get(callback.toString());
    expect(forged.statusCode).toBe(400);
    expect(victim.cookies.has('mp_h5_payer')).toBe(false);
    // In the right browser it works once; a replay of the same callback fails (state used up).
    expect((await attacker.get(callback.toString())).statusCode).toBe(303);
    expect((await attacker.get(callback.toString())).statusCode).toBe(400);
    // The channel itself refuses a code twice: a new round trip presenting the old code fails the exchange.
    const fresh = new Browser(userAgent);
    const restarted = await fresh.get(qrPath);
    const state = new URL(restarted.headers.location as string).searchParams.get('state')!;
    const codeParam = channel === 'wechatpay' ? 'code' : 'auth_code';
    const reused = await fresh.get(`/h5/oauth/${channel}/callback?${codeParam}=${callback.searchParams.get(codeParam)!}&state=${state}`);
    expect(reused.statusCode).toBe(502);
    expect(fresh.cookies.has('mp_h5_payer')).toBe(false);
  });
});

describe('sandbox OAuth endpoints', () => {
  it('WeChat sns/oauth2/access_token answers errcodes as WeChat does', async () => {
    const issued = credentials.wechatpay!;
    if (issued.channel !== 'wechatpay' || !issued.oauth) throw new Error('oauth credentials expected');
    const ask = async (query: Record<string, string>) => (await t.sandbox('GET', `/wechat/sns/oauth2/access_token?${new URLSearchParams(query).toString()}`)).json() as Record<string, unknown>;
    const base = { appid: issued.oauth.appid, secret: issued.oauth.app_secret, grant_type: 'authorization_code' };
    expect(await ask({ ...base, code: 'nope' })).toMatchObject({ errcode: 40029 });
    expect(await ask({ ...base, secret: 'x'.repeat(32), code: 'nope' })).toMatchObject({ errcode: 40125 });
  });

  it('the authorize pages refuse a redirect_uri outside this server', async () => {
    const issued = credentials.wechatpay!;
    if (issued.channel !== 'wechatpay' || !issued.oauth) throw new Error('oauth credentials expected');
    const query = new URLSearchParams({ appid: issued.oauth.appid, redirect_uri: 'https://evil.example/cb', response_type: 'code', scope: 'snsapi_base', state: 'x' });
    const response = await t.sandbox('GET', `/wechat/connect/oauth2/authorize?${query.toString()}`);
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('redirect_uri');
  });
});
