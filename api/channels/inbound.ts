import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { publishInbox } from '../../activities/channels/live';
import type { LoadedChannel } from '../../activities/channels/store';
import { KEYWORD_REPLIES, type Keyword, keywordOf } from '../../activities/messaging/compliance';
import type { InboundEvent } from '../../activities/providers/types';
import { PlanSchema } from '../../flow';
import { TriggerParamsSchema } from '../../flow/nodes/trigger';
import type { Contact, Conversation } from '../../generated/prisma/client';
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../prisma/client';
import { toJson } from '../../prisma/json';
import { parseConsent } from '../contacts/model';
import { inferTimeZone } from '../contacts/normalize';
import { startRun } from '../runs/start';
import { notifySla, type SlaLog } from '../sla/signals';

type MessageEvent = Extract<InboundEvent, { kind: 'message' }>;
type StatusEvent = Extract<InboundEvent, { kind: 'status' }>;

export interface InboundDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  /** Where a failed SLA signal is reported (it never fails the webhook). */
  log?: SlaLog;
}

export interface IngestResult {
  messages: number;
  duplicates: number;
  statuses: number;
  /** Runs that received a message as a signal, and runs a trigger started. */
  signalled: string[];
  started: string[];
}

/**
 * What happens to a verified provider webhook: messages land in their conversation (deduplicated
 * on the provider's message id, so provider retries change nothing), opt-out keywords set DNC and
 * are confirmed once, everything else signals the contact's running journeys or starts the flows
 * whose trigger matches; receipts move a sent message's status forward.
 */
export async function ingestEvents(
  deps: InboundDeps,
  channel: LoadedChannel,
  events: InboundEvent[],
  options: { receiptKey?: string } = {},
): Promise<IngestResult> {
  const result: IngestResult = { messages: 0, duplicates: 0, statuses: 0, signalled: [], started: [] };
  for (const event of events) {
    if (event.kind === 'message') await ingestMessage(deps, channel, event, result);
    else if (event.kind === 'status') {
      if (await applyReceipt(deps.db, channel, event, options.receiptKey)) result.statuses++;
    }
    // Call progress is the voice routes' business (api/routes/hooks/twilio-voice.ts).
  }
  return result;
}

async function ingestMessage(deps: InboundDeps, channel: LoadedChannel, event: MessageEvent, result: IngestResult) {
  const { db } = deps;
  const tenantId = channel.row.tenantId;
  // A sandbox channel speaks Twilio's dialect for every kind; the channel says which kind it is.
  const kind = channel.provider === 'sandbox' && channel.kind !== 'voice' ? channel.kind : event.channel;
  const at = event.at ?? new Date();
  const contact = await findOrCreateContact(db, tenantId, kind, event);
  const conversation = await db.conversation.upsert({
    where: { channelId_address: { channelId: channel.row.id, address: event.from } },
    create: { tenantId, channelId: channel.row.id, kind, address: event.from, contactId: contact.id },
    update: { contactId: contact.id },
  });
  let messageId: string;
  try {
    const row = await db.message.create({
      data: {
        tenantId,
        conversationId: conversation.id,
        channelId: channel.row.id,
        direction: 'inbound',
        body: event.text,
        subject: event.subject ?? null,
        media: toJson(event.media),
        providerMessageId: event.providerMessageId,
        status: 'received',
        createdAt: at,
      },
    });
    messageId = row.id;
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
      result.duplicates++;
      return;
    }
    throw err;
  }
  result.messages++;
  await db.conversation.update({
    where: { id: conversation.id },
    data: {
      lastInboundAt: at,
      lastMessageAt: at,
      unreadCount: { increment: 1 },
      // A customer writing again reopens a resolved conversation.
      ...(conversation.status === 'resolved' ? { status: 'open' } : {}),
    },
  });
  await db.contactEvent.create({
    data: { tenantId, contactId: contact.id, type: 'message.received', data: toJson({ channel: kind, messageId }) },
  });
  await publishInbox(db, { tenantId, type: 'message.created', conversationId: conversation.id, messageId });

  const keyword = keywordOf(event.text);
  if (keyword && (await applyKeyword(deps, { contact, conversation, kind, keyword, messageId }))) return;

  // A message is waiting for an agent: start or move the conversation's SLA clocks. Only a new
  // message gets here (a provider's retry is a duplicate above), so each is signalled once; an
  // opt-out keyword the system answers itself starts none.
  await notifySla(
    deps.temporal,
    deps.taskQueue,
    { tenantId, conversationId: conversation.id, kind: 'customer_message' },
    deps.log,
  );

  const signalled = await signalRunningJourneys(deps, contact.id, { channel: kind, text: event.text, messageId });
  result.signalled.push(...signalled);
  result.started.push(...(await startTriggeredFlows(deps, contact, kind, event.text, messageId, signalled.length > 0)));
}

/**
 * STOP (and its variants) sets DNC and withdraws consent for the channel; START gives it back.
 * The confirmation goes out once per change — a second STOP from a contact already opted out is
 * recorded but not answered. Returns true when the message was a keyword and is fully handled.
 */
async function applyKeyword(
  deps: InboundDeps,
  m: { contact: Contact; conversation: Conversation; kind: string; keyword: Keyword; messageId: string },
): Promise<boolean> {
  const { db } = deps;
  const { contact, keyword } = m;
  if (keyword === 'help') {
    // "Help" to a journey that asked a question is an answer; otherwise it asks for the HELP text.
    const running = await db.run.count({ where: { contactId: contact.id, status: 'running' } });
    if (running > 0) return false;
    await queueKeywordReply(deps, m, 'help');
    return true;
  }
  const now = new Date();
  const optingOut = keyword === 'stop';
  // START from someone who never opted out is an ordinary message for the journeys.
  if (!optingOut && !contact.dnc) return false;
  const consent = parseConsent(contact.consent);
  const changed = optingOut ? !contact.dnc : true;
  if (changed) {
    await db.contact.update({
      where: { id: contact.id },
      data: {
        dnc: optingOut,
        dncAt: optingOut ? now : null,
        consent: toJson({
          ...consent,
          [m.kind]: { status: optingOut ? 'denied' : 'granted', at: now.toISOString(), source: `keyword:${keyword}` },
        }),
      },
    });
    await db.contactEvent.create({
      data: {
        tenantId: contact.tenantId,
        contactId: contact.id,
        type: optingOut ? 'dnc.set' : 'dnc.cleared',
        data: toJson({ channel: m.kind, keyword, messageId: m.messageId }),
      },
    });
    await queueKeywordReply(deps, m, keyword);
  }
  if (optingOut) {
    // A journey must not keep talking to someone who said STOP.
    const runs = await db.run.findMany({ where: { contactId: contact.id, status: 'running' } });
    await Promise.all(
      runs.map((r) =>
        deps.temporal.workflow
          .getHandle(r.workflowId)
          .signal('cancel', { reason: `the contact opted out (${m.kind} STOP)` })
          .catch(() => undefined),
      ),
    );
  }
  return true;
}

/** The confirmation is a durable send (retried through outages, never twice), keyed by the STOP. */
async function queueKeywordReply(
  deps: InboundDeps,
  m: { contact: Contact; conversation: Conversation; kind: string; messageId: string },
  keyword: Keyword,
) {
  try {
    await deps.temporal.workflow.start('sendConversationMessage', {
      workflowId: `keyword-reply-${m.messageId}`,
      taskQueue: deps.taskQueue,
      args: [
        {
          tenantId: m.contact.tenantId,
          conversationId: m.conversation.id,
          contactId: m.contact.id,
          channel: m.kind,
          to: m.conversation.address,
          text: KEYWORD_REPLIES[keyword],
          idempotencyKey: `keyword-reply:${m.messageId}`,
          purpose: 'transactional',
          keywordConfirmation: true,
        },
      ],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

async function signalRunningJourneys(
  deps: InboundDeps,
  contactId: string,
  payload: { channel: string; text: string; messageId: string },
): Promise<string[]> {
  const runs = await deps.db.run.findMany({ where: { contactId, status: 'running' }, select: { workflowId: true } });
  const signalled: string[] = [];
  for (const run of runs) {
    try {
      await deps.temporal.workflow.getHandle(run.workflowId).signal('inboundMessage', payload);
      signalled.push(run.workflowId);
    } catch (err) {
      // Finished since the row was read: it no longer listens.
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }
  return signalled;
}

/**
 * Flows whose trigger is an inbound message on this channel: those whose keywords match the first
 * word always start; keyword-less ("any message") flows start only when no journey took the
 * message. Each start is keyed by the message, so a retried webhook starts nothing new.
 */
async function startTriggeredFlows(
  deps: InboundDeps,
  contact: Contact,
  kind: string,
  text: string,
  messageId: string,
  takenByJourney: boolean,
): Promise<string[]> {
  const { db } = deps;
  // The latest published version of every live flow, in one query (this runs per inbound message).
  const latest = await db.flowVersion.findMany({
    where: { tenantId: contact.tenantId, flow: { deletedAt: null } },
    distinct: ['flowId'],
    orderBy: [{ flowId: 'asc' }, { version: 'desc' }],
  });
  if (latest.length === 0) return [];
  const firstWord = text.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  const matched: Array<{ version: (typeof latest)[number]; keyword: boolean }> = [];
  for (const version of latest) {
    const plan = PlanSchema.safeParse(version.plan);
    if (!plan.success) continue;
    const triggerNode = plan.data.nodes[plan.data.start];
    const trigger = TriggerParamsSchema.safeParse(triggerNode?.params);
    if (!trigger.success || trigger.data.source !== 'inbound-message') continue;
    if (trigger.data.channel && trigger.data.channel !== kind) continue;
    const keywords = trigger.data.keywords.map((k) => k.toLowerCase());
    if (keywords.length > 0 && !keywords.includes(firstWord)) continue;
    matched.push({ version, keyword: keywords.length > 0 });
  }
  const chosen = matched.filter((m) => m.keyword || !takenByJourney);
  const started: string[] = [];
  for (const { version: flowVersion } of chosen) {
    const { run } = await startRun(deps, {
      tenantId: contact.tenantId,
      flowVersion,
      contact,
      trigger: { source: 'inbound-message', channel: kind, text, messageId },
      idempotencyKey: `inbound:${messageId}:${flowVersion.flowId}`,
    });
    started.push(run.workflowId);
  }
  return started;
}

const STATUS_RANK: Record<string, number> = {
  pending: 0,
  queued: 1,
  sent: 2,
  failed: 3,
  undelivered: 3,
  delivered: 4,
  read: 5,
};

/**
 * Moves an outbound message's status forward (providers retry receipts and deliver them out of
 * order). `receiptKey` is the idempotency key our status-callback URL carries: a receipt for a
 * send whose answer never reached us (a timeout) names the message, and the send's retry finds it.
 */
async function applyReceipt(db: Db, channel: LoadedChannel, event: StatusEvent, receiptKey?: string): Promise<boolean> {
  const where = { channelId: channel.row.id, direction: 'outbound' };
  let row = await db.message.findFirst({ where: { ...where, providerMessageId: event.providerMessageId } });
  if (!row && receiptKey) {
    row = await db.message.findFirst({ where: { ...where, idempotencyKey: receiptKey } });
    if (row && !row.providerMessageId) {
      row = await db.message.update({ where: { id: row.id }, data: { providerMessageId: event.providerMessageId } });
    }
  }
  if (!row) return false;
  if ((STATUS_RANK[event.status] ?? 0) <= (STATUS_RANK[row.status] ?? 0)) return true;
  await db.message.update({
    where: { id: row.id },
    data: {
      status: event.status,
      statusAt: event.at ?? new Date(),
      ...(event.errorCode ? { errorCode: event.errorCode, errorMessage: event.errorMessage ?? null } : {}),
    },
  });
  await publishInbox(db, {
    tenantId: row.tenantId,
    type: 'message.updated',
    conversationId: row.conversationId,
    messageId: row.id,
  });
  return true;
}

const CHAT_ID_FIELD: Record<string, string> = {
  telegram: 'telegramChatId',
  messenger: 'messengerPsid',
  instagram: 'instagramId',
  webchat: 'webchatSessionId',
};

/** The sender as a contact: matched on phone, email or chat id, created when unknown. */
async function findOrCreateContact(db: Db, tenantId: string, kind: string, event: MessageEvent): Promise<Contact> {
  const live = { tenantId, deletedAt: null, mergedIntoId: null };
  const chatField = CHAT_ID_FIELD[kind];
  const isPhone = /^\+[1-9]\d{6,14}$/.test(event.from);
  const isEmail = kind === 'email';
  const address = isEmail ? event.from.toLowerCase() : event.from;
  const find = () =>
    db.contact.findFirst({
      where: chatField
        ? {
            ...live,
            // Chat ids arrive as strings; imported or API-written contacts may hold them as numbers.
            OR: [
              { fields: { path: [chatField], equals: address } },
              ...(/^-?\d{1,15}$/.test(address) ? [{ fields: { path: [chatField], equals: Number(address) } }] : []),
            ],
          }
        : isEmail
          ? { ...live, email: address }
          : { ...live, phone: address },
    });
  const existing = await find();
  if (existing) return existing;
  const [firstName, ...rest] = (event.profileName ?? '').trim().split(/\s+/).filter(Boolean);
  const create = () =>
    db.contact.create({
      data: {
        tenantId,
        firstName: firstName ?? null,
        lastName: rest.length ? rest.join(' ') : null,
        ...(chatField ? { fields: toJson({ [chatField]: address }) } : {}),
        ...(isEmail ? { email: address } : {}),
        ...(!chatField && !isEmail && isPhone ? { phone: address, timeZone: inferTimeZone(address) } : {}),
      },
    });
  try {
    return await create();
  } catch (err) {
    if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002')) throw err;
    // Two webhooks from a new sender at once: the other created the contact.
    const raced = await find();
    if (raced) return raced;
    // A merged or deleted contact holds the address (the unique index covers every row).
    const key = isEmail ? { email: address } : { phone: address };
    let holder = await db.contact.findFirst({ where: { tenantId, ...key } });
    for (let hops = 0; holder?.mergedIntoId && hops < 10; hops++) {
      holder = await db.contact.findFirst({ where: { id: holder.mergedIntoId, tenantId } });
    }
    // A merged contact speaks through its survivor.
    if (holder && !holder.deletedAt) return holder;
    // A deleted contact stays deleted: the sender becomes a new contact and the deleted row gives
    // up the address, as creating a contact through the API does.
    if (holder) {
      await db.contact.update({ where: { id: holder.id }, data: isEmail ? { email: null } : { phone: null } });
    }
    return create();
  }
}
