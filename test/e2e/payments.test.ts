import { readFileSync } from 'node:fs';
import { and, eq } from 'drizzle-orm';
import { unzipSync } from 'fflate';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { demoPassword } from '../../src/seed.js';
import { credentialsOf } from '../../src/modules/payments/channel-config.js';
import { alipayBillToken } from '../../src/modules/payments/sandbox/alipay-gateway.js';
import { sandboxMerchants } from '../../src/modules/payments/sandbox/schema.js';
import { channelAccounts } from '../../src/modules/payments/schema.js';
import { yuanToFen } from '../../src/modules/payments/channels/yuan-amount.js';
import { startWorkers, type Workers } from '../../src/workers.js';
import { formatFen, parseYuan, shanghaiToday } from '../../web/console/src/components/money.js';
import { startPaymentsApp, weChatUserAgent, type PaymentsTestApp } from '../payments/support.js';
import { fillField, inputOf, launchChromium, pickOption, screenshot } from './support/chromium.js';
import { ensureConsoleBuilt } from './support/console-server.js';

// Payments and ID+ in headless Chromium against the real server, listening on the port its
// PUBLIC_URL names, so the channel adapters reach the built-in sandbox over HTTP and the sandbox's
// signed notifications come back to /notify. A buyer scans the store's QR code in "WeChat", pays in
// the sandbox wallet, and the owner finds the payment in the console, refunds half of it and opens
// the person behind it.

let server: PaymentsTestApp;
let workers: Workers;
let browser: Browser;
const pageErrors: string[] = [];

function eventually<T>(read: () => T | Promise<T>) {
  return expect.poll(read, { timeout: 30_000, interval: 200 });
}

async function newPage(options: { userAgent?: string; mobile?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: options.mobile ? { width: 390, height: 844 } : { width: 1440, height: 900 },
    locale: 'zh-CN',
    acceptDownloads: true,
    ...(options.userAgent && { userAgent: options.userAgent }),
    ...(options.mobile && { isMobile: true, hasTouch: true, deviceScaleFactor: 2 }),
  });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
  return { context, page };
}

async function logIn(page: Page, login: string): Promise<void> {
  await page.goto(`${server.baseUrl}/console/`);
  await page.getByTestId('login-page').waitFor();
  await fillField(page, 'login-username', login);
  await fillField(page, 'login-password', demoPassword);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('app-layout').waitFor();
}

/** Opens a page of a navigation section (the section's submenu may be closed). */
async function go(page: Page, section: string, nav: string, title: string): Promise<void> {
  if (!(await page.getByTestId(nav).isVisible())) await page.getByTestId(section).click();
  await page.getByTestId(nav).click();
  await eventually(() => page.getByTestId('page-title').textContent()).toBe(title);
}

async function apiGet<T>(path: string): Promise<T> {
  const response = await server.api('GET', path);
  if (response.statusCode !== 200) throw new Error(`${path}: ${response.statusCode} ${response.body}`);
  return response.json() as T;
}

beforeAll(async () => {
  // The server serves /console/ only when the build exists at boot.
  ensureConsoleBuilt();
  server = await startPaymentsApp();
  // As `memberplus start` does: the background rounds deliver the sandbox's notifications and webhooks.
  workers = startWorkers(server.config, server.database, server.app.log, { intervalMs: 200 });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await workers?.stop();
  await server?.close();
});

describe('console money helpers', () => {
  it('parse yuan exactly as the server does, and format fen back to the same text', () => {
    expect(parseYuan('12.34')).toBe(1234);
    expect(parseYuan('6.17')).toBe(617);
    expect(parseYuan('0.1')).toBe(10);
    expect(parseYuan('1.15')).toBe(115);
    for (const bad of ['', '6.175', '-1', '1e2', '01.00', '.5', '5.', '¥5', '1,000']) expect(parseYuan(bad)).toBeNull();
    const text = fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: 99_999_999 }), fc.integer({ min: 0, max: 99 })).map(([w, f]) => `${w}.${String(f).padStart(2, '0')}`),
      fc.stringMatching(/^[0-9.\-e]{1,12}$/),
    );
    fc.assert(
      fc.property(text, (input) => {
        const ours = parseYuan(input);
        const theirs = yuanToFen(input);
        expect(ours).toBe(theirs.ok ? theirs.fen : null);
        if (ours !== null) expect(parseYuan(formatFen(ours))).toBe(ours);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('payments and ID+ in Chromium', () => {
  it('a WeChat buyer pays 12.34 at the store QR; the owner sees it succeed, refunds 6.17 and opens the payer’s identity', async () => {
    const storeId = server.demo.storeIds[0]!;
    const { context: ownerContext, page } = await newPage();
    await logIn(page, 'owner');

    // The owner makes a QR code for the first cashier desk and downloads it.
    await go(page, 'nav-payments', 'nav-qr-codes', '收款码');
    await pickOption(page, 'qr-store', `store-option-${storeId}`);
    await page.getByTestId('qr-create').click();
    await fillField(page, 'qr-desk', '1 号收银台');
    await page.getByTestId('qr-save').click();
    const qrCard = page.locator('[data-testid^="qr-card-"]', { hasText: '1 号收银台' }).first();
    await qrCard.waitFor();
    const qrId = ((await qrCard.getAttribute('data-testid')) ?? '').replace('qr-card-', '');
    expect(qrId).toMatch(/^pqr_[0-9a-z]{26}$/);
    await page.locator(`[data-testid="qr-image-${qrId}"]`).evaluate((img: HTMLImageElement) => (img.complete ? null : new Promise((resolve) => img.addEventListener('load', resolve, { once: true }))));
    expect(await page.getByTestId(`qr-image-${qrId}`).evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(100);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(`qr-png-${qrId}`).click()]);
    const png = readFileSync((await download.path())!);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    await screenshot(page, 'pay-01-qr-codes');

    // The store QR the buyer scans, as the API lists it.
    const codes = await apiGet<{ items: { id: string; url: string; desk: string | null; status: string }[] }>(`/v1/stores/${storeId}/qr-codes`);
    const qr = codes.items.find((c) => c.id === qrId);
    expect(qr).toMatchObject({ desk: '1 号收银台', status: 'active' });
    expect(qr!.url.startsWith(`${server.baseUrl}/h5/pay/`)).toBe(true);
    expect(await page.getByTestId(`qr-url-${qrId}`).inputValue()).toBe(qr!.url);

    // The buyer, in WeChat: the pay page, the sandbox wallet, the result.
    const { context: buyerContext, page: buyer } = await newPage({ userAgent: weChatUserAgent, mobile: true });
    await buyer.goto(qr!.url);
    await buyer.getByTestId('store-name').waitFor();
    expect(await buyer.locator('button[type="submit"]').getAttribute('data-channel')).toBe('wechatpay');
    await buyer.locator('#amount').fill('12.34');
    await screenshot(buyer, 'pay-02-h5-pay-page');
    await buyer.locator('button[type="submit"]').click();
    await buyer.getByTestId('wallet-pay').waitFor();
    expect(buyer.url()).toContain('/sandbox/wallet/wechatpay/');
    expect(await buyer.locator('.amount').textContent()).toBe('¥12.34');
    await screenshot(buyer, 'pay-03-sandbox-wallet');
    await buyer.getByTestId('wallet-pay').click();
    // The result page refreshes itself while the notification is on its way.
    await buyer.locator('[data-testid="payment-status"][data-status="succeeded"]').waitFor({ timeout: 60_000 });
    expect(await buyer.getByTestId('payment-status').textContent()).toBe('支付成功');
    expect(await buyer.locator('.big').textContent()).toBe('¥12.34');
    const paymentId = await buyer.locator('[data-payment-id]').first().getAttribute('data-payment-id');
    expect(paymentId).toMatch(/^pay_[0-9a-z]{26}$/);
    await screenshot(buyer, 'pay-04-h5-result');
    await buyerContext.close();

    // The owner sees it succeeded in the payments list.
    await go(page, 'nav-payments', 'nav-transactions', '收款记录');
    const row = page.getByTestId(`payment-row-${paymentId}`);
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('succeeded');
    expect(await row.textContent()).toContain('¥12.34');
    expect(await row.textContent()).toContain('微信支付');
    // The filters narrow the list: Alipay has no such payment; WeChat Pay + succeeded has it.
    await pickOption(page, 'payments-filter-channel', 'channel-option-alipay');
    await page.getByTestId('payments-search').click();
    await row.waitFor({ state: 'detached' });
    await pickOption(page, 'payments-filter-channel', 'channel-option-wechatpay');
    await pickOption(page, 'payments-filter-status', 'status-option-succeeded');
    await page.getByTestId('payments-search').click();
    await row.waitFor();
    await screenshot(page, 'pay-05-payments-list');

    // The detail: amounts, payer, and a timeline with the channel's notification.
    await row.click();
    await page.getByTestId('payment-summary').waitFor();
    expect(await page.getByTestId('payment-summary').getAttribute('data-status')).toBe('succeeded');
    expect(await page.getByTestId('payment-amount').textContent()).toBe('¥12.34');
    expect(await page.getByTestId('payment-payer').textContent()).toContain('wechat_openid');
    await page.getByTestId('payment-timeline').waitFor();
    // The signed notification may land after the result page already asked the channel.
    await eventually(async () => {
      const received = await page.getByTestId('timeline-notification_received').count();
      if (!received) await page.getByTestId('payment-reload').click();
      return received;
    }).toBeGreaterThan(0);
    expect(await page.getByTestId('payment-timeline').textContent()).toContain('支付中 → 成功');
    await screenshot(page, 'pay-06-payment-detail');

    // Refund half. The amount is typed in yuan and checked before it is sent.
    await page.getByTestId('payment-refund').click();
    await fillField(page, 'refund-amount', '6.175');
    await fillField(page, 'refund-reason', '顾客退一半 E2E');
    await page.getByTestId('refund-submit').click();
    await page.getByText('请输入正确的金额（最多两位小数）').waitFor();
    await fillField(page, 'refund-amount', '12.35');
    await page.getByText('超过可退金额 ¥12.34').waitFor();
    await fillField(page, 'refund-amount', '6.17');
    await screenshot(page, 'pay-07-refund-dialog');
    await page.getByTestId('refund-submit').click();
    const refundRow = page.locator('tr[data-testid^="refund-row-"]').first();
    await refundRow.waitFor();
    expect(await refundRow.getAttribute('data-amount-fen')).toBe('617');
    // The refund settles at the channel (its notification may come a moment later).
    await eventually(async () => {
      if ((await refundRow.getAttribute('data-status')) !== 'succeeded') await page.getByTestId('payment-reload').click();
      return refundRow.getAttribute('data-status');
    }).toBe('succeeded');
    await eventually(() => page.getByTestId('payment-refunded').textContent()).toBe('¥6.17');
    expect(await page.getByTestId('payment-refundable').textContent()).toBe('¥6.17');
    expect(await page.getByTestId('timeline-refund_requested').count()).toBe(1);
    await screenshot(page, 'pay-08-refunded');
    const afterRefund = await apiGet<{ status: string; amount_fen: number; refunded_fen: number; person_id: string | null; refunds: { amount_fen: number; status: string }[] }>(`/v1/payments/${paymentId}`);
    expect(afterRefund).toMatchObject({ status: 'succeeded', amount_fen: 1234, refunded_fen: 617, refunds: [{ amount_fen: 617, status: 'succeeded' }] });

    // The list shows the refunded amount too.
    await page.locator('.ant-drawer-close').click();
    await eventually(() => page.getByTestId(`payment-row-${paymentId}`).textContent()).toContain('¥6.17');

    // ID+: the person behind the payment, with the WeChat identifier the payment brought.
    expect(afterRefund.person_id).toMatch(/^per_[0-9a-z]{26}$/);
    await page.getByTestId(`payment-row-${paymentId}`).click();
    await page.getByTestId('payment-person').click();
    await eventually(() => page.getByTestId('page-title').textContent()).toBe('客户身份');
    await page.getByTestId('identity-panel').waitFor();
    expect(await page.getByTestId('identity-person-id').textContent()).toBe(afterRefund.person_id);
    const wechat = page.locator('[data-testid="identity-identifiers"] tr[data-kind="wechat_openid"]');
    await wechat.waitFor();
    const payer = await apiGet<{ payer_identifiers: { kind: string; value: string }[] }>(`/v1/payments/${paymentId}`);
    const openid = payer.payer_identifiers.find((p) => p.kind === 'wechat_openid')!.value;
    expect(await wechat.textContent()).toContain(openid);
    expect(await page.getByTestId('identity-sources').textContent()).toContain(`payment:${paymentId}`);
    await page.getByTestId('identity-history').waitFor();
    await screenshot(page, 'pay-09-identity-panel');

    await ownerContext.close();
    expect(pageErrors).toEqual([]);
  }, 300_000);

  it('the owner sees channels without secrets, statements with charts and a reconciliation, merges a suggested duplicate and unmerges it; a cashier cannot refund; the operator sees commission', async () => {
    const { context, page } = await newPage();
    await logIn(page, 'owner');

    // Channel configuration: identifiers and fingerprints, never a private key.
    await go(page, 'nav-payments', 'nav-channels', '支付通道');
    await page.locator('[data-testid="channel-card-wechatpay"][data-configured="true"]').waitFor();
    const fingerprints = await page.getByTestId('channel-wechatpay-fingerprints').textContent();
    expect(fingerprints).toContain('merchant_private_key');
    expect(fingerprints).toContain('api_v3_key');
    expect(await page.getByTestId('channel-wechatpay-config').textContent()).toContain('merchant_serial_no');
    const body = (await page.locator('body').textContent()) ?? '';
    expect(body).not.toContain('PRIVATE KEY');
    await screenshot(page, 'pay-10-channels');

    // Settlement: today's statement carries the first test's payment and refund; the chart draws.
    await go(page, 'nav-payments', 'nav-settlements', '结算');
    await page.locator('[data-testid="settlements-chart"] canvas').waitFor();
    await eventually(() => page.getByTestId('total-gross').textContent()).toContain('12.34');
    expect(await page.getByTestId('total-refunds').textContent()).toContain('6.17');
    await screenshot(page, 'pay-11-settlements');

    // Reconciliation of today's WeChat Pay bill from the sandbox.
    await go(page, 'nav-payments', 'nav-reconciliation', '对账');
    await fillField(page, 'recon-date', shanghaiToday());
    await page.keyboard.press('Enter');
    await page.getByTestId('recon-run').click();
    await page.getByTestId('recon-drawer').waitFor();
    await page.locator('tr[data-testid^="recon-row-"]').first().waitFor();
    await screenshot(page, 'pay-12-reconciliation');
    await page.locator('.ant-drawer-close').click();

    // ID+ duplicates: two records of one customer that share no strong identifier come up as a
    // suggestion with its evidence; accepting merges them, and the merge can be undone.
    const resolve = async (identifier: { kind: string; value: string }, address: string) => {
      const response = await server.api('POST', '/v1/identity/resolve', {
        identifiers: [identifier],
        create: true,
        context: 'api',
        source: 'e2e:crm-import',
        profile: { display_name: '王小明', birthday: '1990-05-17', address },
      });
      expect(response.statusCode).toBe(200);
      return (response.json() as { person_id: string }).person_id;
    };
    const first = await resolve({ kind: 'email', value: 'xiaoming.wang@example.com' }, '上海市黄浦区南京东路 100 号');
    const second = await resolve({ kind: 'device_id', value: 'e2e-device-7f3a' }, '上海市黄浦区南京东路 100 号');
    expect(first).not.toBe(second);
    await go(page, 'nav-identity', 'nav-review', '疑似重复');
    const suggestion = page.locator('[data-testid^="suggestion-sug_"][data-status="open"]', { hasText: '王小明' }).first();
    await suggestion.waitFor();
    const suggestionText = (await suggestion.textContent()) ?? '';
    expect(suggestionText).toContain(first);
    expect(suggestionText).toContain(second);
    expect(suggestionText).toContain('生日');
    await screenshot(page, 'pay-13-identity-suggestions');
    const suggestionId = ((await suggestion.getAttribute('data-testid')) ?? '').replace('suggestion-', '');
    await page.getByTestId(`suggestion-accept-${suggestionId}`).click();
    await fillField(page, 'decision-reason', '同名同生日同地址，店长确认是同一位顾客');
    await screenshot(page, 'pay-14-identity-accept');
    await page.getByTestId('decision-submit').click();
    await page.getByTestId(`suggestion-${suggestionId}`).waitFor({ state: 'detached' });
    const merged = await apiGet<{ items: { id: string; survivor_id: string; absorbed_id: string; unmerged_at: string | null }[] }>(`/v1/identity/merges?person_id=${first}`);
    const merge = merged.items[0]!;
    expect([merge.survivor_id, merge.absorbed_id].sort()).toEqual([first, second].sort());
    await page.getByTestId('tab-queue').click();
    await page.getByTestId('review-queue').waitFor();

    // The absorbed id opens the survivor; the merge is undone with a reason.
    await page.goto(`${server.baseUrl}/console/identity/persons?person=${merge.absorbed_id}`);
    await page.getByTestId('identity-panel').waitFor();
    expect(await page.getByTestId('identity-person-id').textContent()).toBe(merge.survivor_id);
    await page.getByTestId('identity-followed').waitFor();
    expect(await page.locator('[data-testid="identity-identifiers"] tr[data-kind]').count()).toBe(2);
    await page.getByTestId(`unmerge-${merge.id}`).click();
    await fillField(page, 'unmerge-reason', 'E2E：撤销合并');
    await page.getByTestId('unmerge-submit').click();
    await eventually(() => page.getByTestId(`merge-row-${merge.id}`).textContent()).toContain('已拆分');
    expect(await page.locator('[data-testid="identity-identifiers"] tr[data-kind]').count()).toBe(1);
    // The panel now shows the absorbed person again, restored by the unmerge.
    await page.locator('[data-testid="history-restored"], [data-testid="history-unmerged"]').first().waitFor();
    await screenshot(page, 'pay-15-identity-unmerged');
    await context.close();

    // A cashier sees the store's payments but may not refund: no refund button.
    const cashier = await newPage();
    const [paid] = (await apiGet<{ items: { id: string; status: string }[] }>('/v1/payments?status=succeeded')).items;
    await logIn(cashier.page, 'cashier');
    await go(cashier.page, 'nav-payments', 'nav-transactions', '收款记录');
    await cashier.page.getByTestId(`payment-row-${paid!.id}`).click();
    await cashier.page.getByTestId('payment-summary').waitFor();
    expect(await cashier.page.getByTestId('payment-refund').count()).toBe(0);
    expect(await cashier.page.getByTestId('nav-channels').count()).toBe(0);
    await cashier.context.close();

    // The operator: per-merchant figures and agent commission, with charts.
    const operator = await newPage();
    await logIn(operator.page, 'operator');
    await go(operator.page, 'nav-payments', 'nav-settlements', '结算与分润');
    await operator.page.locator('[data-testid="settlements-merchant-chart"] canvas').waitFor();
    await operator.page.locator('[data-testid="settlements-trend-chart"] canvas').waitFor();
    await eventually(() => operator.page.getByTestId('operator-merchants').textContent()).toContain('示例咖啡');
    await screenshot(operator.page, 'pay-16-operator-settlements');
    await operator.context.close();
    expect(pageErrors).toEqual([]);
  }, 300_000);

  it('bills uploaded as the channel delivers them (Alipay’s zip, its GBK CSV) reconcile like the download; the owner turns on web OAuth with a write-only AppSecret and a WeChat buyer goes through it; the operator sets up its 服务商 account with OAuth', async () => {
    const { context, page } = await newPage();
    await logIn(page, 'owner');

    // ---- reconciliation from files: the zip Alipay's bill_download_url serves, and the GBK CSV inside ----
    const today = shanghaiToday();
    const downloaded = await server.api('POST', '/v1/reconciliations', { channel: 'alipay', date: today });
    expect(downloaded.statusCode, downloaded.body).toBe(201);
    const expected = downloaded.json() as { bill_records: number; matched: number; mismatches: number };
    const [account] = await server.database.db.select().from(channelAccounts).where(and(eq(channelAccounts.merchantId, server.demo.merchantId), eq(channelAccounts.channel, 'alipay')));
    const credentials = await credentialsOf(server.database.db, server.config, account!, server.demo.operatorId);
    if (credentials.channel !== 'alipay') throw new Error('alipay expected');
    const [sandboxApp] = await server.database.db.select().from(sandboxMerchants).where(and(eq(sandboxMerchants.channel, 'alipay'), eq(sandboxMerchants.appId, credentials.account.app_id)));
    const zip = (await server.app.inject({ method: 'GET', url: `/sandbox/alipay/bills/${alipayBillToken(server.config.secretKey, sandboxApp!.id, today)}` })).rawPayload;
    expect(zip.subarray(0, 4).toString('hex')).toBe('504b0304');
    const gbkCsv = Buffer.from(Object.values(unzipSync(zip)).find((bytes) => iconv.decode(Buffer.from(bytes), 'gbk').startsWith('#支付宝业务明细查询'))!);
    await go(page, 'nav-payments', 'nav-reconciliation', '对账');
    for (const file of [
      { name: '20881234567890120156_bill.csv.zip', mimeType: 'application/zip', buffer: zip },
      { name: '业务明细.csv', mimeType: 'text/csv', buffer: gbkCsv },
    ]) {
      await pickOption(page, 'recon-channel', 'channel-option-alipay');
      await fillField(page, 'recon-date', today);
      await page.keyboard.press('Enter');
      await page.getByTestId('recon-source-file').click();
      await page.locator('input[type="file"]').setInputFiles(file);
      await eventually(() => page.getByTestId('recon-file-name').textContent()).toContain(file.name);
      await page.getByTestId('recon-run').click();
      await page.getByTestId('recon-drawer').waitFor();
      const [latest] = (await apiGet<{ items: { source: string; channel: string; bill_records: number; matched: number; mismatches: number }[] }>('/v1/reconciliations?limit=1')).items;
      expect(latest, file.name).toMatchObject({ channel: 'alipay', source: 'upload', bill_records: expected.bill_records, matched: expected.matched, mismatches: expected.mismatches });
      await screenshot(page, `pay-17-reconciliation-upload-${file.mimeType === 'application/zip' ? 'zip' : 'csv'}`);
      await page.locator('.ant-drawer-close').click();
      await page.getByTestId('recon-drawer').waitFor({ state: 'hidden' });
    }

    // ---- web OAuth on the merchant's own WeChat Pay account: appid, AppSecret sent once, never shown ----
    const issued = (await (await fetch(`${server.baseUrl}/sandbox/credentials/wechatpay?oauth=true`)).json()) as {
      account: { mchid: string; appid: string };
      merchant_serial_no: string;
      merchant_private_key: string;
      api_v3_key: string;
      platform: { public_key_id: string; public_key: string };
      base_url: string;
      oauth: { appid: string; app_secret: string; authorize_url: string; api_base_url: string };
    };
    await go(page, 'nav-payments', 'nav-channels', '支付通道');
    await page.getByTestId('channel-edit-wechatpay').click();
    await page.getByTestId('channel-setup-own').click();
    await pickOption(page, 'channel-environment', 'channel-env-sandbox');
    await fillField(page, 'channel-mchid', issued.account.mchid);
    await fillField(page, 'channel-appid', issued.account.appid);
    await fillField(page, 'channel-serial', issued.merchant_serial_no);
    await fillField(page, 'channel-private-key', issued.merchant_private_key);
    await fillField(page, 'channel-api-v3-key', issued.api_v3_key);
    await fillField(page, 'channel-public-key-id', issued.platform.public_key_id);
    await fillField(page, 'channel-public-key', issued.platform.public_key);
    await fillField(page, 'channel-base-url', issued.base_url);
    await page.getByTestId('channel-oauth-enabled').click();
    await fillField(page, 'channel-oauth-appid', issued.oauth.appid);
    await fillField(page, 'channel-oauth-secret', issued.oauth.app_secret);
    await fillField(page, 'channel-oauth-authorize-url', issued.oauth.authorize_url);
    await fillField(page, 'channel-oauth-api-base', issued.oauth.api_base_url);
    await screenshot(page, 'pay-18-channel-oauth-form');
    await page.getByTestId('channel-save').click();
    await eventually(() => page.getByTestId('channel-wechatpay-config').textContent()).toContain(issued.oauth.appid);
    const saved = await apiGet<{ config: { oauth?: Record<string, string> }; secret_fingerprints: Record<string, string> }>('/v1/payment-channels/wechatpay');
    expect(saved.config.oauth).toEqual({ appid: issued.oauth.appid, authorize_url: issued.oauth.authorize_url, api_base_url: issued.oauth.api_base_url });
    expect(saved.secret_fingerprints.oauth_app_secret).toMatch(/^sha256:/);
    expect(await page.getByTestId('channel-wechatpay-fingerprints').textContent()).toContain('oauth_app_secret');
    expect((await page.locator('body').textContent()) ?? '').not.toContain(issued.oauth.app_secret);
    // Editing again prefills the appid, never the secret.
    await page.getByTestId('channel-edit-wechatpay').click();
    expect(await (await inputOf(page, 'channel-oauth-appid')).inputValue()).toBe(issued.oauth.appid);
    expect(await (await inputOf(page, 'channel-oauth-secret')).inputValue()).toBe('');
    await page.locator('.ant-modal-footer button', { hasText: '取' }).first().click();
    await screenshot(page, 'pay-19-channel-oauth');

    // A WeChat buyer scanning the store QR now goes through the wallet's silent authorisation and back.
    const created = await server.api('POST', `/v1/stores/${server.demo.storeIds[0]}/qr-codes`, { desk: 'OAuth' });
    const qrUrl = (created.json() as { url: string }).url;
    const { context: buyerContext, page: buyer } = await newPage({ userAgent: weChatUserAgent, mobile: true });
    await buyer.goto(qrUrl);
    await buyer.getByTestId('oauth-confirm').waitFor();
    const authorize = new URL(buyer.url());
    expect(authorize.pathname).toBe('/sandbox/wechat/connect/oauth2/authorize');
    expect(authorize.searchParams.get('appid')).toBe(issued.oauth.appid);
    expect(authorize.searchParams.get('scope')).toBe('snsapi_base');
    await buyer.getByTestId('oauth-confirm').click();
    await buyer.getByTestId('store-name').waitFor();
    expect(new URL(buyer.url()).pathname).toBe(new URL(qrUrl).pathname);
    await screenshot(buyer, 'pay-20-buyer-after-oauth');
    await buyerContext.close();
    await context.close();

    // ---- the operator's 服务商 account, with the official account its merchants' pay pages use ----
    const sp = (await (await fetch(`${server.baseUrl}/sandbox/credentials/wechatpay?mode=service_provider&oauth=true`)).json()) as typeof issued & { account: { sp_mchid: string; sp_appid: string } };
    const operator = await newPage();
    await logIn(operator.page, 'operator');
    await go(operator.page, 'nav-payments', 'nav-channels', '服务商支付通道');
    await operator.page.getByTestId('operator-channel-edit-wechatpay').click();
    await pickOption(operator.page, 'operator-channel-environment', 'operator-env-sandbox');
    await fillField(operator.page, 'operator-sp-mchid', sp.account.sp_mchid);
    await fillField(operator.page, 'operator-sp-appid', sp.account.sp_appid);
    await fillField(operator.page, 'channel-serial', sp.merchant_serial_no);
    await fillField(operator.page, 'channel-private-key', sp.merchant_private_key);
    await fillField(operator.page, 'channel-api-v3-key', sp.api_v3_key);
    await fillField(operator.page, 'channel-public-key-id', sp.platform.public_key_id);
    await fillField(operator.page, 'channel-public-key', sp.platform.public_key);
    await operator.page.getByTestId('channel-oauth-enabled').click();
    await fillField(operator.page, 'channel-oauth-appid', sp.oauth.appid);
    await fillField(operator.page, 'channel-oauth-secret', sp.oauth.app_secret);
    await operator.page.getByTestId('operator-channel-save').click();
    await eventually(() => operator.page.getByTestId('operator-channel-wechatpay-config').textContent()).toContain(sp.oauth.appid);
    expect(await operator.page.getByTestId('operator-channel-wechatpay-config').textContent()).toContain(sp.account.sp_mchid);
    expect(await operator.page.getByTestId('operator-channel-wechatpay-fingerprints').textContent()).toContain('oauth_app_secret');
    expect((await operator.page.locator('body').textContent()) ?? '').not.toContain(sp.oauth.app_secret);
    await screenshot(operator.page, 'pay-21-operator-channel-oauth');
    await operator.context.close();
    expect(pageErrors).toEqual([]);
  }, 300_000);
});
