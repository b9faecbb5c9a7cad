import { randomBytes } from 'node:crypto';

/**
 * Load ids sort in the order loads were made: UTC time to the millisecond, then a short
 * random tail, e.g. `20261123T104512345Z-7f3a`. Taken under the writer lock and forced to
 * be greater than the previous id, so sorting ids is sorting loads.
 */
export function newLoadId(previous: string | undefined, now: Date = new Date()): string {
  let time = now.getTime();
  if (previous) {
    const previousTime = parseLoadIdTime(previous);
    if (previousTime !== undefined && time <= previousTime) time = previousTime + 1;
  }
  return `${formatCompactUtc(new Date(time))}-${randomBytes(2).toString('hex')}`;
}

function formatCompactUtc(date: Date): string {
  const iso = date.toISOString(); // 2026-11-23T10:45:12.345Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}${iso.slice(20, 23)}Z`;
}

export function parseLoadIdTime(id: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z/.exec(id);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, ms] = match.map(Number) as number[];
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, ms!);
}
