import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { snap } from '../../helpers/browser';
import { daytimeZone } from '../../helpers/fixtures';
import { type ConsoleContext, openConsole } from './context';

/** Five good rows and three bad ones; "Cell Number" is no name the mapper knows, so it is mapped by hand. */
function audienceCsv(zone: string): string {
  return [
    'First name,Last name,Cell Number,Email,Time Zone',
    `Ada,Lovelace,+14155550140,ada@example.com,${zone}`,
    `Charles,Babbage,+14155550141,,${zone}`,
    'Bad,Phone,12345,bad-phone@example.com,',
    `Grace,Hopper,+14155550142,grace.h@example.com,${zone}`,
    'Nobody,Reachable,,,',
    `Alan,Turing,+14155550143,alan@example.com,${zone}`,
    `Bad,Email,+14155550144,not-an-email,${zone}`,
    `Katherine,Johnson,+14155550145,,${zone}`,
  ].join('\n');
}

const accounted = (page: Page) => page.getByRole('status', { name: 'Recipients accounted for' });
/** Scrolls a section to the top of the viewport, so a screenshot shows it and what follows. */
const scrollToTop = (l: Locator) =>
  l.evaluate((el) => {
    el.scrollIntoView({ block: 'start' });
    window.scrollTo(0, 0); // only the page's own scroller moves; the top bar stays in the picture
  });
const headerBadge = (page: Page, status: string) => page.locator('.page-header .badge', { hasText: status });

export function campaignScenarios(ctx: ConsoleContext): void {
  it('imports a CSV with bad rows, launches a paced SMS campaign, pauses, resumes and finishes it', async () => {
    const { page, assertNoErrors, close } = await openConsole(ctx, '/campaigns');
    await page.getByRole('heading', { level: 1, name: 'Campaigns' }).waitFor();
    await page.getByRole('button', { name: 'New campaign' }).click();
    await page.getByRole('heading', { level: 1, name: 'New campaign' }).waitFor();
    await page.getByLabel('Campaign name', { exact: true }).fill('Spring reminders');

    // Audience: a CSV file, previewed and mapped, its rows checked before anything is imported.
    await page.getByRole('tab', { name: 'CSV file' }).click();
    await page.getByLabel('CSV file', { exact: true }).setInputFiles({
      name: 'spring.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(audienceCsv(daytimeZone())),
    });
    const preview = page.getByRole('region', { name: 'File preview' });
    await preview.getByText('Preview of spring.csv').waitFor();
    expect(await preview.getByRole('row').count()).toBe(9);
    expect(await page.getByLabel('Column “Cell Number”', { exact: true }).inputValue()).toBe('ignore');
    expect(await page.getByLabel('Column “Time Zone”', { exact: true }).inputValue()).toBe('timeZone');
    // Two columns on one field: the API refuses the mapping, with its code.
    await page.getByLabel('Column “Cell Number”', { exact: true }).selectOption('email');
    await page.getByRole('button', { name: 'Check rows' }).click();
    await page.getByRole('alert').filter({ hasText: 'invalid_mapping' }).waitFor();
    const emailField = page.locator('.field', { has: page.getByLabel('Column “Email”', { exact: true }) });
    await emailField.getByText('"email" is already mapped from column "Cell Number"').waitFor();
    await scrollToTop(page.getByRole('region', { name: 'Column mapping' }));
    await snap(page, 'console-campaigns-02-csv-mapping');
    await page.getByLabel('Column “Cell Number”', { exact: true }).selectOption('phone');
    await page.getByRole('button', { name: 'Check rows' }).click();
    const check = page.getByRole('region', { name: 'Row check' });
    await check.getByText('5 good').waitFor();
    await check.getByText('3 with errors').waitFor();
    const errorRows = page.getByRole('table', { name: 'Rows with errors' }).getByRole('row');
    expect(await errorRows.count()).toBe(4); // a header and rows 4, 6 and 8
    await errorRows.filter({ hasText: 'invalid phone number "12345"' }).waitFor();
    await errorRows.filter({ hasText: 'neither a phone number nor an email' }).waitFor();
    await errorRows.filter({ hasText: 'invalid email "not-an-email"' }).waitFor();
    expect(await preview.locator('tr.row-bad').count()).toBe(3);
    await scrollToTop(preview);
    await snap(page, 'console-campaigns-03-csv-preview-errors');
    // Nothing was imported by the check.
    const before = await ctx.product.api('/v1/contacts?limit=100');
    expect(JSON.stringify(before.json)).not.toContain('+14155550140');

    await page.getByRole('button', { name: 'Import 5 good rows' }).click();
    await page.getByRole('status').filter({ hasText: 'Audience: the contacts of spring.csv' }).waitFor();
    await page.getByText('5 contacts imported, 3 rows refused').waitFor();

    // Work: one SMS through the tenant's sandbox.
    await page.getByRole('radio', { name: 'Send one message' }).check();
    await page.getByLabel('Channel', { exact: true }).selectOption('sms');
    await page.getByLabel('Message text', { exact: true }).fill('Hi {{contact.firstName}}, spring is here.');
    // Any day and hour the guard allows (the contacts' zone is where it is midday).
    await page.getByRole('checkbox', { name: 'Only on chosen days and hours' }).uncheck();
    await page.getByLabel('Max concurrent journeys', { exact: true }).fill('2');
    await page.getByLabel('Touches per contact per day', { exact: true }).fill('3');
    await page.getByRole('checkbox', { name: 'failed', exact: true }).check();
    await page.getByLabel('Retry after (minutes)', { exact: true }).fill('5');
    await page.getByLabel('Attempts in all', { exact: true }).fill('2');

    // A pace of zero is refused by the API, shown on the field with its code.
    await page.getByLabel('Pace (starts per minute)', { exact: true }).fill('0');
    await page.getByRole('button', { name: 'Save draft' }).click();
    const paceField = page.locator('.field', { has: page.getByLabel('Pace (starts per minute)', { exact: true }) });
    await paceField.getByText('validation_failed: a pace of zero never starts anyone').waitFor();
    // Slow enough (one start every 5 s) to still be running when it is paused.
    await page.getByLabel('Pace (starts per minute)', { exact: true }).fill('12');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByText('Draft saved.').waitFor();
    expect(await page.evaluate(() => window.location.hash)).toMatch(/^#\/campaigns\/[0-9a-f-]{36}\/edit$/);
    const campaignId = (await page.evaluate(() => window.location.hash)).split('/')[2] ?? '';
    const draft = await ctx.product.api(`/v1/campaigns/${campaignId}`);
    expect(draft.json).toMatchObject({
      status: 'draft',
      work: { kind: 'message', channel: 'sms' },
      settings: {
        window: null,
        pacePerMinute: 12,
        maxConcurrent: 2,
        frequencyCap: { perDay: 3 },
        retry: { outcomes: ['failed'], afterMinutes: 5, maxAttempts: 2 },
      },
    });

    await page.getByRole('button', { name: 'Launch' }).click();
    await page.getByRole('heading', { level: 1, name: 'Spring reminders' }).waitFor();
    await headerBadge(page, 'running').waitFor();
    await page.getByText('Live', { exact: true }).waitFor();
    await snap(page, 'console-campaigns-04-dashboard-running');

    // Pause while some recipients are still to start.
    await expect
      .poll(async () => /^[1-4] of 5/.test((await accounted(page).textContent()) ?? ''), { timeout: 30_000 })
      .toBe(true);
    await page.getByRole('button', { name: 'Pause' }).click();
    await headerBadge(page, 'paused').waitFor();
    await page.getByRole('button', { name: 'Resume…' }).waitFor();
    const paused = (await ctx.product.api(`/v1/campaigns/${campaignId}/stats`)).json as { open: number };
    expect(paused.open).toBeGreaterThan(0);
    await snap(page, 'console-campaigns-05-dashboard-paused');

    await page.getByRole('button', { name: 'Resume…' }).click();
    const resume = page.getByRole('dialog', { name: 'Resume the campaign' });
    await resume.getByRole('radio', { name: /Catch up/ }).check();
    await resume.getByRole('button', { name: 'Resume', exact: true }).click();
    await headerBadge(page, 'running').waitFor();

    // Every recipient accounted for, on the dashboard and in the table.
    await headerBadge(page, 'completed').waitFor({ timeout: 90_000 });
    await expect.poll(() => accounted(page).textContent(), { timeout: 10_000 }).toMatch(/^5 of 5 .*\(100%\)/);
    const recipients = page.getByRole('table', { name: 'Recipients' });
    await expect.poll(() => recipients.locator('tbody tr').count()).toBe(5);
    await expect.poll(() => recipients.locator('tbody .badge-completed').count()).toBe(5);
    for (const name of ['Ada Lovelace', 'Charles Babbage', 'Grace Hopper', 'Alan Turing', 'Katherine Johnson'])
      await recipients.getByText(name).waitFor();
    await page.getByLabel('Filter by state', { exact: true }).selectOption('skipped');
    await page.getByText('No recipients skipped.').waitFor();
    await page.getByLabel('Filter by state', { exact: true }).selectOption('completed');
    await expect.poll(() => recipients.locator('tbody tr').count()).toBe(5);
    await snap(page, 'console-campaigns-06-dashboard-completed');
    await page.getByRole('navigation', { name: 'Recipient pages' }).scrollIntoViewIfNeeded();
    await snap(page, 'console-campaigns-07-recipients');
    const stats = (await ctx.product.api(`/v1/campaigns/${campaignId}/stats`)).json;
    expect(stats).toMatchObject({ status: 'completed', recipients: 5, totals: { completed: 5 }, open: 0 });

    // The results export arrives as a download with one line per recipient.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export results CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^campaign-[0-9a-f-]{36}-results-\d{4}-\d{2}-\d{2}\.csv$/);
    const rows = parse(readFileSync(await download.path())) as string[][];
    expect(rows[0]).toContain('status');
    expect(rows.slice(1).map((r) => r[4])).toEqual(['completed', 'completed', 'completed', 'completed', 'completed']);

    // The list shows it finished.
    await page.getByRole('button', { name: '← All campaigns' }).click();
    await page.getByRole('heading', { level: 1, name: 'Campaigns' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'Spring reminders' });
    await row.locator('.badge-completed').waitFor();
    expect(await row.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    await snap(page, 'console-campaigns-01-list');
    assertNoErrors();
    await close();
  }, 240_000);

  it('cancels a running campaign after confirming, on a tablet', async () => {
    const segment = await ctx.product.api('/v1/segments', {
      method: 'POST',
      body: { name: 'Everyone', filter: { match: 'all', conditions: [] } },
    });
    expect(segment.status).toBe(201);
    const segmentId = (segment.json as { id: string }).id;
    const { page, assertNoErrors, close } = await openConsole(ctx, '/campaigns/new', { width: 820, height: 1180 });
    await page.getByLabel('Campaign name', { exact: true }).fill('Slow welcome');
    await page.getByLabel('Segment', { exact: true }).selectOption(segmentId);
    await page.getByText(/contacts match now/).waitFor();
    await page.getByLabel('Flow', { exact: true }).selectOption({ label: 'Welcome (v1)' });
    await page.getByRole('checkbox', { name: 'Only on chosen days and hours' }).uncheck();
    await page.getByLabel('Pace (starts per minute)', { exact: true }).fill('1');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByText('Draft saved.').waitFor();
    await snap(page, 'console-campaigns-08-tablet-editor');
    await page.getByRole('button', { name: 'Launch' }).click();
    await page.getByRole('heading', { level: 1, name: 'Slow welcome' }).waitFor();
    await page.getByRole('button', { name: 'Cancel campaign…' }).click();
    const confirm = page.getByRole('dialog', { name: 'Cancel the campaign?' });
    await confirm.getByRole('button', { name: 'Keep it running' }).click();
    await headerBadge(page, 'running').waitFor();
    await page.getByRole('button', { name: 'Cancel campaign…' }).click();
    await confirm.getByRole('button', { name: 'Cancel campaign' }).click();
    await headerBadge(page, 'cancelled').waitFor({ timeout: 30_000 });
    await snap(page, 'console-campaigns-09-tablet-cancelled');
    assertNoErrors();
    await close();
  }, 120_000);
}
