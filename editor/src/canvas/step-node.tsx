import { Handle, type NodeProps, Position } from '@xyflow/react';
import { memo } from 'react';
import { getNodeDescriptor } from '../../../flow';
import { type StepNode as StepNodeType, stepOutputs, summarize } from './flow-mapping';

/** Counts renders in development benchmarks (bench/editor reads it). */
export const renderCounts = { steps: 0 };

/**
 * A flow step: a target handle on top (none on the trigger), one source handle per named output
 * along the bottom, its problems as a badge, and run/funnel decorations. Memoised: it re-renders
 * only when its own data object changes.
 */
export const StepNode = memo(function StepNode({ id, data, selected }: NodeProps<StepNodeType>) {
  renderCounts.steps++;
  const descriptor = getNodeDescriptor(data.type);
  const outputs = stepOutputs(data.type, data.params);
  const problems = data.issues.length;
  const classes = [
    'step',
    `step-cat-${descriptor?.category ?? 'unknown'}`,
    selected ? 'is-selected' : '',
    problems ? 'has-issues' : '',
    data.highlight ? `is-${data.highlight}` : '',
  ].join(' ');
  return (
    <article
      className={classes}
      data-testid={`step-${id}`}
      data-type={data.type}
      aria-label={`${descriptor?.label ?? data.type} ${id}`}
    >
      {data.type !== 'trigger' && <Handle type="target" position={Position.Top} />}
      <div className="step-head">
        <span className="step-label">{descriptor?.label ?? `Unknown: ${data.type}`}</span>
        <span className="step-id">{id}</span>
      </div>
      <div className="step-summary">{summarize(data.type, data.params)}</div>
      {problems > 0 && (
        <div className="step-issues" title={data.issues.map((i) => i.message).join('\n')} role="status">
          {problems} problem{problems === 1 ? '' : 's'}
        </div>
      )}
      {data.funnel && (
        <div className="step-funnel" title="journeys through this step / waiting here now">
          <span>{data.funnel.through} through</span>
          {data.funnel.at > 0 && <span className="step-funnel-at">{data.funnel.at} here</span>}
        </div>
      )}
      <div className="step-outputs">
        {outputs.map((output, i) => (
          <div key={output} className="step-output" style={{ left: `${((i + 1) / (outputs.length + 1)) * 100}%` }}>
            <span className="step-output-label">{output}</span>
            <Handle id={output} type="source" position={Position.Bottom} data-testid={`handle-${id}-${output}`} />
          </div>
        ))}
      </div>
    </article>
  );
});
