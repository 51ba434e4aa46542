import { useMemo } from 'react';
import { z } from 'zod';
import { getNodeDescriptor } from '../../../flow';
import { useEditor } from '../store';
import { SchemaForm } from './schema-form';
import { variablesFor } from './variables';

const schemaCache = new Map<string, Record<string, unknown>>();
function jsonSchemaOf(type: string): Record<string, unknown> | null {
  const d = getNodeDescriptor(type);
  if (!d) return null;
  let schema = schemaCache.get(type);
  if (!schema) {
    schema = z.toJSONSchema(d.params, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    schemaCache.set(type, schema);
  }
  return schema;
}

/** Edits the one selected step: a form generated from its params schema, its errors beside each field. */
export function Inspector() {
  const selectedId = useEditor((s) => {
    const selected = s.nodes.filter((n) => n.selected);
    return selected.length === 1 ? (selected[0]?.id ?? null) : null;
  });
  const node = useEditor((s) => (selectedId ? s.nodes.find((n) => n.id === selectedId) : undefined));
  const edges = useEditor((s) => s.edges);
  const allNodes = useEditor((s) => s.nodes);
  const readOnly = useEditor((s) => s.viewingVersion !== null);
  const updateParams = useEditor((s) => s.updateParams);
  const setMaxVisits = useEditor((s) => s.setMaxVisits);

  // Only the node list's shape matters for variables: recompute when steps or edges change, not on typing.
  const shape = allNodes.map((n) => `${n.id}:${n.data.type}`).join(',');
  // biome-ignore lint/correctness/useExhaustiveDependencies: `shape` stands for the node list here
  const variables = useMemo(
    () => (selectedId ? variablesFor(selectedId, allNodes, edges) : []),
    [selectedId, shape, edges],
  );

  if (!node) {
    return (
      <aside className="inspector" aria-label="Inspector">
        <p className="muted">
          Select a step to edit it. Drag steps from the left; connect an output (bottom dots) to a step.
        </p>
      </aside>
    );
  }
  const descriptor = getNodeDescriptor(node.data.type);
  const schema = jsonSchemaOf(node.data.type);
  const errors: Record<string, string> = {};
  for (const issue of node.data.issues) {
    const i = issue.path.indexOf('params');
    const key = i >= 0 ? issue.path.slice(i + 1).join('.') : '';
    if (key) errors[key] ??= issue.message;
  }
  const general = node.data.issues.filter((i) => i.path.indexOf('params') < 0);
  return (
    <aside className="inspector" aria-label="Inspector">
      <header>
        <h2>{descriptor?.label ?? node.data.type}</h2>
        <code>{node.id}</code>
      </header>
      {descriptor && <p className="muted">{descriptor.description}</p>}
      {general.length > 0 && (
        <ul className="inspector-issues" aria-label="Problems with this step">
          {general.map((i) => (
            <li key={`${i.code}-${i.message}`}>{i.message}</li>
          ))}
        </ul>
      )}
      {schema && (
        <SchemaForm
          key={node.id}
          idPrefix={`p-${node.id}`}
          schema={schema}
          value={node.data.params}
          onChange={(next) => updateParams(node.id, next as Record<string, unknown>)}
          errors={errors}
          variables={variables}
          readOnly={readOnly}
        />
      )}
      {descriptor?.waits && (
        <label className="inspector-visits">
          Visit limit (for loops)
          <input
            type="number"
            min={1}
            max={1000}
            disabled={readOnly}
            value={node.data.maxVisits ?? ''}
            placeholder="none"
            onChange={(e) => setMaxVisits(node.id, e.target.value === '' ? undefined : Number(e.target.value))}
          />
        </label>
      )}
    </aside>
  );
}
