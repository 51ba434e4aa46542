import { useReactFlow } from '@xyflow/react';
import { memo } from 'react';
import { nodeDescriptors } from '../../../flow';
import { NODE_DRAG_TYPE } from '../canvas/canvas';
import { useEditor } from '../store';

const CATEGORY_ORDER = ['trigger', 'messaging', 'voice', 'logic', 'ai', 'data', 'people', 'flow'] as const;

/** Every node type, from the descriptors in flow/: drag one onto the canvas, or press it to add it. */
export const Palette = memo(function Palette() {
  const addNode = useEditor((s) => s.addNode);
  const readOnly = useEditor((s) => s.viewingVersion !== null);
  const rf = useReactFlow();
  const groups = CATEGORY_ORDER.map((c) => ({
    category: c,
    items: nodeDescriptors.filter((d) => d.category === c),
  })).filter((g) => g.items.length);
  return (
    <nav className="palette" aria-label="Steps">
      {groups.map((g) => (
        <section key={g.category}>
          <h3>{g.category}</h3>
          {g.items.map((d) => (
            <button
              key={d.type}
              type="button"
              className={`palette-item step-cat-${d.category}`}
              draggable={!readOnly}
              disabled={readOnly}
              title={d.description}
              data-testid={`palette-${d.type}`}
              onDragStart={(e) => {
                e.dataTransfer.setData(NODE_DRAG_TYPE, d.type);
                e.dataTransfer.effectAllowed = 'move';
              }}
              onClick={() => {
                const center = rf.screenToFlowPosition({ x: window.innerWidth / 2, y: window.innerHeight / 2 });
                addNode(d.type, center);
              }}
            >
              {d.label}
            </button>
          ))}
        </section>
      ))}
    </nav>
  );
});
