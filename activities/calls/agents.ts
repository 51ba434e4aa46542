import { z } from 'zod';
import type { VoiceAgent } from '../../generated/prisma/client';
import { type CallSession, CallSessionSchema, DEFAULT_VOICE, VoiceSettingsSchema } from './records';

/** VoiceAgent.model: which language model steers the agent (the TwiML loop's answerer uses it). */
export const ModelSettingsSchema = z.object({
  provider: z.string().min(1).max(40).default('openai'),
  model: z.string().min(1).max(100).default('gpt-4o-mini'),
  temperature: z.number().min(0).max(2).default(0.3),
});
export type ModelSettings = z.infer<typeof ModelSettingsSchema>;

/** A VoiceAgent row with its JSON columns parsed. */
export function readVoiceAgent(row: VoiceAgent) {
  return {
    ...row,
    voice: VoiceSettingsSchema.parse(row.voice ?? {}),
    model: ModelSettingsSchema.parse(row.model ?? {}),
  };
}

/** What a call's conversation needs, from the place-call node's params. */
export interface CallScript {
  persona: string;
  firstMessage: string;
  script: string[];
  maxDurationSeconds: number;
  voicemailMessage?: string;
}

/**
 * The session a call starts with. A managed agent supplies its persona, voice, knowledge, limits
 * and greeting; the node's own script, when it has one, replaces the agent's (it is rendered for
 * this contact), and the shorter of the two duration limits applies.
 */
export function sessionFor(node: CallScript, agent: VoiceAgent | null): CallSession {
  if (!agent) {
    return CallSessionSchema.parse({
      persona: node.persona,
      firstMessage: node.firstMessage,
      script: node.script,
      maxDurationSeconds: node.maxDurationSeconds,
      ...(node.voicemailMessage ? { voicemailMessage: node.voicemailMessage } : {}),
      language: DEFAULT_VOICE.language,
      voice: DEFAULT_VOICE,
    });
  }
  const parsed = readVoiceAgent(agent);
  const voicemailMessage = node.voicemailMessage ?? parsed.voicemailMessage ?? undefined;
  return CallSessionSchema.parse({
    persona: parsed.persona,
    firstMessage: parsed.firstMessage,
    script: node.script.length > 0 ? node.script : parsed.script,
    maxTurns: parsed.maxTurns,
    maxDurationSeconds: Math.min(node.maxDurationSeconds, parsed.maxDurationSeconds),
    ...(voicemailMessage ? { voicemailMessage } : {}),
    bargeIn: parsed.bargeIn,
    language: parsed.voice.language,
    voice: parsed.voice,
    knowledgeSourceIds: parsed.knowledgeSourceIds,
  });
}

/** An inbound call answered by an agent: the agent's own settings, nothing from a flow. */
export function sessionForAgent(agent: VoiceAgent): CallSession {
  const parsed = readVoiceAgent(agent);
  return sessionFor(
    {
      persona: parsed.persona,
      firstMessage: parsed.firstMessage,
      script: parsed.script,
      maxDurationSeconds: parsed.maxDurationSeconds,
      ...(parsed.voicemailMessage ? { voicemailMessage: parsed.voicemailMessage } : {}),
    },
    agent,
  );
}
