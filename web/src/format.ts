/**
 * How a number from the API is written on the page. Formatting only: the value is the API's,
 * rounded for reading (percent to 1 decimal, seconds as hours), never recomputed.
 */
import type { Display, Value } from './api.js';

const grouped0 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const fixed1 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const fixed2 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const plain4 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 4 });

export const NO_VALUE = '–';

export function percent(value: Value | undefined): string {
  return typeof value === 'number' ? `${fixed1.format(value * 100)} %` : NO_VALUE;
}

/** Seconds written as hours with one decimal: a shift supervisor thinks in hours. */
export function hours(seconds: Value | undefined): string {
  return typeof seconds === 'number' ? `${fixed1.format(seconds / 3600)} h` : NO_VALUE;
}

export function count(value: Value | undefined): string {
  return typeof value === 'number' ? grouped0.format(value) : NO_VALUE;
}

export function money(value: Value | undefined, currency?: Value): string {
  if (typeof value !== 'number') return NO_VALUE;
  return typeof currency === 'string' ? `${fixed2.format(value)} ${currency}` : fixed2.format(value);
}

export function formatValue(value: Value | undefined, display: Display, row?: Record<string, Value>): string {
  if (value === null || value === undefined) return NO_VALUE;
  switch (display) {
    case 'ratio':
      return percent(value);
    case 'seconds':
      return hours(value);
    case 'count':
      return count(value);
    case 'money':
      return money(value, row?.currency);
    case 'dpmo':
      return typeof value === 'number' ? fixed1.format(value) : String(value);
    case 'sigma':
      return typeof value === 'number' ? fixed2.format(value) : String(value);
    case 'flag':
      return value === true ? 'yes' : value === false ? 'no' : String(value);
    default:
      if (typeof value === 'number') return plain4.format(value);
      if (typeof value === 'object') return JSON.stringify(value);
      return String(value);
  }
}

/** The plant-local instant of an ISO timestamp, for tables (the API's value stays in the CSV). */
export function instant(value: Value | undefined): string {
  if (typeof value !== 'string') return NO_VALUE;
  return value.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
}

/** A column's display when the API does not say: guessed from the contract's naming (`_s`, `_rate`). */
export function guessDisplay(column: string): Display {
  if (/_s$/.test(column)) return 'seconds';
  if (
    /(^|_)(rate|share|oee|availability|performance|quality|yield|fpy|rty|utilization|teep|otif)$/.test(column)
  )
    return 'ratio';
  if (/(cost|revenue|margin|copq|material|machine_cost|labor)$/.test(column)) return 'money';
  if (column === 'dpmo') return 'dpmo';
  if (column === 'sigma_level') return 'sigma';
  if (/^(cp|cpk|cpu|cpl|pp|ppk|ppu|ppl)$/.test(column)) return 'sigma';
  if (/(^|_)(count|total|good|reject|qty|quantity|orders|failures|readings|n|units|defects)$/.test(column))
    return 'count';
  return 'text';
}
