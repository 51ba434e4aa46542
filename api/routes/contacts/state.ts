import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { toJson } from '../../../prisma/json';
import { ConsentChannelSchema } from '../../contacts/filter';
import { ContactSchema, loadContact, parseConsent, toContact } from '../../contacts/model';
import { requirePrincipal } from '../../plugins/auth';
import { errorResponses } from '../../schemas';
import { actorId, ContactIdParams, checkOwner, conflictResponses } from './shared';

const TagSchema = z.string().trim().min(1).max(100);

/** Tags, owner, consent and do-not-contact: each change is a ContactEvent on the timeline. */
export const contactStateRoutes: FastifyPluginAsyncZod = async (app) => {
  const event = (
    request: Parameters<typeof actorId>[0],
    contactId: string,
    type: string,
    data: Record<string, unknown>,
  ) =>
    request.tenantDb.contactEvent.create({
      data: {
        tenantId: requirePrincipal(request).tenantId,
        contactId,
        type,
        data: toJson(data),
        actorId: actorId(request),
      },
    });

  app.post(
    '/contacts/:id/tags',
    {
      config: { permission: 'contacts.write' },
      schema: {
        tags: ['contacts'],
        summary: 'Add tags',
        params: ContactIdParams,
        body: z.object({ tags: z.array(TagSchema).min(1).max(100) }).meta({ examples: [{ tags: ['vip', 'webinar'] }] }),
        response: { 200: ContactSchema, ...errorResponses },
      },
    },
    async (request) => {
      const current = await loadContact(request.tenantDb, request.params.id);
      const added = [...new Set(request.body.tags)].filter((t) => !current.tags.includes(t));
      if (!added.length) return toContact(current);
      const row = await request.tenantDb.contact.update({
        where: { id: current.id },
        data: { tags: [...current.tags, ...added] },
      });
      await event(request, current.id, 'tags_changed', { added, removed: [] });
      return toContact(row);
    },
  );

  app.delete(
    '/contacts/:id/tags/:tag',
    {
      config: { permission: 'contacts.write' },
      schema: {
        tags: ['contacts'],
        summary: 'Remove a tag',
        params: ContactIdParams.extend({ tag: TagSchema }),
        response: { 200: ContactSchema, ...errorResponses },
      },
    },
    async (request) => {
      const current = await loadContact(request.tenantDb, request.params.id);
      const { tag } = request.params;
      if (!current.tags.includes(tag)) return toContact(current);
      const row = await request.tenantDb.contact.update({
        where: { id: current.id },
        data: { tags: current.tags.filter((t) => t !== tag) },
      });
      await event(request, current.id, 'tags_changed', { added: [], removed: [tag] });
      return toContact(row);
    },
  );

  app.put(
    '/contacts/:id/owner',
    {
      config: { permission: 'contacts.write' },
      schema: {
        tags: ['contacts'],
        summary: 'Assign the owner (a member of the tenant), or null to unassign',
        params: ContactIdParams,
        body: z
          .object({ ownerId: z.string().uuid().nullable() })
          .meta({ examples: [{ ownerId: '3f1c2b7a-9d4e-4a6b-8c2d-1e5f7a9b0c3d' }] }),
        response: { 200: ContactSchema, ...errorResponses },
      },
    },
    async (request) => {
      const current = await loadContact(request.tenantDb, request.params.id);
      const { ownerId } = request.body;
      await checkOwner(request, ownerId);
      if (ownerId === current.ownerId) return toContact(current);
      const row = await request.tenantDb.contact.update({ where: { id: current.id }, data: { ownerId } });
      await event(request, current.id, 'owner_changed', { from: current.ownerId, to: ownerId });
      return toContact(row);
    },
  );

  app.put(
    '/contacts/:id/consent/:channel',
    {
      config: { permission: 'contacts.write' },
      schema: {
        tags: ['contacts'],
        summary: "Record the contact's consent for a channel",
        params: ContactIdParams.extend({ channel: ConsentChannelSchema }),
        body: z
          .object({ status: z.enum(['granted', 'denied']), source: z.string().max(200).optional() })
          .meta({ examples: [{ status: 'granted', source: 'web form 2024-05' }] }),
        response: { 200: ContactSchema, ...errorResponses },
      },
    },
    async (request) => {
      const db = request.tenantDb;
      const { id, channel } = request.params;
      const { status, source } = request.body;
      const current = await loadContact(db, id);
      const consent = parseConsent(current.consent);
      const before = consent[channel]?.status ?? 'unknown';
      consent[channel] = { status, at: new Date().toISOString(), source: source ?? null };
      const row = await db.contact.update({ where: { id }, data: { consent: toJson(consent) } });
      await event(request, id, 'consent_changed', { channel, from: before, to: status, source: source ?? null });
      await request.audit('contact.consent_changed', {
        targetType: 'contact',
        targetId: id,
        details: { channel, from: before, to: status, source: source ?? null },
      });
      return toContact(row);
    },
  );

  app.put(
    '/contacts/:id/dnc',
    {
      config: { permission: 'contacts.write' },
      schema: {
        tags: ['contacts'],
        summary: 'Set or clear do-not-contact',
        params: ContactIdParams,
        body: z
          .object({ dnc: z.boolean(), reason: z.string().max(500).optional() })
          .meta({ examples: [{ dnc: true, reason: 'asked by phone not to be called' }] }),
        response: { 200: ContactSchema, ...errorResponses, ...conflictResponses },
      },
    },
    async (request) => {
      const db = request.tenantDb;
      const { id } = request.params;
      const { dnc, reason } = request.body;
      const current = await loadContact(db, id);
      if (current.dnc === dnc) return toContact(current);
      const row = await db.contact.update({ where: { id }, data: { dnc, dncAt: dnc ? new Date() : null } });
      await event(request, id, 'dnc_changed', { dnc, reason: reason ?? null });
      await request.audit('contact.dnc_changed', {
        targetType: 'contact',
        targetId: id,
        details: { dnc, reason: reason ?? null },
      });
      return toContact(row);
    },
  );
};
