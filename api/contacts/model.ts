import { z } from 'zod';
import { AppError } from '../errors';
import type { TenantDb } from '../tenant-scope';
import { ConsentChannelSchema } from './filter';

export const FieldsSchema = z.record(z.string(), z.unknown());

export const ConsentEntrySchema = z.object({
  status: z.enum(['granted', 'denied']),
  at: z.string(),
  source: z.string().nullable().optional(),
});
export const ConsentSchema = z.partialRecord(ConsentChannelSchema, ConsentEntrySchema).meta({
  id: 'ContactConsent',
  examples: [
    {
      sms: { status: 'granted', at: '2026-11-02T14:05:00.000Z', source: 'web form' },
      email: { status: 'denied', at: '2026-11-20T09:30:00.000Z', source: null },
    },
  ],
});
export type Consent = z.infer<typeof ConsentSchema>;

export const ContactSchema = z
  .object({
    id: z.string().uuid(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    phone: z.string().nullable(),
    email: z.string().nullable(),
    timeZone: z.string().nullable(),
    tags: z.array(z.string()),
    fields: FieldsSchema,
    leadStatus: z.string().nullable(),
    score: z.number().int(),
    ownerId: z.string().uuid().nullable(),
    consent: ConsentSchema,
    dnc: z.boolean(),
    dncAt: z.date().nullable(),
    lastContactedAt: z.date().nullable(),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({
    id: 'Contact',
    examples: [
      {
        id: '6f1c2b7a-9d4e-4a6b-8c2d-1e5f7a9b0c3d',
        firstName: 'Ada',
        lastName: 'Lovelace',
        phone: '+14155550100',
        email: 'ada@example.com',
        timeZone: 'America/Los_Angeles',
        tags: ['vip'],
        fields: { plan: 'pro' },
        leadStatus: 'qualified',
        score: 40,
        ownerId: '3f1c2b7a-9d4e-4a6b-8c2d-1e5f7a9b0c3d',
        consent: { sms: { status: 'granted', at: '2026-11-02T14:05:00.000Z', source: 'web form' } },
        dnc: false,
        dncAt: null,
        lastContactedAt: '2026-11-20T09:30:00.000Z',
        createdAt: '2026-11-02T14:05:00.000Z',
        updatedAt: '2026-11-20T09:30:00.000Z',
      },
    ],
  });
export type ContactOut = z.infer<typeof ContactSchema>;

export interface ContactRow {
  id: string;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  email: string | null;
  timeZone: string | null;
  tags: string[];
  fields: unknown;
  leadStatus: string | null;
  score: number;
  ownerId: string | null;
  consent: unknown;
  dnc: boolean;
  dncAt: Date | null;
  lastContactedAt: Date | null;
  mergedIntoId: string | null;
  deletedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Stored consent, tolerant of entries this version does not know (they are dropped, not fatal). */
export function parseConsent(raw: unknown): Consent {
  const out: Consent = {};
  if (raw && typeof raw === 'object') {
    for (const [channel, entry] of Object.entries(raw)) {
      const c = ConsentChannelSchema.safeParse(channel);
      const e = ConsentEntrySchema.safeParse(entry);
      if (c.success && e.success) out[c.data] = e.data;
    }
  }
  return out;
}

export function toContact(row: ContactRow): ContactOut {
  const parsed = FieldsSchema.safeParse(row.fields ?? {});
  return {
    id: row.id,
    firstName: row.firstName,
    lastName: row.lastName,
    phone: row.phone,
    email: row.email,
    timeZone: row.timeZone,
    tags: row.tags,
    fields: parsed.success ? parsed.data : {},
    leadStatus: row.leadStatus,
    score: row.score,
    ownerId: row.ownerId,
    consent: parseConsent(row.consent),
    dnc: row.dnc,
    dncAt: row.dncAt,
    lastContactedAt: row.lastContactedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export const isLive = (row: { deletedAt: Date | null; mergedIntoId: string | null }) =>
  row.deletedAt === null && row.mergedIntoId === null;

/** A live contact of the request's tenant, or 404 (another tenant's id finds nothing). */
export async function loadContact(db: TenantDb, id: string) {
  const row = await db.contact.findFirst({ where: { id, deletedAt: null, mergedIntoId: null } });
  if (!row) throw new AppError(404, 'not_found', 'contact not found');
  return row;
}

// ---- custom fields -------------------------------------------------------------------------

export const FIELD_TYPES = ['text', 'number', 'boolean', 'date', 'select'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

interface FieldDefinition {
  key: string;
  type: string;
  options: string[];
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;

function checkValue(def: FieldDefinition, value: unknown): string | null {
  switch (def.type) {
    case 'text':
      return typeof value === 'string' && value.length <= 10_000 ? null : 'a string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'a number';
    case 'boolean':
      return typeof value === 'boolean' ? null : 'true or false';
    case 'date':
      return typeof value === 'string' && ISO_DATE.test(value) && !Number.isNaN(Date.parse(value))
        ? null
        : 'an ISO date (YYYY-MM-DD or a full timestamp)';
    case 'select':
      return typeof value === 'string' && def.options.includes(value) ? null : `one of ${def.options.join(', ')}`;
    default:
      return null;
  }
}

/**
 * Checks `fields` against the tenant's definitions: a defined key must hold a value of its type
 * (null clears it). Keys without a definition are kept as given — untyped data from imports and
 * flows (the update-contact node) is allowed; define the field to have it checked.
 */
export async function validateFields(db: TenantDb, tenantId: string, fields: Record<string, unknown>): Promise<void> {
  const keys = Object.keys(fields);
  if (!keys.length) return;
  const defs = await db.customFieldDefinition.findMany({ where: { tenantId, key: { in: keys } } });
  for (const def of defs) {
    const value = fields[def.key];
    if (value === null || value === undefined) continue;
    const expected = checkValue(def, value);
    if (expected)
      throw new AppError(400, 'invalid_field', `field "${def.key}" must be ${expected}`, {
        field: def.key,
        type: def.type,
        expected,
      });
  }
}

/** Existing fields with the changes applied; a null value removes the key. */
export function mergeFields(current: unknown, changes: Record<string, unknown>): Record<string, unknown> {
  const base = FieldsSchema.safeParse(current ?? {});
  const out: Record<string, unknown> = { ...(base.success ? base.data : {}) };
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

// ---- lead stages ---------------------------------------------------------------------------

export const DEFAULT_LEAD_STAGES = [
  { key: 'new', label: 'New' },
  { key: 'contacted', label: 'Contacted' },
  { key: 'qualified', label: 'Qualified' },
  { key: 'won', label: 'Won' },
  { key: 'lost', label: 'Lost' },
] as const;

/** The tenant's pipeline in order; a tenant that never had one gets the defaults (race-safe). */
export async function leadStages(db: TenantDb, tenantId: string) {
  const rows = await db.leadStage.findMany({ where: { tenantId }, orderBy: [{ position: 'asc' }, { key: 'asc' }] });
  if (rows.length) return rows;
  await db.leadStage.createMany({
    data: DEFAULT_LEAD_STAGES.map((s, position) => ({ tenantId, key: s.key, label: s.label, position })),
    skipDuplicates: true,
  });
  return db.leadStage.findMany({ where: { tenantId }, orderBy: [{ position: 'asc' }, { key: 'asc' }] });
}

export async function validateLeadStatus(db: TenantDb, tenantId: string, status: string | null | undefined) {
  if (status === null || status === undefined) return;
  const stages = await leadStages(db, tenantId);
  if (!stages.some((s) => s.key === status))
    throw new AppError(400, 'invalid_lead_status', `lead status "${status}" is not one of the pipeline's stages`, {
      leadStatus: status,
      stages: stages.map((s) => s.key),
    });
}
