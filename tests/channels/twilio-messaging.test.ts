import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth } from '../helpers/app';
import { askAndWaitFlow, ChannelTestServer, OUR_NUMBER, twilioSmsChannel } from '../helpers/channels';
import { waitFor } from '../helpers/processes';
import { TwilioStandIn } from '../stand-ins/twilio';

/**
 * The whole messaging path on real parts: the API and a worker on a Temporal dev server and
 * PostgreSQL, the real Twilio adapter against a stand-in speaking Twilio's wire format, and
 * webhooks signed as Twilio signs them arriving over HTTP.
 */
let server: ChannelTestServer;
let standIn: TwilioStandIn;

beforeAll(async () => {
  [server, standIn] = await Promise.all([ChannelTestServer.start(), TwilioStandIn.start()]);
}, 120_000);

afterAll(async () => {
  await server?.stop(() => standIn?.close());
});

const tenantWithTwilio = (phone: string) => server.tenantWithChannel('tw', phone, twilioSmsChannel(standIn));

const inboundUrl = (channelId: string) => `${server.baseUrl}/hooks/twilio/${channelId}/messages`;

describe('Twilio messaging end to end', () => {
  it('tests the connection, sends once, and moves the status forward on receipts', async () => {
    const phone = '+14155550101';
    const t = await tenantWithTwilio(phone);
    const tested = await server.app.inject({
      method: 'POST',
      url: `/v1/channels/${t.channel.id}/test`,
      headers: auth(t.token),
    });
    expect(tested.json()).toMatchObject({ status: 'connected', hasCredentials: true });
    expect(JSON.stringify(tested.json())).not.toContain(standIn.authToken);
    // Credentials are sealed at rest.
    const row = await server.database.db.channel.findUniqueOrThrow({ where: { id: t.channel.id } });
    expect(row.credentials).toMatch(/^v1\./);
    expect(row.credentials).not.toContain(standIn.authToken);

    const run = await server.startRun(t.token, t.flow.id, t.contact.id);
    expect((await server.finished(run.id)).outcome).toBe('welcomed');
    expect(standIn.acceptedCount({ to: phone })).toBe(1);
    const [sent] = standIn.acceptedMessages({ to: phone });
    const message = await server.database.db.message.findFirstOrThrow({ where: { providerMessageId: sent?.sid } });
    expect(message).toMatchObject({ direction: 'outbound', body: 'Hi Grace!', segments: 1 });

    const receipt = await standIn.fireMessageStatus(sent?.sid ?? '', 'delivered');
    expect(receipt.status).toBe(200);
    await standIn.fireMessageStatus(sent?.sid ?? '', 'sent'); // late and out of order: ignored
    const after = await server.database.db.message.findUniqueOrThrow({ where: { id: message.id } });
    expect(after.status).toBe('delivered');
  });

  it('delivers exactly once through a provider outage and a lost answer', async () => {
    const phone = '+14155550102';
    const t = await tenantWithTwilio(phone);
    standIn.failNextMessageCreates(2, { kind: 'server-error' });
    standIn.failNextMessageCreates(1, { kind: 'rate-limited', retryAfter: '1' });
    const first = await server.startRun(t.token, t.flow.id, t.contact.id);
    expect((await server.finished(first.id)).outcome).toBe('welcomed');
    expect(standIn.acceptedCount({ to: phone })).toBe(1);

    // Accepted, then the answer never comes: the retry finds the message instead of resending.
    standIn.failNextMessageCreates(1, { kind: 'accept-then-hang' });
    const second = await server.startRun(t.token, t.flow.id, t.contact.id);
    expect((await server.finished(second.id)).outcome).toBe('welcomed');
    expect(standIn.acceptedCount({ to: phone })).toBe(2);
    const ledger = await server.database.db.outboundAction.findFirstOrThrow({
      where: { workflowId: second.workflowId },
    });
    expect(ledger.status).toBe('succeeded');
  }, 120_000);

  it('refuses forged, tampered and unsigned webhooks before recording anything', async () => {
    const t = await tenantWithTwilio('+14155550103');
    const url = inboundUrl(t.channel.id);
    const form = new URLSearchParams({ MessageSid: 'SMforged', From: '+14155550103', To: OUR_NUMBER, Body: 'hi' });
    const unsigned = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(unsigned.status).toBe(401);
    const forged = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      },
      body: form.toString(),
    });
    expect(forged.status).toBe(403);
    // A real signature for another channel's URL does not open this one.
    const other = await tenantWithTwilio('+14155550104');
    const replayed = await standIn.fireInboundMessage(inboundUrl(other.channel.id), {
      from: '+14155550103',
      to: OUR_NUMBER,
      body: 'hi',
    });
    expect(replayed.status).toBe(200);
    const { buildTwilioWebhook } = await import('../../activities/providers/twilio/inbound');
    const signedForOther = buildTwilioWebhook(
      standIn.authToken,
      inboundUrl(other.channel.id),
      Object.fromEntries(form),
    );
    const moved = await fetch(url, { method: 'POST', headers: signedForOther.headers, body: signedForOther.body });
    expect(moved.status).toBe(403);
    expect(await server.database.db.message.count({ where: { channelId: t.channel.id } })).toBe(0);
    const big = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `Body=${'x'.repeat(1_100_000)}`,
    });
    expect(big.status).toBe(413);
  });

  it('lands inbound messages in their conversation once, however often Twilio retries', async () => {
    const phone = '+14155550105';
    const t = await tenantWithTwilio(phone);
    const sent = await standIn.fireInboundMessage(inboundUrl(t.channel.id), {
      from: phone,
      to: OUR_NUMBER,
      body: 'Is the shop open on Sunday? 🛍️',
    });
    expect(sent.status).toBe(200);
    // Twilio retries with the same MessageSid: resend the identical signed request.
    const { buildTwilioWebhook } = await import('../../activities/providers/twilio/inbound');
    const again = buildTwilioWebhook(standIn.authToken, inboundUrl(t.channel.id), {
      MessageSid: sent.messageSid,
      SmsSid: sent.messageSid,
      SmsStatus: 'received',
      From: phone,
      To: OUR_NUMBER,
      Body: 'Is the shop open on Sunday? 🛍️',
      NumMedia: '0',
    });
    expect(
      (await fetch(inboundUrl(t.channel.id), { method: 'POST', headers: again.headers, body: again.body })).status,
    ).toBe(200);

    const list = await server.app.inject({ method: 'GET', url: '/v1/conversations', headers: auth(t.token) });
    const [conversation] = (list.json() as { items: Array<{ id: string; unreadCount: number; contactId: string }> })
      .items;
    expect(conversation).toMatchObject({ unreadCount: 1, contactId: t.contact.id });
    expect(await server.messagesOf(t.token, conversation?.id ?? '')).toEqual([
      expect.objectContaining({ direction: 'inbound', body: 'Is the shop open on Sunday? 🛍️', status: 'received' }),
    ]);

    // An agent replies on the conversation's channel; it goes out once.
    const reply = await server.app.inject({
      method: 'POST',
      url: `/v1/conversations/${conversation?.id}/messages`,
      headers: { ...auth(t.token), 'idempotency-key': 'reply-1' },
      payload: { text: 'Yes, 10:00 to 16:00.' },
    });
    expect(reply.statusCode, reply.body).toBe(202);
    await waitFor(
      async () => (standIn.acceptedCount({ to: phone, body: 'Yes, 10:00 to 16:00.' }) === 1 ? true : undefined),
      'the reply',
    );
    const sentReply = await waitFor(async () => {
      const m = await server.database.db.message.findUnique({ where: { id: (reply.json() as { id: string }).id } });
      return m?.providerMessageId ? m : undefined;
    }, 'the reply to be recorded');
    expect(sentReply.status).not.toBe('pending');
  });

  it('STOP sets DNC and confirms once; later sends are blocked with a reason; START resubscribes', async () => {
    const phone = '+14155550106';
    const t = await tenantWithTwilio(phone);
    const url = inboundUrl(t.channel.id);
    await standIn.fireInboundMessage(url, { from: phone, to: OUR_NUMBER, body: 'Stop' });
    await waitFor(async () => (standIn.acceptedCount({ to: phone }) === 1 ? true : undefined), 'the confirmation');
    expect(standIn.acceptedMessages({ to: phone })[0]?.body).toMatch(/unsubscribed/i);
    const contact = await server.database.db.contact.findUniqueOrThrow({ where: { id: t.contact.id } });
    expect(contact.dnc).toBe(true);
    expect(contact.consent).toMatchObject({ sms: { status: 'denied' } });

    await standIn.fireInboundMessage(url, { from: phone, to: OUR_NUMBER, body: 'STOPALL' });
    const run = await server.startRun(t.token, t.flow.id, t.contact.id);
    expect((await server.finished(run.id)).outcome).toBe('unreachable');
    expect(standIn.acceptedCount({ to: phone })).toBe(1);
    const blocked = await server.database.db.message.findFirstOrThrow({ where: { workflowId: run.workflowId } });
    expect(blocked).toMatchObject({ status: 'blocked', errorCode: 'OptedOut' });

    await standIn.fireInboundMessage(url, { from: phone, to: OUR_NUMBER, body: 'START' });
    await waitFor(
      async () => (standIn.acceptedCount({ to: phone }) === 2 ? true : undefined),
      'the opt-in confirmation',
    );
    expect((await server.database.db.contact.findUniqueOrThrow({ where: { id: t.contact.id } })).dnc).toBe(false);
  });

  it('HELP gets the help text, unless a journey is waiting for an answer', async () => {
    const phone = '+14155550111';
    const t = await tenantWithTwilio(phone);
    await standIn.fireInboundMessage(inboundUrl(t.channel.id), { from: phone, to: OUR_NUMBER, body: 'help' });
    await waitFor(async () => (standIn.acceptedCount({ to: phone }) === 1 ? true : undefined), 'the help text');
    expect(standIn.acceptedMessages({ to: phone })[0]?.body).toMatch(/STOP to unsubscribe/);
    expect((await server.database.db.contact.findUniqueOrThrow({ where: { id: t.contact.id } })).dnc).toBe(false);
  });

  it('a message starts the flow whose keyword matches and signals the journey waiting for it', async () => {
    const phone = '+14155550107';
    const t = await tenantWithTwilio(phone);
    const flow = await server.createFlow(
      t.tenant.id,
      askAndWaitFlow({
        name: 'Book',
        trigger: { source: 'inbound-message', channel: 'sms', keywords: ['book'] },
        question: 'Which day suits you?',
        outcome: 'booked',
      }),
    );

    await standIn.fireInboundMessage(inboundUrl(t.channel.id), { from: phone, to: OUR_NUMBER, body: 'Book a table' });
    const run = await waitFor(
      () => server.database.db.run.findFirst({ where: { flowId: flow.id } }).then((r) => r ?? undefined),
      'the keyword flow to start',
    );
    await waitFor(
      async () => (standIn.acceptedCount({ to: phone, body: 'Which day suits you?' }) === 1 ? true : undefined),
      'the question',
    );
    await standIn.fireInboundMessage(inboundUrl(t.channel.id), { from: phone, to: OUR_NUMBER, body: 'Friday' });
    expect((await server.finished(run.id)).outcome).toBe('booked');
    expect(await server.database.db.run.count({ where: { flowId: flow.id } })).toBe(1);
  }, 120_000);

  it('streams inbox changes live over Server-Sent Events, to the tenant they belong to only', async () => {
    const phone = '+14155550108';
    const t = await tenantWithTwilio(phone);
    const other = await tenantWithTwilio('+14155550109');
    const controller = new AbortController();
    const open = async (token: string) => {
      const res = await fetch(`${server.baseUrl}/v1/conversations/stream`, {
        headers: auth(token),
        signal: controller.signal,
      });
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      return res.body?.getReader() as ReadableStreamDefaultReader<Uint8Array>;
    };
    const mine = await open(t.token);
    const theirs = await open(other.token);
    const seen: string[] = [];
    const theirsSeen: string[] = [];
    const drain = async (reader: ReadableStreamDefaultReader<Uint8Array>, into: string[]) => {
      const decoder = new TextDecoder();
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          into.push(decoder.decode(value));
        }
      } catch {
        // aborted
      }
    };
    void drain(mine, seen);
    void drain(theirs, theirsSeen);
    await standIn.fireInboundMessage(inboundUrl(t.channel.id), { from: phone, to: OUR_NUMBER, body: 'Hello?' });
    await waitFor(async () => (seen.join('').includes('event: message.created') ? true : undefined), 'the live event');
    const conversation = await server.database.db.conversation.findFirstOrThrow({ where: { channelId: t.channel.id } });
    expect(seen.join('')).toContain(conversation.id);
    expect(theirsSeen.join('')).not.toContain('message.created');
    controller.abort();
  });

  it('a deleted contact who writes again becomes a new contact; the deleted one stays deleted', async () => {
    const phone = '+14155550110';
    const t = await tenantWithTwilio(phone);
    const deleted = await server.app.inject({
      method: 'DELETE',
      url: `/v1/contacts/${t.contact.id}`,
      headers: auth(t.token),
    });
    expect(deleted.statusCode).toBeLessThan(300);
    const posted = await standIn.fireInboundMessage(inboundUrl(t.channel.id), {
      from: phone,
      to: OUR_NUMBER,
      body: 'Hi again',
    });
    expect(posted.status).toBe(200);
    const old = await server.database.db.contact.findUniqueOrThrow({ where: { id: t.contact.id } });
    expect(old.deletedAt).not.toBeNull();
    expect(old.phone).toBeNull();
    const conversation = await server.database.db.conversation.findFirstOrThrow({ where: { channelId: t.channel.id } });
    expect(conversation.contactId).not.toBe(t.contact.id);
    const fresh = await server.database.db.contact.findUniqueOrThrow({ where: { id: conversation.contactId ?? '' } });
    expect(fresh).toMatchObject({ phone, deletedAt: null });
  });

  it('behind a TLS proxy, checks the signature against the public https URL the proxy forwarded', async () => {
    const phone = '+14155550112';
    const t = await tenantWithTwilio(phone);
    const path = `/hooks/twilio/${t.channel.id}/messages`;
    const { buildTwilioWebhook } = await import('../../activities/providers/twilio/inbound');
    const params = { MessageSid: `SM${'b'.repeat(32)}`, From: phone, To: OUR_NUMBER, Body: 'via proxy', NumMedia: '0' };
    const signed = buildTwilioWebhook(standIn.authToken, `https://hooks.example.com${path}`, params);
    const proxied = await fetch(`${server.baseUrl}${path}`, {
      method: 'POST',
      headers: { ...signed.headers, 'x-forwarded-proto': 'https', 'x-forwarded-host': 'hooks.example.com' },
      body: signed.body,
    });
    expect(proxied.status).toBe(200);
    // The same signature presented without the proxy's headers is for another URL: refused.
    const direct = await fetch(`${server.baseUrl}${path}`, {
      method: 'POST',
      headers: signed.headers,
      body: signed.body,
    });
    expect(direct.status).toBe(403);
  });
});
