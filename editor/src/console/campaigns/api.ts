// The campaign screens' view of the API: zod schemas of what the routes answer (api/routes/campaigns,
// imports, segments, flows), parsed at the boundary. JSON dates arrive as ISO strings.
import { z } from 'zod';
import { CAMPAIGN_STATUSES, RECIPIENT_STATUSES } from '../../../../flow';
import type { Request } from '../../api-client';
import { type ImportJob, ImportJobSchema, type UploadedCsv, UploadedCsvSchema } from '../schemas';

const Iso = z.string();
const id = encodeURIComponent;

export const CampaignSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(CAMPAIGN_STATUSES),
  audience: z.unknown(),
  work: z.unknown(),
  settings: z.unknown(),
  flowVersionId: z.string().nullable(),
  workflowId: z.string().nullable(),
  totalRecipients: z.number(),
  recipients: z.record(z.string(), z.number()),
  launchedAt: Iso.nullable(),
  pausedAt: Iso.nullable(),
  finishedAt: Iso.nullable(),
  createdAt: Iso,
  updatedAt: Iso,
});
export type Campaign = z.infer<typeof CampaignSchema>;
export type CampaignStatus = Campaign['status'];
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];

const TotalsSchema = z.record(z.enum(RECIPIENT_STATUSES), z.number());
export type Totals = z.infer<typeof TotalsSchema>;

export const StatsSchema = z.object({
  campaignId: z.string(),
  status: z.enum(CAMPAIGN_STATUSES),
  recipients: z.number(),
  totals: TotalsSchema,
  started: z.number(),
  open: z.number(),
  byOutcome: z.record(z.string(), z.number()),
  byReason: z.array(z.object({ status: z.enum(RECIPIENT_STATUSES), reason: z.string(), count: z.number() })),
  funnel: z.object({
    audience: z.number(),
    started: z.number(),
    finished: z.number(),
    outcomes: z.record(z.string(), z.number()),
  }),
  attempts: z.number(),
  cost: z.array(z.object({ currency: z.string().nullable(), amount: z.string(), calls: z.number() })),
  rate: z.object({ windowMinutes: z.number(), started: z.number(), perMinute: z.number() }),
  eta: z.object({ seconds: z.number(), at: Iso }).nullable(),
  generatedAt: Iso,
});
export type Stats = z.infer<typeof StatsSchema>;

/** What `event: progress` of GET /campaigns/:id/stream carries. */
export const ProgressEventSchema = z.object({
  campaignId: z.string(),
  status: z.enum(CAMPAIGN_STATUSES),
  recipients: z.number(),
  totals: TotalsSchema,
  started: z.number(),
  open: z.number(),
});
export type Progress = z.infer<typeof ProgressEventSchema>;

export const RecipientSchema = z.object({
  id: z.string(),
  contactId: z.string(),
  contact: z
    .object({ name: z.string().nullable(), phone: z.string().nullable(), email: z.string().nullable() })
    .nullable(),
  seq: z.number(),
  status: z.enum(RECIPIENT_STATUSES),
  reason: z.string().nullable(),
  detail: z.string().nullable(),
  attempts: z.number(),
  outcome: z.string().nullable(),
  nextAttemptAt: Iso.nullable(),
  runId: z.string().nullable(),
  run: z
    .object({ status: z.string(), outcome: z.string().nullable(), startedAt: Iso, finishedAt: Iso.nullable() })
    .nullable(),
  startedAt: Iso.nullable(),
  finishedAt: Iso.nullable(),
});
export type Recipient = z.infer<typeof RecipientSchema>;

const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const SegmentSchema = z.object({ id: z.string(), name: z.string() });
export const FlowOptionSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(['draft', 'published']),
  publishedVersion: z.number().nullable(),
});
export type FlowOption = z.infer<typeof FlowOptionSchema>;
const FlowVersionSchema = z.object({ version: z.number(), publishedAt: Iso });
const FlowDefinitionSchema = z.object({
  definition: z.object({
    nodes: z.array(
      z.object({ id: z.string(), type: z.string(), params: z.record(z.string(), z.unknown()).optional() }),
    ),
  }),
});
export const CustomFieldSchema = z.object({ key: z.string(), label: z.string(), type: z.string() });
export type CustomField = z.infer<typeof CustomFieldSchema>;

/** POST /imports: the uploaded file's columns, first rows and a suggested mapping. */
export const UploadSchema = UploadedCsvSchema;
export type Upload = UploadedCsv;

const RowProblemSchema = z.object({ column: z.string(), message: z.string() });
/** POST /imports/:id/check: the dry run's verdict on every row. */
export const CheckSchema = z.object({
  totalRows: z.number(),
  validRows: z.number(),
  errorRows: z.number(),
  duplicateRows: z.number(),
  errors: z.array(
    z.object({ rowNumber: z.number(), errors: z.array(RowProblemSchema), raw: z.record(z.string(), z.string()) }),
  ),
  truncated: z.boolean(),
});
export type Check = z.infer<typeof CheckSchema>;

/** Typed calls of the campaign screens, over the session's `request`. */
export function campaignApi(request: Request) {
  return {
    list: (status?: string) =>
      request('GET', `/v1/campaigns?limit=100${status ? `&status=${id(status)}` : ''}`, pageOf(CampaignSchema)),
    get: (campaignId: string) => request('GET', `/v1/campaigns/${id(campaignId)}`, CampaignSchema),
    create: (body: unknown) => request('POST', '/v1/campaigns', CampaignSchema, body),
    update: (campaignId: string, body: unknown) =>
      request('PATCH', `/v1/campaigns/${id(campaignId)}`, CampaignSchema, body),
    audienceCount: (campaignId: string) =>
      request('GET', `/v1/campaigns/${id(campaignId)}/audience-count`, z.object({ count: z.number() })),
    launch: (campaignId: string) => request('POST', `/v1/campaigns/${id(campaignId)}/launch`, CampaignSchema),
    pause: (campaignId: string) => request('POST', `/v1/campaigns/${id(campaignId)}/pause`, CampaignSchema),
    resume: (campaignId: string, missed: 'skip' | 'catch_up') =>
      request('POST', `/v1/campaigns/${id(campaignId)}/resume`, CampaignSchema, { missed }),
    cancel: (campaignId: string) => request('POST', `/v1/campaigns/${id(campaignId)}/cancel`, CampaignSchema),
    stats: (campaignId: string) => request('GET', `/v1/campaigns/${id(campaignId)}/stats`, StatsSchema),
    recipients: (campaignId: string, query: { status?: string; cursor?: string | null; limit: number }) => {
      const q = new URLSearchParams({ limit: String(query.limit) });
      if (query.status) q.set('status', query.status);
      if (query.cursor) q.set('cursor', query.cursor);
      return request('GET', `/v1/campaigns/${id(campaignId)}/recipients?${q}`, pageOf(RecipientSchema));
    },
    segments: () => request('GET', '/v1/segments?limit=100', pageOf(SegmentSchema)),
    segmentCount: (segmentId: string) =>
      request('GET', `/v1/segments/${id(segmentId)}/count`, z.object({ count: z.number() })),
    publishedFlows: () => request('GET', '/v1/flows?status=published&limit=200', pageOf(FlowOptionSchema)),
    flowVersions: (flowId: string) =>
      request('GET', `/v1/flows/${id(flowId)}/versions`, z.object({ items: z.array(FlowVersionSchema) })),
    flowDefinition: (flowId: string) => request('GET', `/v1/flows/${id(flowId)}`, FlowDefinitionSchema),
    customFields: () => request('GET', '/v1/contact-fields', z.object({ items: z.array(CustomFieldSchema) })),
    checkImport: (importId: string, body: { mapping: Record<string, string>; defaultCountry?: string }) =>
      request('POST', `/v1/imports/${id(importId)}/check`, CheckSchema, { ...body, limit: 200 }),
    startImport: (importId: string, body: { mapping: Record<string, string>; defaultCountry?: string }) =>
      request('POST', `/v1/imports/${id(importId)}/start`, ImportJobSchema, body),
    importJob: (importId: string) => request('GET', `/v1/imports/${id(importId)}`, ImportJobSchema),
  };
}
export type CampaignApi = ReturnType<typeof campaignApi>;

export { type ImportJob, ImportJobSchema };
