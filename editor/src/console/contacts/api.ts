import { useMemo } from 'react';
import { z } from 'zod';
import type { Request } from '../../api-client';
import {
  type ImportJob,
  ImportJobSchema,
  type TimelineItem,
  TimelineItemSchema,
  type UploadedCsv,
  UploadedCsvSchema,
} from '../schemas';
import { useSession } from '../session';
import type { Transfers } from '../transfers';

// The contacts, segments, lead-stage, imports and exports APIs as the browser reads them (dates are
// ISO strings). The filter schema mirrors api/contacts/filter.ts, which the browser cannot import
// (it builds Prisma queries).

export const CONSENT_CHANNELS = [
  'sms',
  'whatsapp',
  'email',
  'voice',
  'telegram',
  'webchat',
  'messenger',
  'instagram',
] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];
export const CONSENT_STATUSES = ['granted', 'denied', 'unknown'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];

const ConsentEntrySchema = z.object({
  status: z.enum(['granted', 'denied']),
  at: z.string().nullable().optional(),
  source: z.string().nullable().optional(),
});

export const ContactSchema = z.object({
  id: z.string(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  timeZone: z.string().nullable(),
  tags: z.array(z.string()),
  fields: z.record(z.string(), z.unknown()),
  leadStatus: z.string().nullable(),
  score: z.number(),
  ownerId: z.string().nullable(),
  consent: z.record(z.string(), ConsentEntrySchema),
  dnc: z.boolean(),
  dncAt: z.string().nullable(),
  lastContactedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Contact = z.infer<typeof ContactSchema>;
const ContactPageSchema = z.object({ items: z.array(ContactSchema), nextCursor: z.string().nullable() });
export type ContactPage = z.infer<typeof ContactPageSchema>;

export const StageSchema = z.object({ id: z.string(), key: z.string(), label: z.string(), position: z.number() });
export type Stage = z.infer<typeof StageSchema>;

/**
 * One condition of a contact filter. The console edits search, lead status, tag, consent and
 * do-not-contact; any other kind (fields, dates, owner) a segment holds is kept as it is.
 */
export const KnownConditionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('search'), value: z.string() }),
  z.object({ type: z.literal('leadStatus'), op: z.enum(['in', 'not-in']), values: z.array(z.string()) }),
  z.object({ type: z.literal('tag'), op: z.enum(['has', 'has-not']), value: z.string() }),
  z.object({ type: z.literal('consent'), channel: z.enum(CONSENT_CHANNELS), status: z.enum(CONSENT_STATUSES) }),
  z.object({ type: z.literal('dnc'), value: z.boolean() }),
]);
export type KnownCondition = z.infer<typeof KnownConditionSchema>;
/** Any condition the API accepts; the console passes the ones it does not edit through unchanged. */
export const ConditionSchema = z.looseObject({ type: z.string() });
export type Condition = z.infer<typeof ConditionSchema>;
export const FilterSchema = z.object({
  match: z.enum(['all', 'any']).default('all'),
  conditions: z.array(ConditionSchema).default([]),
});
export type Filter = z.infer<typeof FilterSchema>;

export const SegmentSchema = z.object({
  id: z.string(),
  name: z.string(),
  filter: FilterSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Segment = z.infer<typeof SegmentSchema>;

export const FieldDefinitionSchema = z.object({
  id: z.string(),
  key: z.string(),
  label: z.string(),
  type: z.string(),
  options: z.array(z.string()),
});
export type FieldDefinition = z.infer<typeof FieldDefinitionSchema>;

/** Where a CSV column can go (api/imports/mapping.ts), besides `fields.<key>`. */
export const STANDARD_TARGETS = ['firstName', 'lastName', 'phone', 'email', 'timeZone', 'tags', 'leadStatus'] as const;

export const isEmptyFilter = (f: Filter) => f.conditions.length === 0;
const filterParam = (f: Filter) => (isEmptyFilter(f) ? '' : `filter=${encodeURIComponent(JSON.stringify(f))}`);

export function contactsApi(request: Request, transfers: Transfers) {
  const id = encodeURIComponent;
  return {
    list: (filter: Filter, cursor: string | null, limit = 50) =>
      request(
        'GET',
        `/v1/contacts?limit=${limit}${cursor ? `&cursor=${id(cursor)}` : ''}&${filterParam(filter)}`,
        ContactPageSchema,
      ),
    get: (contactId: string) => request('GET', `/v1/contacts/${id(contactId)}`, ContactSchema),
    update: (contactId: string, patch: { leadStatus?: string | null; tags?: string[] }) =>
      request('PATCH', `/v1/contacts/${id(contactId)}`, ContactSchema, patch),
    setConsent: (contactId: string, channel: ConsentChannel, status: 'granted' | 'denied') =>
      request('PUT', `/v1/contacts/${id(contactId)}/consent/${channel}`, ContactSchema, {
        status,
        source: 'operator console',
      }),
    setDnc: (contactId: string, dnc: boolean) =>
      request('PUT', `/v1/contacts/${id(contactId)}/dnc`, ContactSchema, { dnc }),
    addNote: (contactId: string, body: string) =>
      request('POST', `/v1/contacts/${id(contactId)}/notes`, z.object({ id: z.string() }), { body }),
    timeline: (contactId: string, cursor: string | null) =>
      request(
        'GET',
        `/v1/contacts/${id(contactId)}/timeline?limit=30${cursor ? `&cursor=${id(cursor)}` : ''}`,
        z.object({ items: z.array(TimelineItemSchema), nextCursor: z.string().nullable() }),
      ),
    stages: () => request('GET', '/v1/lead-stages', z.object({ items: z.array(StageSchema) })),
    fields: () => request('GET', '/v1/contact-fields', z.object({ items: z.array(FieldDefinitionSchema) })),
    segments: () =>
      request(
        'GET',
        '/v1/segments?limit=100',
        z.object({ items: z.array(SegmentSchema), nextCursor: z.string().nullable() }),
      ),
    segment: (segmentId: string) => request('GET', `/v1/segments/${id(segmentId)}`, SegmentSchema),
    segmentCount: (segmentId: string) =>
      request('GET', `/v1/segments/${id(segmentId)}/count`, z.object({ count: z.number() })),
    createSegment: (name: string, filter: Filter) => request('POST', '/v1/segments', SegmentSchema, { name, filter }),
    updateSegment: (segmentId: string, name: string, filter: Filter) =>
      request('PUT', `/v1/segments/${id(segmentId)}`, SegmentSchema, { name, filter }),
    deleteSegment: (segmentId: string) => request('DELETE', `/v1/segments/${id(segmentId)}`, z.null()),
    preview: (filter: Filter) =>
      request('POST', '/v1/segments/preview', z.object({ count: z.number(), sample: z.array(ContactSchema) }), {
        filter,
        sampleSize: 0,
      }),
    exportCsv: (filter: Filter) =>
      transfers.download(`/v1/exports/contacts.csv?${filterParam(filter)}`, 'contacts.csv'),
    async uploadCsv(file: File): Promise<UploadedCsv> {
      const form = new FormData();
      form.append('file', file, file.name);
      return UploadedCsvSchema.parse(await transfers.upload('/v1/imports', form));
    },
    startImport: (
      importId: string,
      body: { mapping: Record<string, string>; defaultCountry?: string; dedupe: string },
    ) => request('POST', `/v1/imports/${id(importId)}/start`, ImportJobSchema, body),
    importJob: (importId: string) => request('GET', `/v1/imports/${id(importId)}`, ImportJobSchema),
    /** The rows that were not imported, as the API's CSV (row, column, message, original cells). */
    async importErrors(importId: string): Promise<string> {
      return transfers.text(`/v1/imports/${id(importId)}/errors.csv`);
    },
    importErrorsDownload: (importId: string) =>
      transfers.download(`/v1/imports/${id(importId)}/errors.csv`, 'import-errors.csv'),
  };
}
export type ContactsApi = ReturnType<typeof contactsApi>;

/** The contacts API bound to the session's key, stable across renders. */
export function useContactsApi(): ContactsApi {
  const { request, transfers } = useSession();
  return useMemo(() => contactsApi(request, transfers), [request, transfers]);
}

export const displayName = (c: Pick<Contact, 'firstName' | 'lastName' | 'email' | 'phone'>): string =>
  [c.firstName, c.lastName].filter(Boolean).join(' ') || c.email || c.phone || 'Unnamed contact';

export { type ImportJob, ImportJobSchema, type TimelineItem, TimelineItemSchema, type UploadedCsv, UploadedCsvSchema };
