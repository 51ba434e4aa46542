import { useResource } from '../hooks';
import { ErrorNotice, Field, formatNumber, Tabs } from '../ui';
import type { CampaignApi } from './api';
import { CsvAudience } from './csv-audience';
import type { AudienceChoice } from './form-model';

/** Who the campaign reaches: a saved segment (evaluated at launch) or the contacts of a CSV import. */
export function AudienceSection({
  api,
  value,
  onChange,
  error,
}: {
  api: CampaignApi;
  value: AudienceChoice;
  onChange: (a: AudienceChoice) => void;
  error?: string | undefined;
}) {
  return (
    <section className="panel" aria-labelledby="campaign-audience">
      <h2 id="campaign-audience">Audience</h2>
      <Tabs
        label="Audience source"
        tabs={[
          { key: 'segment', label: 'Saved segment' },
          { key: 'import', label: 'CSV file' },
        ]}
        active={value.kind}
        onChange={(k) =>
          onChange(
            k === 'segment' ? { kind: 'segment', segmentId: '' } : { kind: 'import', importId: null, filename: null },
          )
        }
      />
      <div className="tab-body">
        {value.kind === 'segment' ? (
          <SegmentPicker
            api={api}
            segmentId={value.segmentId}
            onChange={(segmentId) => onChange({ kind: 'segment', segmentId })}
          />
        ) : value.importId ? (
          <ImportedFile
            api={api}
            importId={value.importId}
            onReplace={() => onChange({ kind: 'import', importId: null, filename: null })}
          />
        ) : (
          <CsvAudience
            api={api}
            onImported={(importId, filename) => onChange({ kind: 'import', importId, filename })}
          />
        )}
      </div>
      {error && (
        <p className="warn" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

function SegmentPicker({
  api,
  segmentId,
  onChange,
}: {
  api: CampaignApi;
  segmentId: string;
  onChange: (id: string) => void;
}) {
  const segments = useResource(() => api.segments(), 'segments');
  const count = useResource(
    () => (segmentId ? api.segmentCount(segmentId) : Promise.resolve(null)),
    `segment-count:${segmentId}`,
  );
  return (
    <div className="form-grid">
      <Field
        label="Segment"
        hint={
          segmentId && count.data
            ? `${formatNumber(count.data.count)} contacts match now; the list is fixed at launch.`
            : 'Contacts matching the segment at launch become the recipients.'
        }
      >
        {(id) => (
          <select id={id} value={segmentId} onChange={(e) => onChange(e.currentTarget.value)}>
            <option value="">Choose a segment…</option>
            {segments.data?.items.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <ErrorNotice error={segments.error} />
      {segments.data?.items.length === 0 && <p className="muted">No saved segments yet: create one under Contacts.</p>}
    </div>
  );
}

function ImportedFile({ api, importId, onReplace }: { api: CampaignApi; importId: string; onReplace: () => void }) {
  const job = useResource(() => api.importJob(importId), `import:${importId}`);
  const j = job.data;
  return (
    <div className="row imported-file" role="status">
      <span>
        Audience: the contacts of <strong>{j?.filename ?? 'the imported file'}</strong>
        {j &&
          ` — ${formatNumber(j.createdRows + j.updatedRows + j.skippedRows)} contacts imported, ${formatNumber(j.errorRows)} rows refused`}
      </span>
      <button type="button" className="link" onClick={onReplace}>
        Use another file
      </button>
      <ErrorNotice error={job.error} />
    </div>
  );
}
