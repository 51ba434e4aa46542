import type { Edge } from '@xyflow/react';
import { getNodeDescriptor } from '../../../flow';
import type { StepNode } from '../canvas/flow-mapping';
import type { VariableOption } from './schema-form';

const CONTACT_FIELDS = ['firstName', 'lastName', 'phone', 'email', 'timeZone', 'leadStatus', 'score', 'tags'];

/**
 * Variables a step can read: the contact, run variables, and the outputs of the steps that can run
 * before it (its ancestors on the graph).
 */
export function variablesFor(nodeId: string, nodes: StepNode[], edges: Edge[]): VariableOption[] {
  const parents = new Map<string, string[]>();
  for (const e of edges) parents.set(e.target, [...(parents.get(e.target) ?? []), e.source]);
  const ancestors = new Set<string>();
  const queue = [...(parents.get(nodeId) ?? [])];
  while (queue.length) {
    const id = queue.shift() as string;
    if (ancestors.has(id)) continue;
    ancestors.add(id);
    queue.push(...(parents.get(id) ?? []));
  }
  const options: VariableOption[] = CONTACT_FIELDS.map((f) => ({
    label: f,
    value: `{{contact.${f}}}`,
    group: 'Contact',
  }));
  options.push({ label: 'last reply', value: '{{vars.lastReply}}', group: 'Run' });
  options.push({ label: 'run id', value: '{{run.id}}', group: 'Run' });
  for (const n of nodes) {
    if (!ancestors.has(n.id) || n.id === nodeId) continue;
    const d = getNodeDescriptor(n.data.type);
    for (const field of d?.outputFields ?? []) {
      const root = n.data.type === 'trigger' ? `trigger.${field}` : `nodes.${n.id}.output.${field}`;
      options.push({ label: `${n.id}: ${field}`, value: `{{${root}}}`, group: `Step ${n.id}` });
    }
  }
  return options;
}
