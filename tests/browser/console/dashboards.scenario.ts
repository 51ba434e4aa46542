import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { buildTwilioWebhook } from '../../../activities/providers/twilio/inbound';
import { snap } from '../../helpers/browser';
import { waitFor } from '../../helpers/processes';
import { type ConsoleContext, openConsole } from './context';

const SANDBOX_TOKEN = 'sandbox-signing-token-dashboards-01';
const OUR_NUMBER = '+15005550006';
const DAY = 86_400_000;

type Json = Record<string, unknown>;

/** A region (a dashboard panel) by its heading. */
const panel = (page: Page, title: string) => page.getByRole('region', { name: title, exact: true });
/** The accessible summary of a panel's chart. */
const summaryOf = (page: Page, title: string) => panel(page, title).getByRole('img').first().getAttribute('aria-label');
const hashOf = (page: Page) => page.evaluate(() => decodeURIComponent(window.location.hash));

/** The day as a date input holds it, on the browser's calendar (the test runs in the same zone). */
const dayString = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

export function dashboardScenarios(ctx: ConsoleContext): void {
  it('shows what was seeded in every panel, follows the date range in the URL, exports a CSV, in light, dark and on a tablet', async () => {
    const { product } = ctx;
    const api = async (path: string, init?: { method?: string; body?: unknown }) => {
      const res = await product.api(path, init);
      expect(res.status, `${init?.method ?? 'GET'} ${path}: ${JSON.stringify(res.json)}`).toBeLessThan(300);
      return res.json as Json;
    };

    // --- Seed through the API: an SMS channel on the sandbox, an SLA policy, customers writing in
    // (signed webhooks, as the provider posts them), an agent answering and resolving one of them,
    // journeys of the published Welcome flow and a campaign.
    const channel = await api('/v1/channels', {
      method: 'POST',
      body: {
        name: 'Dashboards SMS',
        kind: 'sms',
        provider: 'sandbox',
        config: { odds: { reply: 0, ignore: 1, stop: 0 }, replyDelayMs: 0 },
        credentials: { authToken: SANDBOX_TOKEN },
      },
    });
    await api('/v1/sla-policies', {
      method: 'POST',
      body: {
        name: `Dashboards ${randomUUID().slice(0, 8)}`,
        firstResponse: { minutes: 30, clock: 'calendar' },
        resolution: { minutes: 480, clock: 'calendar' },
      },
    });
    const replies = [
      ['+14155550801', 'Yes please'],
      ['+14155550802', 'Can we do another time?'],
      ['+14155550803', 'What time do you open?'],
    ] as const;
    for (const [from, text] of replies) {
      const url = `${product.baseUrl}/hooks/twilio/${channel.id}/messages`;
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
    }
    const conversations = (await api('/v1/conversations?limit=100')).items as { id: string; address: string }[];
    const first = conversations.find((c) => c.address === replies[0][0]);
    expect(first).toBeDefined();
    const conversationId = first?.id as string;
    // The clocks start on the customer's message (a workflow): answer once they run.
    await waitFor(
      async () => {
        const view = await api(`/v1/conversations/${conversationId}/sla`);
        return (view.clocks as { status: string }[]).some((c) => c.status === 'running') ? true : undefined;
      },
      'the SLA clocks to start',
      45_000,
    );
    await api(`/v1/conversations/${conversationId}/messages`, { method: 'POST', body: { text: 'Great, booked!' } });
    await waitFor(
      async () => {
        const view = await api(`/v1/conversations/${conversationId}/sla`);
        return (view.history as { kind: string }[]).some((r) => r.kind === 'met') ? true : undefined;
      },
      'the reply to meet first response',
      45_000,
    );
    await api(`/v1/conversations/${conversationId}`, { method: 'PATCH', body: { status: 'resolved' } });

    const flows = (await api('/v1/flows?limit=200')).items as { id: string; name: string }[];
    const welcome = flows.find((f) => f.name === 'Welcome');
    expect(welcome).toBeDefined();
    const flowId = welcome?.id as string;
    for (let i = 0; i < 2; i++)
      await api('/v1/runs', { method: 'POST', body: { flowId, contactId: product.contactId } });
    const campaign = await api('/v1/campaigns', {
      method: 'POST',
      body: {
        name: 'Dashboards check-in',
        audience: { contactIds: [product.contactId] },
        work: { kind: 'flow', flowId },
      },
    });
    await api(`/v1/campaigns/${campaign.id}/launch`, { method: 'POST', body: {} });

    // What only providers' callbacks and elapsed time write: priced calls (the sandbox prices
    // none) today and ten days ago, and a first-response breach twenty days ago (a breach needs its
    // target's 30 minutes to pass). Written as the status callback and the clock's activity would.
    const db = product.database.db;
    const tenantId = (await db.contact.findUniqueOrThrow({ where: { id: product.contactId } })).tenantId;
    const now = Date.now();
    for (const [ago, cost] of [
      [0, '-0.0150'],
      [10 * DAY, '-0.0250'],
    ] as const) {
      await db.call.create({
        data: {
          tenantId,
          direction: 'outbound',
          to: '+14155550123',
          status: 'completed',
          outcome: 'answered',
          startedAt: new Date(now - ago - 60_000),
          answeredAt: new Date(now - ago - 55_000),
          durationSeconds: 42,
          cost,
          costCurrency: 'USD',
        },
      });
    }
    await db.slaRecord.create({
      data: {
        tenantId,
        conversationId,
        idempotencyKey: `dashboards-breach-${randomUUID()}`,
        metric: 'first_response',
        kind: 'breach',
        at: new Date(now - 20 * DAY),
        dueAt: new Date(now - 20 * DAY),
        channel: 'sms',
      },
    });

    // Journeys and the resolution record land asynchronously: wait for the API to hold them, then
    // expect the screen to show exactly what the API answers (other areas' scenarios may add data
    // to the same tenant, so the API's numbers are the reference, checked to include what was seeded).
    const range = (days: number) =>
      `from=${new Date(now - days * DAY).toISOString()}&to=${new Date(now + 60_000).toISOString()}`;
    await waitFor(
      async () => ((await api(`/v1/campaigns/${campaign.id}`)).status === 'completed' ? true : undefined),
      'the campaign to finish',
      90_000,
    );
    await waitFor(
      async () => {
        const o = await api(`/v1/analytics/outcomes?${range(30)}`);
        const runs = o.runs as { byStatus: Record<string, number> };
        return (runs.byStatus.running ?? 0) === 0 && (o.outcomes as unknown[]).length > 0 ? o : undefined;
      },
      'the journeys to finish',
      60_000,
    );
    const sla30 = await waitFor(
      async () => {
        const r = await api(`/v1/analytics/sla?${range(30)}`);
        const times = (r.overall as { times: Record<string, { count: number }> }).times;
        return (times.resolution?.count ?? 0) >= 1 && (times.first_response?.count ?? 0) >= 1 ? r : undefined;
      },
      'resolve to meet resolution',
      90_000,
    );
    const outcomes = (await api(`/v1/analytics/outcomes?${range(30)}`)).outcomes as {
      outcome: string | null;
      count: number;
    }[];
    expect(outcomes.reduce((a, o) => a + o.count, 0)).toBeGreaterThanOrEqual(2);
    const intents = await api(`/v1/analytics/intents?${range(30)}`);
    const byIntent = intents.byIntent as Record<string, number>;
    expect(byIntent.yes).toBeGreaterThanOrEqual(1);
    expect(byIntent.reschedule).toBeGreaterThanOrEqual(1);
    expect(byIntent.question).toBeGreaterThanOrEqual(1);
    const campaigns = await api(`/v1/analytics/campaigns?${range(30)}`);
    const campaignTotal = (campaigns.campaigns as { total: number }).total;
    expect(campaignTotal).toBeGreaterThanOrEqual(1);
    const overall = sla30.overall as { onTime: number; breaches: number; compliance: number };
    expect(overall.breaches).toBeGreaterThanOrEqual(1);

    // --- The dashboards, last 30 days (the default).
    const { page, assertNoErrors, close } = await openConsole(ctx, '/dashboards');
    await page.getByRole('heading', { level: 1, name: 'Dashboards' }).waitFor();
    expect(await page.getByRole('button', { name: 'Last 30 days' }).getAttribute('aria-pressed')).toBe('true');

    await expect
      .poll(() => summaryOf(page, 'Campaign overview'), { timeout: 15_000 })
      .toMatch(new RegExp(`^${campaignTotal} campaigns`));
    const outcomeText = outcomes.map(
      (o) => `${o.outcome === null ? 'no outcome' : o.outcome.replace(/[_-]/g, ' ')} ${o.count}`,
    );
    // Ties may come in either order: each outcome and its count, whatever the order.
    await expect
      .poll(async () =>
        ((await summaryOf(page, 'Journey outcomes')) ?? '')
          .replace(/^Journey outcomes: |\.$/g, '')
          .split(', ')
          .sort(),
      )
      .toEqual([...outcomeText].sort());
    const intentText = Object.entries(byIntent).map(([k, n]) => `${k} ${n}`);
    await expect.poll(() => summaryOf(page, 'Reply intents')).toBe(`Reply intents: ${intentText.join(', ')}.`);
    await expect
      .poll(() => summaryOf(page, 'SLA compliance'))
      .toMatch(
        new RegExp(`^Compliance ${overall.compliance}%: ${overall.onTime} met on time, ${overall.breaches} breached`),
      );
    await expect.poll(() => summaryOf(page, 'Response and resolution times')).toMatch(/First response \(\d+\): p50 /);
    // Only the seeded calls carry a price (the sandbox prices none): the cost is exactly theirs.
    await expect
      .poll(() => summaryOf(page, 'Calls and cost over time'))
      .toMatch(/^\d+ calls over 3\d days, \d+ answered, cost \$0\.04;/);
    // The heatmap's cells say their counts: together they hold every met target and breach.
    const heat = panel(page, 'Hour-by-weekday heatmap');
    await heat.getByRole('table').waitFor();
    const cellTotal = async () =>
      (
        await heat.locator('td[aria-label]').evaluateAll((tds) => tds.map((td) => td.getAttribute('aria-label') ?? ''))
      ).reduce((sum, label) => sum + Number(/: (\d+) /.exec(label)?.[1] ?? 0), 0);
    expect(await cellTotal()).toBe(overall.onTime + overall.breaches);
    expect(await heat.locator('td[aria-label]').count()).toBe(7 * 24);
    // The funnel of the Welcome flow's published version: two journeys (and the campaign's) through its trigger.
    const funnel = panel(page, 'Journey funnel');
    await funnel.getByLabel('Flow').selectOption({ label: 'Welcome' });
    await expect.poll(() => hashOf(page)).toContain(`flow=${flowId}`);
    await expect.poll(() => summaryOf(page, 'Journey funnel')).toMatch(/^Welcome v\d+, \d+ journeys: start \d+/);
    const reachedStart = Number(/start (\d+)/.exec((await summaryOf(page, 'Journey funnel')) ?? '')?.[1]);
    expect(reachedStart).toBeGreaterThanOrEqual(2);
    await snap(page, 'console-dashboards-01-laptop-light');
    await heat.scrollIntoViewIfNeeded();
    await snap(page, 'console-dashboards-01b-laptop-light-sla');
    await funnel.scrollIntoViewIfNeeded();
    await snap(page, 'console-dashboards-01c-laptop-light-funnel');

    // --- A CSV of one panel, from the data it shows.
    const calls = panel(page, 'Calls and cost over time');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      calls.getByRole('button', { name: 'Download Calls and cost over time CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^calls-and-cost-\d{4}-\d{2}-\d{2}_to_\d{4}-\d{2}-\d{2}\.csv$/);
    const rows = parse(readFileSync((await download.path()) as string, 'utf8'), { columns: true }) as Record<
      string,
      string
    >[];
    expect(Object.keys(rows[0] ?? {})).toEqual(['day', 'calls', 'answered', 'minutes', 'cost USD']);
    expect(rows.length).toBeGreaterThanOrEqual(30);
    // The priced days: ten days ago, then today (each with its 42-second answered call, at least).
    const priced = rows.filter((r) => r['cost USD'] !== '0');
    expect(priced.map((r) => r['cost USD'])).toEqual(['0.025', '0.015']);
    expect(priced.map((r) => r.day)).toEqual([
      dayString(new Date(now - 10 * DAY - 60_000)),
      dayString(new Date(now - 60_000)),
    ]);
    for (const r of priced) expect(Number(r.minutes)).toBeGreaterThanOrEqual(0.7);

    // --- Last 7 days: the URL says so and the panels follow (one call, no breach).
    await page.getByRole('button', { name: 'Last 7 days' }).click();
    await expect.poll(() => hashOf(page)).toMatch(/range=7d/);
    expect(await hashOf(page)).toContain(`flow=${flowId}`);
    await expect
      .poll(() => summaryOf(page, 'Calls and cost over time'))
      .toMatch(/^\d+ calls? over [78] days, \d+ answered, cost \$0\.015;/);
    const week = (await api(`/v1/analytics/sla?${range(7)}`)).overall as { onTime: number; breaches: number };
    expect(week.breaches).toBeLessThan(overall.breaches);
    await expect
      .poll(() => summaryOf(page, 'SLA compliance'))
      .toMatch(new RegExp(`: ${week.onTime} met on time, ${week.breaches} breached`));

    // --- A custom period around the older call and the breach only: shareable by its URL.
    const from = dayString(new Date(now - 25 * DAY));
    const to = dayString(new Date(now - 5 * DAY));
    await page.getByRole('button', { name: 'Custom' }).click();
    await page.getByLabel('From', { exact: true }).fill(from);
    await page.getByLabel('To', { exact: true }).fill(to);
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => hashOf(page)).toContain(`from=${from}&to=${to}`);
    await expect
      .poll(() => summaryOf(page, 'Calls and cost over time'))
      .toMatch(/^\d+ calls? over 21 days, \d+ answered, cost \$0\.025;/);
    await expect.poll(() => summaryOf(page, 'SLA compliance')).toMatch(/^Compliance 0%: 0 met on time, 1 breached/);
    await expect
      .poll(() => panel(page, 'Reply intents').textContent())
      .toContain('No customer messages in this period.');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Dashboards' }).waitFor();
    expect(await page.getByLabel('From', { exact: true }).inputValue()).toBe(from);
    expect(await page.getByRole('button', { name: 'Custom' }).getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => summaryOf(page, 'Calls and cost over time')).toMatch(/over 21 days/);
    // A backwards custom period is refused where it is typed; the URL keeps the last good one.
    await page.getByLabel('From', { exact: true }).fill(to);
    await page.getByLabel('To', { exact: true }).fill(from);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('From must not be after To').waitFor();
    expect(await hashOf(page)).toContain(`from=${from}&to=${to}`);

    // --- Dark mode: chart text takes the theme's muted colour, not recharts' default grey.
    await page.getByRole('button', { name: 'Last 30 days' }).click();
    await expect.poll(() => summaryOf(page, 'Calls and cost over time')).toMatch(/cost \$0\.04;/);
    await page.getByLabel('Theme').selectOption('dark');
    const tickFill = await calls
      .locator('.recharts-cartesian-axis-tick-value')
      .first()
      .evaluate((el) => getComputedStyle(el).fill);
    expect(tickFill).toBe('rgb(139, 148, 158)');
    await page.getByRole('heading', { level: 1, name: 'Dashboards' }).scrollIntoViewIfNeeded();
    await snap(page, 'console-dashboards-02-laptop-dark');
    await heat.scrollIntoViewIfNeeded();
    await snap(page, 'console-dashboards-02b-laptop-dark-sla');
    await page.getByLabel('Theme').selectOption('light');
    assertNoErrors();
    await close();

    // --- A tablet: one column, charts resized to it, the heatmap still whole.
    const tablet = await openConsole(ctx, `/dashboards?range=30d&flow=${flowId}`, { width: 820, height: 1180 });
    await tablet.page.getByRole('heading', { level: 1, name: 'Dashboards' }).waitFor();
    await expect.poll(() => summaryOf(tablet.page, 'Calls and cost over time')).toMatch(/cost \$0\.04;/);
    const width = await panel(tablet.page, 'Calls and cost over time')
      .locator('.recharts-wrapper')
      .first()
      .evaluate((svg) => svg.getBoundingClientRect().width);
    expect(width).toBeGreaterThan(600);
    expect(width).toBeLessThan(820);
    const overflow = await tablet.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await snap(tablet.page, 'console-dashboards-03-tablet');
    await panel(tablet.page, 'Hour-by-weekday heatmap').scrollIntoViewIfNeeded();
    await snap(tablet.page, 'console-dashboards-03b-tablet-heatmap');
    tablet.assertNoErrors();
    await tablet.close();
  }, 300_000);
}
