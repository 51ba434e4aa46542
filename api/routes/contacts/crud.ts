import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Prisma } from '../../../generated/prisma/client';
import { toJson } from '../../../prisma/json';
import { ContactFilterSchema, LIVE, searchWhere, toPrismaWhere } from '../../contacts/filter';
import {
  ContactSchema,
  loadContact,
  mergeFields,
  toContact,
  validateFields,
  validateLeadStatus,
} from '../../contacts/model';
import { inferTimeZone } from '../../contacts/normalize';
import { AppError, conflict } from '../../errors';
import { afterCursor, PageQuerySchema, page } from '../../pagination';
import { requirePrincipal } from '../../plugins/auth';
import { errorResponses } from '../../schemas';
import {
  actorId,
  ContactIdParams,
  CountrySchema,
  checkOwner,
  conflictResponses,
  emailOrThrow,
  isUniqueViolation,
  phoneOrThrow,
  TimeZoneSchema,
} from './shared';

const TagSchema = z.string().trim().min(1).max(100);
const FieldValuesSchema = z.record(z.string().max(63), z.unknown());

const CONTACT_CREATE_EXAMPLE = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  phone: '(415) 555-0100',
  defaultCountry: 'US',
  email: 'Ada@Example.com',
  tags: ['vip'],
  fields: { plan: 'pro' },
  leadStatus: 'new',
};

export const ContactInputSchema = z
  .object({
    firstName: z.string().max(200).optional(),
    lastName: z.string().max(200).optional(),
    phone: z.string().max(40).optional().describe('E.164, or a national number read in defaultCountry'),
    email: z.string().max(320).optional(),
    timeZone: TimeZoneSchema.optional().describe('IANA zone; inferred from the phone number when omitted'),
    tags: z.array(TagSchema).max(100).default([]),
    fields: FieldValuesSchema.default({}).describe("custom fields, checked against the tenant's definitions"),
    leadStatus: z.string().max(64).optional().describe("one of the tenant's lead stages"),
    score: z.number().int().optional(),
    ownerId: z.string().uuid().optional(),
    defaultCountry: CountrySchema.optional().describe('country for phone numbers without +, e.g. US'),
  })
  // An unknown key is refused, not dropped: `{ "dnc": true }` here would otherwise create a contact
  // who can be messaged. DNC and consent have their own routes, which audit the change.
  .strict()
  .meta({
    id: 'ContactCreate',
    examples: [CONTACT_CREATE_EXAMPLE],
    // zod drops `examples` from the input (request) schema of a transforming schema; `example` stays.
    example: CONTACT_CREATE_EXAMPLE,
  });

export const ContactPatchSchema = z
  .object({
    firstName: z.string().max(200).nullable().optional(),
    lastName: z.string().max(200).nullable().optional(),
    phone: z.string().max(40).nullable().optional(),
    email: z.string().max(320).nullable().optional(),
    timeZone: TimeZoneSchema.nullable().optional(),
    tags: z.array(TagSchema).max(100).optional().describe('replaces the tags'),
    fields: FieldValuesSchema.optional().describe('merged into the existing fields; null removes a key'),
    leadStatus: z.string().max(64).nullable().optional(),
    score: z.number().int().optional(),
    ownerId: z.string().uuid().nullable().optional(),
    defaultCountry: CountrySchema.optional(),
  })
  .strict()
  .meta({
    id: 'ContactPatch',
    examples: [{ leadStatus: 'qualified', fields: { plan: 'enterprise' } }],
    example: { leadStatus: 'qualified', fields: { plan: 'enterprise' } },
  });

const ListQuerySchema = PageQuerySchema.extend({
  search: z.string().max(200).optional(),
  filter: z.string().max(20_000).optional().describe('a JSON-encoded ContactFilter'),
  tag: z.string().max(100).optional(),
  status: z.string().max(64).optional().describe('lead status'),
  owner: z
    .union([z.string().uuid(), z.literal('none')])
    .optional()
    .describe('a user id, or "none"'),
});

const CreateQuerySchema = z.object({
  upsert: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
  defaultCountry: CountrySchema.optional(),
});

const ContactListSchema = z.object({ items: z.array(ContactSchema), nextCursor: z.string().nullable() });

function parseFilterParam(raw: string | undefined) {
  if (raw === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new AppError(400, 'invalid_filter', 'filter must be a JSON-encoded ContactFilter');
  }
  const parsed = ContactFilterSchema.safeParse(json);
  if (!parsed.success)
    throw new AppError(
      400,
      'invalid_filter',
      'filter is not a valid ContactFilter',
      parsed.error.issues.map((i) => ({ path: `/${i.path.join('/')}`, message: i.message })),
    );
  return parsed.data;
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');

export const contactCrudRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/contacts',
    {
      config: { permission: 'contacts.read' },
      schema: {
        tags: ['contacts'],
        summary: 'List live contacts, newest first, with search, a filter and shortcuts',
        querystring: ListQuerySchema,
        response: { 200: ContactListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { limit, cursor, search, tag, status, owner } = request.query;
      const filter = parseFilterParam(request.query.filter);
      const and: Prisma.ContactWhereInput[] = [filter ? toPrismaWhere(filter) : LIVE];
      if (search) and.push(searchWhere(search));
      if (tag) and.push({ tags: { has: tag } });
      if (status) and.push({ leadStatus: status });
      if (owner) and.push({ ownerId: owner === 'none' ? null : owner });
      and.push(afterCursor('createdAt', cursor));
      const rows = await request.tenantDb.contact.findMany({
        where: { AND: and },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
      });
      const result = page(rows, limit, (r) => r.createdAt);
      return { items: result.items.map(toContact), nextCursor: result.nextCursor };
    },
  );

  app.get(
    '/contacts/:id',
    {
      config: { permission: 'contacts.read' },
      schema: {
        tags: ['contacts'],
        summary: 'A contact',
        description:
          "Served from the API process's cache when it holds the contact: every write, from any process, " +
          'evicts it (PostgreSQL NOTIFY), so a read after your write answers the write. Send ' +
          '`Cache-Control: no-cache` to read the database regardless.',
        params: ContactIdParams,
        response: { 200: ContactSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = requirePrincipal(request);
      const cache = app.contactCache;
      const fresh = /\bno-cache\b/.test(request.headers['cache-control'] ?? '');
      const cached = fresh ? undefined : cache.get(tenantId, request.params.id);
      if (cached) return cached;
      const mark = cache.mark();
      const contact = toContact(await loadContact(request.tenantDb, request.params.id));
      cache.store(mark, tenantId, contact);
      return contact;
    },
  );

  app.post(
    '/contacts',
    {
      config: { permission: 'contacts.write' },
      schema: {
        tags: ['contacts'],
        summary: 'Create a contact (phone and email normalized, time zone inferred, duplicates refused)',
        description:
          'A phone or email that a live contact already has answers 409 `duplicate_contact` with its id in ' +
          '`details.contactId`; with `?upsert=true` the given values are merged into that contact instead (200).',
        querystring: CreateQuerySchema,
        body: ContactInputSchema,
        response: { 200: ContactSchema, 201: ContactSchema, ...errorResponses, ...conflictResponses },
      },
    },
    async (request, reply) => {
      const { tenantId } = requirePrincipal(request);
      const db = request.tenantDb;
      const { defaultCountry: bodyCountry, phone: rawPhone, email: rawEmail, ...rest } = request.body;
      const country = bodyCountry ?? request.query.defaultCountry;
      const phone = rawPhone ? phoneOrThrow(rawPhone, country) : undefined;
      const email = rawEmail ? emailOrThrow(rawEmail) : undefined;
      await validateFields(db, tenantId, rest.fields);
      await validateLeadStatus(db, tenantId, rest.leadStatus);
      await checkOwner(request, rest.ownerId);
      const timeZone = rest.timeZone ?? (phone ? inferTimeZone(phone) : null) ?? undefined;
      const identifiers: Prisma.ContactWhereInput[] = [];
      if (phone) identifiers.push({ phone });
      if (email) identifiers.push({ email });

      for (let attempt = 0; attempt < 3; attempt++) {
        const matches = identifiers.length ? await db.contact.findMany({ where: { OR: identifiers } }) : [];
        const live = matches.filter((m) => m.deletedAt === null && m.mergedIntoId === null);
        if (live.length) {
          const ids = [...new Set(live.map((m) => m.id))];
          const matchedOn = [
            ...(live.some((m) => phone && m.phone === phone) ? ['phone'] : []),
            ...(live.some((m) => email && m.email === email) ? ['email'] : []),
          ];
          const [existing] = live;
          if (!request.query.upsert || ids.length > 1 || !existing)
            throw conflict('duplicate_contact', `a contact with this ${matchedOn.join(' and ')} already exists`, {
              contactId: ids[0],
              ...(ids.length > 1 ? { contactIds: ids } : {}),
              matchedOn,
            });
          const updated = await db.contact.update({
            where: { id: existing.id },
            data: {
              ...(rest.firstName !== undefined ? { firstName: rest.firstName } : {}),
              ...(rest.lastName !== undefined ? { lastName: rest.lastName } : {}),
              ...(phone && !existing.phone ? { phone } : {}),
              ...(email && !existing.email ? { email } : {}),
              ...(rest.timeZone ? { timeZone: rest.timeZone } : !existing.timeZone && timeZone ? { timeZone } : {}),
              ...(rest.leadStatus !== undefined ? { leadStatus: rest.leadStatus } : {}),
              ...(rest.score !== undefined ? { score: rest.score } : {}),
              ...(rest.ownerId !== undefined ? { ownerId: rest.ownerId } : {}),
              tags: [...new Set([...existing.tags, ...rest.tags])],
              fields: toJson(mergeFields(existing.fields, rest.fields)),
            },
          });
          await app.emitEvent(tenantId, 'contact.updated', { contact: toContact(updated) });
          return reply.status(200).send(toContact(updated));
        }
        try {
          const row = await db.$transaction(async (tx) => {
            // A deleted or merged contact gives up its phone/email to the new one (the unique
            // indexes cover every row, not only live ones).
            const retired = matches.filter((m) => m.deletedAt !== null || m.mergedIntoId !== null);
            for (const m of retired) {
              await tx.contact.update({
                where: { id: m.id },
                data: {
                  ...(phone && m.phone === phone ? { phone: null } : {}),
                  ...(email && m.email === email ? { email: null } : {}),
                },
              });
            }
            return tx.contact.create({
              data: {
                tenantId,
                firstName: rest.firstName ?? null,
                lastName: rest.lastName ?? null,
                phone: phone ?? null,
                email: email ?? null,
                timeZone: timeZone ?? null,
                tags: [...new Set(rest.tags)],
                fields: toJson(rest.fields),
                leadStatus: rest.leadStatus ?? null,
                score: rest.score ?? 0,
                ownerId: rest.ownerId ?? null,
              },
            });
          });
          await app.emitEvent(tenantId, 'contact.created', { contact: toContact(row) });
          return reply.status(201).send(toContact(row));
        } catch (err) {
          // A concurrent create took the phone or email first: look again, and answer as a duplicate.
          if (!isUniqueViolation(err)) throw err;
        }
      }
      throw conflict('duplicate_contact', 'a contact with this phone or email already exists');
    },
  );

  app.patch(
    '/contacts/:id',
    {
      config: { permission: 'contacts.write' },
      schema: {
        tags: ['contacts'],
        summary: 'Update a contact (status, tag and owner changes are recorded on its timeline)',
        params: ContactIdParams,
        querystring: z.object({ defaultCountry: CountrySchema.optional() }),
        body: ContactPatchSchema,
        response: { 200: ContactSchema, ...errorResponses, ...conflictResponses },
      },
    },
    async (request) => {
      const { tenantId } = requirePrincipal(request);
      const db = request.tenantDb;
      const { defaultCountry, phone: rawPhone, email: rawEmail, fields, ...rest } = request.body;
      const current = await loadContact(db, request.params.id);
      const country = defaultCountry ?? request.query.defaultCountry;
      const phone = rawPhone === undefined ? undefined : rawPhone === null ? null : phoneOrThrow(rawPhone, country);
      const email = rawEmail === undefined ? undefined : rawEmail === null ? null : emailOrThrow(rawEmail);
      if (fields) await validateFields(db, tenantId, fields);
      if (rest.leadStatus !== undefined) await validateLeadStatus(db, tenantId, rest.leadStatus);
      if (rest.ownerId !== undefined) await checkOwner(request, rest.ownerId);
      const identifiers: Prisma.ContactWhereInput[] = [];
      if (phone && phone !== current.phone) identifiers.push({ phone });
      if (email && email !== current.email) identifiers.push({ email });
      if (identifiers.length) {
        const other = await db.contact.findFirst({ where: { ...LIVE, id: { not: current.id }, OR: identifiers } });
        if (other)
          throw conflict('duplicate_contact', 'another contact has this phone or email', { contactId: other.id });
      }
      const timeZone =
        rest.timeZone !== undefined
          ? rest.timeZone
          : phone && phone !== current.phone && !current.timeZone
            ? inferTimeZone(phone)
            : undefined;

      const events: { type: string; data: Record<string, unknown> }[] = [];
      if (rest.leadStatus !== undefined && rest.leadStatus !== current.leadStatus)
        events.push({ type: 'lead_status_changed', data: { from: current.leadStatus, to: rest.leadStatus } });
      if (rest.tags && !sameSet(rest.tags, current.tags)) {
        const next = [...new Set(rest.tags)];
        events.push({
          type: 'tags_changed',
          data: {
            added: next.filter((t) => !current.tags.includes(t)),
            removed: current.tags.filter((t) => !next.includes(t)),
          },
        });
      }
      if (rest.ownerId !== undefined && rest.ownerId !== current.ownerId)
        events.push({ type: 'owner_changed', data: { from: current.ownerId, to: rest.ownerId } });

      try {
        const row = await db.$transaction(async (tx) => {
          const updated = await tx.contact.update({
            where: { id: current.id },
            data: {
              ...(rest.firstName !== undefined ? { firstName: rest.firstName } : {}),
              ...(rest.lastName !== undefined ? { lastName: rest.lastName } : {}),
              ...(phone !== undefined ? { phone } : {}),
              ...(email !== undefined ? { email } : {}),
              ...(timeZone !== undefined ? { timeZone } : {}),
              ...(rest.tags ? { tags: [...new Set(rest.tags)] } : {}),
              ...(fields ? { fields: toJson(mergeFields(current.fields, fields)) } : {}),
              ...(rest.leadStatus !== undefined ? { leadStatus: rest.leadStatus } : {}),
              ...(rest.score !== undefined ? { score: rest.score } : {}),
              ...(rest.ownerId !== undefined ? { ownerId: rest.ownerId } : {}),
            },
          });
          for (const e of events)
            await tx.contactEvent.create({
              data: { tenantId, contactId: current.id, type: e.type, data: toJson(e.data), actorId: actorId(request) },
            });
          return updated;
        });
        await app.emitEvent(row.tenantId, 'contact.updated', { contact: toContact(row) });
        return toContact(row);
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict('duplicate_contact', 'another contact has this phone or email');
        throw err;
      }
    },
  );

  app.delete(
    '/contacts/:id',
    {
      config: { permission: 'contacts.delete' },
      schema: {
        tags: ['contacts'],
        summary: 'Delete a contact (soft: hidden everywhere, kept for the audit trail)',
        params: ContactIdParams,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const db = request.tenantDb;
      const { count } = await db.contact.updateMany({
        where: { id: request.params.id, ...LIVE },
        data: { deletedAt: new Date() },
      });
      if (!count) throw new AppError(404, 'not_found', 'contact not found');
      await request.audit('contact.deleted', { targetType: 'contact', targetId: request.params.id });
      await app.emitEvent(requirePrincipal(request).tenantId, 'contact.deleted', { contactId: request.params.id });
      return reply.status(204).send(null);
    },
  );
};
