import { useReactFlow } from '@xyflow/react';
import { useEditor } from '../store';

/** Every validation problem of the draft; choosing one selects its step and brings it into view. */
export function Problems() {
  const issues = useEditor((s) => s.issues);
  const selectOnly = useEditor((s) => s.selectOnly);
  const rf = useReactFlow();
  if (issues.length === 0)
    return (
      <p className="problems-ok" role="status">
        No problems: ready to publish.
      </p>
    );
  return (
    <section className="panel problems" aria-label="Problems">
      <h3>
        {issues.length} problem{issues.length === 1 ? '' : 's'}
      </h3>
      <ul>
        {issues.map((issue) => (
          <li
            key={`${issue.code}-${issue.nodeId ?? ''}-${issue.edgeId ?? ''}-${issue.path.join('.')}-${issue.message}`}
          >
            <button
              type="button"
              onClick={() => {
                if (!issue.nodeId) return;
                selectOnly(issue.nodeId);
                const node = rf.getNode(issue.nodeId);
                if (node) void rf.fitView({ nodes: [node], duration: 300, maxZoom: 1.2 });
              }}
            >
              {issue.nodeId && <code>{issue.nodeId}</code>} {issue.message}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
