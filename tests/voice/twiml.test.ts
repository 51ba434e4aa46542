import { describe, expect, it } from 'vitest';
import { type CallSession, CallSessionSchema, mergeCallStatus, outcomeOf } from '../../activities/calls/records';
import { readTwiml } from '../../activities/calls/twiml-reader';
import type { Answer, KnowledgeAnswerer } from '../../activities/rag/answerer';
import { ExtractiveAnswerer } from '../../activities/rag/answerer';
import { classifyUtterance, decideNextTurn, LINES } from '../../api/voice/agent';
import { closingTwiml, escapeXml, gather, promptTwiml } from '../../api/voice/twiml';
import type { Call } from '../../generated/prisma/client';

const speech = { voice: 'Polly.Joanna', language: 'en-US' };

describe('TwiML builder', () => {
  it('escapes text and attributes so nothing breaks out of its element', () => {
    expect(escapeXml(`<Hangup/> & "quotes" 'too'`)).toBe('&lt;Hangup/&gt; &amp; &quot;quotes&quot; &apos;too&apos;');
    const xml = promptTwiml('Say </Say><Hangup/> & bye', {
      ...speech,
      action: 'https://x.test/hooks/twilio/c/voice/gather?call=1&turn=2',
      bargeIn: true,
    });
    expect(xml).toContain('<Say voice="Polly.Joanna" language="en-US">Say &lt;/Say&gt;&lt;Hangup/&gt; &amp; bye</Say>');
    expect(xml).toContain('action="https://x.test/hooks/twilio/c/voice/gather?call=1&amp;turn=2"');
    expect(xml).not.toContain('<Hangup/>');
    // What the escaped document says is exactly what went in.
    const step = readTwiml(xml);
    expect(step.says).toEqual(['Say </Say><Hangup/> & bye']);
    expect(step.gather?.action).toBe('https://x.test/hooks/twilio/c/voice/gather?call=1&turn=2');
  });

  it('drops characters XML cannot carry', () => {
    expect(escapeXml('a\u0000b\u0007c\td')).toBe('abc\td');
    expect(escapeXml('emoji 😀 stays')).toBe('emoji 😀 stays');
  });

  it('builds a speech Gather with barge-in on or off', () => {
    const on = gather('Hi', { ...speech, action: '/g', bargeIn: true });
    expect(on).toMatch(/^<Gather input="speech" action="\/g" method="POST" speechTimeout="auto"/);
    expect(on).toContain('language="en-US"');
    expect(on).toContain('bargeIn="true"');
    expect(on).toContain('actionOnEmptyResult="true"');
    expect(gather('Hi', { ...speech, action: '/g', bargeIn: false })).toContain('bargeIn="false"');
  });

  it('closes with a line and a hang-up, or a bare hang-up', () => {
    expect(closingTwiml('Bye', speech)).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.Joanna" language="en-US">Bye</Say><Hangup/></Response>',
    );
    expect(closingTwiml(undefined, speech)).toContain('<Response><Hangup/></Response>');
    expect(readTwiml(closingTwiml('Bye', speech))).toEqual({ says: ['Bye'], hangup: true });
  });
});

describe('TwiML reader (the sandbox network side)', () => {
  it('follows Say, Gather, Redirect and Hangup in document order', () => {
    expect(readTwiml('<Response><Say>a</Say><Redirect>/next</Redirect><Say>b</Say></Response>')).toEqual({
      says: ['a'],
      redirect: '/next',
      hangup: false,
    });
    expect(readTwiml('<Response><Say>a</Say></Response>')).toEqual({ says: ['a'], hangup: true });
    expect(() => readTwiml('<Response><Say>a</Response>')).toThrow();
    expect(() => readTwiml('<Nope/>')).toThrow();
  });
});

const session = (over: Partial<CallSession> = {}): CallSession =>
  CallSessionSchema.parse({ firstMessage: 'Hi!', script: ['Line one', 'Line two'], maxTurns: 10, ...over });

class FixedAnswerer implements KnowledgeAnswerer {
  readonly asked: string[] = [];
  constructor(private readonly result: Answer) {}
  async answer(input: { question: string }): Promise<Answer> {
    this.asked.push(input.question);
    return this.result;
  }
}
const confident = new FixedAnswerer({
  answer: 'We open at nine.',
  confidence: 0.9,
  citations: [{ sourceId: 'hours', title: 'Hours', snippet: 'We open at nine.' }],
});
const unsure = new FixedAnswerer({ answer: 'Maybe.', confidence: 0.1, citations: [] });

const turn = (s: CallSession, utterance: string, over: { turnsSoFar?: number; elapsedSeconds?: number } = {}) =>
  decideNextTurn({
    tenantId: 't',
    session: s,
    turnsSoFar: over.turnsSoFar ?? 0,
    elapsedSeconds: over.elapsedSeconds ?? 10,
    utterance,
    answerer: confident,
  });

describe('voice agent policy', () => {
  it('tells questions, goodbyes, silence and statements apart', () => {
    expect(classifyUtterance('What are your opening hours')).toBe('question');
    expect(classifyUtterance('you open on sundays?')).toBe('question');
    expect(classifyUtterance('Can I reschedule')).toBe('question');
    expect(classifyUtterance('No thanks, bye.')).toBe('goodbye');
    expect(classifyUtterance('   ')).toBe('silence');
    expect(classifyUtterance('Yes, that works.')).toBe('statement');
  });

  it('works through the script in order', async () => {
    const first = await turn(session(), 'Sure.');
    expect(first).toMatchObject({ say: 'Line one', end: false, scriptPosition: 1 });
    const second = await turn(session({ scriptPosition: 1 }), 'Okay.');
    expect(second).toMatchObject({ say: 'Line two', end: false, scriptPosition: 2 });
  });

  it('answers questions from the knowledge base with citations, then goes on with the script', async () => {
    const r = await turn(session(), 'When do you open?');
    expect(r.say).toBe('We open at nine. Line one');
    expect(r.citations).toEqual([{ sourceId: 'hours', title: 'Hours', snippet: 'We open at nine.' }]);
    expect(r.scriptPosition).toBe(1);
  });

  it('promises a follow-up below the confidence threshold, and asks the answerer once the script is done', async () => {
    const r = await decideNextTurn({
      tenantId: 't',
      session: session({ scriptPosition: 2 }),
      turnsSoFar: 2,
      elapsedSeconds: 10,
      utterance: 'I had a problem with my bill',
      answerer: unsure,
    });
    expect(unsure.asked).toEqual(['I had a problem with my bill']);
    expect(r.say).toBe(`${LINES.followUp} ${LINES.anythingElse}`);
    expect(r.citations).toBeUndefined();
    expect(r.end).toBe(false);
  });

  it('ends politely on goodbye, at the turn limit and at the duration limit', async () => {
    expect(await turn(session(), 'No thanks, bye')).toMatchObject({ say: LINES.goodbye, end: true });
    expect(await turn(session({ maxTurns: 3 }), 'Sure.', { turnsSoFar: 2 })).toMatchObject({
      say: LINES.closing,
      end: true,
    });
    expect(await turn(session({ maxDurationSeconds: 60 }), 'Sure.', { elapsedSeconds: 61 })).toMatchObject({
      say: LINES.closing,
      end: true,
    });
  });

  it('re-prompts once on silence, then ends', async () => {
    const once = await turn(session(), '');
    expect(once).toMatchObject({ say: LINES.reprompt, end: false, silences: 1 });
    const twice = await turn(session({ silences: 1 }), '');
    expect(twice).toMatchObject({ say: LINES.silentGoodbye, end: true });
    // Speaking again resets the count.
    expect((await turn(session({ silences: 1 }), 'Sure.')).silences).toBe(0);
  });

  it('ends at the next turn once a stop was requested', async () => {
    const r = await turn(session({ stopRequestedAt: new Date().toISOString() }), 'Tell me more?');
    expect(r).toMatchObject({ say: LINES.stopped, end: true });
  });

  it('reads the demo knowledge with the extractive answerer', async () => {
    const r = await decideNextTurn({
      tenantId: 't',
      session: session({ script: [] }),
      turnsSoFar: 0,
      elapsedSeconds: 1,
      utterance: 'What are your opening hours?',
      answerer: new ExtractiveAnswerer([
        { sourceId: 'demo-hours', title: 'Opening hours', text: 'Monday to Friday, 9:00 to 18:00.' },
      ]),
    });
    expect(r.say).toContain('Monday to Friday');
    expect(r.citations?.[0]?.sourceId).toBe('demo-hours');
  });
});

const row = (over: Partial<Call>): Call => ({
  id: 'c',
  tenantId: 't',
  channelId: null,
  contactId: null,
  voiceAgentId: null,
  idempotencyKey: null,
  workflowId: null,
  direction: 'outbound',
  from: null,
  to: '+1',
  providerCallId: null,
  status: 'queued',
  answeredBy: null,
  outcome: null,
  durationSeconds: null,
  cost: null,
  costCurrency: null,
  recordingUrl: null,
  transcript: [],
  turns: 0,
  session: {},
  startedAt: new Date(),
  answeredAt: null,
  endedAt: null,
  ...over,
});

describe('call status updates', () => {
  it('move forward only, and a repeated callback changes nothing', () => {
    expect(mergeCallStatus(row({ status: 'in-progress' }), { status: 'ringing' })).toBeNull();
    const done = row({ status: 'completed', endedAt: new Date(), outcome: 'answered', answeredAt: new Date() });
    expect(mergeCallStatus(done, { status: 'completed' })).toBeNull();
    expect(mergeCallStatus(done, { status: 'in-progress' })).toBeNull();
    expect(mergeCallStatus(row({ status: 'ringing' }), { status: 'busy' })).toMatchObject({
      status: 'busy',
      outcome: 'busy',
    });
  });

  it('fill in what a late callback adds to a finished call', () => {
    const done = row({ status: 'completed', endedAt: new Date(), outcome: 'answered', answeredAt: new Date() });
    expect(
      mergeCallStatus(done, { status: 'completed', durationSeconds: 42, price: '0.014', priceUnit: 'USD' }),
    ).toEqual({
      durationSeconds: 42,
      cost: '0.014',
      costCurrency: 'USD',
    });
  });

  it('map how a call ended to the node outputs', () => {
    expect(outcomeOf('completed', 'human', true)).toBe('answered');
    expect(outcomeOf('completed', 'unknown', true)).toBe('answered');
    expect(outcomeOf('completed', null, true)).toBe('answered');
    expect(outcomeOf('completed', 'machine', true)).toBe('voicemail');
    expect(outcomeOf('busy', null, false)).toBe('busy');
    expect(outcomeOf('no-answer', null, false)).toBe('no-answer');
    expect(outcomeOf('canceled', null, false)).toBe('no-answer');
    expect(outcomeOf('failed', null, false)).toBe('failed');
    expect(outcomeOf('in-progress', null, true)).toBeNull();
  });
});
