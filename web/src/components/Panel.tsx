/**
 * A chart with its table view and CSV export of the same rows, and the states every panel
 * has: loading, the server's error (with its fix), nothing for this selection.
 */
import { type ReactNode, useId, useState } from 'react';
import type { ApiError, Row } from '../api.js';
import { downloadCsv } from '../csv.js';
import { type Column, DataTable } from './DataTable.js';

export type PanelStatus = { state: 'loading' } | { state: 'error'; error: ApiError } | { state: 'done' };

export function ErrorBox(props: { error: ApiError }) {
  return (
    <div className="error" role="alert">
      <strong>Could not load this: </strong>
      {props.error.message}
      {props.error.fix ? <div className="fix">Fix: {props.error.fix}</div> : null}
    </div>
  );
}

export function Loading(props: { what?: string }) {
  return (
    <div className="loading" aria-busy="true">
      Loading {props.what ?? ''}…
    </div>
  );
}

export function Panel(props: {
  title: string;
  /** One sentence: what the chart answers, in the plant's words. */
  note?: ReactNode;
  status: PanelStatus;
  columns: Column[];
  rows: Row[];
  csvName: string;
  chart?: ReactNode;
  rowAction?: (row: Row) => ReactNode;
  empty?: string;
  toolbar?: ReactNode;
  wide?: boolean;
  maxTableRows?: number;
  startWith?: 'chart' | 'table';
}) {
  const [view, setView] = useState<'chart' | 'table'>(props.chart ? (props.startWith ?? 'chart') : 'table');
  const headingId = useId();
  const hasRows = props.status.state === 'done' && props.rows.length > 0;
  let body: ReactNode;
  if (props.status.state === 'loading') body = <Loading />;
  else if (props.status.state === 'error') body = <ErrorBox error={props.status.error} />;
  else if (!hasRows)
    body = (
      <p className="empty">{props.empty ?? 'Nothing for this selection. Widen the filters or the dates.'}</p>
    );
  else if (view === 'chart' && props.chart) body = props.chart;
  else
    body = (
      <DataTable
        columns={props.columns}
        rows={props.rows}
        caption={props.title}
        rowAction={props.rowAction}
        maxRows={props.maxTableRows}
      />
    );

  return (
    <section
      className={props.wide ? 'panel wide' : 'panel'}
      aria-labelledby={headingId}
      data-panel={props.csvName}
    >
      <header className="panel-head">
        <h2 id={headingId}>{props.title}</h2>
        <div className="panel-tools">
          {props.toolbar}
          {props.chart ? (
            <fieldset className="toggle" aria-label={`${props.title}: view`}>
              <button type="button" aria-pressed={view === 'chart'} onClick={() => setView('chart')}>
                Chart
              </button>
              <button type="button" aria-pressed={view === 'table'} onClick={() => setView('table')}>
                Table
              </button>
            </fieldset>
          ) : null}
          <button
            type="button"
            disabled={!hasRows}
            onClick={() =>
              downloadCsv(
                `${props.csvName}.csv`,
                props.columns.map((column) => column.name),
                props.rows,
              )
            }
          >
            CSV
          </button>
        </div>
      </header>
      {props.note ? <p className="panel-note">{props.note}</p> : null}
      {body}
    </section>
  );
}
