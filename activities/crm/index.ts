import { ApplicationFailure } from '@temporalio/activity';
import { z } from 'zod';
import { applyContactChange } from '../../flow/contact-update';
import { type ActivityOutput, UpdateContactInputSchema } from '../../flow/engine/contracts';
import { ContactSnapshotSchema } from '../../flow/schema';
import type { Db } from '../../prisma/client';
import { toJson } from '../../prisma/json';

const FieldsSchema = z.record(z.string(), z.unknown());

export function createCrmActivities({ db }: { db: Db }) {
  return {
    /**
     * The update-contact node's side effect. The change and its ledger row commit in one
     * transaction, so a retry can neither apply a score change twice nor lose one.
     */
    async updateContact(raw: z.input<typeof UpdateContactInputSchema>): Promise<ActivityOutput<'updateContact'>> {
      const input = UpdateContactInputSchema.parse(raw);
      return db.$transaction(async (tx) => {
        const done = await tx.outboundAction.findUnique({ where: { idempotencyKey: input.idempotencyKey } });
        if (done?.status === 'succeeded') return z.object({ contact: ContactSnapshotSchema }).parse(done.response);
        // Lock the contact row so concurrent journeys' changes apply one after the other.
        const rows = await tx.$queryRaw<{ id: string }[]>`
          SELECT id FROM "Contact" WHERE id = ${input.contactId}::uuid AND "tenantId" = ${input.tenantId}::uuid FOR UPDATE`;
        const row = rows[0] ? await tx.contact.findUnique({ where: { id: input.contactId } }) : null;
        if (!row) {
          throw ApplicationFailure.create({
            type: 'ContactNotFound',
            message: 'the contact no longer exists',
            nonRetryable: true,
          });
        }
        const { set, addTags, removeTags, leadStatus, scoreDelta } = input;
        const before = ContactSnapshotSchema.parse({ ...row, fields: FieldsSchema.parse(row.fields ?? {}) });
        const after = applyContactChange(before, {
          set,
          addTags,
          removeTags,
          ...(leadStatus !== undefined ? { leadStatus } : {}),
          ...(scoreDelta !== undefined ? { scoreDelta } : {}),
        });
        await tx.contact.update({
          where: { id: row.id },
          data: {
            firstName: after.firstName ?? null,
            lastName: after.lastName ?? null,
            email: after.email ?? null,
            timeZone: after.timeZone ?? null,
            tags: after.tags,
            fields: toJson(after.fields),
            leadStatus: after.leadStatus ?? null,
            score: after.score ?? 0,
          },
        });
        const response = { contact: after };
        await tx.outboundAction.create({
          data: {
            tenantId: input.tenantId,
            idempotencyKey: input.idempotencyKey,
            workflowId: input.workflowId,
            kind: 'contact.update',
            status: 'succeeded',
            request: toJson({ set, addTags, removeTags, leadStatus, scoreDelta }),
            response: toJson(response),
          },
        });
        return response;
      });
    },
  };
}
