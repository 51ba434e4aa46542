import { readFileSync } from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { parse } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, buildTestApp, startApiTestServer, stopApiTestServer } from '../helpers/app';
import type { TestDatabase } from '../helpers/db';
import { seedTenant } from '../helpers/fixtures';

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let app: FastifyInstance;
let a: Awaited<ReturnType<typeof seedTenant>>;
let b: Awaited<ReturnType<typeof seedTenant>>;

beforeAll(async () => {
  ({ env, database, app } = await startApiTestServer());
  a = await seedTenant(database.db, 'imports-a');
  b = await seedTenant(database.db, 'imports-b');
});
afterAll(() => stopApiTestServer({ app, env, database }));

const fixture = (name: string) => readFileSync(new URL(`../fixtures/csv/${name}`, import.meta.url));

function multipart(filename: string, content: Buffer | string) {
  const boundary = `----switchboard${Math.random().toString(16).slice(2)}`;
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\n`,
    ),
    typeof content === 'string' ? Buffer.from(content) : content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

interface Upload {
  id: string;
  delimiter: string;
  bom: boolean;
  headers: string[];
  preview: string[][];
  totalRows: number;
  suggestedMapping: Record<string, string>;
  savedMapping: string | null;
}

interface Job {
  id: string;
  status: string;
  totalRows: number;
  processedRows: number;
  createdRows: number;
  updatedRows: number;
  skippedRows: number;
  errorRows: number;
  progress: number;
  error: string | null;
}

async function upload(filename: string, content: Buffer | string, token = a.token, target = app) {
  const { payload, headers } = multipart(filename, content);
  return target.inject({ method: 'POST', url: '/v1/imports', payload, headers: { ...headers, ...auth(token) } });
}

async function uploadOk(filename: string, content: Buffer | string, token = a.token): Promise<Upload> {
  const res = await upload(filename, content, token);
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Upload;
}

async function start(id: string, body: Record<string, unknown>, token = a.token) {
  return app.inject({ method: 'POST', url: `/v1/imports/${id}/start`, payload: body, headers: auth(token) });
}

/** Polls GET /imports/:id until the job is finished (completed or failed). */
async function waitForImport(id: string, token = a.token): Promise<Job> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await app.inject({ url: `/v1/imports/${id}`, headers: auth(token) });
    expect(res.statusCode).toBe(200);
    const job = res.json() as Job;
    if (job.status === 'completed' || job.status === 'failed') return job;
    if (Date.now() > deadline) throw new Error(`import ${id} still ${job.status}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function importFile(filename: string, content: Buffer | string, body: Record<string, unknown> = {}) {
  const up = await uploadOk(filename, content);
  const res = await start(up.id, { mapping: up.suggestedMapping, ...body });
  expect(res.statusCode, res.body).toBe(202);
  return { upload: up, job: await waitForImport(up.id) };
}

const contactByPhone = (tenantId: string, phone: string) =>
  database.db.contact.findUnique({ where: { tenantId_phone: { tenantId, phone } } });

const expectError = (res: { statusCode: number; json(): unknown; body: string }, status: number, code: string) => {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.json()).toMatchObject({ error: { code, message: expect.any(String) } });
};

describe('upload', () => {
  it('reads a file with a BOM: headers, preview, suggested mapping, a pending job', async () => {
    const up = await uploadOk('bom.csv', fixture('bom-comma.csv'));
    expect(up).toMatchObject({ delimiter: ',', bom: true, totalRows: 2, savedMapping: null });
    expect(up.headers).toEqual(['First Name', 'Last Name', 'Phone', 'E-mail', 'Tags']);
    expect(up.preview[1]).toEqual(['Alan', 'Turing', '+1 415 555 0199', 'ALAN@Example.com', 'crypto|math']);
    expect(up.suggestedMapping).toEqual({
      'First Name': 'firstName',
      'Last Name': 'lastName',
      Phone: 'phone',
      'E-mail': 'email',
      Tags: 'tags',
    });
    const job = await app.inject({ url: `/v1/imports/${up.id}`, headers: auth(a.token) });
    expect(job.json()).toMatchObject({ status: 'pending', totalRows: 2, processedRows: 0, filename: 'bom.csv' });
  });

  it('detects semicolons and tabs', async () => {
    const semi = await uploadOk('semi.csv', fixture('semicolon.csv'));
    expect(semi.delimiter).toBe(';');
    expect(semi.preview[1]).toEqual(['Marc', 'Le "Grand"', '01 42 68 53 00', '', 'contacted']);
    expect(semi.suggestedMapping).toEqual({
      first_name: 'firstName',
      last_name: 'lastName',
      Mobile: 'phone',
      email: 'email',
      'Lead Status': 'leadStatus',
    });
    const tab = await uploadOk('tab.tsv', fixture('tab.tsv'));
    expect(tab.delimiter).toBe('\t');
    expect(tab.suggestedMapping).toEqual({
      'Given Name': 'firstName',
      Surname: 'lastName',
      Telephone: 'phone',
      'Time Zone': 'timeZone',
    });
  });

  it('keeps quoted newlines, commas and quotes inside one cell', async () => {
    const up = await uploadOk('notes.csv', fixture('quoted-newlines.csv'));
    expect(up.totalRows).toBe(2);
    expect(up.preview).toEqual([
      ['Grace', '+1 202 555 0143', 'first line\nsecond line, with a comma'],
      ['Edsger', '+31 20 123 4567', 'says "hi"'],
    ]);
  });

  it('refuses an empty file, a file without a header, and a request without a file', async () => {
    expectError(await upload('empty.csv', fixture('empty.csv')), 400, 'empty_file');
    expectError(await upload('bom-only.csv', fixture('bom-only.csv')), 400, 'empty_file');
    expectError(await upload('no-header.csv', fixture('no-header.csv')), 400, 'missing_header');
    expectError(
      await app.inject({ method: 'POST', url: '/v1/imports', payload: { a: 1 }, headers: auth(a.token) }),
      415,
      'unsupported_media_type',
    );
  });

  it('answers 413 file_too_large beyond the configured limit', async () => {
    process.env.IMPORT_MAX_FILE_BYTES = '1024';
    const small = await buildTestApp(database, env);
    delete process.env.IMPORT_MAX_FILE_BYTES;
    try {
      const big = `Phone\n${'+12025550100\n'.repeat(200)}`;
      expectError(await upload('big.csv', big, a.token, small), 413, 'file_too_large');
      expect((await upload('ok.csv', 'Phone\n+12025550100\n', a.token, small)).statusCode).toBe(201);
    } finally {
      await small.close();
    }
  });
});

describe('import', () => {
  it('imports a BOM file to completion with normalized phones, emails, tags and inferred time zones', async () => {
    const { job } = await importFile('bom.csv', fixture('bom-comma.csv'));
    expect(job).toMatchObject({
      status: 'completed',
      totalRows: 2,
      processedRows: 2,
      createdRows: 2,
      errorRows: 0,
      progress: 1,
    });
    const alan = await contactByPhone(a.tenant.id, '+14155550199');
    expect(alan).toMatchObject({
      firstName: 'Alan',
      lastName: 'Turing',
      email: 'alan@example.com',
      tags: ['crypto', 'math'],
      timeZone: 'America/Los_Angeles',
    });
    expect(await contactByPhone(a.tenant.id, '+442079460018')).toMatchObject({ tags: ['vip', 'math'] });
    const audit = await database.db.auditLog.findFirst({
      where: { tenantId: a.tenant.id, action: 'contacts.imported', targetId: job.id },
    });
    expect(audit?.details).toMatchObject({ createdRows: 2, status: 'completed' });
  });

  it('reads national numbers in the default country (semicolon file)', async () => {
    const { job } = await importFile('semi.csv', fixture('semicolon.csv'), { defaultCountry: 'fr' });
    expect(job).toMatchObject({ status: 'completed', createdRows: 2, errorRows: 0 });
    expect(await contactByPhone(a.tenant.id, '+33612345678')).toMatchObject({
      firstName: 'Renée',
      email: 'renee@example.fr',
      leadStatus: 'new',
      timeZone: 'Europe/Paris',
    });
    expect(await contactByPhone(a.tenant.id, '+33142685300')).toMatchObject({ lastName: 'Le "Grand"' });
  });

  it('stores a quoted multi-line cell in a custom field', async () => {
    await database.db.customFieldDefinition.create({
      data: { tenantId: a.tenant.id, key: 'notes', label: 'Notes', type: 'text' },
    });
    const { upload: up, job } = await importFile('notes.csv', fixture('quoted-newlines.csv'));
    expect(up.suggestedMapping).toEqual({ Name: 'firstName', Phone: 'phone', Notes: 'fields.notes' });
    expect(job).toMatchObject({ status: 'completed', createdRows: 2 });
    expect((await contactByPhone(a.tenant.id, '+12025550143'))?.fields).toEqual({
      notes: 'first line\nsecond line, with a comma',
    });
  });

  it('reports invalid rows one by one and imports the good ones; the report downloads as CSV', async () => {
    const { job } = await importFile('invalid.csv', fixture('invalid-phones.csv'));
    expect(job).toMatchObject({ status: 'completed', processedRows: 6, createdRows: 2, errorRows: 4 });
    expect(await contactByPhone(a.tenant.id, '+12025550101')).not.toBeNull();
    expect(await contactByPhone(a.tenant.id, '+12025550102')).not.toBeNull();
    expect(
      await database.db.contact.findFirst({ where: { tenantId: a.tenant.id, email: 'bad1@example.com' } }),
    ).toBeNull();

    const res = await app.inject({ url: `/v1/imports/${job.id}/errors.csv`, headers: auth(a.token) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/attachment; filename="invalid-errors.csv"/);
    const rows = parse(res.body) as string[][];
    expect(rows[0]).toEqual(['row', 'column', 'message', 'Name', 'Phone', 'Email']);
    expect(rows.slice(1).map((r) => [r[0], r[1]])).toEqual([
      ['3', 'Phone'],
      ['4', 'Phone'],
      ['6', ''],
      ['7', 'Email'],
    ]);
    expect(rows[1]?.[2]).toMatch(/invalid phone number "12345"/);
    expect(rows[1]?.slice(3)).toEqual(['Bad Phone', '12345', 'bad1@example.com']);
    expect(rows[3]?.[2]).toMatch(/neither a phone number nor an email/);
  });

  it('checks every row before importing (a dry run that writes nothing), then imports what it said', async () => {
    const csv = [
      'Name,Mobile,Email',
      'Checked One,+12025550171,checked1@example.com',
      'Bad Phone,12345,checked-bad@example.com',
      'Not A Number,call me,',
      'Checked Again,+1 (202) 555-0171,',
      'No Contact,,',
      'Bad Email,+12025550173,not-an-email',
    ].join('\n');
    const up = await uploadOk('check.csv', csv);
    const check = (body: Record<string, unknown>, token = a.token) =>
      app.inject({ method: 'POST', url: `/v1/imports/${up.id}/check`, payload: body, headers: auth(token) });
    const res = await check({ mapping: up.suggestedMapping, limit: 3 });
    expect(res.statusCode, res.body).toBe(200);
    const result = res.json();
    expect(result).toMatchObject({ totalRows: 6, validRows: 2, errorRows: 4, duplicateRows: 1, truncated: true });
    expect(result.errors.map((e: { rowNumber: number }) => e.rowNumber)).toEqual([3, 4, 6]);
    expect(result.errors[0]).toMatchObject({
      errors: [{ column: 'Mobile', message: expect.stringMatching(/invalid phone number "12345"/) }],
      raw: { Name: 'Bad Phone', Mobile: '12345', Email: 'checked-bad@example.com' },
    });
    expect(await contactByPhone(a.tenant.id, '+12025550171')).toBeNull();
    // A mapping without phone or email is refused as the start refuses it; another tenant gets 404.
    expectError(await check({ mapping: { Name: 'firstName' } }), 400, 'invalid_mapping');
    expect((await check({ mapping: up.suggestedMapping }, b.token)).statusCode).toBe(404);

    const started = await start(up.id, { mapping: up.suggestedMapping });
    expect(started.statusCode, started.body).toBe(202);
    expect(await waitForImport(up.id)).toMatchObject({ createdRows: 1, updatedRows: 1, errorRows: 4 });
    expectError(await check({ mapping: up.suggestedMapping }), 409, 'import_already_started');
  });

  it('dedupes rows against each other and against existing contacts (update, then skip)', async () => {
    const { job } = await importFile('dupes.csv', fixture('duplicates.csv'));
    // Grace exists (seeded) → updated; Ann three times → created once, updated twice; Bob created.
    expect(job).toMatchObject({ status: 'completed', processedRows: 5, createdRows: 2, updatedRows: 3, errorRows: 0 });
    expect(await database.db.contact.count({ where: { tenantId: a.tenant.id, phone: '+12025550111' } })).toBe(1);
    expect(await contactByPhone(a.tenant.id, '+12025550111')).toMatchObject({
      firstName: 'Ann Email',
      email: 'ann@example.com',
      tags: ['a', 'b', 'c'],
    });
    expect(await contactByPhone(a.tenant.id, '+14155550123')).toMatchObject({
      id: a.contact.id,
      firstName: 'Grace Hopper',
      email: 'grace@example.com',
      tags: ['navy'],
    });

    const again = await importFile('dupes.csv', fixture('duplicates.csv').toString().replace('Bob', 'Robert'), {
      dedupe: 'skip',
    });
    expect(again.job).toMatchObject({ status: 'completed', createdRows: 0, updatedRows: 0, skippedRows: 5 });
    expect(await contactByPhone(a.tenant.id, '+12025550112')).toMatchObject({ firstName: 'Bob' });
  });

  it('survives 10 MB in one column: that row is reported, the others land', async () => {
    const huge = 'x'.repeat(10 * 1024 * 1024);
    const csv = `Name,Phone,Notes\nBefore,+12025550121,short\nHuge,+12025550122,"${huge}"\nAfter,+12025550123,short\n`;
    const { upload: up, job } = await importFile('huge.csv', csv);
    expect(up.totalRows).toBe(3);
    expect(up.preview[1]?.[2]).toHaveLength(500);
    expect(job).toMatchObject({ status: 'completed', createdRows: 2, errorRows: 1 });
    const error = await database.db.importRowError.findFirst({ where: { importId: job.id } });
    expect(error).toMatchObject({
      rowNumber: 3,
      errors: [{ column: 'Notes', message: expect.stringMatching(/limit is/) }],
    });
    expect(JSON.stringify(error?.raw).length).toBeLessThan(2000);
  });

  it('validates custom field types per row', async () => {
    await database.db.customFieldDefinition.createMany({
      data: [
        { tenantId: a.tenant.id, key: 'seats', label: 'Seats', type: 'number' },
        { tenantId: a.tenant.id, key: 'plan', label: 'Plan', type: 'select', options: ['Free', 'Pro'] },
      ],
    });
    const csv = 'Phone,Seats,Plan\n+12025550131,12,pro\n+12025550132,many,Pro\n+12025550133,3,Gold\n';
    const { upload: up, job } = await importFile('typed.csv', csv);
    expect(up.suggestedMapping).toEqual({ Phone: 'phone', Seats: 'fields.seats', Plan: 'fields.plan' });
    expect(job).toMatchObject({ createdRows: 1, errorRows: 2 });
    expect((await contactByPhone(a.tenant.id, '+12025550131'))?.fields).toEqual({ seats: 12, plan: 'Pro' });
  });

  it('saves a mapping and suggests it next time the same headers come', async () => {
    const csv = 'Handy,Vorname,Kundennummer\n+4930901820,Max,17\n';
    const first = await uploadOk('de.csv', csv);
    expect(first.suggestedMapping).toMatchObject({ Vorname: 'firstName', Handy: 'ignore' });
    const mapping = { Handy: 'phone', Vorname: 'firstName', Kundennummer: 'ignore' };
    expect((await start(first.id, { mapping, defaultCountry: 'DE', saveMappingAs: 'German CRM' })).statusCode).toBe(
      202,
    );
    expect(await waitForImport(first.id)).toMatchObject({ status: 'completed', createdRows: 1 });

    const second = await uploadOk('de2.csv', 'kundennummer,handy,vorname\n18,+4930901821,Erika\n');
    expect(second.savedMapping).toBe('German CRM');
    expect(second.suggestedMapping).toEqual({ kundennummer: 'ignore', handy: 'phone', vorname: 'firstName' });
    const saved = await app.inject({ url: '/v1/column-mappings', headers: auth(a.token) });
    expect(saved.json()).toMatchObject({ items: [{ name: 'German CRM', mapping }] });
    // Another tenant does not see it.
    const other = await app.inject({ url: '/v1/column-mappings', headers: auth(b.token) });
    expect(other.json()).toEqual({ items: [] });
  });

  it('refuses unknown fields, mappings without phone or email, and a second start', async () => {
    const up = await uploadOk('bom.csv', fixture('bom-comma.csv'));
    const bad = await start(up.id, { mapping: { Phone: 'mobile', 'E-mail': 'fields.nope', Nowhere: 'email' } });
    expectError(bad, 400, 'invalid_mapping');
    expect((bad.json() as { error: { details: unknown[] } }).error.details).toHaveLength(3);
    expectError(await start(up.id, { mapping: { 'First Name': 'firstName' } }), 400, 'invalid_mapping');
    expectError(await start(up.id, { mapping: up.suggestedMapping, defaultCountry: 'XX' }), 400, 'validation_failed');
    expectError(await start(up.id, { mapping: up.suggestedMapping, dedupe: 'merge' }), 400, 'validation_failed');
    expect((await start(up.id, { mapping: up.suggestedMapping })).statusCode).toBe(202);
    expectError(await start(up.id, { mapping: up.suggestedMapping }), 409, 'import_already_started');
    await waitForImport(up.id);
  });

  it('lists imports, newest first, per tenant; another tenant gets 404 for every import route', async () => {
    const up = await uploadOk('bom.csv', fixture('bom-comma.csv'));
    const list = await app.inject({ url: '/v1/imports?limit=2', headers: auth(a.token) });
    expect(list.statusCode).toBe(200);
    const body = list.json() as { items: Job[]; nextCursor: string | null };
    expect(body.items[0]?.id).toBe(up.id);
    expect(body.nextCursor).not.toBeNull();
    const next = await app.inject({ url: `/v1/imports?limit=2&cursor=${body.nextCursor}`, headers: auth(a.token) });
    expect((next.json() as { items: Job[] }).items.map((j) => j.id)).not.toContain(up.id);
    expect((await app.inject({ url: '/v1/imports', headers: auth(b.token) })).json()).toEqual({
      items: [],
      nextCursor: null,
    });

    expectError(await app.inject({ url: `/v1/imports/${up.id}`, headers: auth(b.token) }), 404, 'not_found');
    expectError(await start(up.id, { mapping: up.suggestedMapping }, b.token), 404, 'not_found');
    expectError(await app.inject({ url: `/v1/imports/${up.id}/errors.csv`, headers: auth(b.token) }), 404, 'not_found');
    expect((await app.inject({ url: `/v1/imports/${up.id}`, headers: auth(a.token) })).json()).toMatchObject({
      status: 'pending',
    });
  });

  it('imports thousands of rows in batches, with progress reaching completed', async () => {
    const n = 2_345;
    const lines = ['First Name,Phone,Email'];
    for (let i = 0; i < n; i++) lines.push(`P${i},+1202556${String(i).padStart(4, '0')},p${i}@bulk.example`);
    const up = await uploadOk('bulk.csv', lines.join('\n'));
    expect(up.totalRows).toBe(n);
    expect((await start(up.id, { mapping: up.suggestedMapping })).statusCode).toBe(202);
    const seen: number[] = [];
    let job: Job;
    for (;;) {
      job = (await app.inject({ url: `/v1/imports/${up.id}`, headers: auth(a.token) })).json() as Job;
      seen.push(job.processedRows);
      if (job.status === 'completed' || job.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(job).toMatchObject({ status: 'completed', processedRows: n, createdRows: n, progress: 1 });
    expect(seen.every((v, i) => i === 0 || v >= (seen[i - 1] ?? 0))).toBe(true);
    expect(seen.every((v) => v % 500 === 0 || v === n)).toBe(true);
    expect(
      await database.db.contact.count({ where: { tenantId: a.tenant.id, email: { endsWith: '@bulk.example' } } }),
    ).toBe(n);
  });
});
