import { useEffect, useMemo, useState } from 'react';
import { CAMPAIGN_STATUSES } from '../../../../flow';
import { navigate } from '../../router';
import { useResource } from '../hooks';
import { useSession } from '../session';
import { Empty, ErrorNotice, Field, formatDateTime, formatNumber, Loading, PageHeader, StatusBadge } from '../ui';
import { type Campaign, campaignApi } from './api';
import { doneCount } from './progress';

/** Campaigns still moving refresh the list this often. */
const LIVE_REFRESH_MS = 3000;

export function CampaignList() {
  const { request } = useSession();
  const api = useMemo(() => campaignApi(request), [request]);
  const [status, setStatus] = useState('');
  const [live, setLive] = useState(false);
  const list = useResource(() => api.list(status || undefined), `campaigns:${status}`, {
    intervalMs: live ? LIVE_REFRESH_MS : undefined,
  });
  // Poll only while something moves (running, scheduled or cancelling campaigns).
  const moving =
    list.data?.items.some((c) => c.status === 'running' || c.status === 'scheduled' || c.status === 'cancelling') ??
    false;
  useEffect(() => setLive(moving), [moving]);
  const items = list.data?.items;

  return (
    <>
      <PageHeader
        title="Campaigns"
        description="Bulk calls and messages with calling windows, pacing, retries and a live dashboard."
        actions={
          <button type="button" className="primary" onClick={() => navigate('/campaigns/new')}>
            New campaign
          </button>
        }
      />
      <div className="row">
        <Field label="Status">
          {(id) => (
            <select id={id} value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
              <option value="">All</option>
              {CAMPAIGN_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <ErrorNotice error={list.error} />
      {!items ? (
        <Loading />
      ) : items.length === 0 ? (
        <Empty>No campaigns{status ? ` ${status}` : ''} yet. “New campaign” starts one.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="data" aria-label="Campaigns">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Progress</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <CampaignRow key={c.id} campaign={c} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function CampaignRow({ campaign: c }: { campaign: Campaign }) {
  const done = doneCount(c.recipients);
  const pct = c.totalRecipients ? Math.round((done / c.totalRecipients) * 100) : 0;
  const href = c.status === 'draft' ? `#/campaigns/${c.id}/edit` : `#/campaigns/${c.id}`;
  return (
    <tr>
      <td>
        <a href={href}>{c.name}</a>
      </td>
      <td>
        <StatusBadge status={c.status} />
      </td>
      <td className="progress-cell">
        {c.status === 'draft' ? (
          <span className="muted">Not launched</span>
        ) : (
          <>
            <div
              className="progress"
              role="progressbar"
              aria-label={`${c.name} progress`}
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={pct}
            >
              <span style={{ width: `${pct}%` }} />
            </div>
            <small className="muted">
              {formatNumber(done)} / {formatNumber(c.totalRecipients)}
            </small>
          </>
        )}
      </td>
      <td>{formatDateTime(c.createdAt)}</td>
    </tr>
  );
}
