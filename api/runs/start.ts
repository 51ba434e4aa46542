import { randomUUID } from 'node:crypto';
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { ContactSnapshotSchema, PlanSchema } from '../../flow';
import type { Contact, FlowVersion, Run } from '../../generated/prisma/client';
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../prisma/client';
import type { RunFlowInput } from '../../workflows/run-flow';

export interface StartRunDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
}

export interface StartRunRequest {
  tenantId: string;
  flowVersion: FlowVersion;
  contact: Contact;
  trigger: Record<string, unknown> & { source: string };
  /**
   * Starting twice with the same key gives the same run: the API's Idempotency-Key, or a key
   * derived from what caused the start (an inbound message's id), so provider retries start nothing.
   */
  idempotencyKey?: string;
}

/**
 * Records a run and starts its runFlow workflow. Returns `created: false` with the existing run
 * when the idempotency key was seen before.
 */
export async function startRun(deps: StartRunDeps, req: StartRunRequest): Promise<{ run: Run; created: boolean }> {
  const { db, temporal, taskQueue } = deps;
  const { tenantId, flowVersion, contact, idempotencyKey } = req;
  if (idempotencyKey) {
    const existing = await db.run.findFirst({ where: { tenantId, idempotencyKey } });
    if (existing) return { run: existing, created: false };
  }
  const id = randomUUID();
  let run: Run;
  try {
    run = await db.run.create({
      data: {
        id,
        tenantId,
        flowId: flowVersion.flowId,
        flowVersionId: flowVersion.id,
        contactId: contact.id,
        workflowId: `run-${id}`,
        status: 'running',
        idempotencyKey: idempotencyKey ?? null,
      },
    });
  } catch (err) {
    // A concurrent start with the same key won the race: answer with its run.
    if (idempotencyKey && err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
      const existing = await db.run.findFirst({ where: { tenantId, idempotencyKey } });
      if (existing) return { run: existing, created: false };
    }
    throw err;
  }
  const input: RunFlowInput = {
    tenantId,
    runId: run.id,
    plan: PlanSchema.parse(flowVersion.plan),
    flowVersionId: flowVersion.id,
    contact: ContactSnapshotSchema.parse({ ...contact, fields: contact.fields ?? {} }),
    trigger: req.trigger,
  };
  try {
    await temporal.workflow.start('runFlow', { workflowId: run.workflowId, taskQueue, args: [input] });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
      // Nothing half-written: a run row without a workflow would look running forever.
      await db.run.delete({ where: { id: run.id } });
      throw err;
    }
  }
  return { run, created: true };
}
