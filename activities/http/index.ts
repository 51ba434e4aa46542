import { ApplicationFailure } from '@temporalio/activity';
import type { z } from 'zod';
import { HttpRequestInputSchema, HttpRequestOutputSchema } from '../../flow/engine/contracts';
import type { Db } from '../../prisma/client';
import { onceByKey } from '../ledger';
import { fetchPublic, privateUrlsAllowed } from './destination';

const MAX_BODY_BYTES = 64 * 1024;
const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);

export function createHttpActivities({
  db,
  fetchImpl = fetch,
  allowPrivateUrls = privateUrlsAllowed(),
}: {
  db: Db;
  fetchImpl?: typeof fetch;
  allowPrivateUrls?: boolean;
}) {
  return {
    /**
     * The http-request node's side effect. The node's idempotency key goes out as the
     * `Idempotency-Key` header; a completed response is kept in the ledger so a retried activity
     * does not call again. Timeouts, 5xx and 429 retry; other answers are the node's result.
     */
    async httpRequest(raw: z.input<typeof HttpRequestInputSchema>) {
      const input = HttpRequestInputSchema.parse(raw);
      let url: URL;
      try {
        url = new URL(input.url);
      } catch {
        throw ApplicationFailure.create({
          type: 'InvalidUrl',
          message: `"${input.url}" is not a URL`,
          nonRetryable: true,
        });
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw ApplicationFailure.create({
          type: 'InvalidUrl',
          message: 'only http and https URLs',
          nonRetryable: true,
        });
      }
      return onceByKey(
        db,
        {
          tenantId: input.tenantId,
          idempotencyKey: input.idempotencyKey,
          workflowId: input.workflowId,
          kind: 'http',
          request: { method: input.method, url: url.toString() },
        },
        HttpRequestOutputSchema,
        async () => {
          const hasBody = input.body !== undefined && input.method !== 'GET';
          const res = await fetchPublic(
            fetchImpl,
            url,
            {
              method: input.method,
              headers: {
                ...(hasBody ? { 'content-type': 'application/json' } : {}),
                ...input.headers,
                'idempotency-key': input.idempotencyKey,
              },
              ...(hasBody ? { body: JSON.stringify(input.body) } : {}),
              signal: AbortSignal.timeout(input.timeoutSeconds * 1000),
            },
            allowPrivateUrls,
          );
          if (RETRYABLE.has(res.status)) throw new Error(`${url.host} answered ${res.status}`);
          const text = (await res.text()).slice(0, MAX_BODY_BYTES);
          let body: unknown = text;
          if ((res.headers.get('content-type') ?? '').includes('json')) {
            try {
              body = JSON.parse(text);
            } catch {
              body = text;
            }
          }
          return { status: res.status, ok: res.ok, body };
        },
      );
    },
  };
}
