import {
  Background,
  Controls,
  type Edge,
  MiniMap,
  ReactFlow,
  type ReactFlowInstance,
  useReactFlow,
} from '@xyflow/react';
import { type DragEvent, useCallback, useEffect } from 'react';
import { isValidConnection, useEditor } from '../store';
import type { StepNode as StepNodeType } from './flow-mapping';
import { StepNode } from './step-node';

// Module scope: React Flow must see the same object on every render.
const nodeTypes = { step: StepNode };
export const NODE_DRAG_TYPE = 'application/x-switchboard-node';

/** The flow canvas: drag steps from the palette, connect named outputs, edit with the keyboard. */
export function Canvas({ onInit }: { onInit?: (rf: ReactFlowInstance<StepNodeType, Edge>) => void }) {
  const nodes = useEditor((s) => s.nodes);
  const edges = useEditor((s) => s.edges);
  const readOnly = useEditor((s) => s.viewingVersion !== null);
  const onNodesChange = useEditor((s) => s.onNodesChange);
  const onEdgesChange = useEditor((s) => s.onEdgesChange);
  const connect = useEditor((s) => s.connect);
  const addNode = useEditor((s) => s.addNode);
  const rf = useReactFlow<StepNodeType, Edge>();

  const onDrop = useCallback(
    (e: DragEvent) => {
      e.preventDefault();
      const type = e.dataTransfer.getData(NODE_DRAG_TYPE);
      if (!type || readOnly) return;
      addNode(type, rf.screenToFlowPosition({ x: e.clientX - 100, y: e.clientY - 30 }));
    },
    [addNode, rf, readOnly],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target && (target.closest('input, textarea, select, [contenteditable="true"]') || target.isContentEditable))
        return;
      const mod = e.ctrlKey || e.metaKey;
      const s = useEditor.getState();
      if (mod && e.key.toLowerCase() === 'z' && !e.shiftKey) {
        e.preventDefault();
        s.undo();
      } else if (mod && (e.key.toLowerCase() === 'y' || (e.key.toLowerCase() === 'z' && e.shiftKey))) {
        e.preventDefault();
        s.redo();
      } else if (mod && e.key.toLowerCase() === 'c') {
        s.copy();
      } else if (mod && e.key.toLowerCase() === 'v') {
        e.preventDefault();
        s.paste();
      } else if (mod && e.key.toLowerCase() === 'a') {
        e.preventDefault();
        s.selectAll();
      } else if (e.shiftKey && e.key.toLowerCase() === 'l') {
        s.layout();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <ReactFlow
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      onNodesChange={onNodesChange}
      onEdgesChange={onEdgesChange}
      onConnect={connect}
      isValidConnection={(c) => isValidConnection(useEditor.getState().nodes, c)}
      onDrop={onDrop}
      onDragOver={(e) => {
        e.preventDefault();
        e.dataTransfer.dropEffect = 'move';
      }}
      onInit={onInit}
      nodesDraggable={!readOnly}
      nodesConnectable={!readOnly}
      elementsSelectable
      deleteKeyCode={readOnly ? null : ['Delete', 'Backspace']}
      multiSelectionKeyCode={['Shift', 'Meta', 'Control']}
      selectionOnDrag={false}
      fitView
      minZoom={0.1}
      proOptions={{ hideAttribution: true }}
      aria-label="Flow canvas"
    >
      <Background />
      <MiniMap pannable zoomable ariaLabel="Mini map" />
      <Controls />
    </ReactFlow>
  );
}
