/**
 * Cheap value formatting for tens of millions of rows: timestamps from whole epoch seconds
 * (the day prefix is cached, the time of day comes from a lookup table), decimals rounded
 * without exponent notation, calendar-date arithmetic on YYYY-MM-DD strings.
 */

const TWO_DIGITS: readonly string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : `${i}`));

let cachedDay = Number.NaN;
let cachedPrefix = '';

function dayPrefix(day: number): string {
  if (day !== cachedDay) {
    cachedDay = day;
    cachedPrefix = new Date(day * 86400000).toISOString().slice(0, 11);
  }
  return cachedPrefix;
}

/** `2026-03-29T01:30:00Z` for whole epoch seconds. */
export function isoUtc(epochS: number): string {
  const day = Math.floor(epochS / 86400);
  let rest = epochS - day * 86400;
  const hour = (rest / 3600) | 0;
  rest -= hour * 3600;
  const minute = (rest / 60) | 0;
  const second = rest - minute * 60;
  return `${dayPrefix(day)}${TWO_DIGITS[hour]}:${TWO_DIGITS[minute]}:${TWO_DIGITS[second]}Z`;
}

/** The same instant without its offset: a naive timestamp, bad input under the contract. */
export function isoNaive(epochS: number): string {
  return isoUtc(epochS).slice(0, -1);
}

/** A decimal rounded to `digits` places, shortest form (`12.5`, `3`), never `1e-7`. */
export function decimal(value: number, digits: number): string {
  const scale = 10 ** digits;
  const rounded = Math.round(value * scale) / scale;
  return String(rounded === 0 ? 0 : rounded);
}

/** Days since 1970-01-01 of a YYYY-MM-DD date. */
export function epochDay(date: string): number {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(year, month - 1, day) / 86400000;
}

export function dateOfEpochDay(day: number): string {
  return new Date(day * 86400000).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return dateOfEpochDay(epochDay(date) + days);
}

/** True for a real calendar date written YYYY-MM-DD. */
export function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  return dateOfEpochDay(epochDay(text)) === text;
}

/** ISO weekday of a date: 1 = Monday ... 7 = Sunday. */
export function isoWeekday(date: string): number {
  const weekday = new Date(epochDay(date) * 86400000).getUTCDay();
  return weekday === 0 ? 7 : weekday;
}
