import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { snap } from '../../helpers/browser';
import { type ConsoleContext, openConsole } from './context';

const HANDBOOK = [
  '# Kettle returns handbook',
  '',
  'Customers can return an unopened kettle within 45 days of delivery for a full refund.',
  'Return shipping labels are emailed by the support team within one business day of the request.',
  '',
  '## Descaling',
  '',
  'Descale the kettle every month with white vinegar diluted in water, then rinse it twice.',
  'Limescale builds up faster in hard-water areas; a kettle that clicks off early usually needs descaling.',
  'Never put the kettle base in water or in the dishwasher: wipe it with a dry cloth instead.',
  '',
  '## Warranty',
  '',
  'Every kettle carries a two-year warranty covering the heating element, the thermostat and the switch.',
  'Damage from dropping the kettle, from descaling with bleach or from running it dry is not covered.',
  'Warranty claims need the order number and a short video showing the fault; replacements ship in a week.',
  '',
  '## Spare parts',
  '',
  'Lids, filters and power bases can be ordered separately from the spare-parts page of the shop.',
  'A replacement limescale filter costs six euros and fits every kettle sold since 2021.',
  'Power bases are not interchangeable between the 1.2 litre and the 1.7 litre models.',
  '',
  '## Safety',
  '',
  'Fill the kettle between the minimum and the maximum marks; an overfilled kettle can spit boiling water.',
  'Keep the cord away from the edge of the counter and out of the reach of children.',
  'Unplug the kettle before cleaning it and let it cool down for at least ten minutes.',
].join('\n');

export function knowledgeScenarios(ctx: ConsoleContext): void {
  it('uploads a document, watches it become ready, gets a cited answer, an "unsure" and ranked passages', async () => {
    const { page, assertNoErrors, close } = await openConsole(ctx, '/knowledge');
    await page.getByRole('heading', { level: 1, name: 'Knowledge' }).waitFor();

    await page.getByRole('button', { name: 'Add source' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a knowledge source' });
    await dialog.getByLabel('Files').setInputFiles({
      name: 'kettle-returns.md',
      mimeType: 'text/markdown',
      buffer: Buffer.from(HANDBOOK),
    });
    await dialog.getByLabel('Title').fill('Kettle returns handbook');
    await dialog.getByLabel('Tags').fill('returns, kettles');
    await snap(page, 'console-knowledge-01-add-source');
    await dialog.getByRole('button', { name: 'Add source' }).click();
    await dialog.waitFor({ state: 'hidden' });

    // The list polls the source's ingestion until it is ready, its chunks all embedded.
    const row = page.getByRole('row', { name: /Kettle returns handbook/ });
    await row.waitFor();
    await row.getByText('ready', { exact: true }).waitFor({ timeout: 120_000 });
    const bar = row.getByRole('progressbar');
    const chunks = Number(await bar.getAttribute('aria-valuenow'));
    expect(chunks).toBeGreaterThan(0);
    expect(await bar.getAttribute('aria-valuemax')).toBe(String(chunks));
    await snap(page, 'console-knowledge-02-sources-ready');

    await page.getByRole('tab', { name: 'Ask & search' }).click();
    await page
      .getByLabel('Question', { exact: true })
      .fill('Within how many days can I return an unopened kettle for a refund?');
    await page.getByRole('button', { name: 'Ask', exact: true }).click();
    const answer = page.getByRole('article', { name: 'Answer' });
    await answer.getByRole('heading', { name: 'Answer' }).waitFor();
    await expect.poll(() => answer.locator('blockquote').textContent()).toContain('45 days');
    const citations = answer.getByRole('list', { name: 'Citations' });
    await citations.getByRole('link', { name: 'Kettle returns handbook' }).first().waitFor();
    await snap(page, 'console-knowledge-03-cited-answer');

    await page.getByLabel('Question', { exact: true }).fill('What is the capital of Mongolia?');
    await page.getByRole('button', { name: 'Ask', exact: true }).click();
    await answer.getByRole('heading', { name: 'Unsure' }).waitFor();
    expect(await answer.getByRole('list', { name: 'Citations' }).count()).toBe(0);
    await snap(page, 'console-knowledge-04-unsure');

    await page.getByLabel('Search passages').check();
    await page.getByLabel('Search query').fill('descale vinegar');
    await page.getByLabel('Retrieval').selectOption('lexical');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const passages = page.getByRole('list', { name: 'Passages' });
    await passages.getByRole('listitem').first().waitFor();
    await expect.poll(() => passages.getByRole('listitem').first().textContent()).toContain('vinegar');
    await snap(page, 'console-knowledge-05-search');

    // A passage links to its source's page.
    await passages.getByRole('link', { name: 'Kettle returns handbook' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Kettle returns handbook' }).waitFor();
    await page.getByRole('region', { name: 'Ingestion' }).getByText('ready', { exact: true }).waitFor();
    await snap(page, 'console-knowledge-06-source');
    assertNoErrors();
    await close();
  }, 240_000);

  it('filters contacts, saves a segment, opens a timeline, moves a lead on the board, exports and imports', async () => {
    const api = ctx.product.api;
    const create = async (body: object) => {
      const res = await api('/v1/contacts', { method: 'POST', body });
      expect(res.status).toBe(201);
      return res.json as { id: string };
    };
    await api('/v1/lead-stages'); // the default pipeline, made on first read
    const ada = await create({
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'ada.kc@example.com',
      tags: ['kc-vip'],
      leadStatus: 'new',
    });
    await create({
      firstName: 'Alan',
      lastName: 'Turing',
      email: 'alan.kc@example.com',
      tags: ['kc-vip'],
      leadStatus: 'contacted',
    });
    await create({ firstName: 'Linus', lastName: 'Kettleby', email: 'linus.kc@example.com', tags: ['kc-other'] });
    await api(`/v1/contacts/${ada.id}/consent/sms`, { method: 'PUT', body: { status: 'granted', source: 'web form' } });

    const { page, assertNoErrors, close } = await openConsole(ctx, '/contacts');
    await page.getByRole('heading', { level: 1, name: 'Contacts' }).waitFor();
    const table = page.getByRole('table', { name: 'Contacts' });
    await table.getByRole('link', { name: 'Linus Kettleby' }).waitFor();

    // Filter by tag, then by lead status too.
    await page.getByLabel('Tag', { exact: true }).fill('kc-vip');
    await table.getByRole('link', { name: 'Linus Kettleby' }).waitFor({ state: 'detached' });
    await table.getByRole('link', { name: 'Alan Turing' }).waitFor();
    await page.getByLabel('Lead status').selectOption('new');
    await table.getByRole('link', { name: 'Alan Turing' }).waitFor({ state: 'detached' });
    await table.getByRole('link', { name: 'Ada Lovelace' }).waitFor();
    await page.getByText('1 contact match').waitFor();
    await snap(page, 'console-contacts-01-filtered');

    // Save the tag filter as a segment; it opens as its own list.
    await page.getByLabel('Lead status').selectOption('');
    await table.getByRole('link', { name: 'Alan Turing' }).waitFor();
    await page.getByRole('button', { name: 'Save as segment' }).click();
    const dialog = page.getByRole('dialog', { name: 'Save as a segment' });
    await dialog.getByLabel('Segment name').fill('KC VIPs');
    await dialog.getByRole('button', { name: 'Save segment' }).click();
    await page.getByRole('heading', { name: 'Segment: KC VIPs' }).waitFor();
    const segments = page.getByRole('navigation', { name: 'Segments' });
    await expect.poll(() => segments.getByRole('link', { name: 'KC VIPs' }).getAttribute('aria-current')).toBe('page');
    await segments.getByRole('link', { name: 'All contacts' }).click();
    await table.getByRole('link', { name: 'Linus Kettleby' }).waitFor();
    expect(await page.getByLabel('Tag', { exact: true }).inputValue()).toBe('');
    await segments.getByRole('link', { name: 'KC VIPs' }).click();
    await page.getByRole('heading', { name: 'Segment: KC VIPs' }).waitFor();
    await table.getByRole('link', { name: 'Ada Lovelace' }).waitFor();
    expect(await page.getByLabel('Tag', { exact: true }).inputValue()).toBe('kc-vip');
    expect(await table.getByRole('link', { name: 'Linus Kettleby' }).count()).toBe(0);
    await snap(page, 'console-contacts-02-segment');

    // Export the segment's contacts: a CSV download holding them and no one else.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^contacts-.*\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv).toContain('ada.kc@example.com');
    expect(csv).toContain('alan.kc@example.com');
    expect(csv).not.toContain('linus.kc@example.com');

    // The contact's page: fields, consent and a timeline that shows a new note.
    await table.getByRole('link', { name: 'Ada Lovelace' }).click();
    await page.getByRole('heading', { level: 1, name: 'Ada Lovelace' }).waitFor();
    expect(await page.getByRole('region', { name: 'Consent' }).getByLabel('sms').inputValue()).toBe('granted');
    const timeline = page.getByRole('region', { name: 'Timeline' });
    await timeline.getByText(/Consent for sms: unknown → granted/).waitFor();
    await timeline.getByLabel('Add a note').fill('Asked for a demo next week.');
    await timeline.getByRole('button', { name: 'Add note' }).click();
    await timeline.getByText('Asked for a demo next week.').waitFor();
    await snap(page, 'console-contacts-03-detail');

    // The pipeline: move Ada from New to Qualified by her card's stage select; it stays after a reload.
    await page.evaluate(() => {
      window.location.hash = '/contacts/pipeline';
    });
    const column = (name: string) => page.getByRole('region', { name, exact: true });
    await column('New').getByRole('link', { name: 'Ada Lovelace' }).waitFor();
    await page.getByLabel('Stage of Ada Lovelace').selectOption('qualified');
    await column('Qualified').getByRole('link', { name: 'Ada Lovelace' }).waitFor();
    expect(await column('New').getByRole('link', { name: 'Ada Lovelace' }).count()).toBe(0);
    await page.reload();
    await column('Qualified').getByRole('link', { name: 'Ada Lovelace' }).waitFor();
    expect(await column('New').getByRole('link', { name: 'Ada Lovelace' }).count()).toBe(0);
    expect((await api(`/v1/contacts/${ada.id}`)).json).toMatchObject({ leadStatus: 'qualified' });
    await snap(page, 'console-contacts-04-pipeline');

    // …and the move is on her timeline.
    await column('Qualified').getByRole('link', { name: 'Ada Lovelace' }).click();
    await timeline.getByText('Lead status: New → Qualified').waitFor();

    // Import a CSV with a bad row: the good rows arrive, the bad one is listed with why.
    await page.evaluate(() => {
      window.location.hash = '/contacts/import';
    });
    await page.getByLabel('CSV file').setInputFiles({
      name: 'kc-leads.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        'First Name,Email,Tags\nGrace,grace.kc@example.com,kc-import\nEdsger,not-an-email,kc-import\nBarbara,barbara.kc@example.com,kc-import\n',
      ),
    });
    await page.getByRole('button', { name: 'Upload' }).click();
    expect(await page.getByLabel('Map column Email').inputValue()).toBe('email');
    await snap(page, 'console-contacts-05-import-mapping');
    await page.getByRole('button', { name: 'Import 3 rows' }).click();
    const errors = page.getByRole('table', { name: 'Row errors' });
    await errors.waitFor({ timeout: 60_000 });
    await errors.getByRole('cell', { name: 'not-an-email', exact: true }).waitFor();
    await page.getByText('completed', { exact: true }).waitFor();
    await snap(page, 'console-contacts-06-import-result');
    assertNoErrors();
    await close();
  }, 180_000);

  it('shows the contacts list and the pipeline on a tablet', async () => {
    const { page, assertNoErrors, close } = await openConsole(ctx, '/contacts', { width: 820, height: 1180 });
    await page.getByRole('heading', { level: 1, name: 'Contacts' }).waitFor();
    await page.getByRole('table', { name: 'Contacts' }).waitFor();
    await snap(page, 'console-contacts-07-tablet-list');
    await page.getByRole('tab', { name: 'Pipeline' }).click();
    await page.getByRole('region', { name: 'Qualified', exact: true }).waitFor();
    await snap(page, 'console-contacts-08-tablet-pipeline');
    await page.evaluate(() => {
      window.location.hash = '/knowledge?tab=playground';
    });
    await page.getByLabel('Question', { exact: true }).waitFor();
    await snap(page, 'console-knowledge-07-tablet-playground');
    assertNoErrors();
    await close();
  }, 60_000);
}
