import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Product } from '../../helpers/product';

/** Shared by the console's scenarios: one product and one browser for the whole file. */
export interface ConsoleContext {
  product: Product;
  browser: Browser;
}

export interface ConsolePage {
  page: Page;
  /** Fails the scenario if the page threw or logged a console error. */
  assertNoErrors(): void;
  close(): Promise<void>;
}

/**
 * A fresh tab signed in with the tenant's key (as the start-up link does), opened at `hash`
 * (e.g. `/campaigns`), at a laptop's size unless told otherwise.
 */
export async function openConsole(
  ctx: ConsoleContext,
  hash: string,
  viewport = { width: 1440, height: 900 },
): Promise<ConsolePage> {
  const page = await ctx.browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // Failed fetches the screen shows as an error notice are part of what tests check; React's own
    // warnings and uncaught errors are not.
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  await page.goto(`${ctx.product.baseUrl}/#key=${ctx.product.token}`);
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  await page.evaluate((h) => {
    window.location.hash = h;
  }, hash);
  return {
    page,
    assertNoErrors: () => expect(errors).toEqual([]),
    close: () => page.close(),
  };
}
