import { useMemo, useState } from 'react';
import { z } from 'zod';
import { ApiError } from '../../api-client';
import { useAction, useResource } from '../hooks';
import { useSession } from '../session';
import { ErrorNotice, Field, formatNumber, StatusBadge } from '../ui';
import { type CampaignApi, type Check, type ImportJob, type Upload, UploadSchema } from './api';

/** Contact fields a column can fill (api/imports/mapping.ts STANDARD_TARGETS), then custom fields. */
const STANDARD_TARGETS = [
  { value: 'ignore', label: 'Ignore this column' },
  { value: 'phone', label: 'Phone' },
  { value: 'email', label: 'Email' },
  { value: 'firstName', label: 'First name' },
  { value: 'lastName', label: 'Last name' },
  { value: 'timeZone', label: 'Time zone' },
  { value: 'tags', label: 'Tags' },
  { value: 'leadStatus', label: 'Lead status' },
] as const;

const PREVIEW_ROWS = 10;

const MappingProblemsSchema = z.array(z.object({ column: z.string(), message: z.string() }));

/** `invalid_mapping` names the columns at fault in `details`: shown on each column's field. */
function mappingProblems(error: unknown): Map<string, string> {
  if (!(error instanceof ApiError) || error.code !== 'invalid_mapping') return new Map();
  const parsed = MappingProblemsSchema.safeParse(error.details);
  return new Map(parsed.success ? parsed.data.map((p) => [p.column, p.message]) : []);
}
const IMPORT_POLL_MS = 500;

/**
 * A CSV audience in four steps: upload (columns and first rows), map columns to contact fields,
 * check every row (a dry run listing the bad ones), import the good rows. `onImported` hands the
 * finished import to the campaign as its audience.
 */
export function CsvAudience({
  api,
  onImported,
}: {
  api: CampaignApi;
  onImported: (importId: string, filename: string) => void;
}) {
  const { transfers } = useSession();
  const [upload, setUpload] = useState<Upload | null>(null);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [defaultCountry, setDefaultCountry] = useState('');
  const [check, setCheck] = useState<Check | null>(null);
  const [job, setJob] = useState<ImportJob | null>(null);
  const fields = useResource(() => api.customFields(), 'contact-fields');

  const uploading = useAction(async (file: File) => {
    const form = new FormData();
    form.append('file', file, file.name);
    const answer = UploadSchema.parse(await transfers.upload('/v1/imports', form));
    setUpload(answer);
    setMapping(answer.suggestedMapping);
    setCheck(null);
    setJob(null);
  });
  const body = () => ({ mapping, ...(defaultCountry.trim() ? { defaultCountry: defaultCountry.trim() } : {}) });
  const checking = useAction(async () => {
    if (upload) setCheck(await api.checkImport(upload.id, body()));
  });
  const importing = useAction(async () => {
    if (!upload) return;
    let current = await api.startImport(upload.id, body());
    setJob(current);
    // The import runs in the background on the API; its counters move batch by batch.
    while (current.status === 'pending' || current.status === 'running') {
      await new Promise((r) => setTimeout(r, IMPORT_POLL_MS));
      current = await api.importJob(upload.id);
      setJob(current);
    }
    if (current.status === 'completed') onImported(current.id, current.filename);
  });

  const problems = mappingProblems(checking.error ?? importing.error);
  const badRows = useMemo(() => new Map(check?.errors.map((e) => [e.rowNumber, e]) ?? []), [check]);
  const targets = [
    ...STANDARD_TARGETS,
    ...(fields.data?.items ?? []).map((f) => ({ value: `fields.${f.key}`, label: `Custom: ${f.label}` })),
  ];
  const locked = job !== null;

  return (
    <div className="csv-audience">
      <div className="form-grid">
        <Field label="CSV file" hint="A header row naming the columns, then one contact per row.">
          {(id) => (
            <input
              id={id}
              type="file"
              accept=".csv,.tsv,text/csv"
              disabled={uploading.busy || locked}
              onChange={(e) => {
                const file = e.currentTarget.files?.[0];
                if (file) void uploading.run(file);
              }}
            />
          )}
        </Field>
        <Field label="Default country" hint="For national numbers without +, e.g. US. Optional.">
          {(id) => (
            <input
              id={id}
              value={defaultCountry}
              maxLength={2}
              disabled={locked}
              placeholder="US"
              onChange={(e) => {
                setDefaultCountry(e.currentTarget.value.toUpperCase());
                setCheck(null);
              }}
            />
          )}
        </Field>
      </div>
      <ErrorNotice error={uploading.error} onDismiss={uploading.clear} />
      {upload && (
        <>
          <section className="csv-step" aria-label="File preview">
            <h3>
              Preview of {upload.filename}{' '}
              <span className="muted">
                ({formatNumber(upload.totalRows)} rows, first {Math.min(PREVIEW_ROWS, upload.preview.length)} shown)
              </span>
            </h3>
            <div className="table-wrap">
              <table className="data csv-preview">
                <thead>
                  <tr>
                    <th scope="col">Row</th>
                    {upload.headers.map((h) => (
                      <th key={h} scope="col">
                        {h}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {upload.preview.slice(0, PREVIEW_ROWS).map((cells, i) => {
                    // Row 1 is the header, as in a spreadsheet and in the API's row numbers.
                    const rowNumber = i + 2;
                    const bad = badRows.get(rowNumber);
                    return (
                      <tr key={rowNumber} className={bad ? 'row-bad' : undefined}>
                        <td>{rowNumber}</td>
                        {upload.headers.map((h, c) => {
                          const problem = bad?.errors.find((e) => e.column === h);
                          return (
                            <td key={h} className={problem ? 'cell-bad' : undefined} title={problem?.message}>
                              {cells[c] ?? ''}
                            </td>
                          );
                        })}
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </section>

          <section className="csv-step" aria-label="Column mapping">
            <h3>
              Map columns to contact fields
              {upload.savedMapping && <span className="muted"> (from the saved mapping “{upload.savedMapping}”)</span>}
            </h3>
            <div className="form-grid">
              {upload.headers.map((h) => (
                <Field key={h} label={`Column “${h}”`} error={problems.get(h)}>
                  {(id) => (
                    <select
                      id={id}
                      value={mapping[h] ?? 'ignore'}
                      disabled={locked}
                      onChange={(e) => {
                        const value = e.currentTarget.value;
                        setMapping((m) => ({ ...m, [h]: value }));
                        setCheck(null);
                      }}
                    >
                      {targets.map((t) => (
                        <option key={t.value} value={t.value}>
                          {t.label}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
              ))}
            </div>
            <div className="row">
              <button type="button" onClick={() => void checking.run()} disabled={checking.busy || locked}>
                {checking.busy ? 'Checking…' : 'Check rows'}
              </button>
            </div>
            <ErrorNotice error={checking.error} onDismiss={checking.clear} />
            {problems.get('') && <p className="warn">{problems.get('')}</p>}
          </section>

          {check && <CheckReport check={check} />}

          {check && (
            <section className="csv-step" aria-label="Import">
              <div className="row">
                <button
                  type="button"
                  className="primary"
                  disabled={check.validRows === 0 || importing.busy || locked}
                  onClick={() => void importing.run()}
                >
                  Import {formatNumber(check.validRows)} good rows
                </button>
                {check.errorRows > 0 && <span className="muted">The {check.errorRows} bad rows are left out.</span>}
              </div>
              <ErrorNotice error={importing.error} onDismiss={importing.clear} />
              {job && (
                <ImportProgress
                  job={job}
                  onErrors={() => void transfers.download(`/v1/imports/${job.id}/errors.csv`, 'import-errors.csv')}
                />
              )}
            </section>
          )}
        </>
      )}
    </div>
  );
}

function CheckReport({ check }: { check: Check }) {
  return (
    <section className="csv-step" aria-label="Row check">
      <h3>Row check</h3>
      <p role="status">
        {formatNumber(check.totalRows)} rows: <strong>{formatNumber(check.validRows)} good</strong>,{' '}
        <strong className={check.errorRows ? 'warn' : undefined}>{formatNumber(check.errorRows)} with errors</strong>
        {check.duplicateRows > 0 && `, ${formatNumber(check.duplicateRows)} repeating an earlier row (merged)`}.
      </p>
      {check.errors.length > 0 && (
        <div className="table-wrap">
          <table className="data" aria-label="Rows with errors">
            <thead>
              <tr>
                <th scope="col">Row</th>
                <th scope="col">Column</th>
                <th scope="col">Problem</th>
                <th scope="col">Values</th>
              </tr>
            </thead>
            <tbody>
              {check.errors.flatMap((row) =>
                row.errors.map((e) => (
                  <tr key={`${row.rowNumber}:${e.column}:${e.message}`}>
                    <td>{row.rowNumber}</td>
                    <td>{e.column || '—'}</td>
                    <td className="warn">{e.message}</td>
                    <td className="muted">{Object.values(row.raw).join(' · ')}</td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </div>
      )}
      {check.truncated && <p className="muted">Only the first {check.errors.length} rows with errors are listed.</p>}
    </section>
  );
}

function ImportProgress({ job, onErrors }: { job: ImportJob; onErrors: () => void }) {
  const pct = Math.round(job.progress * 100);
  return (
    <div className="import-progress" role="status" aria-label="Import progress">
      <div className="row">
        <StatusBadge status={job.status} />
        <span>
          {formatNumber(job.processedRows)} of {formatNumber(job.totalRows)} rows
        </span>
      </div>
      <div className="progress" aria-hidden="true">
        <span style={{ width: `${pct}%` }} />
      </div>
      {job.status === 'completed' && (
        <p>
          Imported: {formatNumber(job.createdRows)} created, {formatNumber(job.updatedRows)} updated
          {job.skippedRows > 0 && `, ${formatNumber(job.skippedRows)} skipped`},{' '}
          <span className={job.errorRows ? 'warn' : undefined}>{formatNumber(job.errorRows)} refused</span>.
          {job.errorRows > 0 && (
            <>
              {' '}
              <button type="button" className="link" onClick={onErrors}>
                Download the refused rows
              </button>
            </>
          )}
        </p>
      )}
      {job.error && <p className="warn">{job.error}</p>}
    </div>
  );
}
