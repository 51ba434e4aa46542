import { Handle, type Node, type NodeProps, Position } from '@xyflow/react';
import { memo } from 'react';
import type { StepNodeData } from './flow-to-canvas';

/** A flow step on the canvas: one target handle, one source handle per named output. */
export const StepNode = memo(function StepNode({ data }: NodeProps<Node<StepNodeData>>) {
  return (
    <div className={`step step-${data.type}`} data-testid={`node-${data.type}`}>
      {data.type !== 'trigger' && <Handle type="target" position={Position.Top} />}
      <div className="step-label">{data.label}</div>
      {data.summary && <div className="step-summary">{data.summary}</div>}
      <div className="step-outputs">
        {data.outputs.map((output, i) => (
          <Handle
            key={output}
            id={output}
            type="source"
            position={Position.Bottom}
            style={{ left: `${((i + 1) / (data.outputs.length + 1)) * 100}%` }}
            title={output}
          />
        ))}
      </div>
    </div>
  );
});
