// The import pipeline: streams an uploaded CSV through csv-parse in batches of 500 rows, normalizes
// and validates each row, dedupes against the file and the tenant's contacts, and writes every
// batch (contacts, row errors, counters) in one transaction. Memory is bounded by one batch.
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { CountryCode } from 'libphonenumber-js';
import { Prisma } from '../../generated/prisma/client';
import { toJson } from '../../prisma/json';
import { inferTimeZone, normalizeEmail, normalizePhone } from '../contacts/normalize';
import type { TenantDb } from '../tenant-scope';
import { type CsvRecord, type Delimiter, readRecords } from './csv';
import type { ColumnPlan, CustomFieldDef } from './mapping';

export const BATCH_SIZE = 500;
/** A cell longer than this is a row error rather than a contact field. */
export const MAX_CELL_CHARS = 10_000;
/** Cells kept in a row error's `raw` are cut to this length. */
const RAW_CELL_CHARS = 1_000;

export type Dedupe = 'update' | 'skip';

export interface ImportOptions {
  db: TenantDb;
  tenantId: string;
  jobId: string;
  path: string;
  delimiter: Delimiter;
  headers: string[];
  plan: ColumnPlan;
  customFields: CustomFieldDef[];
  /** Lead stage keys; when the tenant has none, any status is taken as it is. */
  leadStages: { key: string; label: string }[];
  defaultCountry?: CountryCode | undefined;
  dedupe: Dedupe;
  signal?: AbortSignal;
  /** Called with the totals once every row is written, before the job is marked finished. */
  onFinish?: (result: ImportResult) => Promise<void>;
  /** Removes the uploaded file when done (default true). */
  removeFile?: boolean;
  /** Data rows already imported by an interrupted run (the job's `processedRows`): skipped. */
  skipRows?: number;
}

export interface ImportResult {
  /** `interrupted`: the process is shutting down; the job stays running and is resumed. */
  status: 'completed' | 'failed' | 'interrupted';
  processedRows: number;
  createdRows: number;
  updatedRows: number;
  skippedRows: number;
  errorRows: number;
  error?: string;
}

interface RowError {
  column: string;
  message: string;
}

interface ContactData {
  firstName?: string;
  lastName?: string;
  phone?: string;
  email?: string;
  timeZone?: string;
  leadStatus?: string;
  tags: string[];
  fields: Record<string, unknown>;
}

interface GoodRow {
  rowNumber: number;
  data: ContactData;
  cells: string[];
}

interface BadRow {
  rowNumber: number;
  errors: RowError[];
  raw: Record<string, string>;
}

function rawOf(headers: readonly string[], cells: readonly string[]): Record<string, string> {
  const raw: Record<string, string> = {};
  const n = Math.max(headers.length, cells.length);
  for (let i = 0; i < n; i++) {
    const cell = cells[i] ?? '';
    const value = cell.length > RAW_CELL_CHARS ? `${cell.slice(0, RAW_CELL_CHARS)}… (${cell.length} characters)` : cell;
    raw[headers[i] ?? `Column ${i + 1}`] = value;
  }
  return raw;
}

const BOOLEAN_WORDS = new Map([
  ['true', true],
  ['yes', true],
  ['y', true],
  ['1', true],
  ['false', false],
  ['no', false],
  ['n', false],
  ['0', false],
]);

const zoneChecks = new Map<string, boolean>();

/** Whether Intl knows the zone; remembered, since building a DateTimeFormat costs ~75 µs. */
function isTimeZone(zone: string): boolean {
  let known = zoneChecks.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      known = true;
    } catch {
      known = false;
    }
    if (zoneChecks.size < 10_000) zoneChecks.set(zone, known);
  }
  return known;
}

/** A custom field's value in its declared type, or why the cell is not one. */
function customValue(def: CustomFieldDef, cell: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  switch (def.type) {
    case 'number': {
      const n = Number(cell.replace(/[\s,](?=\d{3}\b)/g, ''));
      return Number.isFinite(n) ? { ok: true, value: n } : { ok: false, reason: `"${cell}" is not a number` };
    }
    case 'boolean': {
      const b = BOOLEAN_WORDS.get(cell.toLowerCase());
      return b === undefined ? { ok: false, reason: `"${cell}" is not yes/no or true/false` } : { ok: true, value: b };
    }
    case 'date': {
      const d = /^\d{4}-\d{2}-\d{2}/.test(cell) ? new Date(cell) : Number.NaN;
      return d instanceof Date && !Number.isNaN(d.getTime())
        ? { ok: true, value: cell.length === 10 ? cell : d.toISOString() }
        : { ok: false, reason: `"${cell}" is not a date (YYYY-MM-DD)` };
    }
    case 'select': {
      const option = def.options.find((o) => o.toLowerCase() === cell.toLowerCase());
      return option === undefined
        ? { ok: false, reason: `"${cell}" is not one of ${def.options.join(', ')}` }
        : { ok: true, value: option };
    }
    default:
      return { ok: true, value: cell };
  }
}

/** One record → contact data, or the list of what is wrong with it. */
export function normalizeRow(
  record: CsvRecord,
  opts: Pick<ImportOptions, 'headers' | 'plan' | 'customFields' | 'leadStages' | 'defaultCountry'>,
): GoodRow | BadRow {
  const errors: RowError[] = [];
  const data: ContactData = { tags: [], fields: {} };
  for (const { index, header, target } of opts.plan) {
    const cell = (record.cells[index] ?? '').trim();
    if (cell === '') continue;
    if (cell.length > MAX_CELL_CHARS) {
      errors.push({
        column: header,
        message: `the cell is ${cell.length} characters long; the limit is ${MAX_CELL_CHARS}`,
      });
      continue;
    }
    switch (target) {
      case 'firstName':
      case 'lastName':
        data[target] = cell.slice(0, 200);
        break;
      case 'phone': {
        const r = normalizePhone(cell, opts.defaultCountry);
        if (r.ok) data.phone = r.e164;
        else errors.push({ column: header, message: `invalid phone number "${cell}": ${r.reason}` });
        break;
      }
      case 'email': {
        const r = normalizeEmail(cell);
        if (r.ok) data.email = r.email;
        else errors.push({ column: header, message: `invalid email "${cell}": ${r.reason}` });
        break;
      }
      case 'timeZone':
        if (isTimeZone(cell)) data.timeZone = cell;
        else errors.push({ column: header, message: `"${cell}" is not an IANA time zone (e.g. Europe/Paris)` });
        break;
      case 'tags':
        data.tags = [
          ...new Set(
            cell
              .split(/[;|]/)
              .map((t) => t.trim())
              .filter(Boolean),
          ),
        ];
        if (data.tags.some((t) => t.length > 100)) errors.push({ column: header, message: 'a tag is longer than 100' });
        break;
      case 'leadStatus': {
        if (opts.leadStages.length === 0) {
          data.leadStatus = cell.slice(0, 64);
          break;
        }
        const stage = opts.leadStages.find(
          (s) => s.key.toLowerCase() === cell.toLowerCase() || s.label.toLowerCase() === cell.toLowerCase(),
        );
        if (stage) data.leadStatus = stage.key;
        else
          errors.push({
            column: header,
            message: `unknown lead status "${cell}": use one of ${opts.leadStages.map((s) => s.key).join(', ')}`,
          });
        break;
      }
      default: {
        const key = target.slice('fields.'.length);
        const def = opts.customFields.find((f) => f.key === key);
        if (!def) break;
        const r = customValue(def, cell);
        if (r.ok) data.fields[key] = r.value;
        else errors.push({ column: header, message: r.reason });
      }
    }
  }
  if (errors.length === 0 && !data.phone && !data.email)
    errors.push({ column: '', message: 'the row has neither a phone number nor an email address' });
  if (errors.length > 0) return { rowNumber: record.rowNumber, errors, raw: rawOf(opts.headers, record.cells) };
  if (!data.timeZone && data.phone) {
    const zone = inferTimeZone(data.phone);
    if (zone) data.timeZone = zone;
  }
  return { rowNumber: record.rowNumber, data, cells: record.cells };
}

interface Existing {
  id: string;
  phone: string | null;
  email: string | null;
  tags: string[];
  fields: unknown;
  deletedAt: Date | null;
  mergedIntoId: string | null;
}

/** What a batch does to one contact: create it, or update an existing one. */
type Target =
  | { kind: 'new'; id: string; data: ContactData }
  | { kind: 'existing'; row: Existing; data: ContactData | null /* null until a row updates it */ };

const asRecord = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** Later values win; empty cells never erase; tags are a union; custom fields merge. */
function merge(into: ContactData, row: ContactData): ContactData {
  return {
    ...into,
    ...Object.fromEntries(Object.entries(row).filter(([k, v]) => v !== undefined && k !== 'tags' && k !== 'fields')),
    tags: [...new Set([...into.tags, ...row.tags])],
    fields: { ...into.fields, ...row.fields },
  };
}

interface BatchCounts {
  createdRows: number;
  updatedRows: number;
  skippedRows: number;
  errorRows: number;
}

const isUniqueViolation = (err: unknown) => err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';

/**
 * Plans and writes one batch in a transaction: contacts created and updated, row errors, and the
 * job's counters. Plans against a fresh read of the matching contacts, so a retry after a unique
 * violation (a concurrent writer) sees what that writer created.
 */
async function writeBatch(
  opts: ImportOptions,
  rows: (GoodRow | BadRow)[],
): Promise<BatchCounts & { processedRows: number }> {
  const { db, tenantId, jobId } = opts;
  const good = rows.filter((r): r is GoodRow => 'data' in r);
  const bad = rows.filter((r): r is BadRow => 'errors' in r);
  const phones = [...new Set(good.flatMap((r) => (r.data.phone ? [r.data.phone] : [])))];
  const emails = [...new Set(good.flatMap((r) => (r.data.email ? [r.data.email] : [])))];
  const existing: Existing[] =
    phones.length + emails.length === 0
      ? []
      : await db.contact.findMany({
          where: {
            tenantId,
            OR: [
              ...(phones.length ? [{ phone: { in: phones } }] : []),
              ...(emails.length ? [{ email: { in: emails, mode: 'insensitive' as const } }] : []),
            ],
          },
          select: { id: true, phone: true, email: true, tags: true, fields: true, deletedAt: true, mergedIntoId: true },
        });
  const byPhone = new Map<string, Target>();
  const byEmail = new Map<string, Target>();
  for (const row of existing) {
    const t: Target = { kind: 'existing', row, data: null };
    if (row.phone) byPhone.set(row.phone, t);
    if (row.email) byEmail.set(row.email.toLowerCase(), t);
  }
  const counts: BatchCounts = { createdRows: 0, updatedRows: 0, skippedRows: 0, errorRows: bad.length };
  const creates: Target[] = [];
  const matched = new Set<Target>();
  const rowErrors = [...bad];
  for (const r of good) {
    const p = r.data.phone ? byPhone.get(r.data.phone) : undefined;
    const e = r.data.email ? byEmail.get(r.data.email) : undefined;
    if (p && e && p !== e) {
      rowErrors.push({
        rowNumber: r.rowNumber,
        errors: [{ column: '', message: 'the phone number and the email address belong to two different contacts' }],
        raw: rawOf(opts.headers, r.cells),
      });
      counts.errorRows++;
      continue;
    }
    const target = p ?? e;
    if (!target) {
      const t: Target = { kind: 'new', id: randomUUID(), data: r.data };
      creates.push(t);
      if (r.data.phone) byPhone.set(r.data.phone, t);
      if (r.data.email) byEmail.set(r.data.email, t);
      counts.createdRows++;
      continue;
    }
    if (target.kind === 'existing' && (target.row.deletedAt || target.row.mergedIntoId)) {
      rowErrors.push({
        rowNumber: r.rowNumber,
        errors: [
          {
            column: '',
            message: `matches contact ${target.row.id}, which was ${target.row.deletedAt ? 'deleted' : 'merged into another'}`,
          },
        ],
        raw: rawOf(opts.headers, r.cells),
      });
      counts.errorRows++;
      continue;
    }
    if (opts.dedupe === 'skip') {
      matched.add(target);
      counts.skippedRows++;
      continue;
    }
    if (target.kind === 'new') target.data = merge(target.data, r.data);
    else target.data = merge(target.data ?? { tags: target.row.tags, fields: asRecord(target.row.fields) }, r.data);
    if (r.data.phone) byPhone.set(r.data.phone, target);
    if (r.data.email) byEmail.set(r.data.email, target);
    counts.updatedRows++;
  }
  const updates = new Set<Target>([...byPhone.values(), ...byEmail.values()]);
  const processedRows = rows.length;
  await db.$transaction([
    db.contact.createMany({
      data: creates.map((t) => {
        const d = t.data as ContactData;
        return { ...d, id: t.kind === 'new' ? t.id : undefined, fields: toJson(d.fields), tenantId };
      }),
    }),
    // Who this file touched (created, updated or matched): a campaign can take them as its audience.
    db.importContact.createMany({
      data: [...new Set([...creates, ...updates, ...matched])].map((t) => ({
        importId: jobId,
        tenantId,
        contactId: t.kind === 'new' ? t.id : t.row.id,
      })),
      skipDuplicates: true,
    }),
    ...[...updates].flatMap((t) =>
      t.kind === 'existing' && t.data
        ? [db.contact.update({ where: { id: t.row.id }, data: { ...t.data, fields: toJson(t.data.fields) } })]
        : [],
    ),
    db.importRowError.createMany({
      data: rowErrors.map((e) => ({
        importId: jobId,
        rowNumber: e.rowNumber,
        errors: toJson(e.errors),
        raw: toJson(e.raw),
      })),
    }),
    db.importJob.update({
      where: { id: jobId, tenantId },
      data: {
        processedRows: { increment: processedRows },
        createdRows: { increment: counts.createdRows },
        updatedRows: { increment: counts.updatedRows },
        skippedRows: { increment: counts.skippedRows },
        errorRows: { increment: counts.errorRows },
        heartbeatAt: new Date(),
      },
    }),
  ]);
  return { ...counts, processedRows };
}

/**
 * Runs an import to the end: the job goes to `completed` (or `failed` with a message) with its
 * counters, the audit log records `contacts.imported`, and the uploaded file is removed. Never
 * throws.
 */
export async function runImport(opts: ImportOptions): Promise<ImportResult> {
  const { db, tenantId, jobId } = opts;
  const totals: ImportResult = {
    status: 'completed',
    processedRows: 0,
    createdRows: 0,
    updatedRows: 0,
    skippedRows: 0,
    errorRows: 0,
  };
  const flush = async (batch: (GoodRow | BadRow)[]) => {
    let attempt = 0;
    for (;;) {
      try {
        const c = await writeBatch(opts, batch);
        totals.processedRows += c.processedRows;
        totals.createdRows += c.createdRows;
        totals.updatedRows += c.updatedRows;
        totals.skippedRows += c.skippedRows;
        totals.errorRows += c.errorRows;
        return;
      } catch (err) {
        // Someone created a matching contact between our read and our write: plan again.
        if (isUniqueViolation(err) && attempt++ < 3) continue;
        throw err;
      }
    }
  };
  try {
    let batch: (GoodRow | BadRow)[] = [];
    let header = true;
    // Batches commit their rows and `processedRows` together, so this many rows are exactly done.
    let alreadyDone = opts.skipRows ?? 0;
    for await (const record of readRecords(opts.path, opts.delimiter, opts.signal)) {
      if (header) {
        header = false;
        continue;
      }
      if (alreadyDone > 0) {
        alreadyDone--;
        continue;
      }
      batch.push(normalizeRow(record, opts));
      if (batch.length >= BATCH_SIZE) {
        await flush(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await flush(batch);
    await opts.onFinish?.(totals);
    await db.importJob.update({
      where: { id: jobId, tenantId },
      data: { status: 'completed', finishedAt: new Date() },
    });
  } catch (err) {
    if (opts.signal?.aborted) {
      // Left running with no heartbeat: the next API process to look resumes it where it stopped.
      totals.status = 'interrupted';
      await db.importJob.update({ where: { id: jobId, tenantId }, data: { heartbeatAt: null } }).catch(() => undefined);
      return totals;
    }
    totals.status = 'failed';
    totals.error = `the import stopped: ${err instanceof Error ? err.message.split('\n').slice(-1)[0] : String(err)}`;
    await opts.onFinish?.(totals).catch(() => undefined);
    await db.importJob
      .update({
        where: { id: jobId, tenantId },
        data: { status: 'failed', error: totals.error, finishedAt: new Date() },
      })
      .catch(() => undefined);
  } finally {
    if (opts.removeFile !== false && totals.status !== 'interrupted')
      await rm(opts.path, { force: true }).catch(() => undefined);
  }
  return totals;
}
