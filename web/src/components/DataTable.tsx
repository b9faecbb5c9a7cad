/** The table view of a chart: the same rows, formatted for reading; the raw value in data-value. */
import type { ReactNode } from 'react';
import type { Display, Row } from '../api.js';
import { formatValue, guessDisplay } from '../format.js';

export interface Column {
  name: string;
  label?: string;
  display?: Display;
  /** A cell written otherwise than by its display (a timestamp, a status with a word). */
  render?: (row: Row) => ReactNode;
}

export function displayOf(column: Column): Display {
  return column.display ?? guessDisplay(column.name);
}

export function DataTable(props: {
  columns: Column[];
  rows: Row[];
  caption: string;
  rowAction?: (row: Row) => ReactNode;
  maxRows?: number;
}) {
  const shown = props.maxRows ? props.rows.slice(0, props.maxRows) : props.rows;
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((column) => (
              <th key={column.name} scope="col" className={displayOf(column) === 'text' ? '' : 'num'}>
                {column.label ?? column.name}
              </th>
            ))}
            {props.rowAction ? (
              <th scope="col" className="visually-hidden-text">
                Action
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {shown.map((row, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no id of their own; order is the API's
            <tr key={index}>
              {props.columns.map((column) => {
                const display = displayOf(column);
                const value = row[column.name];
                return (
                  <td
                    key={column.name}
                    data-column={column.name}
                    data-value={
                      value === null || value === undefined
                        ? ''
                        : typeof value === 'object'
                          ? JSON.stringify(value)
                          : String(value)
                    }
                    className={display === 'text' ? '' : 'num'}
                  >
                    {column.render ? column.render(row) : formatValue(value, display, row)}
                  </td>
                );
              })}
              {props.rowAction ? <td>{props.rowAction(row)}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
      {shown.length < props.rows.length ? (
        <p className="note">
          {shown.length} of {props.rows.length} rows shown; the CSV has them all.
        </p>
      ) : null}
    </div>
  );
}
