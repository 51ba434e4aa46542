import { type FormEvent, useState } from 'react';
import { useAction, useResource } from '../hooks';
import { ErrorNotice, Field, formatNumber, Loading, Stat, StatusBadge } from '../ui';
import { type ImportJob, STANDARD_TARGETS, type UploadedCsv, useContactsApi } from './api';
import { ContactsHeader } from './contacts-header';
import { parseCsv } from './csv';

const TARGET_LABELS: Record<(typeof STANDARD_TARGETS)[number], string> = {
  firstName: 'First name',
  lastName: 'Last name',
  phone: 'Phone',
  email: 'Email',
  timeZone: 'Time zone',
  tags: 'Tags',
  leadStatus: 'Lead status',
};

/**
 * `#/contacts/import`: upload a CSV (the imports API answers its columns, first rows and a
 * suggested mapping), adjust the mapping, import, and see the counters and each refused row.
 */
export function ImportContacts() {
  const [uploaded, setUploaded] = useState<UploadedCsv | null>(null);
  const [job, setJob] = useState<ImportJob | null>(null);
  return (
    <main className="console-page">
      <ContactsHeader view="import" />
      {!uploaded ? (
        <UploadStep onUploaded={setUploaded} />
      ) : !job ? (
        <MappingStep uploaded={uploaded} onStarted={setJob} onCancel={() => setUploaded(null)} />
      ) : (
        <ProgressStep
          job={job}
          onAgain={() => {
            setJob(null);
            setUploaded(null);
          }}
        />
      )}
    </main>
  );
}

function UploadStep({ onUploaded }: { onUploaded: (u: UploadedCsv) => void }) {
  const api = useContactsApi();
  const [file, setFile] = useState<File | null>(null);
  const upload = useAction(async () => {
    if (file) onUploaded(await api.uploadCsv(file));
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void upload.run();
  };
  return (
    <form className="panel ct-import" onSubmit={onSubmit} aria-label="Upload a CSV">
      <h2>1. Upload a CSV file</h2>
      <p className="muted">
        One contact per row with a header row. Rows whose phone or email matches an existing contact update it (or are
        skipped, as you choose next).
      </p>
      <Field label="CSV file">
        {(id) => (
          <input id={id} type="file" accept=".csv,text/csv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        )}
      </Field>
      <ErrorNotice error={upload.error} onDismiss={upload.clear} />
      <div className="row">
        <button type="submit" className="primary" disabled={!file || upload.busy}>
          {upload.busy ? 'Uploading…' : 'Upload'}
        </button>
      </div>
    </form>
  );
}

function MappingStep({
  uploaded,
  onStarted,
  onCancel,
}: {
  uploaded: UploadedCsv;
  onStarted: (job: ImportJob) => void;
  onCancel: () => void;
}) {
  const api = useContactsApi();
  const fields = useResource(() => api.fields(), 'fields');
  const [mapping, setMapping] = useState<Record<string, string>>(() =>
    Object.fromEntries(uploaded.headers.map((h) => [h, uploaded.suggestedMapping[h] ?? 'ignore'])),
  );
  const [country, setCountry] = useState('US');
  const [dedupe, setDedupe] = useState<'update' | 'skip'>('update');
  const start = useAction(async () => {
    const c = country.trim().toUpperCase();
    onStarted(await api.startImport(uploaded.id, { mapping, dedupe, ...(c ? { defaultCountry: c } : {}) }));
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void start.run();
  };
  const targets = [
    ...STANDARD_TARGETS.map((t) => ({ value: t, label: TARGET_LABELS[t] })),
    ...(fields.data?.items ?? []).map((f) => ({ value: `fields.${f.key}`, label: `Field: ${f.label}` })),
  ];
  return (
    <form className="panel ct-import" onSubmit={onSubmit} aria-label="Map the columns">
      <h2>
        2. Map the columns of {uploaded.filename}{' '}
        <span className="muted ct-small">
          {formatNumber(uploaded.totalRows)} rows{uploaded.savedMapping ? ` · mapping “${uploaded.savedMapping}”` : ''}
        </span>
      </h2>
      <div className="table-wrap">
        <table className="data ct-mapping">
          <thead>
            <tr>
              {uploaded.headers.map((h) => (
                <th key={h} scope="col">
                  <div>{h}</div>
                  <select
                    aria-label={`Map column ${h}`}
                    value={mapping[h] ?? 'ignore'}
                    onChange={(e) => setMapping((m) => ({ ...m, [h]: e.target.value }))}
                  >
                    <option value="ignore">Ignore</option>
                    {targets.map((t) => (
                      <option key={t.value} value={t.value}>
                        {t.label}
                      </option>
                    ))}
                  </select>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {uploaded.preview.map((row, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: preview rows have no identity but their place.
              <tr key={i}>
                {uploaded.headers.map((h, j) => (
                  <td key={h}>{row[j] ?? ''}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="row ct-import-options">
        <Field label="Default country" hint="For phone numbers without a + prefix">
          {(id) => (
            <input id={id} value={country} maxLength={2} size={4} onChange={(e) => setCountry(e.target.value)} />
          )}
        </Field>
        <Field label="Existing contacts">
          {(id) => (
            <select id={id} value={dedupe} onChange={(e) => setDedupe(e.target.value === 'skip' ? 'skip' : 'update')}>
              <option value="update">Update them</option>
              <option value="skip">Skip those rows</option>
            </select>
          )}
        </Field>
      </div>
      <ErrorNotice error={start.error} onDismiss={start.clear} />
      <div className="row">
        <button type="button" onClick={onCancel}>
          Choose another file
        </button>
        <button type="submit" className="primary" disabled={start.busy}>
          Import {formatNumber(uploaded.totalRows)} rows
        </button>
      </div>
    </form>
  );
}

function ProgressStep({ job: started, onAgain }: { job: ImportJob; onAgain: () => void }) {
  const api = useContactsApi();
  const [done, setDone] = useState(false);
  const job = useResource(
    async () => {
      const j = await api.importJob(started.id);
      if (j.status === 'completed' || j.status === 'failed') setDone(true);
      return j;
    },
    started.id,
    done ? {} : { intervalMs: 1000 },
  );
  const j = job.data ?? started;
  return (
    <section className="panel ct-import" aria-label="Import progress">
      <h2 className="row">
        3. Importing {j.filename} <StatusBadge status={j.status} />
      </h2>
      <div
        className="progress"
        role="progressbar"
        aria-label="Rows processed"
        aria-valuemin={0}
        aria-valuemax={Math.max(j.totalRows, 1)}
        aria-valuenow={j.processedRows}
      >
        <span style={{ width: `${Math.round(j.progress * 100)}%` }} />
      </div>
      <div className="stats">
        <Stat label="Processed" value={`${formatNumber(j.processedRows)} / ${formatNumber(j.totalRows)}`} />
        <Stat label="Created" value={formatNumber(j.createdRows)} />
        <Stat label="Updated" value={formatNumber(j.updatedRows)} />
        <Stat label="Skipped" value={formatNumber(j.skippedRows)} />
        <Stat label="Rows with errors" value={formatNumber(j.errorRows)} />
      </div>
      {j.error && (
        <div className="notice notice-error" role="alert">
          {j.error}
        </div>
      )}
      <ErrorNotice error={job.error} />
      {done && j.errorRows > 0 && <RowErrors importId={j.id} />}
      {done && (
        <div className="row">
          <a href="#/contacts">See the contacts</a>
          <button type="button" onClick={onAgain}>
            Import another file
          </button>
        </div>
      )}
    </section>
  );
}

/** The refused rows: line, column and why, from the API's error report. */
function RowErrors({ importId }: { importId: string }) {
  const api = useContactsApi();
  const report = useResource(async () => parseCsv(await api.importErrors(importId)), importId);
  const download = useAction(() => api.importErrorsDownload(importId));
  const [header, ...rows] = report.data ?? [];
  // Columns after row, column and message are the row's original cells.
  const original = header?.slice(3) ?? [];
  return (
    <div className="ct-row-errors">
      <div className="row">
        <h3>Rows not imported</h3>
        <button type="button" disabled={download.busy} onClick={() => void download.run()}>
          Download the errors (CSV)
        </button>
      </div>
      <ErrorNotice error={report.error ?? download.error} />
      {!report.data ? (
        <Loading />
      ) : (
        <div className="table-wrap">
          <table className="data" aria-label="Row errors">
            <thead>
              <tr>
                <th scope="col">Row</th>
                <th scope="col">Column</th>
                <th scope="col">Problem</th>
                {original.map((h) => (
                  <th key={h} scope="col">
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.slice(0, 200).map((r, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a row can have several problems; its place is its identity.
                <tr key={i}>
                  {r.map((cell, j) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: cells by column position.
                    <td key={j} className={j === 2 ? 'warn' : undefined}>
                      {cell}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {rows.length > 200 && <p className="muted">The first 200 problems; download the CSV for all {rows.length}.</p>}
    </div>
  );
}
