import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { demoPassword } from '../../src/seed.js';
import { fillField, launchChromium, screenshot } from './support/chromium.js';
import { ensureConsoleBuilt, startConsoleServer, type ConsoleServer } from './support/console-server.js';

// Unmerge shortfalls in headless Chromium: after an unmerge the ID+ person panel lists what could
// not go back; the owner settles the points there, and writes the stored value off from the member
// drawer with a reason.

let server: ConsoleServer;
let browser: Browser;
let cookie: string;
const pageErrors: string[] = [];

async function api<T>(method: 'GET' | 'POST', url: string, payload?: object): Promise<T> {
  const response = await server.app.inject({ method, url, headers: { cookie }, ...(payload && { payload }) });
  if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
  return response.json<T>();
}

beforeAll(async () => {
  ensureConsoleBuilt();
  server = await startConsoleServer();
  browser = await launchChromium();
  const login = await server.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { login: 'owner', password: demoPassword } });
  cookie = login.headers['set-cookie']!.toString().split(';')[0]!;
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

interface Shortfall {
  id: string;
  kind: string;
  status: string;
}

describe('unmerge shortfalls in the console', () => {
  it('lists them after an unmerge, settles one from the ID+ panel and writes one off from the member drawer', async () => {
    const enrol = (phone: string) => api<{ id: string; person_id: string }>('POST', '/v1/members', { phone, consent_version: 'v1', consent_purposes: ['membership'] });
    const survivor = await enrol('13912350001');
    const absorbed = await enrol('13912350002');
    await api('POST', `/v1/members/${absorbed.id}/points/earn`, { points: 500, reason: 'e2e' });
    await api('POST', `/v1/members/${absorbed.id}/stored-value/top-ups`, { amount_fen: 8_000, payment_reference: 'e2e-shortfall-top-up' });
    const merge = await api<{ id: string }>('POST', '/v1/identity/merges', { survivor_id: survivor.person_id, absorbed_id: absorbed.person_id, reason: '同一位顾客' });
    await api('POST', `/v1/members/${survivor.id}/points/spend`, { points: 200 });
    await api('POST', `/v1/members/${survivor.id}/stored-value/spends`, { amount_fen: 3_000 });
    await api('POST', `/v1/identity/merges/${merge.id}/unmerge`, { reason: '两位不同的顾客' });
    await api('POST', `/v1/members/${survivor.id}/points/earn`, { points: 300, reason: 'e2e later' });
    const shortfalls = (await api<{ items: Shortfall[] }>('GET', `/v1/membership/merge-shortfalls?merge_id=${merge.id}`)).items;
    const points = shortfalls.find((s) => s.kind === 'points')!;
    const storedValue = shortfalls.find((s) => s.kind === 'stored_value_principal')!;

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    const page: Page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${server.baseUrl}/console/`);
    await fillField(page, 'login-username', 'owner');
    await fillField(page, 'login-password', demoPassword);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('app-layout').waitFor();

    // The ID+ panel of the survivor lists both shortfalls of the undone merge.
    await page.goto(`${server.baseUrl}/console/identity/persons?person=${survivor.person_id}`);
    await page.getByTestId(`shortfall-row-${points.id}`).waitFor();
    expect(await page.getByTestId('merge-shortfalls-open').textContent()).toContain('2 笔拆分差额待处理');
    await page.getByTestId(`shortfall-settle-${points.id}`).click();
    await fillField(page, 'shortfall-reason', '归还合并期间用掉的积分');
    await screenshot(page, 'merge-shortfall-settle');
    await page.getByTestId('shortfall-submit').click();
    await expect.poll(async () => (await api<Shortfall>('GET', `/v1/membership/merge-shortfalls/${points.id}`)).status, { timeout: 30_000 }).toBe('settled');
    expect((await api<{ total: number }>('GET', `/v1/members/${absorbed.id}/points`)).total).toBe(500);

    // The absorbed member's drawer shows the stored-value one; it is written off there.
    await page.goto(`${server.baseUrl}/console/membership/members?member=${absorbed.id}`);
    const row = page.getByTestId(`shortfall-row-${storedValue.id}`);
    await row.waitFor();
    expect(await row.textContent()).toContain('储值本金');
    await page.getByTestId(`shortfall-write-off-${storedValue.id}`).click();
    await fillField(page, 'shortfall-reason', '已在门店现金退还');
    await page.getByTestId('shortfall-submit').click();
    await expect.poll(async () => (await api<Shortfall>('GET', `/v1/membership/merge-shortfalls/${storedValue.id}`)).status, { timeout: 30_000 }).toBe('written_off');
    await page.locator(`[data-testid="shortfall-row-${storedValue.id}"][data-status="written_off"]`).waitFor();
    await screenshot(page, 'merge-shortfall-written-off');
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
