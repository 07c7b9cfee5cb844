import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { demoPassword } from '../../src/seed.js';
import { fillField, launchChromium, screenshot } from './support/chromium.js';
import { ensureConsoleBuilt, startConsoleServer, type ConsoleServer } from './support/console-server.js';

// The ID+ person page in headless Chromium: a merge of two members lists what each module moved,
// and the unmerge confirmation lists what goes back before the owner confirms it.

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

async function member(phone: string, points: number, topUpFen: number): Promise<{ id: string; person_id: string }> {
  const m = await api<{ id: string; person_id: string }>('POST', '/v1/members', { phone, consent_version: 'v1', consent_purposes: ['membership'] });
  await api('POST', `/v1/members/${m.id}/points/earn`, { points, reason: 'e2e' });
  await api('POST', `/v1/members/${m.id}/stored-value/top-ups`, { amount_fen: topUpFen, payment_reference: `e2e-${phone}` });
  return m;
}

describe('ID+ merge moves in the console', () => {
  it('lists what each module moved, and the unmerge confirmation lists what goes back', async () => {
    const survivor = await member('13912340001', 300, 10_000);
    const absorbed = await member('13912340002', 1_200, 5_000);
    const merge = await api<{ id: string }>('POST', '/v1/identity/merges', { survivor_id: survivor.person_id, absorbed_id: absorbed.person_id, reason: '同一位顾客' });

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    const page: Page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${server.baseUrl}/console/`);
    await fillField(page, 'login-username', 'owner');
    await fillField(page, 'login-password', demoPassword);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('app-layout').waitFor();
    await page.goto(`${server.baseUrl}/console/identity/persons?person=${survivor.person_id}`);

    const moves = page.getByTestId(`merge-moves-${merge.id}-membership`);
    await moves.waitFor();
    const text = (await moves.textContent()) ?? '';
    expect(text).toContain('会员');
    expect(text).toContain('1,200 积分');
    expect(text).toContain('储值 ¥50.00');
    await screenshot(page, 'identity-merge-moves');

    await page.getByTestId(`unmerge-${merge.id}`).click();
    const listed = page.getByTestId('unmerge-moves-membership');
    await listed.waitFor();
    expect(await listed.textContent()).toContain('1,200 积分');
    await fillField(page, 'unmerge-reason', '两位不同的顾客');
    await screenshot(page, 'identity-unmerge-confirm');
    await page.getByTestId('unmerge-submit').click();
    await expect.poll(async () => (await api<{ unmerged_at: string | null }>('GET', `/v1/identity/merges/${merge.id}`)).unmerged_at, { timeout: 30_000 }).not.toBeNull();
    expect((await api<{ total: number }>('GET', `/v1/members/${absorbed.id}/points`)).total).toBe(1_200);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
