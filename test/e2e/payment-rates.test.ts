import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startWorkers, type Workers } from '../../src/workers.js';
import { payInWallet, qrPayment, startPaymentsApp, type PaymentsTestApp } from '../payments/support.js';
import { fillField, launchChromium, screenshot } from './support/chromium.js';
import { ensureConsoleBuilt } from './support/console-server.js';
import { eventually, goTo, logInAs, openPage } from './support/console-pages.js';

// In Chromium: the operator reads and sets a merchant's fee rates from the merchant page, the owner
// sees the new fee on the channel page (never the channel cost), and a payment the buyer paid after
// it was closed shows as late_paid, refunded automatically, in the payment drawer.

let server: PaymentsTestApp;
let workers: Workers;
let browser: Browser;
const pageErrors: string[] = [];

const newPage = () => openPage(browser, pageErrors);
const logIn = (page: Page, login: string) => logInAs(page, server.baseUrl, login);
const go = goTo;

beforeAll(async () => {
  ensureConsoleBuilt();
  server = await startPaymentsApp();
  workers = startWorkers(server.config, server.database, server.app.log, { intervalMs: 200 });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await workers?.stop();
  await server?.close();
});

describe('console: fee rates and late payments', () => {
  it('the operator sets a rate on the merchant page; the owner sees the fee; a late payment shows as refunded', async () => {
    const operator = await newPage();
    await logIn(operator.page, 'operator');
    await go(operator.page, null, 'nav-merchants', '商户');
    await operator.page.getByTestId(`merchant-rates-${server.demo.merchantId}`).click();
    await eventually(() => operator.page.getByTestId('rates-fee-wechatpay').textContent()).toBe('0.38%');
    expect(await operator.page.getByTestId('rates-agent').textContent()).toContain('30%');
    await operator.page.getByTestId('rates-edit-wechatpay').click();
    await fillField(operator.page, 'rates-edit-fee', '0.6');
    await fillField(operator.page, 'rates-edit-cost', '0.25');
    await operator.page.getByTestId('rates-save').click();
    await eventually(() => operator.page.getByTestId('rates-fee-wechatpay').textContent()).toBe('0.6%');
    expect(await operator.page.getByTestId('rates-cost-wechatpay').textContent()).toBe('0.25%');
    await screenshot(operator.page, 'rates-01-operator-merchant-rates');
    await operator.context.close();

    const owner = await newPage();
    await logIn(owner.page, 'owner');
    await go(owner.page, 'nav-payments', 'nav-channels', '支付通道');
    await eventually(() => owner.page.getByTestId('channel-fee-wechatpay').textContent()).toBe('0.6%');
    expect(await owner.page.getByTestId('channel-card-wechatpay').textContent()).not.toContain('0.25%');

    // An Alipay QR closed here before anyone scanned it, then paid: late_paid, refunded in full.
    const qr = await qrPayment(server, 'alipay', 777);
    expect((await server.api('POST', `/v1/payments/${qr.id}/close`)).json().status).toBe('closed');
    await payInWallet(server, qr.code_url!, 'e2e-late');
    await eventually(async () => ((await server.api('GET', `/v1/payments/${qr.id}`)).json() as { refunded_fen: number }).refunded_fen).toBe(777);
    await go(owner.page, 'nav-payments', 'nav-transactions', '收款记录');
    await owner.page.getByTestId(`payment-row-${qr.id}`).click();
    await owner.page.getByTestId('payment-late-paid').waitFor();
    expect(await owner.page.getByTestId('payment-status').textContent()).toContain('关单后到账');
    expect(await owner.page.getByTestId('payment-refunded').textContent()).toContain('7.77');
    await screenshot(owner.page, 'rates-02-late-paid-payment');
    await owner.context.close();
    expect(pageErrors).toEqual([]);
  }, 300_000);
});
