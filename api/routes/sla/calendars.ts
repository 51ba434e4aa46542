import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BusinessCalendarSchema } from '../../../flow/business-calendar';
import { businessMinutesBetween, isOpen } from '../../../flow/business-hours';
import type { BusinessCalendar } from '../../../generated/prisma/client';
import { toJson } from '../../../prisma/json';
import { AppError, notFound } from '../../errors';
import { requirePrincipal } from '../../plugins/auth';
import { errorResponses, IdParamsSchema } from '../../schemas';
import { openIntervals, PREVIEW_MAX_DAYS } from '../../sla/calendar-preview';
import { inUse, policiesReferring, uniqueName, writeErrors } from './shared';

const EXAMPLE_DEFINITION = {
  timeZone: 'America/New_York',
  hours: [
    { days: [1, 2, 3, 4, 5], start: '09:00', end: '12:30' },
    { days: [1, 2, 3, 4, 5], start: '13:30', end: '18:00' },
  ],
  holidays: [
    { date: '12-25', name: 'Christmas Day', yearly: true },
    { date: '2026-11-26', name: 'Thanksgiving', yearly: false },
  ],
  closures: [{ from: '2026-12-04T13:00:00-05:00', to: '2026-12-04T18:00:00-05:00', reason: 'Team offsite' }],
};

const CalendarWriteSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    /**
     * The team whose conversations follow this calendar when their policy names none; null makes
     * it the tenant's default.
     */
    team: z.string().trim().min(1).max(100).nullable().default(null),
    definition: BusinessCalendarSchema,
  })
  .meta({
    id: 'BusinessCalendarWrite',
    examples: [{ name: 'Support hours (New York)', team: 'support', definition: EXAMPLE_DEFINITION }],
  });

const CalendarSchema = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    team: z.string().nullable(),
    definition: BusinessCalendarSchema,
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({
    id: 'BusinessCalendar',
    examples: [
      {
        id: '2b3c4d5e-6f70-4a81-9b2c-3d4e5f607182',
        name: 'Support hours (New York)',
        team: 'support',
        definition: EXAMPLE_DEFINITION,
        createdAt: '2026-11-02T14:05:00.000Z',
        updatedAt: '2026-11-20T09:30:00.000Z',
      },
    ],
  });

const PreviewQuerySchema = z.object({
  /** From this instant; now when omitted. */
  from: z.coerce.date().optional(),
  /** Until this instant; a week after `from` when omitted, at most 31 days after it. */
  to: z.coerce.date().optional(),
});

const PreviewSchema = z
  .object({
    calendarId: z.string().uuid(),
    timeZone: z.string(),
    from: z.date(),
    to: z.date(),
    /** Open minutes between `from` and `to`: what a business-time SLA clock counts. */
    businessMinutes: z.number(),
    openAtFrom: z.boolean(),
    /** The open stretches, clipped to the range; touching shifts come out as one. */
    intervals: z.array(z.object({ from: z.date(), to: z.date(), minutes: z.number() })),
    /** More stretches than a preview lists (over 1,000): narrow the range. */
    truncated: z.boolean(),
  })
  .meta({
    id: 'BusinessCalendarPreview',
    examples: [
      {
        calendarId: '2b3c4d5e-6f70-4a81-9b2c-3d4e5f607182',
        timeZone: 'America/New_York',
        from: '2026-11-23T13:00:00.000Z',
        to: '2026-11-24T13:00:00.000Z',
        businessMinutes: 480,
        openAtFrom: false,
        intervals: [
          { from: '2026-11-23T14:00:00.000Z', to: '2026-11-23T17:30:00.000Z', minutes: 210 },
          { from: '2026-11-23T18:30:00.000Z', to: '2026-11-23T23:00:00.000Z', minutes: 270 },
        ],
        truncated: false,
      },
    ],
  });

function parseDefinition(row: BusinessCalendar) {
  const parsed = BusinessCalendarSchema.safeParse(row.definition);
  if (!parsed.success)
    throw new AppError(422, 'invalid_calendar', 'the stored calendar is no longer valid: save it again');
  return parsed.data;
}

const toCalendar = (row: BusinessCalendar) => ({
  id: row.id,
  name: row.name,
  team: row.team,
  definition: parseDefinition(row),
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

async function loadCalendar(request: FastifyRequest, id: string): Promise<BusinessCalendar> {
  const row = await request.tenantDb.businessCalendar.findUnique({ where: { id } });
  if (!row) throw notFound('business calendar');
  return row;
}

const DAY_MS = 86_400_000;
const EARLIEST = Date.UTC(1900, 0, 1);
const LATEST = Date.UTC(10_000, 0, 1);

/**
 * Business calendars: a zone, opening hours (split shifts), holidays and closures. An SLA policy
 * counts business time on its own calendar, else on its team's, else on the tenant's default.
 */
export const calendarRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/business-calendars',
    {
      config: { permission: 'sla.read' },
      schema: {
        tags: ['sla'],
        summary: 'Business calendars, by name',
        querystring: z.object({ team: z.string().max(100).optional() }),
        response: { 200: z.object({ items: z.array(CalendarSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const { team } = request.query;
      const rows = await request.tenantDb.businessCalendar.findMany({
        where: team ? { team } : {},
        orderBy: [{ name: 'asc' }],
        take: 1_000,
      });
      return { items: rows.map(toCalendar) };
    },
  );

  app.post(
    '/business-calendars',
    {
      config: { permission: 'sla.write' },
      schema: {
        tags: ['sla'],
        summary: 'Create a business calendar',
        description:
          'Opening intervals of a day may touch but not overlap; holidays are "YYYY-MM-DD", or "MM-DD" with `yearly`. ' +
          'Problems answer 400 `validation_failed` with one entry per field.',
        body: CalendarWriteSchema,
        response: { 201: CalendarSchema, ...writeErrors },
      },
    },
    async (request, reply) => {
      const { name, team, definition } = request.body;
      const row = await uniqueName('business calendar', name, () =>
        request.tenantDb.businessCalendar.create({
          data: { tenantId: requirePrincipal(request).tenantId, name, team, definition: toJson(definition) },
        }),
      );
      await request.audit('business_calendar.created', {
        targetType: 'business_calendar',
        targetId: row.id,
        details: { name, team },
      });
      return reply.status(201).send(toCalendar(row));
    },
  );

  app.get(
    '/business-calendars/:id',
    {
      config: { permission: 'sla.read' },
      schema: {
        tags: ['sla'],
        summary: 'A business calendar',
        params: IdParamsSchema,
        response: { 200: CalendarSchema, ...errorResponses },
      },
    },
    async (request) => toCalendar(await loadCalendar(request, request.params.id)),
  );

  app.put(
    '/business-calendars/:id',
    {
      config: { permission: 'sla.write' },
      schema: {
        tags: ['sla'],
        summary: "Replace a business calendar's name, team and definition",
        description: 'Running SLA clocks keep the calendar they started with; new ones use this.',
        params: IdParamsSchema,
        body: CalendarWriteSchema,
        response: { 200: CalendarSchema, ...writeErrors },
      },
    },
    async (request) => {
      const current = await loadCalendar(request, request.params.id);
      const { name, team, definition } = request.body;
      const row = await uniqueName('business calendar', name, () =>
        request.tenantDb.businessCalendar.update({
          where: { id: current.id },
          data: { name, team, definition: toJson(definition) },
        }),
      );
      await request.audit('business_calendar.updated', {
        targetType: 'business_calendar',
        targetId: row.id,
        details: { name, team },
      });
      return toCalendar(row);
    },
  );

  app.delete(
    '/business-calendars/:id',
    {
      config: { permission: 'sla.write' },
      schema: {
        tags: ['sla'],
        summary: 'Delete a business calendar no SLA policy names (409 `in_use` otherwise)',
        params: IdParamsSchema,
        response: { 204: z.null(), ...writeErrors },
      },
    },
    async (request, reply) => {
      const current = await loadCalendar(request, request.params.id);
      const users = await policiesReferring(request, 'calendarId', current.id);
      if (users.length > 0) throw inUse('calendar', users);
      await request.tenantDb.businessCalendar.delete({ where: { id: current.id } });
      await request.audit('business_calendar.deleted', {
        targetType: 'business_calendar',
        targetId: current.id,
        details: { name: current.name },
      });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/business-calendars/:id/preview',
    {
      config: { permission: 'sla.read' },
      schema: {
        tags: ['sla'],
        summary: 'When the calendar is open between two instants, and how many business minutes that is',
        description: `From now for a week unless \`from\` and \`to\` say otherwise; at most ${PREVIEW_MAX_DAYS} days.`,
        params: IdParamsSchema,
        querystring: PreviewQuerySchema,
        response: { 200: PreviewSchema, ...errorResponses },
      },
    },
    async (request) => {
      const row = await loadCalendar(request, request.params.id);
      const cal = parseDefinition(row);
      const from = (request.query.from ?? new Date()).getTime();
      const to = request.query.to?.getTime() ?? from + 7 * DAY_MS;
      if (from < EARLIEST || to > LATEST)
        throw new AppError(400, 'invalid_range', 'a preview lies between the years 1900 and 9999');
      if (!(to > from)) throw new AppError(400, 'invalid_range', '`to` must be after `from`');
      if (to - from > PREVIEW_MAX_DAYS * DAY_MS)
        throw new AppError(400, 'invalid_range', `a preview covers at most ${PREVIEW_MAX_DAYS} days`);
      const { intervals, truncated } = openIntervals(cal, from, to);
      return {
        calendarId: row.id,
        timeZone: cal.timeZone,
        from: new Date(from),
        to: new Date(to),
        businessMinutes: businessMinutesBetween(cal, from, to),
        openAtFrom: isOpen(cal, from),
        intervals: intervals.map((i) => ({
          from: new Date(i.from),
          to: new Date(i.to),
          minutes: (i.to - i.from) / 60_000,
        })),
        truncated,
      };
    },
  );
};
