import { type ReactNode, useId } from 'react';
import type { Resource } from '../hooks';
import { Empty, ErrorNotice, Loading } from '../ui';
import { type DataTable, downloadCsv } from './csv';

interface PanelProps<T> {
  title: string;
  /** The CSV's file name, without extension (the period is appended). */
  fileName: string;
  /** e.g. "2026-01-01 to 2026-01-31", for the file name and captions. */
  periodLabel: string;
  description?: ReactNode;
  resource: Pick<Resource<T>, 'data' | 'error' | 'loading'>;
  /** The data the panel shows, as rows: what the CSV holds and what screen readers get. */
  table: (data: T) => DataTable;
  isEmpty: (data: T) => boolean;
  emptyText: string;
  /** One sentence summing the chart up, its accessible name. */
  summary: (data: T) => string;
  /**
   * `hidden-table`: the chart is an image named by `summary`, with the rows in a visually hidden
   * table beside it. `self`: the content is accessible as it is (a table of labelled cells).
   */
  alternative?: 'hidden-table' | 'self';
  controls?: ReactNode;
  wide?: boolean;
  children: (data: T) => ReactNode;
}

/** A dashboard panel: title, CSV button, and loading, error (with the API's code), empty or the chart. */
export function DashboardPanel<T>(props: PanelProps<T>) {
  const { title, resource, isEmpty, alternative = 'hidden-table' } = props;
  const headingId = useId();
  const { data, error, loading } = resource;
  const ready = !error && data !== null && !isEmpty(data);
  const safeName = props.periodLabel.replace(/[^0-9A-Za-z-]+/g, '_');
  return (
    <section
      className={`panel dash-panel${props.wide ? ' dash-wide' : ''}`}
      aria-labelledby={headingId}
      aria-busy={loading}
    >
      <header className="dash-panel-head">
        <h2 id={headingId}>{title}</h2>
        <div className="row">
          {props.controls}
          <button
            type="button"
            disabled={!ready}
            aria-label={`Download ${title} CSV`}
            onClick={() => data !== null && downloadCsv(props.table(data), `${props.fileName}-${safeName}`)}
          >
            CSV
          </button>
        </div>
      </header>
      {props.description && <p className="muted dash-description">{props.description}</p>}
      {error ? (
        <ErrorNotice error={error} />
      ) : data === null ? (
        <Loading />
      ) : isEmpty(data) ? (
        <Empty>{props.emptyText}</Empty>
      ) : alternative === 'self' ? (
        props.children(data)
      ) : (
        <>
          <div role="img" aria-label={props.summary(data)} className="dash-chart">
            {props.children(data)}
          </div>
          <HiddenTable caption={`${title}, ${props.periodLabel}`} table={props.table(data)} />
        </>
      )}
    </section>
  );
}

function HiddenTable({ caption, table }: { caption: string; table: DataTable }) {
  return (
    <table className="visually-hidden">
      <caption>{caption}</caption>
      <thead>
        <tr>
          {table.columns.map((c) => (
            <th key={c} scope="col">
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {table.rows.map((row, i) => (
          // Rows have no identity beyond their place in the table.
          // biome-ignore lint/suspicious/noArrayIndexKey: a static rendering of the rows.
          <tr key={i}>
            {row.map((cell, j) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: cells by column.
              <td key={j}>{cell ?? ''}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
