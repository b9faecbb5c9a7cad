/**
 * Rounding for people: values are stored and returned unrounded (JSON, CSV, the API); the
 * CLI's table rounds half to even, per the kind of value (CONTRACT §2, "Arithmetic").
 */
import type { Display, Kpi } from './kpis.js';

const DECIMALS: Record<Display, number | undefined> = {
  ratio: 4,
  seconds: 1,
  count: 0,
  money: 2,
  dpmo: 1,
  sigma: 2,
  flag: undefined,
  text: undefined,
};

/** Half-to-even rounding at `decimals` places, as text (`0.125` → `0.12`, `0.135` → `0.14`). */
export function roundHalfEven(value: number, decimals: number): string {
  const scale = 10 ** decimals;
  const scaled = value * scale;
  const floor = Math.floor(scaled);
  const fraction = scaled - floor;
  // Ties only where the scaled value is exactly half-way (as a double).
  const rounded = fraction === 0.5 ? (floor % 2 === 0 ? floor : floor + 1) : Math.round(scaled);
  const text = (rounded / scale).toFixed(decimals);
  return text === `-${(0).toFixed(decimals)}` ? (0).toFixed(decimals) : text;
}

/** The rows with each KPI column rounded for display; keys and non-numbers as they are. */
export function displayRows(kpi: Kpi, rows: Record<string, unknown>[]): Record<string, unknown>[] {
  const decimals = new Map<string, number>();
  for (const column of kpi.columns) {
    const places = DECIMALS[column.display];
    if (places !== undefined) decimals.set(column.name, places);
  }
  return rows.map((row) => {
    const shown: Record<string, unknown> = { ...row };
    for (const [name, places] of decimals) {
      const value = row[name];
      if (typeof value === 'number' && Number.isFinite(value)) shown[name] = roundHalfEven(value, places);
    }
    return shown;
  });
}
