import { StatusBadge } from '../ui';
import type { Source } from './api';

/** Status and how far ingestion got: chunks embedded out of chunks cut, or why it failed. */
export function SourceProgress({ source }: { source: Source }) {
  const { chunks, embedded, stage } = source.progress;
  const share = chunks > 0 ? Math.min(1, embedded / chunks) : source.status === 'ready' ? 1 : 0;
  const label = `${source.title}: ${embedded} of ${chunks} chunks embedded`;
  return (
    <div className="kb-progress">
      <StatusBadge status={source.status} />
      {source.status === 'failed' && source.error ? (
        <small className="warn">
          <code>{source.error.code}</code> {source.error.message}
        </small>
      ) : (
        <>
          <div
            className="progress"
            role="progressbar"
            aria-label={label}
            aria-valuemin={0}
            aria-valuemax={Math.max(chunks, 1)}
            aria-valuenow={embedded}
          >
            <span style={{ width: `${Math.round(share * 100)}%` }} />
          </div>
          <small className="muted">
            {embedded} / {chunks} chunks{stage && source.status !== 'ready' ? ` · ${stage}` : ''}
          </small>
        </>
      )}
    </div>
  );
}
