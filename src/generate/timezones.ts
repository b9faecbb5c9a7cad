/**
 * Plant-local wall time <-> UTC instants, from the IANA database that ships with Node (Intl),
 * daylight saving included. Instants are whole epoch seconds. Used for shifts, orders and due
 * dates, never per row, so the Intl cost does not matter.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let found = formatters.get(zone);
  if (!found) {
    found = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, found);
  }
  return found;
}

export function isValidTimezone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export function localParts(zone: string, epochS: number): LocalParts {
  const parts: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(new Date(epochS * 1000))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour! % 24,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** Local wall clock minus UTC, in seconds, at an instant (+3600 for CET, +7200 for CEST). */
export function offsetSeconds(zone: string, epochS: number): number {
  const p = localParts(zone, epochS);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) / 1000;
  return wall - Math.floor(epochS);
}

/**
 * The instant of a plant-local wall time: `date` (YYYY-MM-DD) plus `minuteOfDay` (may exceed
 * 1440 for times on later days). A wall time that occurs twice is the earlier instant; one
 * that does not exist (the spring-forward gap) is moved forward by the gap, as clocks do.
 */
export function localToUtc(zone: string, date: string, minuteOfDay: number): number {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(year, month - 1, day, 0, minuteOfDay) / 1000;
  const before = offsetSeconds(zone, wall - 86400);
  const after = offsetSeconds(zone, wall + 86400);
  const candidates = [...new Set([wall - before, wall - after])].filter(
    (instant) => instant + offsetSeconds(zone, instant) === wall,
  );
  if (candidates.length > 0) return Math.min(...candidates);
  return wall - before;
}

/** The plant-local calendar date (YYYY-MM-DD) of an instant. */
export function localDate(zone: string, epochS: number): string {
  const p = localParts(zone, epochS);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

export interface OffsetChange {
  /** The first instant with the new offset. */
  at: number;
  offsetBeforeS: number;
  offsetAfterS: number;
}

/** Changes of the UTC offset (daylight saving) in [fromS, toS), found hourly then to the second. */
export function offsetChanges(zone: string, fromS: number, toS: number): OffsetChange[] {
  const changes: OffsetChange[] = [];
  let previous = offsetSeconds(zone, fromS);
  for (let t = fromS + 3600; t < toS + 3600; t += 3600) {
    const probe = Math.min(t, toS - 1);
    const offset = offsetSeconds(zone, probe);
    if (offset !== previous) {
      let low = probe - 3600;
      let high = probe;
      while (high - low > 1) {
        const middle = Math.floor((low + high) / 2);
        if (offsetSeconds(zone, middle) === previous) low = middle;
        else high = middle;
      }
      changes.push({ at: high, offsetBeforeS: previous, offsetAfterS: offset });
      previous = offset;
    }
    if (probe >= toS - 1) break;
  }
  return changes;
}
