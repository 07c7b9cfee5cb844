import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { demoPassword } from '../../src/seed.js';
import { fillField, launchChromium, pickOption, rowIdByText, screenshot } from './support/chromium.js';
import { startConsoleServer, type ConsoleServer } from './support/console-server.js';

// The console in headless Chromium against the real server and database: what an owner and an
// operator do on their first day. Controls are found by data-testid and the checks read text and
// attributes, never pixels, so the run does not depend on the fonts installed.

let server: ConsoleServer;
let browser: Browser;
const pageErrors: string[] = [];

/** expect.poll with room for a loaded machine (its default gives up after one second). */
function eventually<T>(read: () => T | Promise<T>) {
  return expect.poll(read, { timeout: 30_000, interval: 100 });
}

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return { context, page };
}

async function logIn(page: Page, login: string, password: string): Promise<void> {
  await page.goto(`${server.baseUrl}/console/`);
  await page.getByTestId('login-page').waitFor();
  await fillField(page, 'login-username', login);
  await fillField(page, 'login-password', password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('app-layout').waitFor();
}

async function go(page: Page, nav: string, title: string): Promise<void> {
  await page.getByTestId(nav).click();
  await eventually(() => page.getByTestId('page-title').textContent()).toBe(title);
}

async function api(path: string, init: { token?: string; method?: string; body?: unknown } = {}) {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...(init.token && { authorization: `Bearer ${init.token}` }), ...(init.body !== undefined && { 'content-type': 'application/json' }) },
    ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  server = await startConsoleServer();
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('console in Chromium', () => {
  it('an owner logs in in Chinese, switches language, creates a store, a cashier and an API key, and finds it all in a verified audit log', async () => {
    const { context, page } = await newPage();

    // Login page: Chinese by default.
    await page.goto(`${server.baseUrl}/console/`);
    await page.getByTestId('login-page').waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    // antd spaces out two-character Chinese button labels (登 录).
    expect((await page.getByTestId('login-submit').textContent())?.replace(/\s/g, '')).toBe('登录');
    await fillField(page, 'login-username', 'owner');
    await fillField(page, 'login-password', 'wrong-password-1');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-error').waitFor();
    expect(await page.getByTestId('login-error').textContent()).toContain('账号或密码错误');
    await screenshot(page, '01-login-error-zh');
    await fillField(page, 'login-password', demoPassword);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('app-layout').waitFor();

    // The navigation follows the chain; the overview draws its chart with ECharts.
    expect(await page.getByTestId('nav-payments').textContent()).toBe('收款');
    expect(await page.getByTestId('nav-identity').textContent()).toBe('ID+');
    expect(await page.getByTestId('nav-governance').textContent()).toBe('数据权益');
    expect(await page.getByTestId('nav-stores').textContent()).toBe('门店');
    expect(await page.getByTestId('header-tenant').textContent()).toBe('示例咖啡 Demo Coffee');
    await page.locator('[data-testid="overview-chart"] canvas').waitFor();
    await screenshot(page, '02-overview-zh');

    // English and back; the choice survives a reload.
    await page.getByTestId('locale-toggle').click();
    await eventually(() => page.getByTestId('nav-stores').textContent()).toBe('Stores');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.getByTestId('nav-payments').textContent()).toBe('Payments');
    await page.reload();
    await page.getByTestId('app-layout').waitFor();
    expect(await page.getByTestId('nav-stores').textContent()).toBe('Stores');
    await page.locator('[data-testid="overview-chart"] canvas').waitFor();
    await screenshot(page, '03-overview-en');
    await page.getByTestId('locale-toggle').click();
    await eventually(() => page.getByTestId('nav-stores').textContent()).toBe('门店');

    // A link of the chain that is not built yet says so.
    await page.getByTestId('nav-finance').click();
    await page.getByTestId('not-available').waitFor();
    expect(await page.getByTestId('not-available').textContent()).toContain('尚未开放');
    await screenshot(page, '04-finance-not-available');

    // Create a store.
    const storeName = '五角场店 E2E Store';
    await go(page, 'nav-stores', '门店');
    await page.getByTestId('store-create').click();
    await fillField(page, 'store-name', storeName);
    await fillField(page, 'store-address', '上海市杨浦区邯郸路 600 号');
    await fillField(page, 'store-phone', '021-5555 0100');
    await page.getByTestId('store-save').click();
    const storeId = await rowIdByText(page, 'store-row-', storeName);
    expect(storeId).toMatch(/^sto_[0-9a-z]{26}$/);
    await screenshot(page, '05-stores');

    // Create a cashier for that store.
    await go(page, 'nav-staff', '员工与角色');
    await page.getByTestId('staff-create').click();
    await fillField(page, 'staff-display-name', '王收银');
    await fillField(page, 'staff-login', 'e2e.cashier');
    await fillField(page, 'staff-password', 'Cashier2026pass');
    await pickOption(page, 'staff-role', 'role-option-cashier');
    await pickOption(page, 'staff-stores', `store-option-${storeId}`);
    await page.locator('.ant-modal-title', { hasText: '新建员工' }).click();
    await page.getByTestId('staff-save').click();
    const cashierRow = page.getByTestId('staff-row-e2e.cashier');
    await cashierRow.waitFor();
    expect(await cashierRow.textContent()).toContain(storeName);
    expect(await cashierRow.textContent()).toContain('收银员');
    await screenshot(page, '06-staff');
    await page.getByTestId('tab-roles').click();
    await page.getByTestId('roles-table').waitFor();
    expect(await page.getByTestId('roles-table').textContent()).toContain('导购');
    await screenshot(page, '07-roles');

    // Create an API key; the secret is shown once.
    const keyName = 'E2E 收银系统';
    await go(page, 'nav-api-keys', 'API 密钥');
    await page.getByTestId('api-key-create').click();
    await fillField(page, 'api-key-name', keyName);
    await pickOption(page, 'api-key-scopes', 'scope-option-platform:read');
    await page.locator('.ant-modal-title', { hasText: '创建密钥' }).click();
    await page.getByTestId('api-key-save').click();
    await page.getByTestId('secret-value').waitFor();
    const secret = (await page.getByTestId('secret-value').textContent())?.trim() ?? '';
    await screenshot(page, '08-api-key-secret');
    await page.getByTestId('secret-close').click();
    const keyId = await rowIdByText(page, 'api-key-row-', keyName);
    expect(secret).toContain(keyId);

    // The key works against the API and sees what the owner just made.
    const stores = await api('/v1/stores', { token: secret });
    expect(stores.status).toBe(200);
    expect(stores.body.items).toContainEqual(expect.objectContaining({ id: storeId, name: storeName, status: 'active' }));
    const staff = await api('/v1/staff', { token: secret });
    const cashier = (staff.body.items as { id: string; login: string }[]).find((u) => u.login === 'e2e.cashier');
    expect(cashier).toMatchObject({ login: 'e2e.cashier', role: 'cashier', store_ids: [storeId] });
    // platform:read only: writing is refused.
    expect((await api('/v1/stores', { token: secret, method: 'POST', body: { name: 'nope' } })).status).toBe(403);
    await page.reload();
    await page.getByTestId(`api-key-row-${keyId}`).waitFor();
    expect(await page.getByTestId(`api-key-row-${keyId}`).textContent()).not.toContain('从未使用');

    // The audit log shows the store, the cashier and the key, and the chain verifies.
    await go(page, 'nav-audit', '审计日志');
    await page.locator(`tr[data-action="store.create"][data-target="${storeId}"]`).waitFor();
    await page.locator(`tr[data-action="api_key.create"][data-target="${keyId}"]`).waitFor();
    await page.locator(`tr[data-action="staff.create"][data-target="${cashier!.id}"]`).waitFor();
    await page.getByTestId('audit-verify').click();
    const verified = page.getByTestId('audit-verify-result');
    await verified.waitFor();
    expect(await verified.getAttribute('data-ok')).toBe('true');
    expect(await verified.textContent()).toContain('哈希链完整');
    await screenshot(page, '09-audit-verified');

    // Filtering by action narrows the list to that action.
    await fillField(page, 'audit-filter-action', 'store.create');
    await page.getByTestId('audit-search').click();
    await eventually(() => page.locator('tr[data-action]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')))).toEqual([
      'store.create',
      'store.create',
      'store.create',
    ]);

    // Change the password, sign out, sign in with the new one.
    await page.getByTestId('user-menu').hover();
    await page.getByTestId('change-password').click();
    await fillField(page, 'password-current', demoPassword);
    await fillField(page, 'password-new', 'OwnerPass2026new');
    await fillField(page, 'password-confirm', 'OwnerPass2026new');
    await page.getByTestId('password-submit').click();
    await page.getByTestId('password-current').waitFor({ state: 'detached' });
    await page.getByTestId('user-menu').hover();
    await page.getByTestId('logout').click();
    await page.getByTestId('login-page').waitFor();
    await logIn(page, 'owner', 'OwnerPass2026new');
    expect(await page.getByTestId('header-tenant').textContent()).toBe('示例咖啡 Demo Coffee');

    await context.close();
    expect(pageErrors).toEqual([]);
  }, 300_000);

  it('an owner adds a webhook endpoint, sends a test event and resends it from the delivery drawer', async () => {
    const received: { headers: IncomingHttpHeaders; body: string }[] = [];
    const receiver: Server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

    const { context, page } = await newPage();
    try {
      await logIn(page, 'admin', demoPassword);
      await go(page, 'nav-webhooks', 'Webhooks');
      await page.getByTestId('webhook-create').click();
      await fillField(page, 'webhook-url', url);
      await fillField(page, 'webhook-description', 'E2E 接收端');
      await page.getByTestId('webhook-save').click();
      await page.getByTestId('secret-value').waitFor();
      expect((await page.getByTestId('secret-value').textContent())?.trim()).toMatch(/^whsec_/);
      await page.getByTestId('secret-close').click();
      const endpointId = await rowIdByText(page, 'webhook-endpoint-row-', url);

      await page.getByTestId(`webhook-test-${endpointId}`).click();
      const deliveryRow = page.locator('tr[data-testid^="webhook-delivery-row-"]', { hasText: 'webhook.test' }).first();
      await deliveryRow.waitFor();
      await screenshot(page, '10-webhooks');
      await deliveryRow.click();
      await page.getByTestId('delivery-resend').click();
      await eventually(() => received.length).toBeGreaterThan(0);
      const delivered = received[0]!;
      expect(JSON.parse(delivered.body)).toMatchObject({ type: 'webhook.test' });
      await eventually(() => page.getByTestId('delivery-attempts').locator('tbody tr').first().textContent()).toContain('200');
      await screenshot(page, '11-webhook-delivery');
    } finally {
      await context.close();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it('an operator onboards a merchant with its owner, sees it listed, and the owner can sign in', async () => {
    const { context, page } = await newPage();
    await logIn(page, 'operator', demoPassword);
    expect(await page.getByTestId('nav-merchants').textContent()).toBe('商户');
    await go(page, 'nav-merchants', '商户');
    await page.getByTestId(`merchant-row-${server.demo.merchantId}`).waitFor();

    const merchantName = '云杉烘焙 Spruce Bakery';
    await page.getByTestId('merchant-create').click();
    await fillField(page, 'merchant-name', merchantName);
    await fillField(page, 'merchant-legal-name', '上海云杉烘焙有限公司');
    await fillField(page, 'merchant-owner-name', '林店主');
    await fillField(page, 'merchant-owner-login', 'spruce.owner');
    await fillField(page, 'merchant-owner-password', 'SpruceOwner2026');
    await page.getByTestId('merchant-save').click();
    const merchantId = await rowIdByText(page, 'merchant-row-', merchantName);
    expect(merchantId).toMatch(/^mch_[0-9a-z]{26}$/);
    expect(await page.getByTestId(`merchant-row-${merchantId}`).textContent()).toContain('正常');
    await screenshot(page, '12-operator-merchants');

    await go(page, 'nav-agents', '代理商');
    await page.locator('tr[data-testid^="agent-row-"]', { hasText: '华东代理' }).waitFor();
    await context.close();

    const login = await api('/v1/auth/login', { method: 'POST', body: { login: 'spruce.owner', password: 'SpruceOwner2026' } });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ role: 'merchant_owner', merchant_id: merchantId, merchant_name: merchantName });
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
