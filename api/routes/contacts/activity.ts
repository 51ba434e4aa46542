import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { toJson } from '../../../prisma/json';
import { ContactSchema, loadContact, mergeFields, parseConsent, toContact } from '../../contacts/model';
import { AppError } from '../../errors';
import { afterCursor, decodeCursor, PageQuerySchema, page } from '../../pagination';
import { requirePrincipal } from '../../plugins/auth';
import { errorResponses } from '../../schemas';
import { actorId, ContactIdParams, conflictResponses } from './shared';

const NoteSchema = z
  .object({
    id: z.string().uuid(),
    contactId: z.string().uuid(),
    authorId: z.string().nullable(),
    body: z.string(),
    createdAt: z.date(),
  })
  .meta({
    id: 'ContactNote',
    examples: [
      {
        id: 'b6c7d8e9-f0a1-4b2c-9d3e-4f5a6b7c8d9e',
        contactId: '6f1c2b7a-9d4e-4a6b-8c2d-1e5f7a9b0c3d',
        authorId: '3f1c2b7a-9d4e-4a6b-8c2d-1e5f7a9b0c3d',
        body: 'Called back, wants a demo next week.',
        createdAt: '2026-11-20T09:30:00.000Z',
      },
    ],
  });

const TimelineItemSchema = z
  .object({
    id: z.string(),
    type: z.enum(['note', 'event', 'run', 'message', 'call', 'action']),
    at: z.date(),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({
    id: 'TimelineItem',
    examples: [
      {
        id: 'b6c7d8e9-f0a1-4b2c-9d3e-4f5a6b7c8d9e',
        type: 'note',
        at: '2026-11-20T09:30:00.000Z',
        data: { body: 'Called back, wants a demo next week.', authorId: '3f1c2b7a-9d4e-4a6b-8c2d-1e5f7a9b0c3d' },
      },
    ],
  });

type TimelineItem = z.infer<typeof TimelineItemSchema>;

const newestFirst = (a: TimelineItem, b: TimelineItem) =>
  b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

const asRecord = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };

export const contactActivityRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/contacts/:id/notes',
    {
      config: { permission: 'contacts.write' },
      schema: {
        tags: ['contacts'],
        summary: 'Add a note',
        params: ContactIdParams,
        body: z
          .object({ body: z.string().trim().min(1).max(20_000) })
          .meta({ examples: [{ body: 'Called back, wants a demo next week.' }] }),
        response: { 201: NoteSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const contact = await loadContact(request.tenantDb, request.params.id);
      const note = await request.tenantDb.contactNote.create({
        data: {
          tenantId: requirePrincipal(request).tenantId,
          contactId: contact.id,
          authorId: actorId(request),
          body: request.body.body,
        },
      });
      return reply.status(201).send({
        id: note.id,
        contactId: note.contactId,
        authorId: note.authorId,
        body: note.body,
        createdAt: note.createdAt,
      });
    },
  );

  app.get(
    '/contacts/:id/notes',
    {
      config: { permission: 'contacts.read' },
      schema: {
        tags: ['contacts'],
        summary: 'Notes, newest first',
        params: ContactIdParams,
        querystring: PageQuerySchema,
        response: {
          200: z.object({ items: z.array(NoteSchema), nextCursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const contact = await loadContact(request.tenantDb, request.params.id);
      const { limit, cursor } = request.query;
      const rows = await request.tenantDb.contactNote.findMany({
        where: {
          tenantId: requirePrincipal(request).tenantId,
          contactId: contact.id,
          ...afterCursor('createdAt', cursor),
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
        select: { id: true, contactId: true, authorId: true, body: true, createdAt: true },
      });
      return page(rows, limit, (r) => r.createdAt);
    },
  );

  app.get(
    '/contacts/:id/timeline',
    {
      config: { permission: 'contacts.read' },
      schema: {
        tags: ['contacts'],
        summary: "The contact's timeline: notes, events, journeys and their messages and calls, newest first",
        params: ContactIdParams,
        querystring: PageQuerySchema,
        response: {
          200: z.object({ items: z.array(TimelineItemSchema), nextCursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const db = request.tenantDb;
      const { tenantId } = requirePrincipal(request);
      const contact = await loadContact(db, request.params.id);
      const { limit, cursor } = request.query;
      if (cursor) decodeCursor(cursor);
      const take = limit + 1;
      const order = [{ createdAt: 'desc' as const }, { id: 'desc' as const }];
      // Each source gives its next `limit + 1` rows after the cursor; merged, the first `limit`
      // are the page. Every source orders by (time desc, id desc), like the cursor.
      const runs = await db.run.findMany({
        where: { contactId: contact.id },
        select: {
          id: true,
          workflowId: true,
          flowId: true,
          status: true,
          outcome: true,
          startedAt: true,
          finishedAt: true,
        },
      });
      const [notes, events, pageRuns, actions] = await Promise.all([
        db.contactNote.findMany({
          where: { tenantId, contactId: contact.id, ...afterCursor('createdAt', cursor) },
          orderBy: order,
          take,
        }),
        db.contactEvent.findMany({
          where: { tenantId, contactId: contact.id, ...afterCursor('createdAt', cursor) },
          orderBy: order,
          take,
        }),
        db.run.findMany({
          where: { contactId: contact.id, ...afterCursor('startedAt', cursor) },
          orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
          take,
        }),
        runs.length
          ? db.outboundAction.findMany({
              where: { workflowId: { in: runs.map((r) => r.workflowId) }, ...afterCursor('createdAt', cursor) },
              orderBy: order,
              take,
            })
          : Promise.resolve([]),
      ]);
      const runByWorkflow = new Map(runs.map((r) => [r.workflowId, r]));
      const items: TimelineItem[] = [
        ...notes.map((n) => ({
          id: n.id,
          type: 'note' as const,
          at: n.createdAt,
          data: { body: n.body, authorId: n.authorId },
        })),
        ...events.map((e) => ({
          id: e.id,
          type: 'event' as const,
          at: e.createdAt,
          data: { event: e.type, ...asRecord(e.data), actorId: e.actorId },
        })),
        ...pageRuns.map((r) => ({
          id: r.id,
          type: 'run' as const,
          at: r.startedAt,
          data: { runId: r.id, flowId: r.flowId, status: r.status, outcome: r.outcome, finishedAt: r.finishedAt },
        })),
        ...actions.map((a) => ({
          id: a.id,
          type: a.kind.startsWith('message')
            ? ('message' as const)
            : a.kind === 'call'
              ? ('call' as const)
              : ('action' as const),
          at: a.createdAt,
          data: {
            kind: a.kind,
            status: a.status,
            runId: runByWorkflow.get(a.workflowId)?.id ?? null,
            request: a.request,
            response: a.response,
          },
        })),
      ].sort(newestFirst);
      const result = page(items, limit, (i) => i.at);
      return { items: result.items, nextCursor: result.nextCursor };
    },
  );

  app.post(
    '/contacts/:id/merge',
    {
      config: { permission: 'contacts.write' },
      schema: {
        tags: ['contacts'],
        summary: 'Merge another contact into this one',
        description:
          'This contact survives and keeps its values; it takes the fields it lacks from the other, the union of ' +
          "tags, the higher score, and the other's notes, events, runs and escalations. The other is hidden " +
          '(mergedIntoId, deletedAt) and gives up its phone and email.',
        params: ContactIdParams,
        body: z
          .object({ otherId: z.string().uuid() })
          .meta({ examples: [{ otherId: '6f1c2b7a-9d4e-4a6b-8c2d-1e5f7a9b0c3d' }] }),
        response: { 200: ContactSchema, ...errorResponses, ...conflictResponses },
      },
    },
    async (request) => {
      const db = request.tenantDb;
      const { tenantId } = requirePrincipal(request);
      const { id } = request.params;
      const { otherId } = request.body;
      if (id === otherId) throw new AppError(400, 'merge_self', 'a contact cannot be merged with itself');
      const [survivor, other] = await Promise.all([
        db.contact.findUnique({ where: { id } }),
        db.contact.findUnique({ where: { id: otherId } }),
      ]);
      if (!survivor) throw new AppError(404, 'not_found', 'contact not found');
      if (!other) throw new AppError(404, 'not_found', 'the other contact was not found');
      if (survivor.mergedIntoId)
        throw new AppError(409, 'already_merged', 'this contact was merged into another', {
          mergedIntoId: survivor.mergedIntoId,
        });
      if (survivor.deletedAt) throw new AppError(404, 'not_found', 'contact not found');
      if (other.mergedIntoId)
        throw new AppError(409, 'already_merged', 'the other contact was already merged', {
          mergedIntoId: other.mergedIntoId,
        });
      if (other.deletedAt) throw new AppError(404, 'not_found', 'the other contact was not found');

      const now = new Date();
      const moved = await db.$transaction(async (tx) => {
        // Claim the other contact first: of two concurrent merges, only one gets it.
        const claimed = await tx.contact.updateMany({
          where: { id: otherId, mergedIntoId: null, deletedAt: null },
          data: { mergedIntoId: id, deletedAt: now, phone: null, email: null },
        });
        if (!claimed.count) throw new AppError(409, 'already_merged', 'the other contact was already merged');
        const stillLive = await tx.contact.count({ where: { id, mergedIntoId: null, deletedAt: null } });
        if (!stillLive) throw new AppError(409, 'already_merged', 'this contact was merged or deleted meanwhile');
        const notes = await tx.contactNote.updateMany({
          where: { tenantId, contactId: otherId },
          data: { contactId: id },
        });
        const events = await tx.contactEvent.updateMany({
          where: { tenantId, contactId: otherId },
          data: { contactId: id },
        });
        const runs = await tx.run.updateMany({ where: { contactId: otherId }, data: { contactId: id } });
        const escalations = await tx.escalation.updateMany({ where: { contactId: otherId }, data: { contactId: id } });
        const latest = (a: Date | null, b: Date | null) => (a && b ? (a > b ? a : b) : (a ?? b));
        const updated = await tx.contact.update({
          where: { id },
          data: {
            firstName: survivor.firstName ?? other.firstName,
            lastName: survivor.lastName ?? other.lastName,
            phone: survivor.phone ?? other.phone,
            email: survivor.email ?? other.email,
            timeZone: survivor.timeZone ?? other.timeZone,
            leadStatus: survivor.leadStatus ?? other.leadStatus,
            ownerId: survivor.ownerId ?? other.ownerId,
            tags: [...new Set([...survivor.tags, ...other.tags])],
            score: Math.max(survivor.score, other.score),
            fields: toJson({ ...mergeFields(other.fields, {}), ...mergeFields(survivor.fields, {}) }),
            consent: toJson({ ...parseConsent(other.consent), ...parseConsent(survivor.consent) }),
            // Do-not-contact is sticky: if either asked not to be contacted, the survivor is DNC.
            dnc: survivor.dnc || other.dnc,
            dncAt: survivor.dncAt ?? other.dncAt,
            lastContactedAt: latest(survivor.lastContactedAt, other.lastContactedAt),
          },
        });
        const details = {
          otherId,
          otherPhone: other.phone,
          otherEmail: other.email,
          moved: { notes: notes.count, events: events.count, runs: runs.count, escalations: escalations.count },
        };
        await tx.contactEvent.create({
          data: { tenantId, contactId: id, type: 'merged', data: toJson(details), actorId: actorId(request) },
        });
        return { updated, details };
      });
      await request.audit('contact.merged', { targetType: 'contact', targetId: id, details: moved.details });
      await app.emitEvent(moved.updated.tenantId, 'contact.merged', {
        contact: toContact(moved.updated),
        details: moved.details,
      });
      return toContact(moved.updated);
    },
  );
};
