import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startWorkers, type Workers } from '../../src/workers.js';
import { startPaymentsApp, weChatUserAgent, type PaymentsTestApp } from '../payments/support.js';
import { launchChromium, screenshot } from './support/chromium.js';

// 支付即会员 in headless Chromium against the real server and its sandbox channels: a WeChat buyer
// pays at the store QR, joins from the result page with one tap, sees the payment's points on the
// member card; staff give a coupon and top up stored value; the buyer pays again at the counter with
// the card's dynamic code, the coupon and stored value, and the card shows the new balances.

let server: PaymentsTestApp;
let workers: Workers;
let browser: Browser;
const pageErrors: string[] = [];

function eventually<T>(read: () => T | Promise<T>, timeout = 30_000) {
  return expect.poll(read, { timeout, interval: 250 });
}

async function api<T = Record<string, unknown>>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const response = await server.api(method, path, body);
  if (response.statusCode >= 300) throw new Error(`${method} ${path}: ${response.statusCode} ${response.body}`);
  return response.json() as T;
}

async function phone(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', userAgent: weChatUserAgent, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
  return { context, page };
}

const number = async (page: Page, testId: string) => Number(((await page.getByTestId(testId).textContent()) ?? '').replace(/[¥,\s]/g, ''));

beforeAll(async () => {
  server = await startPaymentsApp();
  // As `memberplus start` does: notifications, event consumers (accrual) and membership rounds.
  workers = startWorkers(server.config, server.database, server.app.log, { intervalMs: 200 });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await workers?.stop();
  await server?.close();
});

describe('大会员 in Chromium', () => {
  it('pay at the store QR → join → points on the card → coupon and top-up → pay at the counter with the member code → new balances', async () => {
    const storeId = server.demo.storeIds[0]!;
    const qr = await api<{ url: string }>('POST', `/v1/stores/${storeId}/qr-codes`, { desk: '会员台' });

    // The buyer pays ¥100 at the store QR in WeChat.
    const { context, page } = await phone();
    await page.goto(qr.url);
    await page.locator('#amount').fill('100.00');
    await page.locator('button[type="submit"]').click();
    await page.getByTestId('wallet-pay').click();
    await page.locator('[data-testid="payment-status"][data-status="succeeded"]').waitFor({ timeout: 60_000 });
    const paymentId = (await page.locator('[data-payment-id]').first().getAttribute('data-payment-id'))!;

    // The slot offers to join: membership must be ticked, marketing is separate and unticked.
    const form = page.getByTestId('join-form');
    await form.waitFor();
    expect(await page.getByTestId('consent-membership').isChecked()).toBe(false);
    expect(await page.getByTestId('consent-marketing').isChecked()).toBe(false);
    await screenshot(page, 'member-01-join-offer');
    await page.getByTestId('join-submit').click();
    // The browser refuses to submit without the required consent: still on the result page.
    expect(new URL(page.url()).pathname).toBe(`/h5/pay/result/${paymentId}`);
    await page.getByTestId('consent-membership').check();
    await page.getByTestId('join-phone').fill('13912345678');
    await page.getByTestId('join-submit').click();
    await page.waitForURL('**/h5/members/card');
    const cardNumber = ((await page.getByTestId('card-number').textContent()) ?? '').trim();
    expect(cardNumber).toMatch(/^8[0-9]{15}$/);

    const members = await api<{ items: { id: string; card_number: string; join_channel: string; person_id: string | null }[] }>('GET', `/v1/members?q=${cardNumber}`);
    const member = members.items[0]!;
    expect(member).toMatchObject({ join_channel: 'payment' });
    expect(member.person_id).toMatch(/^per_/);
    const consents = await api<{ items: { purposes: string[]; payment_id: string }[] }>('GET', `/v1/members/${member.id}/consents`);
    expect(consents.items).toEqual([expect.objectContaining({ purposes: ['membership'], payment_id: paymentId })]);

    // The ¥100 paid just before joining earns (retro window): 100 points, once the consumer ran.
    await eventually(async () => {
      await page.reload();
      return (await number(page, 'points-available')) + (await number(page, 'points-pending'));
    }).toBe(100);
    await screenshot(page, 'member-02-card-with-points');

    // The code on the card rotates by itself (30-second steps) and always names this member.
    const firstCode = (await page.getByTestId('code-digits').getAttribute('data-code'))!;
    expect(firstCode.startsWith(cardNumber)).toBe(true);
    expect((await api<{ member: { id: string } }>('POST', '/v1/members/by-code', { code: firstCode })).member.id).toBe(member.id);
    await eventually(() => page.getByTestId('code-digits').getAttribute('data-code'), 45_000).not.toBe(firstCode);

    // Staff give a ¥10 coupon and top up ¥50.
    const template = await api<{ id: string }>('POST', '/v1/membership/coupon-templates', { name: '满减券 ¥10', kind: 'cash_off', value_fen: 1_000, validity: { kind: 'relative', days: 30 } });
    const coupon = await api<{ id: string }>('POST', `/v1/membership/coupon-templates/${template.id}/issues`, { member_id: member.id });
    await api('POST', `/v1/members/${member.id}/stored-value/top-ups`, { amount_fen: 5_000, payment_reference: 'e2e-counter-top-up' });
    await page.reload();
    expect(await number(page, 'stored-value')).toBe(50);
    expect(await page.getByTestId('coupons-usable').textContent()).toContain('满减券 ¥10');
    const pointsBefore = await number(page, 'points-available');

    // At the counter: ¥80 with the member code, the coupon, ¥30 of stored value; ¥40 by 付款码.
    const memberCode = (await page.getByTestId('code-digits').getAttribute('data-code'))!;
    const authCode = await server.buyerCode('wechatpay', 'pay');
    const paid = await api<{ status: string; member_id: string; coupons: { discount_fen: number }[]; stored_value: { spent_fen: number }; remainder_due_fen: number }>('POST', '/v1/checkouts', {
      member_code: memberCode,
      store_id: storeId,
      reference: 'e2e-counter-order-1',
      amount_fen: 8_000,
      coupon_ids: [coupon.id],
      stored_value_fen: 3_000,
      payment: { auth_code: authCode },
    });
    expect(paid).toMatchObject({ member_id: member.id, coupons: [{ discount_fen: 1_000 }], stored_value: { spent_fen: 3_000 }, remainder_due_fen: 4_000 });

    // The card: ¥20 left, the coupon used, points earned on the money paid.
    await eventually(async () => {
      await page.reload();
      return { value: await number(page, 'stored-value'), used: (await page.getByTestId('coupons-used').textContent()) ?? '' };
    }).toEqual({ value: 20, used: expect.stringContaining('满减券 ¥10') });
    await eventually(async () => {
      await page.reload();
      return (await number(page, 'points-available')) + (await number(page, 'points-pending'));
    }).toBeGreaterThan(pointsBefore);
    await screenshot(page, 'member-03-card-after-counter');

    await page.getByTestId('logout').click();
    await page.getByTestId('message-title').waitFor();
    await page.goto(`${server.baseUrl}/h5/members/card`);
    expect(await page.getByTestId('message-title').textContent()).toBe('请先登录');
    await context.close();
    expect(pageErrors).toEqual([]);
  }, 240_000);
});
