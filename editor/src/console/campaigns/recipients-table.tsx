import { useState } from 'react';
import { RECIPIENT_STATUSES } from '../../../../flow';
import { useResource } from '../hooks';
import { Empty, ErrorNotice, Field, formatDateTime, Loading, StatusBadge } from '../ui';
import type { CampaignApi, Recipient } from './api';

const PAGE_SIZE = 25;

/**
 * The campaign's recipients in snapshot order, a page at a time (the API pages by cursor, so the
 * screen keeps the cursors it came through to go back). `version` changes when the campaign's counts
 * move, which reloads the page shown.
 */
export function RecipientsTable({
  api,
  campaignId,
  version,
}: {
  api: CampaignApi;
  campaignId: string;
  version: string;
}) {
  const [status, setStatus] = useState('');
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const page = useResource(
    () => api.recipients(campaignId, { status: status || undefined, cursor, limit: PAGE_SIZE }),
    `${campaignId}?${status}&${cursor}&${version}`,
  );
  const pageNumber = cursors.length;

  return (
    <section className="panel" aria-labelledby="recipients-heading">
      <div className="row section-head">
        <h2 id="recipients-heading">Recipients</h2>
        <Field label="Filter by state">
          {(id) => (
            <select
              id={id}
              value={status}
              onChange={(e) => {
                setStatus(e.currentTarget.value);
                setCursors([null]);
              }}
            >
              <option value="">All states</option>
              {RECIPIENT_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <ErrorNotice error={page.error} />
      {!page.data ? (
        <Loading />
      ) : page.data.items.length === 0 ? (
        <Empty>No recipients{status ? ` ${status}` : ''}.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="data" aria-label="Recipients">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Contact</th>
                <th scope="col">State</th>
                <th scope="col">Attempts</th>
                <th scope="col">Outcome</th>
                <th scope="col">Why</th>
                <th scope="col">Started</th>
                <th scope="col">Finished</th>
              </tr>
            </thead>
            <tbody>
              {page.data.items.map((r) => (
                <RecipientRow key={r.id} r={r} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="row pager" aria-label="Recipient pages">
        <button type="button" disabled={pageNumber === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Previous page
        </button>
        <span className="muted">Page {pageNumber}</span>
        <button
          type="button"
          disabled={!page.data?.nextCursor}
          onClick={() => {
            const next = page.data?.nextCursor;
            if (next) setCursors((c) => [...c, next]);
          }}
        >
          Next page
        </button>
      </nav>
    </section>
  );
}

function RecipientRow({ r }: { r: Recipient }) {
  const c = r.contact;
  return (
    <tr>
      <td>{r.seq + 1}</td>
      <td>
        {c ? (
          <>
            <div>{c.name ?? c.phone ?? c.email}</div>
            <small className="muted">{[c.name ? c.phone : null, c.email].filter(Boolean).join(' · ')}</small>
          </>
        ) : (
          <span className="muted">Contact removed</span>
        )}
      </td>
      <td>
        <StatusBadge status={r.status} />
        {r.run && r.run.status !== r.status && <small className="muted"> journey {r.run.status}</small>}
      </td>
      <td>{r.attempts}</td>
      <td>{r.outcome ?? '—'}</td>
      <td>
        {r.reason ? (
          <>
            <code>{r.reason}</code> <span className="muted">{r.detail}</span>
          </>
        ) : (
          '—'
        )}
        {r.nextAttemptAt && <small className="muted"> next try {formatDateTime(r.nextAttemptAt)}</small>}
      </td>
      <td>{formatDateTime(r.startedAt)}</td>
      <td>{formatDateTime(r.finishedAt)}</td>
    </tr>
  );
}
