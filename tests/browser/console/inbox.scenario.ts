import { randomBytes, randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { buildTwilioWebhook } from '../../../activities/providers/twilio/inbound';
import { snap } from '../../helpers/browser';
import { waitFor } from '../../helpers/processes';
import { type ConsoleContext, openConsole } from './context';

const SANDBOX_TOKEN = 'inbox-scenario-signing-key-7c1e';
const OUR_NUMBER = '+15005550006';
const GRACE = '+14155550123'; // the seeded contact's phone (tests/helpers/fixtures.ts)
const STRANGER = '+14155550177';

interface Setup {
  channelId: string;
  graceConversation: string;
  strangerConversation: string;
  ada: { id: string; name: string };
  bob: { id: string; name: string };
}

/**
 * What an agent meets on a working day, made through the product: a sandbox SMS channel, an SLA
 * policy, two customers writing in over the channel's signed webhook (their clocks start), a note
 * and a journey on Grace's timeline, and two members to acknowledge and reassign to.
 */
async function setUp(ctx: ConsoleContext): Promise<Setup> {
  const { api, baseUrl, database } = ctx.product;
  const ok = async (path: string, init: { method?: string; body?: unknown } = {}) => {
    const res = await api(path, init);
    expect(res.status, `${init.method ?? 'GET'} ${path}: ${JSON.stringify(res.json)}`).toBeLessThan(300);
    return res.json as Record<string, unknown>;
  };
  const { tenantId } = await database.db.contact.findUniqueOrThrow({ where: { id: ctx.product.contactId } });
  const member = async (name: string, teams: string[]) => {
    const user = await database.db.user.create({
      data: { email: `${name.split(' ')[0]?.toLowerCase()}-${randomUUID()}@inbox.test`, name, passwordHash: 'x' },
    });
    await database.db.membership.create({ data: { tenantId, userId: user.id, role: 'agent', teams } });
    return { id: user.id, name };
  };
  const [ada, bob] = await Promise.all([member('Ada Agent', ['support']), member('Bob Backup', ['support'])]);

  const channel = await ok('/v1/channels', {
    method: 'POST',
    body: {
      name: 'Inbox SMS',
      kind: 'sms',
      provider: 'sandbox',
      // Simulated customers stay quiet: the scenario writes as them itself.
      config: { from: OUR_NUMBER, odds: { reply: 0, ignore: 1, stop: 0 }, replyDelayMs: 0 },
      credentials: { authToken: SANDBOX_TOKEN },
    },
  });
  const channelId = String(channel.id);
  await ok('/v1/sla-policies', {
    method: 'POST',
    body: { name: 'Inbox support', firstResponse: { minutes: 30, clock: 'calendar' }, rank: 1 },
  });
  const writes = async (from: string, text: string) => {
    const url = `${baseUrl}/hooks/twilio/${channelId}/messages`;
    const params = {
      MessageSid: `SM${randomBytes(16).toString('hex')}`,
      From: from,
      To: OUR_NUMBER,
      Body: text,
      NumMedia: '0',
    };
    const signed = buildTwilioWebhook(SANDBOX_TOKEN, url, params);
    const res = await fetch(url, { method: 'POST', headers: signed.headers, body: signed.body });
    expect(res.status).toBe(200);
  };
  await writes(GRACE, 'Hi, I was charged twice for my order. Can you help?');
  await writes(STRANGER, 'Is anyone there? My delivery never came.');
  const conversationWithClock = (address: string) =>
    waitFor(
      async () => {
        const list = (await ok('/v1/conversations?limit=100')).items as Array<{
          id: string;
          address: string;
          slaDueAt: string | null;
        }>;
        return list.find((c) => c.address === address && c.slaDueAt)?.id;
      },
      `the conversation with ${address} and its SLA clock`,
      45_000,
    );
  const [graceConversation, strangerConversation] = await Promise.all([
    conversationWithClock(GRACE),
    conversationWithClock(STRANGER),
  ]);
  await ok(`/v1/conversations/${strangerConversation}`, { method: 'PATCH', body: { priority: 'urgent' } });
  // A breach without waiting half an hour: the stranger's first-response clock is made overdue.
  await database.db.conversation.update({
    where: { id: strangerConversation },
    data: { slaDueAt: new Date(Date.now() - 4 * 60_000) },
  });

  await ok(`/v1/contacts/${ctx.product.contactId}/notes`, {
    method: 'POST',
    body: { body: 'Prefers SMS. Ordered twice last month.' },
  });
  return { channelId, graceConversation, strangerConversation, ada, bob };
}

const rowOf = (page: Page, text: string) => page.getByRole('row').filter({ hasText: text });
const headerStatus = (page: Page, status: string) => page.locator('.page-header .badge', { hasText: status });

export function inboxScenarios(ctx: ConsoleContext): void {
  it('shows SLA countdowns, takes a new escalation live with a notification, acknowledges and resolves it, and replies beside the timeline', async () => {
    const setup = await setUp(ctx);
    const { page, assertNoErrors, close } = await openConsole(ctx, '/inbox');
    await page.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();

    // Conversations: both customers, each with a ticking countdown; the stranger's is overdue (red).
    const grace = rowOf(page, 'Grace');
    await grace.getByText(/left/).waitFor();
    await expect.poll(() => grace.locator('.sla').textContent()).toMatch(/^\d+m \d+s left/);
    const stranger = rowOf(page, STRANGER);
    await stranger.locator('.sla-breached', { hasText: /overdue \d+m/ }).waitFor();
    await expect.poll(() => stranger.locator('.badge.priority').textContent()).toBe('urgent');
    await snap(page, 'console-inbox-01-conversations-with-countdowns');

    // "Mine" with a key that acts for no member says so with the API's code.
    await page.getByLabel('Show').selectOption('mine');
    await page.getByRole('alert').filter({ hasText: 'no_user' }).waitFor();
    await page.getByLabel('Show').selectOption('all');

    // Escalations: one opened now (as a handoff would) appears without a reload, with a notification.
    await page.getByRole('tab', { name: 'Escalations' }).click();
    await page.getByRole('tabpanel', { name: 'Escalations' }).waitFor();
    const opened = await ctx.product.api('/v1/escalations', {
      method: 'POST',
      body: {
        team: 'support',
        note: 'Grace was charged twice',
        priority: 'high',
        conversationId: setup.graceConversation,
      },
    });
    expect(opened.status, JSON.stringify(opened.json)).toBe(201);
    const escalationId = (opened.json as { id: string }).id;
    await page
      .getByRole('status')
      .filter({ hasText: 'New escalation for support (high): Grace was charged twice' })
      .waitFor();
    const row = rowOf(page, 'Grace was charged twice');
    await row.getByText('new', { exact: true }).waitFor();
    await row.locator('.sla', { hasText: /left/ }).waitFor();
    await expect.poll(() => page.title()).toMatch(/^\(1\) /);
    await expect.poll(() => page.getByRole('tab', { name: /Escalations \(1 new\)/ }).count()).toBe(1);
    await snap(page, 'console-inbox-02-escalation-arrived-live');

    // The detail: acknowledge (as a member, since this key acts for none), then resolve with a note.
    await row.getByRole('link', { name: 'Grace was charged twice' }).click();
    await page.getByRole('heading', { level: 1, name: 'Grace was charged twice' }).waitFor();
    await expect.poll(() => page.title()).not.toMatch(/^\(\d+\) /);
    await page.getByLabel('Acknowledge as').selectOption({ label: setup.ada.name });
    await page.getByRole('button', { name: 'Acknowledge', exact: true }).click();
    await headerStatus(page, 'acknowledged').waitFor();
    await page.getByRole('region', { name: 'Escalation', exact: true }).getByText(`${setup.ada.name},`).waitFor();

    // Reassign to Bob: the escalation is his now and open again, waiting for his acknowledgement.
    await page.getByRole('button', { name: 'Reassign…' }).click();
    const reassign = page.getByRole('dialog', { name: 'Reassign escalation' });
    await reassign.getByLabel('Member').selectOption({ label: `${setup.bob.name} (support)` });
    await reassign.getByLabel('Note for them').fill('Bob handles refunds');
    await reassign.getByRole('button', { name: 'Reassign' }).click();
    await headerStatus(page, 'open').waitFor();
    await page.getByRole('region', { name: 'History' }).getByText('“Bob handles refunds”').waitFor();
    await page.getByLabel('Acknowledge as').selectOption({ label: setup.bob.name });
    await page.getByRole('button', { name: 'Acknowledge', exact: true }).click();
    await headerStatus(page, 'acknowledged').waitFor();
    await snap(page, 'console-inbox-03-escalation-detail');

    await page.getByRole('button', { name: 'Resolve…' }).click();
    const resolve = page.getByRole('dialog', { name: 'Resolve escalation' });
    await resolve.getByLabel('Resolution note').fill('Refunded the second charge');
    await resolve.getByRole('button', { name: 'Resolve' }).click();
    await headerStatus(page, 'resolved').waitFor();
    await page.getByText('“Refunded the second charge”').first().waitFor();
    await page.getByText('Closed: nothing more to do here.').waitFor();
    await snap(page, 'console-inbox-04-escalation-resolved');
    const after = await ctx.product.api(`/v1/escalations/${escalationId}`);
    expect(after.json).toMatchObject({ status: 'resolved', outcome: 'resolved', assigneeId: setup.bob.id });

    // Resolving what someone else resolved meanwhile shows the API's 409 and its code.
    const second = await ctx.product.api('/v1/escalations', {
      method: 'POST',
      body: { team: 'support', note: 'Stranger asks about a delivery', conversationId: setup.strangerConversation },
    });
    const secondId = (second.json as { id: string }).id;
    await page.evaluate((id) => {
      window.location.hash = `/inbox/escalations/${id}`;
    }, secondId);
    await page.getByRole('heading', { level: 1, name: 'Stranger asks about a delivery' }).waitFor();
    await page.getByRole('button', { name: 'Resolve…' }).click();
    const late = page.getByRole('dialog', { name: 'Resolve escalation' });
    const behind = await ctx.product.api(`/v1/escalations/${secondId}/resolve`, { method: 'POST', body: {} });
    expect(behind.status).toBe(200);
    await late.getByRole('button', { name: 'Resolve' }).click();
    await late.getByRole('alert').filter({ hasText: 'escalation_closed' }).waitFor();
    await late.getByRole('button', { name: 'Cancel' }).click();

    // The conversation: the chat in order, a reply on its channel, the contact's timeline beside
    // (a journey of hers shows there too).
    const flows = (await ctx.product.api('/v1/flows?limit=200')).json as { items: Array<{ id: string; name: string }> };
    const welcome = flows.items.find((f) => f.name === 'Welcome');
    expect(welcome).toBeDefined();
    const run = await ctx.product.api('/v1/runs', {
      method: 'POST',
      body: { flowId: welcome?.id, contactId: ctx.product.contactId },
    });
    expect(run.status).toBe(201);
    await page.evaluate((id) => {
      window.location.hash = `/inbox/escalations/${id}`;
    }, escalationId);
    await page.getByRole('link', { name: 'Open the conversation' }).click();
    await page.getByRole('heading', { level: 1, name: 'Grace' }).waitFor();
    const chat = page.getByRole('list', { name: 'Messages' });
    await chat.getByText('I was charged twice for my order').waitFor();
    const timeline = page.getByRole('region', { name: 'Contact timeline' });
    await timeline.getByText('Prefers SMS. Ordered twice last month.').waitFor();
    await timeline
      .getByText(/^Journey /)
      .first()
      .waitFor();
    await page.getByLabel('Reply on SMS').fill('Sorry about that, Grace — the second charge is refunded.');
    await page.getByRole('button', { name: 'Send SMS' }).click();
    const sent = chat.locator('.bubble.outbound', { hasText: 'the second charge is refunded' });
    await sent.waitFor();
    // The reply goes out on the conversation's own channel (the sandbox answers it as a carrier would).
    await expect
      .poll(async () => (await sent.locator('.bubble-meta').textContent()) ?? '', { timeout: 30_000 })
      .toMatch(/SMS · (queued|sent|delivered)/);
    const messages = (await ctx.product.api(`/v1/conversations/${setup.graceConversation}/messages`)).json as {
      items: Array<{ direction: string; body: string }>;
    };
    expect(messages.items).toContainEqual(
      expect.objectContaining({
        direction: 'outbound',
        body: 'Sorry about that, Grace — the second charge is refunded.',
      }),
    );
    await snap(page, 'console-inbox-05-conversation-with-timeline');

    assertNoErrors();
    await close();
  }, 180_000);

  it('lays the conversation out for a tablet: the timeline under the chat', async () => {
    const list = (await ctx.product.api('/v1/conversations?limit=100')).json as {
      items: Array<{ id: string; address: string }>;
    };
    const grace = list.items.find((c) => c.address === GRACE);
    expect(grace).toBeDefined();
    const { page, assertNoErrors, close } = await openConsole(ctx, `/inbox/conversations/${grace?.id}`, {
      width: 820,
      height: 1180,
    });
    await page.getByRole('list', { name: 'Messages' }).waitFor();
    await page.getByRole('region', { name: 'Contact timeline' }).waitFor();
    await page.getByLabel('Reply on SMS').waitFor();
    await snap(page, 'console-inbox-06-conversation-tablet');
    await page.evaluate(() => {
      window.location.hash = '/inbox?tab=conversations&scope=all&status=open';
    });
    await page.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
    await rowOf(page, 'Grace').waitFor();
    await snap(page, 'console-inbox-07-list-tablet');
    await page.emulateMedia({ colorScheme: 'dark' });
    await snap(page, 'console-inbox-08-list-tablet-dark');
    assertNoErrors();
    await close();
  }, 60_000);
}
