// The knowledge base through the API, on a Temporal dev server with a real worker, the offline
// embedder and the embedded vector store: text, URL and file sources ingested by the workflow
// (a bad file or URL fails alone, with its reason), hybrid search, cited answers that say `unsure`
// rather than guess, internal sources kept from customers, re-indexing on change, deletion, and
// tenants kept apart.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KnowledgeRuntime, knowledgeRuntime } from '../../activities/rag/runtime';
import { catchUpIngestion } from '../../api/knowledge/ingestion';
import { KnowledgeSettingsSchema } from '../../worker/config';
import { ingestWorkflowId } from '../../workflows/ingest-source';
import { type ApiTestServer, auth, startApiTestServer, stopApiTestServer } from '../helpers/app';
import { seedTenant } from '../helpers/fixtures';
import { recordHistory } from '../helpers/histories';
import { waitFor } from '../helpers/processes';
import { startTestWorker, type TestWorker } from '../helpers/worker';

let s: ApiTestServer;
let worker: TestWorker;
let runtime: KnowledgeRuntime;
let vectorDir: string;
let site: Server;
let siteUrl = '';

const REFUNDS =
  'Refund policy. You can request a full refund within 30 days of purchase from your account page. ' +
  'Refunds are paid back to the original card within five business days.';
const SHIPPING =
  'Shipping. Orders leave our warehouse within two days. Delivery to Europe takes four to six days; ' +
  'tracking numbers are emailed when the parcel ships.';
const INTERNAL =
  'Escalation notes for staff. Customers asking for refunds after 30 days go to the billing lead, ' +
  'who may approve a goodwill credit of up to 50 euros.';

beforeAll(async () => {
  vectorDir = mkdtempSync(join(tmpdir(), 'sb-knowledge-'));
  site = createServer((req, res) => {
    if (req.url === '/help/warranty') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        '<html><head><title>Warranty</title><script>var tracking = "nope";</script></head><body>' +
          '<h1>Warranty</h1><p>Every kettle has a two-year warranty covering the heating element.</p></body></html>',
      );
      return;
    }
    if (req.url === '/loop/a' || req.url === '/loop/b') {
      res.writeHead(302, { location: req.url === '/loop/a' ? '/loop/b' : '/loop/a' });
      res.end();
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  const settings = KnowledgeSettingsSchema.parse({ SWITCHBOARD_VECTOR_DIR: vectorDir });
  s = await startApiTestServer({ knowledge: () => runtime });
  runtime = knowledgeRuntime(s.database.db, settings);
  worker = await startTestWorker(s.env, s.database.db, { knowledge: () => runtime, allowPrivateUrls: true });
}, 180_000);
afterAll(async () => {
  await worker?.stop();
  await stopApiTestServer(s);
  await runtime?.store.close?.();
  await new Promise((r) => site?.close(r));
  rmSync(vectorDir, { recursive: true, force: true });
});

type Source = {
  id: string;
  status: string;
  title: string;
  visibility: string;
  error: { code: string; message: string } | null;
  progress: { chunks: number; embedded: number };
  revision: number;
};

const api = (token: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
  s.app.inject({ method, url: `/v1${url}`, headers: auth(token), ...(payload ? { payload } : {}) });

/** The source once ingestion has settled (ready or failed), at least at `revision`. */
const settled = (token: string, id: string, revision = 1) =>
  waitFor(
    async () => {
      const src = (await api(token, 'GET', `/knowledge-sources/${id}`)).json() as Source;
      return (src.status === 'ready' || src.status === 'failed') && src.revision >= revision ? src : undefined;
    },
    `source ${id} ingested`,
    90_000,
  );

async function pdfOf(lines: string[]): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const text of lines) {
    const page = doc.addPage([595, 842]);
    // One page per paragraph, wrapped to the page (text past the edge is not on the page).
    const words = text.split(' ');
    let y = 780;
    while (words.length > 0) {
      const line: string[] = [];
      while (words.length > 0 && [...line, words[0]].join(' ').length < 80) line.push(words.shift() as string);
      page.drawText(line.join(' '), { x: 50, y, size: 11, font });
      y -= 16;
    }
  }
  return Buffer.from(await doc.save());
}

/** A multipart body: the batch's fields first, then each file after its own fields. */
function multipart(
  files: { name: string; type: string; bytes: Buffer; fields?: Record<string, string> }[],
  fields: Record<string, string> = {},
) {
  const boundary = `----sb${Date.now()}`;
  const parts: Buffer[] = [];
  const field = (k: string, v: string) =>
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  for (const [k, v] of Object.entries(fields)) parts.push(field(k, v));
  for (const f of files) {
    for (const [k, v] of Object.entries(f.fields ?? {})) parts.push(field(k, v));
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${f.name}"\r\nContent-Type: ${f.type}\r\n\r\n`,
      ),
      f.bytes,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

type UploadLine = { filename: string; source: Source | null; error: { code: string } | null };

/** A multipart upload through the API: its one line per file. */
async function upload(token: string, form: ReturnType<typeof multipart>): Promise<UploadLine[]> {
  const response = await s.app.inject({
    method: 'POST',
    url: '/v1/knowledge-sources/upload',
    headers: { ...auth(token), 'content-type': form.contentType },
    payload: form.body,
  });
  expect(response.statusCode, response.body.slice(0, 500)).toBe(200);
  return response.json().items;
}

describe('knowledge base', () => {
  let token = '';
  let tenantId = '';
  let refundsId = '';
  let internalId = '';

  it('ingests text, a URL and a batch of files; each bad one fails alone with its reason', async () => {
    const seeded = await seedTenant(s.database.db, `kb-${Date.now()}`);
    token = seeded.token;
    tenantId = seeded.tenant.id;
    const refunds = await api(token, 'POST', '/knowledge-sources', {
      kind: 'text',
      title: 'Refund policy',
      text: REFUNDS,
      category: 'billing',
      tags: ['refunds'],
    });
    expect(refunds.statusCode, refunds.body).toBe(201);
    refundsId = refunds.json().id;
    const internal = await api(token, 'POST', '/knowledge-sources', {
      kind: 'text',
      title: 'Escalation notes',
      text: INTERNAL,
      visibility: 'internal',
    });
    internalId = internal.json().id;
    const warranty = await api(token, 'POST', '/knowledge-sources', { kind: 'url', url: `${siteUrl}/help/warranty` });
    const loop = await api(token, 'POST', '/knowledge-sources', { kind: 'url', url: `${siteUrl}/loop/a` });
    const empty = await api(token, 'POST', '/knowledge-sources', { kind: 'text', title: 'Nothing', text: '   ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.code).toBe('empty_document');

    const form = multipart(
      [
        {
          name: 'shipping.pdf',
          type: 'application/pdf',
          bytes: await pdfOf([SHIPPING, 'Returns are free within Europe.']),
        },
        { name: 'broken.pdf', type: 'application/pdf', bytes: Buffer.from('%PDF-1.7\n1 0 obj <<') },
        { name: 'empty.txt', type: 'text/plain', bytes: Buffer.alloc(0) },
        {
          name: 'faq.md',
          type: 'text/markdown',
          bytes: Buffer.from('# Opening hours\n\nWe answer Monday to Friday, 9:00–18:00.\n'),
        },
      ],
      { category: 'help', tags: 'faq, public', visibility: 'public' },
    );
    const lines = await upload(token, form);
    expect(lines.map((l) => [l.filename, l.error?.code ?? 'ok'])).toEqual([
      ['shipping.pdf', 'ok'],
      ['broken.pdf', 'ok'],
      ['empty.txt', 'empty_document'],
      ['faq.md', 'ok'],
    ]);

    expect(await settled(token, refundsId)).toMatchObject({ status: 'ready', progress: { chunks: 1, embedded: 1 } });
    await recordHistory(s.env.client, ingestWorkflowId(refundsId), 'ingest-text-source');
    expect((await settled(token, warranty.json().id)).status).toBe('ready');
    const looped = await settled(token, loop.json().id);
    expect(looped).toMatchObject({ status: 'failed', error: { code: 'url_redirect_loop' } });
    const [shipping, broken, , faq] = lines;
    expect((await settled(token, shipping?.source?.id ?? '')).status).toBe('ready');
    expect(await settled(token, broken?.source?.id ?? '')).toMatchObject({
      status: 'failed',
      error: { code: 'pdf_corrupt' },
    });
    expect((await settled(token, faq?.source?.id ?? '')).status).toBe('ready');
    await settled(token, internalId);

    const failed = (await api(token, 'GET', '/knowledge-sources?status=failed')).json().items as Source[];
    expect(failed).toHaveLength(2);
  }, 180_000);

  it('a title field names the file after it; an unknown visibility refuses its file, not the batch', async () => {
    const text = (t: string) => ({ type: 'text/plain', bytes: Buffer.from(t) });
    const form = multipart([
      { name: 'a.txt', ...text('Gift cards never expire.'), fields: { title: 'Gift cards' } },
      { name: 'b-notes.txt', ...text('Store credit is issued within a day.') },
      { name: 'c.txt', ...text('Agents may waive the fee once.'), fields: { visibility: 'secret' } },
      { name: 'd.txt', ...text('Internal: the waiver code is in the wiki.'), fields: { visibility: 'internal' } },
    ]);
    const lines = await upload(token, form);
    expect(lines.map((l) => [l.filename, l.source?.title ?? null, l.source?.visibility ?? l.error?.code])).toEqual([
      ['a.txt', 'Gift cards', 'public'],
      ['b-notes.txt', 'b-notes', 'public'],
      ['c.txt', null, 'invalid_visibility'],
      ['d.txt', 'd', 'internal'],
    ]);
    for (const line of lines) if (line.source) await settled(token, line.source.id);
  }, 120_000);

  it('finds passages by words and by meaning, fused; answers with a citation or says unsure', async () => {
    const search = await api(token, 'POST', '/knowledge/search', { query: 'how do I get my money back?' });
    expect(search.statusCode, search.body).toBe(200);
    const top = search.json().items[0];
    expect(top).toMatchObject({ sourceId: refundsId, title: 'Refund policy' });
    expect(top.vectorScore).toBeGreaterThan(0.2);

    const lexical = (
      await api(token, 'POST', '/knowledge/search', { query: 'tracking numbers', mode: 'lexical' })
    ).json();
    expect(lexical.items[0].text).toMatch(/tracking numbers/);
    expect(lexical.items[0].vectorScore).toBeNull();
    const vector = (
      await api(token, 'POST', '/knowledge/search', { query: 'parcel delivery time', mode: 'vector' })
    ).json();
    expect(vector.items[0].text).toMatch(/Delivery to Europe/);

    // "ask for a refund" would tie with the staff note ("asking for refunds after 30 days"), which
    // holds both of its rarer words: answers cite retrieval's first passage, and words weigh most.
    const answered = (
      await api(token, 'POST', '/knowledge/ask', { question: 'How long do I have to request a refund?' })
    ).json();
    expect(answered).toMatchObject({ unsure: false, answeredBy: 'extractive' });
    expect(answered.answer).toMatch(/30 days/);
    expect(answered.citations[0]).toMatchObject({ sourceId: refundsId, title: 'Refund policy' });

    const unknown = (
      await api(token, 'POST', '/knowledge/ask', { question: 'What is the capital of Mongolia?' })
    ).json();
    expect(unknown).toMatchObject({ unsure: true, answer: '', citations: [] });

    // Customers never get internal notes; agents may search them.
    const forCustomers = (
      await api(token, 'POST', '/knowledge/search', { query: 'goodwill credit billing lead', visibility: 'public' })
    ).json();
    expect(forCustomers.items.map((i: { sourceId: string }) => i.sourceId)).not.toContain(internalId);
    const forAgents = (await api(token, 'POST', '/knowledge/search', { query: 'goodwill credit billing lead' })).json();
    expect(forAgents.items[0].sourceId).toBe(internalId);
    const kb = await s.app.knowledge();
    const viaNode = await kb.answer({ tenantId, question: 'goodwill credit', sourceIds: [] });
    expect(viaNode.citations.map((c) => c.sourceId)).not.toContain(internalId);

    // Another tenant sees none of it.
    const other = (await seedTenant(s.database.db, `kb-other-${Date.now()}`)).token;
    const theirs = (await api(other, 'POST', '/knowledge/search', { query: 'refund within 30 days' })).json();
    expect(theirs.items).toEqual([]);
    expect((await api(other, 'GET', `/knowledge-sources/${refundsId}`)).statusCode).toBe(404);
  }, 120_000);

  it('re-indexes a changed source (old passages gone), and a deleted one stops answering', async () => {
    const changed = await api(token, 'PATCH', `/knowledge-sources/${refundsId}`, {
      text: 'Refund policy. Refunds can be requested within 60 days; store credit is offered after that.',
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ revision: 2, status: 'pending' });
    await settled(token, refundsId, 2);
    const after = (await api(token, 'POST', '/knowledge/search', { query: 'refund days', mode: 'lexical' })).json();
    const texts = after.items
      .filter((i: { sourceId: string }) => i.sourceId === refundsId)
      .map((i: { text: string }) => i.text);
    expect(texts.join(' ')).toMatch(/60 days/);
    expect(texts.join(' ')).not.toMatch(/30 days/);

    const deleted = await api(token, 'DELETE', `/knowledge-sources/${refundsId}`);
    expect(deleted.statusCode).toBe(204);
    const gone = (await api(token, 'POST', '/knowledge/search', { query: 'refund store credit' })).json();
    expect(gone.items.map((i: { sourceId: string }) => i.sourceId)).not.toContain(refundsId);
    expect((await api(token, 'GET', `/knowledge-sources/${refundsId}`)).statusCode).toBe(404);
    await waitFor(
      async () =>
        (await s.database.db.knowledgeChunk.count({ where: { sourceId: refundsId } })) === 0 ? true : undefined,
      'chunks purged',
    );
  }, 120_000);

  it('refuses a file over the size limit on its own line and keeps the rest of the batch', async () => {
    const form = multipart([
      { name: 'huge.txt', type: 'text/plain', bytes: Buffer.alloc(51 * 1024 * 1024, 'a') },
      {
        name: 'languages.txt',
        type: 'text/plain',
        bytes: Buffer.from('Envíos gratis a España. 日本への配送は五日です。 Livraison gratuite en France.'),
      },
    ]);
    const [huge, languages] = await upload(token, form);
    expect(huge).toMatchObject({ filename: 'huge.txt', source: null, error: { code: 'too_large' } });
    expect((await settled(token, languages?.source?.id ?? '')).status).toBe('ready');
    // Text in several languages survives and is found by its own words.
    const spanish = (await api(token, 'POST', '/knowledge/search', { query: 'envíos España', mode: 'lexical' })).json();
    expect(spanish.items[0]?.text).toContain('日本への配送は五日です');
  }, 120_000);

  it('catches up: a source saved while nothing ingested it, and one indexed by another embedder', async () => {
    const seeded = await s.database.db.knowledgeSource.create({
      data: { tenantId, kind: 'text', title: 'Gift cards', text: 'Gift cards never expire and can be used online.' },
    });
    const stale = await s.database.db.knowledgeSource.create({
      data: { tenantId, kind: 'text', title: 'Loyalty', text: 'Members earn one point per euro spent in store.' },
    });
    await settledAfter(() => catchUpIngestion(s.app, runtime.embedder.id), seeded.id);
    await settledAfter(() => catchUpIngestion(s.app, runtime.embedder.id), stale.id);
    // Indexed "by another embedder": its chunks are embedded again, with the current one.
    await s.database.db.knowledgeSource.update({ where: { id: stale.id }, data: { embedderId: 'old-model@1' } });
    await s.database.db.knowledgeChunk.updateMany({
      where: { sourceId: stale.id },
      data: { embedderId: 'old-model@1' },
    });
    expect(await catchUpIngestion(s.app, runtime.embedder.id)).toBeGreaterThanOrEqual(1);
    await waitFor(async () => {
      const row = await s.database.db.knowledgeSource.findUniqueOrThrow({ where: { id: stale.id } });
      return row.embedderId === runtime.embedder.id && row.status === 'ready' ? true : undefined;
    }, 're-embedded');
    const chunks = await s.database.db.knowledgeChunk.findMany({ where: { sourceId: stale.id } });
    expect(chunks.every((c) => c.embedderId === runtime.embedder.id)).toBe(true);
    const found = (
      await api(token, 'POST', '/knowledge/search', { query: 'loyalty points per euro', mode: 'vector' })
    ).json();
    expect(found.items[0].sourceId).toBe(stale.id);
  }, 120_000);

  async function settledAfter(start: () => Promise<unknown>, id: string) {
    await start();
    return settled(token, id);
  }
});
