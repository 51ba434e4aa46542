/** Sensible params for a step just dropped on the canvas: valid where possible, easy to edit. */
const STARTERS: Record<string, Record<string, unknown>> = {
  trigger: { source: 'api' },
  'send-message': { channel: 'sms', text: 'Hi {{contact.firstName | default: "there"}}!' },
  'place-call': {
    firstMessage: 'Hello {{contact.firstName}}, this is a quick call from our team.',
    script: [],
    maxDurationSeconds: 300,
  },
  'wait-for-reply': { timeout: '1d' },
  delay: { mode: 'duration', duration: '1h' },
  branch: {
    rules: [
      {
        id: 'yes',
        label: 'Said yes',
        match: 'all',
        conditions: [{ field: 'vars.lastReply', operator: 'contains', value: 'yes' }],
      },
    ],
  },
  split: {
    arms: [
      { id: 'a', label: 'A', percent: 50 },
      { id: 'b', label: 'B', percent: 50 },
    ],
  },
  'ai-reply': { channel: 'sms', minConfidence: 0.6 },
  'update-contact': { addTags: ['engaged'] },
  handoff: { team: 'support', priority: 'normal', waitForResolution: true, timeout: '3d' },
  'http-request': { method: 'POST', url: 'https://example.com/webhook', headers: {}, timeoutSeconds: 15 },
  'start-flow': { flowId: '' },
  end: { outcome: 'completed' },
};

export function starterParams(type: string): Record<string, unknown> {
  return structuredClone(STARTERS[type] ?? {});
}
