import { readdirSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { compileFlow, FlowSchema, type Plan } from '../../flow';

const ScenarioSchema = z.object({
  name: z.string(),
  script: z.record(z.string(), z.unknown()),
  expected: z.object({ path: z.array(z.string()), outcome: z.string() }),
});
const GoldenSchema = z.object({
  description: z.string(),
  flow: z.unknown(),
  children: z.record(z.string(), z.unknown()).default({}),
  scenarios: z.array(ScenarioSchema).min(1),
});

export interface GoldenFlow {
  file: string;
  name: string;
  plan: Plan;
  childPlans: Record<string, Plan>;
  scenarios: z.infer<typeof ScenarioSchema>[];
}

const dir = new URL('../fixtures/flows/', import.meta.url);

function compileOrThrow(doc: unknown, where: string): Plan {
  const compiled = compileFlow(FlowSchema.parse(doc));
  if (!compiled.ok) throw new Error(`${where} is not a valid flow: ${JSON.stringify(compiled.issues, null, 2)}`);
  return compiled.plan;
}

/** The golden flows of tests/fixtures/flows, compiled, with their scripted scenarios. */
export function loadGoldenFlows(): GoldenFlow[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const g = GoldenSchema.parse(JSON.parse(readFileSync(new URL(file, dir), 'utf8')));
      const childPlans = Object.fromEntries(
        Object.entries(g.children).map(([id, doc]) => [id, compileOrThrow(doc, `${file} child ${id}`)]),
      );
      const plan = compileOrThrow(g.flow, file);
      return { file, name: plan.name, plan, childPlans, scenarios: g.scenarios };
    });
}
