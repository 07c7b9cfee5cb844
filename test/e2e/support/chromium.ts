import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

// Debian's Chromium, not a Playwright download: `npm test` runs scripts/ensure-chromium.mjs first.
export const chromiumPath = '/usr/bin/chromium';
export const screenshotDir = path.resolve('artifacts/e2e');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: run node scripts/ensure-chromium.mjs (apt-get install -y chromium)`);
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Saves artifacts/e2e/NAME.png; kept as a test artefact, never compared (fonts differ by machine). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  // antd's open/close animations are fast-forwarded, so the picture shows their end state.
  await page.waitForTimeout(300);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  return file;
}

/** The <input> behind a data-testid: antd puts the attribute on the input or on its wrapper. */
export async function inputOf(page: Page, testId: string): Promise<Locator> {
  const element = page.getByTestId(testId).first();
  const tag = await element.evaluate((node) => node.tagName);
  return tag === 'INPUT' || tag === 'TEXTAREA' ? element : element.locator('input').first();
}

export async function fillField(page: Page, testId: string, value: string): Promise<void> {
  await (await inputOf(page, testId)).fill(value);
}

/**
 * Opens an antd Select and clicks the option whose label carries `optionTestId`. A click that lands
 * while a modal is still animating open can miss the select, or leave a dropdown that never settles:
 * the whole open-and-pick is tried again (up to four times) until the option is clicked.
 */
export async function pickOption(page: Page, selectTestId: string, optionTestId: string): Promise<void> {
  const select = page.getByTestId(selectTestId).first();
  const option = page.getByTestId(optionTestId).last();
  for (let attempt = 1; ; attempt++) {
    try {
      await select.click({ timeout: 10_000 });
      await option.waitFor({ state: 'visible', timeout: 5_000 });
      await option.click({ timeout: 5_000 });
      return;
    } catch (error) {
      if (attempt >= 4) throw error;
      await page.waitForTimeout(500);
    }
  }
}

/** Reads the data-testid of the table row that shows `text`, minus its prefix: the row's id. */
export async function rowIdByText(page: Page, prefix: string, text: string): Promise<string> {
  const row = page.locator(`tr[data-testid^="${prefix}"]`, { hasText: text }).first();
  await row.waitFor({ state: 'visible' });
  const testId = await row.getAttribute('data-testid');
  if (!testId) throw new Error(`no row with ${text}`);
  return testId.slice(prefix.length);
}
