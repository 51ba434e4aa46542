import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Prisma } from '../../generated/prisma/client';
import { toJson } from '../../prisma/json';
import { AppError } from '../errors';

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: { key: string; recordId: string } | null;
  }
}

const KEY = /^[\w.:-]{1,255}$/;

function requestHash(request: FastifyRequest): string {
  return createHash('sha256')
    .update(`${request.method} ${request.routeOptions.url ?? request.url}\n${JSON.stringify(request.body ?? null)}`)
    .digest('hex');
}

/**
 * `Idempotency-Key` for every POST of /v1: the first request with a key runs and its response is
 * kept; a repeat with the same key and the same request gets that response again (with
 * `Idempotent-Replayed: true`); the same key with a different request is refused (422); a repeat
 * while the first is still running is refused (409). Routes with their own scheme opt out
 * (`config.ownIdempotency`).
 */
export const idempotencyPlugin = fp(
  async (app) => {
    app.decorateRequest('idempotency', null);

    app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
      const key = request.headers['idempotency-key'];
      if (
        request.method !== 'POST' ||
        typeof key !== 'string' ||
        !request.principal ||
        request.routeOptions.config.ownIdempotency
      )
        return;
      if (!KEY.test(key))
        throw new AppError(
          400,
          'invalid_idempotency_key',
          'Idempotency-Key is 1–255 letters, digits, ".", ":", "_" or "-"',
        );
      const tenantId = request.principal.tenantId;
      const hash = requestHash(request);
      try {
        const record = await app.db.idempotencyRecord.create({
          data: {
            tenantId,
            key,
            method: request.method,
            path: request.routeOptions.url ?? request.url,
            requestHash: hash,
            statusCode: 0,
            response: {},
          },
        });
        request.idempotency = { key, recordId: record.id };
        return;
      } catch (err) {
        if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002')) throw err;
      }
      const existing = await app.db.idempotencyRecord.findUnique({ where: { tenantId_key: { tenantId, key } } });
      if (!existing)
        throw new AppError(409, 'idempotency_in_progress', 'a request with this Idempotency-Key is still running');
      if (existing.requestHash !== hash) {
        throw new AppError(422, 'idempotency_key_reused', 'this Idempotency-Key was used for a different request');
      }
      if (existing.statusCode === 0)
        throw new AppError(409, 'idempotency_in_progress', 'a request with this Idempotency-Key is still running');
      // As stored, not through the route's serializer (dates are already strings in it).
      return reply
        .status(existing.statusCode)
        .header('idempotent-replayed', 'true')
        .type('application/json; charset=utf-8')
        .send(JSON.stringify(existing.response));
    });

    app.addHook('onSend', async (request, reply, payload) => {
      const record = request.idempotency;
      if (!record) return payload;
      if (reply.statusCode >= 500) {
        // Nothing was done for certain: let the client try again with the same key.
        await app.db.idempotencyRecord.delete({ where: { id: record.recordId } }).catch(() => {});
        return payload;
      }
      let body: unknown = null;
      try {
        body = typeof payload === 'string' ? JSON.parse(payload) : null;
      } catch {
        body = payload;
      }
      await app.db.idempotencyRecord.update({
        where: { id: record.recordId },
        data: { statusCode: reply.statusCode, response: toJson(body) },
      });
      return payload;
    });
  },
  { name: 'idempotency', dependencies: ['db'] },
);
