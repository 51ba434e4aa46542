import { expect, it } from 'vitest';
import { snap } from '../../helpers/browser';
import { type ConsoleContext, openConsole } from './context';

export function shellScenarios(ctx: ConsoleContext): void {
  it('navigates every area from the side nav, by keyboard too, and switches to dark mode', async () => {
    const { page, assertNoErrors, close } = await openConsole(ctx, '/');
    await page.getByRole('heading', { name: 'Flows' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const area of ['Campaigns', 'Inbox', 'Contacts', 'Knowledge', 'Dashboards', 'Settings']) {
      const link = nav.getByRole('link', { name: area, exact: true });
      await link.click();
      await page.getByRole('heading', { level: 1, name: area }).waitFor();
      await expect.poll(() => link.getAttribute('aria-current')).toBe('page');
    }
    // The skip link is the first stop of the keyboard and lands on the page's content.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main-content');
    expect(await page.evaluate(() => window.location.hash)).toBe('#/settings');
    await page.getByLabel('Theme').selectOption('dark');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    const bg = await page.evaluate(() => getComputedStyle(document.body).getPropertyValue('--sb-bg').trim());
    expect(bg).toBe('#0f1419');
    await snap(page, 'console-00-dark-settings');
    await page.getByLabel('Theme').selectOption('light');
    assertNoErrors();
    await close();
  });

  it('folds the nav behind a menu button on a tablet', async () => {
    const { page, assertNoErrors, close } = await openConsole(ctx, '/campaigns', { width: 820, height: 1180 });
    await page.getByRole('heading', { level: 1, name: 'Campaigns' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    const menu = page.getByRole('button', { name: 'Menu' });
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    await menu.click();
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    await nav.getByRole('link', { name: 'Inbox' }).click();
    await page.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    await snap(page, 'console-00-tablet');
    assertNoErrors();
    await close();
  });
}
