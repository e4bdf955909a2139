// Debian's Chromium through playwright-core, as every browser test uses it. Without Chromium a browser test is
// skipped with a reason, unless REQUIRE_BROWSER=1 (CI), where that is a failure.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const browserMissing = fs.existsSync(executablePath)
  ? undefined
  : `no Chromium at ${executablePath} (install chromium or set CHROMIUM_PATH)`;
export const requireBrowser = process.env.REQUIRE_BROWSER === '1';
/** Screenshots for people to look at (git-ignored). */
export const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

/** A low-end phone's screen. */
export const PHONE = {
  viewport: { width: 360, height: 740 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'vi-VN',
} as const;

/** Headless Chromium with the flags this closed network needs (no background connections, no sandbox as root). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A phone-sized context whose page collects page errors and CSP reports (console) in `problems`. */
export async function openPhone(
  browser: Browser,
  options: { javaScriptEnabled?: boolean; locale?: string } = {},
): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ ...PHONE, ...options });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (/Content[- ]Security[- ]Policy|Refused to/i.test(msg.text())) problems.push(`console: ${msg.text()}`);
  });
  return { context, page, problems };
}
