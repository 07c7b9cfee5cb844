import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSandboxNotifications } from '../../src/modules/payments/sandbox/index.js';
import { alipayUserAgent, eventsFor, getPayment, safariUserAgent, startPaymentsApp, weChatUserAgent, type PaymentsTestApp } from './support.js';

let t: PaymentsTestApp;
let qr: { id: string; url: string; png_url: string; svg_url: string };
beforeAll(async () => {
  t = await startPaymentsApp();
  const created = await t.api('POST', `/v1/stores/${t.demo.storeIds[0]}/qr-codes`, { desk: '2号收银台', label: 'counter 2' });
  expect(created.statusCode, created.body).toBe(201);
  qr = created.json();
});
afterAll(() => t.close());

const pathOf = (url: string) => new URL(url).pathname + new URL(url).search;
const open = (userAgent: string) => t.app.inject({ method: 'GET', url: pathOf(qr.url), headers: { 'user-agent': userAgent } });
const submit = (userAgent: string, amount: string, cookie = '') =>
  t.app.inject({ method: 'POST', url: pathOf(qr.url), headers: { 'user-agent': userAgent, 'content-type': 'application/x-www-form-urlencoded', ...(cookie && { cookie }) }, payload: `amount=${encodeURIComponent(amount)}` });

describe('store QR pay page (一码付)', () => {
  it('picks the wallet from the User-Agent', async () => {
    const wechat = await open(weChatUserAgent);
    expect(wechat.statusCode).toBe(200);
    expect(wechat.headers['content-type']).toMatch(/text\/html/);
    expect(wechat.body).toContain('data-channel="wechatpay"');
    expect(wechat.body).toContain('人民广场店');
    expect(wechat.body).toContain('2号收银台');
    const alipay = await open(alipayUserAgent);
    expect(alipay.body).toContain('data-channel="alipay"');
    const browser = await open(safariUserAgent);
    expect(browser.statusCode).toBe(200);
    expect(browser.body).toContain('请用微信或支付宝扫码');
    expect(browser.body).not.toContain('<form');
  });

  it('lets a desktop browser act as either wallet when the store’s accounts are sandbox ones (the demo)', async () => {
    const browser = await open(safariUserAgent);
    expect(browser.body).toContain('data-testid="simulate-wechatpay"');
    expect(browser.body).toContain('data-testid="simulate-alipay"');
    const asAlipay = await t.app.inject({ method: 'GET', url: `${pathOf(qr.url)}?as=alipay`, headers: { 'user-agent': safariUserAgent } });
    expect(asAlipay.body).toContain('data-channel="alipay"');
    expect(asAlipay.body).toContain('?as=alipay');
    const paid = await t.app.inject({
      method: 'POST',
      url: `${pathOf(qr.url)}?as=alipay`,
      headers: { 'user-agent': safariUserAgent, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'amount=8.80',
    });
    expect(paid.statusCode, paid.body.slice(-400)).toBe(303);
    expect(new URL(paid.headers.location as string).pathname).toMatch(/^\/sandbox\/wallet\/alipay\//);
    // A real wallet's User-Agent wins over the parameter.
    const wechat = await t.app.inject({ method: 'GET', url: `${pathOf(qr.url)}?as=alipay`, headers: { 'user-agent': weChatUserAgent } });
    expect(wechat.body).toContain('data-channel="wechatpay"');
  });

  it('answers unknown or disabled codes with a 404 page', async () => {
    const unknown = await t.app.inject({ method: 'GET', url: '/h5/pay/no-such-token-here', headers: { 'user-agent': weChatUserAgent } });
    expect(unknown.statusCode).toBe(404);
    const other = (await t.api('POST', `/v1/stores/${t.demo.storeIds[1]}/qr-codes`, {})).json() as { id: string; url: string };
    await t.api('PATCH', `/v1/qr-codes/${other.id}`, { status: 'disabled' });
    const disabled = await t.app.inject({ method: 'GET', url: pathOf(other.url), headers: { 'user-agent': weChatUserAgent } });
    expect(disabled.statusCode).toBe(404);
  });

  it('re-asks for a bad amount', async () => {
    for (const amount of ['', 'abc', '0', '1.234', '-5']) {
      const response = await submit(weChatUserAgent, amount);
      expect(response.statusCode, amount).toBe(400);
      expect(response.body).toContain('role="alert"');
    }
  });

  for (const [channel, userAgent] of [['wechatpay', weChatUserAgent], ['alipay', alipayUserAgent]] as const) {
    it(`${channel}: buyer types the amount, pays in the wallet and lands on the result page`, async () => {
      const submitted = await submit(userAgent, '12.30');
      expect(submitted.statusCode, submitted.body.slice(-800)).toBe(303);
      const wallet = new URL(submitted.headers.location as string);
      expect(wallet.pathname).toMatch(new RegExp(`^/sandbox/wallet/${channel}/`));
      const cookie = (submitted.headers['set-cookie'] as string | string[] | undefined) ? String(submitted.headers['set-cookie']).split(';')[0]! : '';
      expect(cookie).toMatch(/^mp_sandbox_buyer=/);
      const walletPage = await t.app.inject({ method: 'GET', url: wallet.pathname + wallet.search });
      expect(walletPage.statusCode).toBe(200);
      const paid = await t.app.inject({ method: 'POST', url: `${wallet.pathname}/pay${wallet.search}` });
      expect(paid.statusCode).toBe(303);
      const resultUrl = new URL(paid.headers.location as string, t.baseUrl);
      expect(resultUrl.pathname).toMatch(/^\/h5\/pay\/result\/pay_/);
      await runSandboxNotifications(t.database.db, new Date());
      const result = await t.app.inject({ method: 'GET', url: resultUrl.pathname });
      expect(result.statusCode).toBe(200);
      expect(result.body).toContain('data-status="succeeded"');
      expect(result.body).toContain('¥12.30');
      // The paid time as buyers read it: Beijing time, not UTC ISO.
      const paidAt = /<time datetime="([^"]+)" data-testid="paid-at">([^<]+)<\/time>/.exec(result.body);
      expect(paidAt?.[2]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      expect(new Date(`${paidAt![2]!.replace(' ', 'T')}+08:00`).getTime()).toBe(Math.floor(new Date(paidAt![1]!).getTime() / 1000) * 1000);
      expect(result.body).toContain('data-slot="membership"');
      const paymentId = resultUrl.pathname.split('/').at(-1)!;
      const payment = await getPayment(t, paymentId);
      expect(payment).toMatchObject({ kind: 'in_app', channel, amount_fen: 1230, status: 'succeeded' });
      expect(payment.payer_identifiers.length).toBeGreaterThan(0);
      expect(await eventsFor(t, 'payment.succeeded', paymentId)).toHaveLength(1);
      // The same browser pays as the same buyer next time.
      const again = await submit(userAgent, '1.00', cookie);
      expect(String(again.headers['set-cookie'] ?? '')).not.toContain('mp_sandbox_buyer=');
      // Each order gives this browser a fresh payer ticket (what join-at-payment asks for).
      expect(String(again.headers['set-cookie'] ?? '')).toMatch(/mp_payer=[^;]+; Max-Age=1800; Path=\/h5; HttpOnly; SameSite=Lax/);
      expect(new URL(again.headers.location as string).searchParams.get('buyer')).toBe(cookie.split('=')[1]);
    });
  }

  it('downloads the QR as SVG with the store name and as PNG', async () => {
    const svg = await t.api('GET', `/v1/qr-codes/${qr.id}.svg`);
    expect(svg.statusCode).toBe(200);
    expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(svg.body).toContain('人民广场店');
    expect(svg.body).toContain('2号收银台');
    const png = await t.api('GET', `/v1/qr-codes/${qr.id}.png`);
    expect(png.statusCode).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.rawPayload.subarray(1, 4).toString()).toBe('PNG');
    const list = await t.api('GET', `/v1/stores/${t.demo.storeIds[0]}/qr-codes`);
    expect((list.json() as { items: { id: string }[] }).items.map((q) => q.id)).toContain(qr.id);
  });
});
