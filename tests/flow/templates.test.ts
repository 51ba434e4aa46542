import { describe, expect, it } from 'vitest';
import { compileFlow, simulate } from '../../flow';
import { flowTemplates } from '../../flow/templates';

describe('flow templates', () => {
  it('offers the six starting flows of the gallery', () => {
    expect(flowTemplates.map((t) => t.id)).toEqual([
      'appointment-confirmation',
      'lead-qualification',
      'support-bot',
      're-engagement',
      'survey-call',
      'event-invitation',
    ]);
  });

  for (const template of flowTemplates) {
    it(`${template.name} is valid, publishes and runs to an end in the simulator`, async () => {
      const compiled = compileFlow(template.flow);
      expect(compiled.ok ? [] : compiled.issues).toEqual([]);
      if (!compiled.ok) return;
      const result = await simulate(compiled.plan, { random: { seed: 7 } });
      expect(result.status).toBe('completed');
      expect(result.path.at(-1)?.type).toBe('end');
    });
  }
});
