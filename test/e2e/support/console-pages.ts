import { expect } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { demoPassword } from '../../../src/seed.js';
import { fillField } from './chromium.js';

/** Polls until the read value matches (30 s): the console renders after its API calls answer. */
export function eventually<T>(read: () => T | Promise<T>) {
  return expect.poll(read, { timeout: 30_000, interval: 200 });
}

/** A fresh browser context and page in zh-CN at desktop size; page errors are collected into `pageErrors`. */
export async function openPage(browser: Browser, pageErrors: string[]): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
  return { context, page };
}

/** Signs in through the console's login page with the demo password. */
export async function logInAs(page: Page, baseUrl: string, login: string): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByTestId('login-page').waitFor();
  await fillField(page, 'login-username', login);
  await fillField(page, 'login-password', demoPassword);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('app-layout').waitFor();
}

/** Opens a page of a navigation section (the section's submenu may be closed) and waits for its title. */
export async function goTo(page: Page, section: string | null, nav: string, title: string): Promise<void> {
  // A click on a submenu that is still opening (or closing) can miss: open it and click again.
  for (let attempt = 1; ; attempt++) {
    if (section && !(await page.getByTestId(nav).isVisible())) await page.getByTestId(section).click();
    await page.getByTestId(nav).click({ timeout: 10_000 }).catch(() => undefined);
    const arrived = await expect
      .poll(() => page.getByTestId('page-title').textContent(), { timeout: 10_000, interval: 200 })
      .toBe(title)
      .then(() => true, () => false);
    if (arrived) return;
    if (attempt >= 3) return void (await eventually(() => page.getByTestId('page-title').textContent()).toBe(title));
  }
}
