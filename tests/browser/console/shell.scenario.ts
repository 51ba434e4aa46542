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

  it('lets a person sign in with email and password, renews their token, and signs them out everywhere', async () => {
    const email = `owner-${Date.now()}@example.com`;
    const password = 'correct horse battery staple';
    const signup = await fetch(`${ctx.product.baseUrl}/v1/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantName: 'Sign-in Dental', name: 'Olga Owner', email, password }),
    });
    expect(signup.status).toBe(201);
    const page = await ctx.browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(ctx.product.baseUrl);
    const form = page.getByRole('form', { name: 'Sign in' });
    await form.getByLabel('Email').fill(email);
    await form.getByLabel('Password').fill('not the password');
    await form.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'the email or password is wrong' }).waitFor();
    await snap(page, 'console-00-sign-in-error');
    await form.getByLabel('Password').fill(password);
    await form.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Flows' }).waitFor();

    // An access token that no longer works (expired, or the signing key rotated) is renewed with
    // the refresh token, once, and the page carries on.
    const stored = () =>
      page.evaluate(() => JSON.parse(localStorage.getItem('switchboard.session') ?? 'null') as unknown);
    const before = (await stored()) as { kind: string; tokens: { accessToken: string; refreshToken: string } };
    expect(before.kind).toBe('user');
    await page.evaluate(() => {
      const s = JSON.parse(localStorage.getItem('switchboard.session') ?? '{}');
      s.tokens.accessToken = 'expired.token.here';
      localStorage.setItem('switchboard.session', JSON.stringify(s));
    });
    await page.reload();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox', exact: true }).click();
    // "Mine" needs a person: a signed-in owner has one, with no no_user notice.
    await page.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
    await expect
      .poll(async () => ((await stored()) as typeof before).tokens.refreshToken)
      .not.toBe(before.tokens.refreshToken);
    expect(await page.getByText('no_user').count()).toBe(0);

    const after = (await stored()) as typeof before;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('form', { name: 'Sign in' }).waitFor();
    expect(await stored()).toBeNull();
    // The session ended on the server too: its refresh token no longer buys a token.
    await expect
      .poll(async () => {
        const res = await fetch(`${ctx.product.baseUrl}/v1/auth/refresh`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ refreshToken: after.tokens.refreshToken }),
        });
        return res.status;
      })
      .toBe(401);
    expect(errors).toEqual([]);
    await page.close();
  });
}
