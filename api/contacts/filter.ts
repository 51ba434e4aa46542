import { z } from 'zod';
import { Prisma } from '../../generated/prisma/client';

/** Channels a contact can consent to (keys of Contact.consent). */
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
export const ConsentChannelSchema = z.enum(CONSENT_CHANNELS);
export type ConsentChannel = z.infer<typeof ConsentChannelSchema>;

const FieldKeySchema = z
  .string()
  .regex(/^[a-zA-Z][a-zA-Z0-9_]{0,62}$/, 'a field key is letters, digits and _, starting with a letter');
const ScalarSchema = z.union([z.string().max(1000), z.number(), z.boolean()]);

const TagCondition = z.object({
  type: z.literal('tag'),
  op: z.enum(['has', 'has-not']),
  value: z.string().min(1).max(100),
});
const LeadStatusCondition = z.object({
  type: z.literal('leadStatus'),
  op: z.enum(['in', 'not-in']),
  values: z.array(z.string().min(1).max(64)).min(1).max(50),
});
const OwnerCondition = z.discriminatedUnion('op', [
  z.object({ type: z.literal('owner'), op: z.literal('is'), userId: z.string().uuid() }),
  z.object({ type: z.literal('owner'), op: z.literal('is-none') }),
]);
const DncCondition = z.object({ type: z.literal('dnc'), value: z.boolean() });
const ConsentCondition = z.object({
  type: z.literal('consent'),
  channel: ConsentChannelSchema,
  status: z.enum(['granted', 'denied', 'unknown']),
});
const FieldCondition = z.discriminatedUnion('op', [
  z.object({ type: z.literal('field'), key: FieldKeySchema, op: z.enum(['eq', 'neq']), value: ScalarSchema }),
  z.object({
    type: z.literal('field'),
    key: FieldKeySchema,
    op: z.literal('contains'),
    value: z.string().min(1).max(1000),
  }),
  z.object({
    type: z.literal('field'),
    key: FieldKeySchema,
    op: z.enum(['gt', 'lt']),
    value: z.union([z.number(), z.string().max(100)]),
  }),
  z.object({ type: z.literal('field'), key: FieldKeySchema, op: z.enum(['exists', 'not-exists']) }),
]);
const DateField = z.enum(['lastContactedAt', 'createdAt']);
const DateCondition = z.discriminatedUnion('op', [
  z.object({ type: z.literal('date'), field: DateField, op: z.enum(['before', 'after']), value: z.coerce.date() }),
  z.object({
    type: z.literal('date'),
    field: DateField,
    op: z.literal('within-days'),
    days: z.number().int().min(0).max(36500),
  }),
  // createdAt is never null, so "never" only makes sense for lastContactedAt.
  z.object({ type: z.literal('date'), field: z.literal('lastContactedAt'), op: z.literal('never') }),
]);
const SearchCondition = z.object({ type: z.literal('search'), value: z.string().min(1).max(200) });

export const ContactConditionSchema = z.union([
  TagCondition,
  LeadStatusCondition,
  OwnerCondition,
  DncCondition,
  ConsentCondition,
  FieldCondition,
  DateCondition,
  SearchCondition,
]);
export type ContactCondition = z.infer<typeof ContactConditionSchema>;

export const ContactFilterSchema = z
  .object({
    match: z.enum(['all', 'any']).default('all'),
    conditions: z.array(ContactConditionSchema).max(50).default([]),
  })
  .meta({
    id: 'ContactFilter',
    description: 'Which contacts: all (or any) of the conditions. No conditions selects every live contact.',
    examples: [
      {
        match: 'all',
        conditions: [
          { type: 'tag', op: 'has', value: 'vip' },
          { type: 'leadStatus', op: 'in', values: ['new', 'contacted'] },
          { type: 'consent', channel: 'sms', status: 'granted' },
          { type: 'dnc', value: false },
          { type: 'date', field: 'lastContactedAt', op: 'within-days', days: 30 },
        ],
      },
    ],
  });
export type ContactFilter = z.infer<typeof ContactFilterSchema>;
export type ContactFilterInput = z.input<typeof ContactFilterSchema>;

/** Live contacts: not soft-deleted and not merged into another. */
export const LIVE: Prisma.ContactWhereInput = { deletedAt: null, mergedIntoId: null };

const DAY_MS = 86_400_000;

/** A JSON path that is absent (or JSON null) in the row. */
const missing = (column: 'fields' | 'consent', path: string[]): Prisma.ContactWhereInput => ({
  [column]: { path, equals: Prisma.AnyNull },
});

export function searchWhere(text: string): Prisma.ContactWhereInput {
  const terms = text.trim().split(/\s+/).filter(Boolean).slice(0, 5);
  const digits = text.replace(/[^\d+]/g, '');
  const any: Prisma.ContactWhereInput[] = [];
  const perTerm = terms.map(
    (t): Prisma.ContactWhereInput => ({
      OR: [
        { firstName: { contains: t, mode: 'insensitive' } },
        { lastName: { contains: t, mode: 'insensitive' } },
        { email: { contains: t, mode: 'insensitive' } },
        { phone: { contains: t } },
      ],
    }),
  );
  if (perTerm.length) any.push({ AND: perTerm });
  // "+1 (415) 555" finds +1415555…: phone digits match however they were typed.
  if (digits.replace('+', '').length >= 3) any.push({ phone: { contains: digits } });
  return any.length ? { OR: any } : {};
}

function conditionWhere(c: ContactCondition, now: Date): Prisma.ContactWhereInput {
  switch (c.type) {
    case 'tag':
      return c.op === 'has' ? { tags: { has: c.value } } : { NOT: { tags: { has: c.value } } };
    case 'leadStatus':
      return c.op === 'in'
        ? { leadStatus: { in: c.values } }
        : { OR: [{ leadStatus: null }, { leadStatus: { notIn: c.values } }] };
    case 'owner':
      return c.op === 'is' ? { ownerId: c.userId } : { ownerId: null };
    case 'dnc':
      return { dnc: c.value };
    case 'consent': {
      const path = [c.channel, 'status'];
      // Only "granted" and "denied" are ever recorded, so unknown is "nothing recorded".
      return c.status === 'unknown' ? missing('consent', path) : { consent: { path, equals: c.status } };
    }
    case 'field': {
      const path = [c.key];
      switch (c.op) {
        case 'eq':
          return { fields: { path, equals: c.value } };
        case 'neq':
          return { OR: [missing('fields', path), { NOT: { fields: { path, equals: c.value } } }] };
        case 'contains':
          return { fields: { path, string_contains: c.value } };
        case 'gt':
          return { fields: { path, gt: c.value } };
        case 'lt':
          return { fields: { path, lt: c.value } };
        case 'exists':
          return { NOT: missing('fields', path) };
        case 'not-exists':
          return missing('fields', path);
      }
      break;
    }
    case 'date':
      switch (c.op) {
        case 'before':
          return { [c.field]: { lt: c.value } };
        case 'after':
          return { [c.field]: { gt: c.value } };
        case 'within-days':
          return { [c.field]: { gte: new Date(now.getTime() - c.days * DAY_MS) } };
        case 'never':
          return { [c.field]: null };
      }
      break;
    case 'search':
      return searchWhere(c.value);
  }
  return {};
}

/**
 * The filter as a Prisma `where` over live contacts, evaluated in SQL (one query, one count).
 * `now` anchors "within N days" so tests and previews are deterministic.
 */
export function toPrismaWhere(input: ContactFilterInput, now: Date = new Date()): Prisma.ContactWhereInput {
  const filter = ContactFilterSchema.parse(input);
  if (filter.conditions.length === 0) return { ...LIVE };
  const parts = filter.conditions.map((c) => conditionWhere(c, now));
  return { ...LIVE, ...(filter.match === 'all' ? { AND: parts } : { OR: parts }) };
}
