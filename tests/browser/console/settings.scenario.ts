import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, expect, it } from 'vitest';
import { totpAt } from '../../../api/auth/totp';
import { snap } from '../../helpers/browser';
import { type ConsoleContext, openConsole } from './context';

// Settings walked in the browser: API keys, members and roles, channels, SLA policies, calendars,
// escalation ladders, webhooks with their delivery log, the audit log of all that, branding in the
// top bar, two-factor for a member who joined by invitation, and the onboarding checklist ticking.

const MEMBER = { email: 'olive.ops@example.com', name: 'Olive Ops', password: 'plum tractor ocean violin 42' };

const section = (page: Page) => page.locator('section.settings-section');
const row = (page: Page, table: string, text: string | RegExp) =>
  page.getByRole('table', { name: table }).getByRole('row').filter({ hasText: text });

async function open(ctx: ConsoleContext, path: string, viewport?: { width: number; height: number }) {
  const tab = await openConsole(ctx, path, viewport);
  await tab.page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
  return tab;
}

export function settingsScenarios(ctx: ConsoleContext): void {
  let receiver: Server | undefined;
  afterAll(() => new Promise<void>((done) => (receiver ? receiver.close(() => done()) : done())));

  it('creates an API key, shows its secret once, and revokes it', async () => {
    const { page, assertNoErrors, close } = await open(ctx, '/settings/api-keys');
    const nav = page.getByRole('navigation', { name: 'Settings sections' });
    expect(await nav.getByRole('link', { name: 'API keys' }).getAttribute('aria-current')).toBe('page');
    // The API's validation error, with its code; the form keeps what was typed.
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('alert').filter({ hasText: 'validation_failed' }).waitFor();
    await page.getByLabel('Key name').fill('CRM sync');
    await page.getByRole('checkbox', { name: 'contacts.read', exact: true }).check();
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = page.locator('.secret-once code');
    await secret.waitFor();
    const token = (await secret.textContent()) ?? '';
    expect(token).toMatch(/^sbk_[a-f0-9]{12}_/);
    const withKey = (path: string) =>
      fetch(`${ctx.product.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    expect(await withKey('/v1/contacts')).toBe(200);
    expect(await withKey('/v1/flows')).toBe(403);
    await snap(page, 'console-settings-01-api-key-secret');
    await page.getByRole('button', { name: 'Done, I have stored it' }).click();
    await secret.waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(token);
    const key = row(page, 'API keys', 'CRM sync');
    await key.getByRole('button', { name: 'Revoke' }).click();
    await key.getByRole('button', { name: 'Revoke CRM sync' }).click();
    await key.getByText('revoked').waitFor();
    await expect.poll(() => withKey('/v1/contacts')).toBe(401);
    // The console's own key cannot be revoked from here (it would sign the console out).
    expect(await row(page, 'API keys', 'this console').getByRole('button', { name: 'Revoke' }).count()).toBe(0);
    await snap(page, 'console-settings-02-api-keys');
    assertNoErrors();
    await close();
  });

  it('invites a member, ticks the onboarding step, and changes the role of the member who joined', async () => {
    const { page, assertNoErrors, close } = await open(ctx, '/settings/members');
    const checklist = page.getByRole('region', { name: 'Getting started' });
    await checklist.waitFor();
    const progress = checklist.getByRole('progressbar', { name: 'Setup progress' });
    const before = Number(await progress.getAttribute('aria-valuenow'));
    await checklist.getByRole('button', { name: 'Show steps' }).click();
    await checklist.getByRole('listitem', { name: 'Invite a teammate: pending' }).waitFor();
    await snap(page, 'console-settings-03-onboarding-open');
    // A bad address is the API's to refuse; the role stays chosen.
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByLabel('Role', { exact: true }).selectOption('agent');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByRole('alert').filter({ hasText: 'validation_failed' }).waitFor();
    await page.getByLabel('Email').fill(MEMBER.email);
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await row(page, 'Pending invitations', MEMBER.email).waitFor();
    await checklist.getByRole('listitem', { name: 'Invite a teammate: done' }).waitFor({ timeout: 20_000 });
    // At least this step (the checklist also reconciles steps done before it started, e.g. a published flow).
    expect(Number(await progress.getAttribute('aria-valuenow'))).toBeGreaterThan(before);
    await snap(page, 'console-settings-04-onboarding-ticked');

    // The invitee accepts with the token from their email (the development inbox).
    const inbox = await fetch(`${ctx.product.baseUrl}/dev/inbox?to=${encodeURIComponent(MEMBER.email)}`);
    const mail = ((await inbox.json()) as { items: Array<{ text: string }> }).items.at(-1);
    const inviteToken = /token: (\S+)/.exec(mail?.text ?? '')?.[1];
    expect(inviteToken).toBeTruthy();
    const accepted = await fetch(`${ctx.product.baseUrl}/v1/invitations/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: inviteToken, name: MEMBER.name, password: MEMBER.password }),
    });
    expect(accepted.status).toBe(200);

    await page.reload();
    const roleOf = page.getByLabel(`Role of ${MEMBER.email}`);
    await roleOf.waitFor();
    expect(await roleOf.inputValue()).toBe('agent');
    await roleOf.selectOption('manager');
    await expect
      .poll(async () => {
        const res = await ctx.product.api('/v1/members');
        return (res.json as { items: Array<{ email: string; role: string }> }).items.find(
          (m) => m.email === MEMBER.email,
        )?.role;
      })
      .toBe('manager');
    await snap(page, 'console-settings-05-members');
    assertNoErrors();
    await close();
  });

  it('shows what each role can do', async () => {
    const { page, assertNoErrors, close } = await open(ctx, '/settings/roles');
    const matrix = page.getByRole('table', { name: 'Permissions by role' });
    await matrix.waitFor();
    const keysRead = matrix.getByRole('row').filter({ has: page.getByText('api_keys.read', { exact: true }) });
    await expect
      .poll(() => keysRead.getByRole('cell').allTextContents())
      .toEqual([
        // owner, admin, manager, agent, analyst, developer
        '✓ owner can',
        '✓ admin can',
        '· manager cannot',
        '· agent cannot',
        '· analyst cannot',
        '✓ developer can',
      ]);
    await snap(page, 'console-settings-06-roles');

    // A custom role: created from a permission list, a second of the same name refused, then deleted.
    const form = page.getByRole('form', { name: 'Create a role' });
    const createRole = async () => {
      await form.getByLabel('Role name').fill('Support lead');
      await form.getByRole('checkbox', { name: 'contacts.read', exact: true }).check();
      await form.getByRole('checkbox', { name: 'conversations.read', exact: true }).check();
      await form.getByRole('button', { name: 'Create role' }).click();
    };
    await createRole();
    const customRoles = page.getByRole('list', { name: 'Custom roles' });
    await customRoles.getByText('Support lead', { exact: true }).waitFor();
    await matrix.getByRole('columnheader', { name: 'Support lead (custom)' }).waitFor();
    const listed = await ctx.product.api('/v1/roles');
    const custom = (
      listed.json as { items: Array<{ name: string; builtIn: boolean; permissions: string[] }> }
    ).items.find((r) => !r.builtIn);
    expect(custom).toMatchObject({ name: 'Support lead' });
    expect([...(custom?.permissions ?? [])].sort()).toEqual(['contacts.read', 'conversations.read']);
    await createRole();
    await form.getByRole('alert').filter({ hasText: 'role_exists' }).waitFor();
    await customRoles.getByRole('button', { name: 'Delete Support lead' }).click();
    await customRoles.getByRole('button', { name: 'Delete role Support lead' }).click();
    await expect.poll(async () => page.getByRole('list', { name: 'Custom roles' }).count()).toBe(0);
    assertNoErrors();
    await close();
  });

  it('connects a sandbox channel, sends a test and shows the result, then disconnects it', async () => {
    const { page, assertNoErrors, close } = await open(ctx, '/settings/channels');
    await page.getByLabel('Provider').selectOption('twilio');
    await page.getByLabel('Channel name').fill('Broken Twilio');
    await page.getByLabel('Account SID').fill('AC123');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    // The provider's own validation, field by field; what was typed stays.
    await page.getByRole('alert').filter({ hasText: 'invalid_channel' }).waitFor();
    await page.getByRole('list', { name: 'Problems' }).getByText('config.accountSid').waitFor();
    expect(await page.getByLabel('Channel name').inputValue()).toBe('Broken Twilio');
    await snap(page, 'console-settings-07-channel-error');
    await page.getByLabel('Provider').selectOption('sandbox');
    await page.getByLabel('Channel name').fill('Sandbox SMS');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    const channel = row(page, 'Channels', 'Sandbox SMS');
    await channel.waitFor();
    await channel.getByRole('button', { name: 'Send test on Sandbox SMS' }).click();
    await page.getByRole('status').filter({ hasText: 'Test of Sandbox SMS' }).waitFor();
    await channel.getByText('connected').waitFor();
    await snap(page, 'console-settings-08-channels');
    await channel.getByRole('button', { name: 'Disconnect' }).click();
    await channel.getByRole('button', { name: 'Disconnect Sandbox SMS' }).click();
    await channel.waitFor({ state: 'detached' });
    assertNoErrors();
    await close();
  });

  it('creates a business calendar (a bad one shows the API error), an SLA policy on it, and a ladder', async () => {
    const { page, assertNoErrors, close } = await open(ctx, '/settings/calendars');
    await page.getByLabel('Calendar name').fill('Support hours');
    await page.getByLabel('Time zone').fill('Europe/Paris');
    await page.getByRole('button', { name: 'Add holiday' }).click();
    // A yearly-looking date without "every year": the API refuses it and says where.
    await page.getByLabel('Date').fill('12-25');
    await page.getByLabel('Holiday name').fill('Christmas');
    await page.getByRole('button', { name: 'Create calendar' }).click();
    await page.getByRole('alert').filter({ hasText: 'validation_failed' }).waitFor();
    await page.getByRole('list', { name: 'Problems' }).getByText('/definition/holidays/0/date').waitFor();
    expect(await page.getByLabel('Calendar name').inputValue()).toBe('Support hours');
    await snap(page, 'console-settings-09-calendar-error');
    await page.getByRole('checkbox', { name: 'Every year' }).check();
    await page.getByRole('button', { name: 'Create calendar' }).click();
    const calendar = row(page, 'Business calendars', 'Support hours');
    await calendar.waitFor();
    await calendar.getByText('Europe/Paris').waitFor();
    await calendar.getByRole('button', { name: 'Preview Support hours' }).click();
    await page.getByRole('region', { name: 'Open hours of Support hours' }).waitFor();
    await snap(page, 'console-settings-10-calendars');

    await page
      .getByRole('navigation', { name: 'Settings sections' })
      .getByRole('link', { name: 'SLA policies' })
      .click();
    await page.getByLabel('Policy name').fill('Urgent support');
    await page.getByLabel('First response (minutes)').fill('30');
    await page.getByLabel('Resolution (minutes)').fill('480');
    await page.getByLabel('Business calendar').selectOption({ label: 'Support hours' });
    await page.getByRole('checkbox', { name: 'urgent' }).check();
    await page.getByRole('button', { name: 'Create policy' }).click();
    const policy = row(page, 'SLA policies', 'Urgent support');
    await policy.waitFor();
    await policy.getByText('30 min (business)').waitFor();
    await policy.getByText('Support hours').waitFor();
    await snap(page, 'console-settings-11-sla-policies');

    await page
      .getByRole('navigation', { name: 'Settings sections' })
      .getByRole('link', { name: 'Escalation ladders' })
      .click();
    await page.getByLabel('Ladder name').fill('Support ladder');
    await page.getByLabel('Team', { exact: true }).fill('support');
    await page.getByLabel('Level 1: next level after (minutes unacknowledged)').fill('10');
    await page.getByRole('button', { name: 'Add level' }).click();
    const level2 = page.getByRole('group', { name: 'Level 2 target 1' });
    await level2.getByLabel('Notify').selectOption('user');
    await level2.getByLabel('Member').selectOption({ label: `${MEMBER.name} (${MEMBER.email})` });
    await page.getByRole('button', { name: 'Create ladder' }).click();
    const ladder = page.getByRole('article', { name: 'Ladder Support ladder' });
    await ladder.getByText(`Notify ${MEMBER.name}`).waitFor();
    await snap(page, 'console-settings-12-escalations');
    assertNoErrors();
    await close();
  });

  it('creates a webhook, shows its secret once, and reads its delivery log with status codes', async () => {
    const received: string[] = [];
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        received.push(body);
        res.writeHead(received.length === 1 ? 500 : 200).end('ok');
      });
    });
    await new Promise<void>((done) => receiver?.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

    const { page, assertNoErrors, close } = await open(ctx, '/settings/webhooks');
    await page.getByLabel('Receiver URL').fill('ftp://example.com/hook');
    await page.getByRole('checkbox', { name: 'Every contact event' }).check();
    await page.getByRole('button', { name: 'Create webhook' }).click();
    await page.getByRole('alert').filter({ hasText: 'validation_failed' }).waitFor();
    await page.getByLabel('Receiver URL').fill(url);
    await page.getByRole('button', { name: 'Create webhook' }).click();
    await page
      .locator('.secret-once code')
      .filter({ hasText: /^whsec_/ })
      .waitFor();
    await page.getByRole('button', { name: 'Done, I have stored it' }).click();
    const hook = page.getByRole('article', { name: `Webhook ${url}` });
    await hook.getByRole('button', { name: 'Send test event' }).click();
    // The receiver fails the first attempt (500) and takes the retry (200).
    const log = hook.getByRole('table', { name: `Deliveries to ${url}` });
    const test = log.getByRole('row').filter({ hasText: 'webhook.test' }).first();
    await test.locator('.badge-delivered').waitFor({ timeout: 60_000 });
    expect(await test.getByRole('cell').nth(2).textContent()).toBe('200');
    expect(Number(await test.getByRole('cell').nth(3).textContent())).toBeGreaterThanOrEqual(2);
    await test.getByRole('button', { name: 'Redeliver' }).click();
    const delivered = log.locator('tbody tr').filter({ has: page.locator('.badge-delivered') });
    await expect.poll(() => delivered.count(), { timeout: 60_000 }).toBe(2);
    expect(received.length).toBeGreaterThanOrEqual(3);
    await snap(page, 'console-settings-13-webhooks');
    assertNoErrors();
    await close();
  });

  it('lists those actions in the audit log, filtered by action and actor', async () => {
    const { page, assertNoErrors, close } = await open(ctx, '/settings/audit');
    const entries = page.getByRole('table', { name: 'Audit entries' });
    for (const action of [
      'api_key.created',
      'api_key.revoked',
      'member.invited',
      'member.role_changed',
      'channel.created',
      'business_calendar.created',
      'sla_policy.created',
      'escalation_policy.created',
      'webhook.created',
    ])
      await entries.getByText(action, { exact: true }).first().waitFor();
    await snap(page, 'console-settings-14-audit');
    await page.getByLabel('Action').fill('api_key.*');
    await page.getByRole('button', { name: 'Apply filter' }).click();
    await expect
      .poll(async () => new Set(await entries.locator('tbody code').allTextContents()))
      .toEqual(new Set(['api_key.created', 'api_key.revoked']));
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Actor').selectOption({ label: 'API key test' });
    await page.getByRole('button', { name: 'Apply filter' }).click();
    // Everything above was done with the tenant's key; the member's own sign-ins are filtered out.
    await expect
      .poll(async () => new Set(await entries.locator('tbody tr td:nth-child(2)').allTextContents()))
      .toEqual(new Set(['API key test']));
    await entries.getByText('member.invited', { exact: true }).waitFor();
    assertNoErrors();
    await close();
  });

  it('brands the console: a name and a colour change the top bar, with a live preview', async () => {
    const before = (await ctx.product.api('/v1/branding')).json as { name: string };
    const { page, assertNoErrors, close } = await open(ctx, '/settings/branding');
    try {
      await expect.poll(() => page.getByLabel('Name shown').inputValue()).toBe(before.name);
      await page.getByLabel('Name shown').fill('Acme Dental');
      await page.getByLabel('Accent colour (hex)').fill('teal');
      await page.getByRole('button', { name: 'Save branding' }).click();
      await page.getByRole('alert').filter({ hasText: 'validation_failed' }).waitFor();
      await page.getByLabel('Accent colour (hex)').fill('#0f766e');
      const preview = page.getByRole('region', { name: 'Preview' });
      await preview.getByText('Acme Dental').waitFor();
      expect(await preview.evaluate((el) => getComputedStyle(el).getPropertyValue('--sb-accent').trim())).toBe(
        '#0f766e',
      );
      await page.getByRole('button', { name: 'Save branding' }).click();
      const topbar = page.locator('header.topbar');
      await topbar.getByRole('link', { name: 'Acme Dental' }).waitFor();
      expect(
        await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--sb-accent').trim()),
      ).toBe('#0f766e');
      await snap(page, 'console-settings-15-branding');
      await page.setViewportSize({ width: 820, height: 1180 });
      // The side nav slides away on a tablet; the picture is taken once it has.
      const nav = page.getByRole('navigation', { name: 'Main' });
      await expect.poll(() => nav.evaluate((el) => el.getBoundingClientRect().right)).toBeLessThanOrEqual(0);
      await snap(page, 'console-settings-16-branding-tablet');
      assertNoErrors();
    } finally {
      // Other areas' scenarios share this tenant: give it its own look back.
      await ctx.product.api('/v1/branding', { method: 'PUT', body: { name: before.name, logoUrl: null, color: null } });
      await close();
    }
  });

  it('sets up two-factor for the member who joined, verified with a code computed here', async () => {
    const { page, assertNoErrors, close } = await open(ctx, '/settings/two-factor');
    await page.getByLabel('Your email').fill(MEMBER.email);
    await page.getByLabel('Your password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'invalid_credentials' }).waitFor();
    await page.getByLabel('Your password').fill(MEMBER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(`Signed in as ${MEMBER.name}`).waitFor();
    await page.getByRole('button', { name: 'Set up two-factor' }).click();
    const secret = (await page.locator('code.totp-secret').textContent()) ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(await page.getByRole('link', { name: /^otpauth:\/\/totp\// }).getAttribute('href')).toContain(secret);
    await snap(page, 'console-settings-17-two-factor-setup');
    await page.getByLabel('Code from the app').fill('000000');
    await page.getByRole('button', { name: 'Verify and turn on' }).click();
    await page.getByRole('alert').filter({ hasText: 'invalid_totp' }).waitFor();
    await page.getByLabel('Code from the app').fill(totpAt(secret, Date.now()));
    await page.getByRole('button', { name: 'Verify and turn on' }).click();
    const backup = page.getByRole('region', { name: 'Backup codes' }).locator('code');
    expect((await backup.textContent())?.split('\n')).toHaveLength(10);
    await page.getByText('Two-factor is on').waitFor();
    await snap(page, 'console-settings-18-two-factor-on');
    const login = await fetch(`${ctx.product.baseUrl}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: MEMBER.email, password: MEMBER.password }),
    });
    expect(((await login.json()) as { error: { code: string } }).error.code).toBe('totp_required');
    assertNoErrors();
    await close();
  });

  it('keeps every section usable on a tablet, reachable by keyboard', async () => {
    const { page, assertNoErrors, close } = await open(ctx, '/settings', { width: 820, height: 1180 });
    const nav = page.getByRole('navigation', { name: 'Settings sections' });
    await nav.getByRole('link', { name: 'Channels' }).focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => window.location.hash)).toBe('#/settings/members');
    await section(page).getByRole('table', { name: 'Members' }).waitFor();
    await snap(page, 'console-settings-19-members-tablet');
    assertNoErrors();
    await close();
  });
}
