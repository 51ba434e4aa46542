// The campaign form's state (strings and booleans, as inputs hold them) and its conversion to and
// from the API's body. The API's CampaignSettingsSchema stays the judge: the form only shapes input
// and maps the API's refusals back onto its fields.
import { z } from 'zod';
import { CampaignAudienceSchema, CampaignSettingsSchema, CampaignWorkSchema } from '../../../../flow';
import { ApiError } from '../../api-client';

export const MESSAGE_CHANNELS = ['sms', 'whatsapp', 'email', 'telegram', 'messenger', 'instagram'] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];

export const WEEKDAYS = [
  { day: 1, label: 'Mon' },
  { day: 2, label: 'Tue' },
  { day: 3, label: 'Wed' },
  { day: 4, label: 'Thu' },
  { day: 5, label: 'Fri' },
  { day: 6, label: 'Sat' },
  { day: 7, label: 'Sun' },
] as const;

export type AudienceChoice =
  | { kind: 'segment'; segmentId: string }
  | { kind: 'import'; importId: string | null; filename: string | null };

export interface CampaignForm {
  name: string;
  audience: AudienceChoice;
  workKind: 'flow' | 'message' | 'call';
  flowId: string;
  /** '' for the latest published version at launch. */
  flowVersion: string;
  channel: MessageChannel;
  text: string;
  subject: string;
  firstMessage: string;
  voicemailMessage: string;
  /** datetime-local values on the operator's clock; '' for none. */
  startAt: string;
  endBy: string;
  useWindow: boolean;
  days: number[];
  windowStart: string;
  windowEnd: string;
  guardStart: string;
  guardEnd: string;
  defaultTimeZone: string;
  /** '' for no limit. */
  pacePerMinute: string;
  maxConcurrent: string;
  retryOutcomes: string[];
  retryAfterMinutes: string;
  maxAttempts: string;
  capPerDay: string;
  capPerWeek: string;
}

export const emptyForm = (): CampaignForm => ({
  name: '',
  audience: { kind: 'segment', segmentId: '' },
  workKind: 'flow',
  flowId: '',
  flowVersion: '',
  channel: 'sms',
  text: '',
  subject: '',
  firstMessage: '',
  voicemailMessage: '',
  startAt: '',
  endBy: '',
  useWindow: true,
  days: [1, 2, 3, 4, 5],
  windowStart: '09:00',
  windowEnd: '18:00',
  guardStart: '08:00',
  guardEnd: '21:00',
  defaultTimeZone: 'UTC',
  pacePerMinute: '60',
  maxConcurrent: '',
  retryOutcomes: [],
  retryAfterMinutes: '240',
  maxAttempts: '1',
  capPerDay: '',
  capPerWeek: '',
});

/** A number input's value, null when blank; NaN passes through so the API names the field. */
const optionalNumber = (v: string): number | null => (v.trim() === '' ? null : Number(v));
const toIso = (local: string): string | null => (local ? new Date(local).toISOString() : null);
/** ISO instant → the `datetime-local` value on this browser's clock. */
function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The body of POST/PATCH /campaigns. Blank numbers become null ("no limit"), as the API reads them. */
export function toBody(form: CampaignForm) {
  const audience =
    form.audience.kind === 'segment' ? { segmentId: form.audience.segmentId } : { importId: form.audience.importId };
  const work =
    form.workKind === 'flow'
      ? { kind: 'flow', flowId: form.flowId, ...(form.flowVersion ? { version: Number(form.flowVersion) } : {}) }
      : form.workKind === 'message'
        ? {
            kind: 'message',
            channel: form.channel,
            text: form.text,
            ...(form.channel === 'email' && form.subject ? { subject: form.subject } : {}),
          }
        : {
            kind: 'call',
            firstMessage: form.firstMessage,
            ...(form.voicemailMessage ? { voicemailMessage: form.voicemailMessage } : {}),
          };
  return {
    name: form.name,
    audience,
    work,
    settings: {
      startAt: toIso(form.startAt),
      endBy: toIso(form.endBy),
      window: form.useWindow ? { days: form.days, start: form.windowStart, end: form.windowEnd } : null,
      guard: { start: form.guardStart, end: form.guardEnd },
      defaultTimeZone: form.defaultTimeZone,
      pacePerMinute: optionalNumber(form.pacePerMinute),
      maxConcurrent: optionalNumber(form.maxConcurrent),
      frequencyCap: { perDay: optionalNumber(form.capPerDay), perWeek: optionalNumber(form.capPerWeek) },
      retry: {
        outcomes: form.retryOutcomes,
        afterMinutes: Number(form.retryAfterMinutes || '240'),
        maxAttempts: Number(form.maxAttempts || '1'),
      },
    },
  };
}

const blank = (n: number | null | undefined) => (n === null || n === undefined ? '' : String(n));

/** A saved campaign back into the form (editing a draft). Parts that do not parse keep the defaults. */
export function fromCampaign(c: { name: string; audience: unknown; work: unknown; settings: unknown }): CampaignForm {
  const form = { ...emptyForm(), name: c.name };
  const audience = CampaignAudienceSchema.safeParse(c.audience);
  if (audience.success) {
    const a = audience.data;
    if ('segmentId' in a) form.audience = { kind: 'segment', segmentId: a.segmentId };
    else if ('importId' in a) form.audience = { kind: 'import', importId: a.importId, filename: null };
  }
  const work = CampaignWorkSchema.safeParse(c.work);
  if (work.success) {
    const w = work.data;
    form.workKind = w.kind;
    if (w.kind === 'flow') {
      form.flowId = w.flowId;
      form.flowVersion = w.version ? String(w.version) : '';
    } else if (w.kind === 'message') {
      form.channel = w.channel;
      form.text = w.text;
      form.subject = w.subject ?? '';
    } else {
      form.firstMessage = w.firstMessage;
      form.voicemailMessage = w.voicemailMessage ?? '';
    }
  }
  const settings = CampaignSettingsSchema.safeParse(c.settings ?? {});
  if (settings.success) {
    const s = settings.data;
    Object.assign(form, {
      startAt: toLocalInput(s.startAt),
      endBy: toLocalInput(s.endBy),
      useWindow: s.window !== null,
      ...(s.window ? { days: s.window.days, windowStart: s.window.start, windowEnd: s.window.end } : {}),
      guardStart: s.guard.start,
      guardEnd: s.guard.end,
      defaultTimeZone: s.defaultTimeZone,
      pacePerMinute: blank(s.pacePerMinute),
      maxConcurrent: blank(s.maxConcurrent),
      retryOutcomes: s.retry.outcomes,
      retryAfterMinutes: String(s.retry.afterMinutes),
      maxAttempts: String(s.retry.maxAttempts),
      capPerDay: blank(s.frequencyCap.perDay),
      capPerWeek: blank(s.frequencyCap.perWeek),
    } satisfies Partial<CampaignForm>);
  }
  return form;
}

/** Where on the form an API complaint belongs. */
export type FieldKey =
  | 'name'
  | 'audience'
  | 'work'
  | 'schedule'
  | 'window'
  | 'guard'
  | 'defaultTimeZone'
  | 'pacePerMinute'
  | 'maxConcurrent'
  | 'retry'
  | 'frequencyCap'
  | 'providerRate';

const PATH_FIELDS: [RegExp, FieldKey][] = [
  [/^\/name/, 'name'],
  [/^\/audience/, 'audience'],
  [/^\/work/, 'work'],
  [/^\/settings\/(startAt|endBy)/, 'schedule'],
  [/^\/settings\/window/, 'window'],
  [/^\/settings\/guard/, 'guard'],
  [/^\/settings\/defaultTimeZone/, 'defaultTimeZone'],
  [/^\/settings\/pacePerMinute/, 'pacePerMinute'],
  [/^\/settings\/maxConcurrent/, 'maxConcurrent'],
  [/^\/settings\/retry/, 'retry'],
  [/^\/settings\/frequencyCap/, 'frequencyCap'],
  [/^\/settings\/providerRatePerSecond/, 'providerRate'],
];

/** Stable error codes that concern one part of the form rather than the whole request. */
const CODE_FIELDS: Record<string, FieldKey> = {
  window_never_opens: 'window',
  empty_audience: 'audience',
  flow_not_published: 'work',
};

const DetailsSchema = z.array(z.object({ path: z.string(), message: z.string() }));

/** The API's validation errors by form field: `details[].path` is the JSON pointer of the body. */
export function fieldErrors(error: unknown): Partial<Record<FieldKey, string>> {
  if (!(error instanceof ApiError)) return {};
  const out: Partial<Record<FieldKey, string>> = {};
  const byCode = CODE_FIELDS[error.code];
  if (byCode) out[byCode] = `${error.code}: ${error.message}`;
  const details = DetailsSchema.safeParse(error.details);
  if (details.success) {
    for (const d of details.data) {
      const field = PATH_FIELDS.find(([re]) => re.test(d.path))?.[1];
      if (field && !out[field]) out[field] = `${error.code}: ${d.message}`;
    }
  }
  return out;
}

/** Outcomes a retry can be chosen for, by the kind of work (a flow's come from its end nodes). */
export const SINGLE_ACTION_OUTCOMES = {
  message: ['failed'],
  call: ['no-answer', 'busy', 'voicemail', 'failed'],
} as const;
