/**
 * Half-open time spans [start, end) in epoch seconds, and the few operations the simulation
 * needs: merge, subtract, map "the n-th second of available time" to a wall instant, and a
 * forward-only cursor that measures overlap in constant amortized time.
 */

export interface Span {
  start: number;
  end: number;
}

/** Sorted, with overlapping or touching spans joined. */
export function mergeSpans(spans: readonly Span[]): Span[] {
  const sorted = [...spans].filter((s) => s.end > s.start).sort((a, b) => a.start - b.start || a.end - b.end);
  const merged: Span[] = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ start: span.start, end: span.end });
  }
  return merged;
}

/** `base` (sorted, disjoint) without the time covered by `cut` (merged). */
export function subtractSpans(base: readonly Span[], cut: readonly Span[]): Span[] {
  const result: Span[] = [];
  let j = 0;
  for (const span of base) {
    let start = span.start;
    while (j < cut.length && cut[j]!.end <= start) j++;
    let k = j;
    while (k < cut.length && cut[k]!.start < span.end) {
      const c = cut[k]!;
      if (c.start > start) result.push({ start, end: c.start });
      start = Math.max(start, c.end);
      if (start >= span.end) break;
      k++;
    }
    if (start < span.end) result.push({ start, end: span.end });
  }
  return result;
}

/** Whether [start, end) meets any span of a sorted, disjoint list. */
export function intersectsAny(spans: readonly Span[], start: number, end: number): boolean {
  let low = 0;
  let high = spans.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const span = spans[middle]!;
    if (span.end <= start) low = middle + 1;
    else if (span.start >= end) high = middle - 1;
    else return true;
  }
  return false;
}

/** Available time as one long axis: offset n is the n-th available second. */
export class AvailableTime {
  readonly total: number;
  private readonly cumulative: number[];

  constructor(private readonly spans: readonly Span[]) {
    this.cumulative = [0];
    let sum = 0;
    for (const span of spans) {
      sum += span.end - span.start;
      this.cumulative.push(sum);
    }
    this.total = sum;
  }

  /** The wall instant of an offset in [0, total). */
  wallAt(offset: number): number {
    const whole = Math.floor(offset);
    let low = 0;
    let high = this.spans.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.cumulative[middle]! <= whole) low = middle;
      else high = middle - 1;
    }
    return this.spans[low]!.start + (whole - this.cumulative[low]!);
  }

  /** Available seconds before a wall instant. */
  offsetAt(instant: number): number {
    let low = 0;
    let high = this.spans.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.spans[middle]!.start <= instant) low = middle;
      else high = middle - 1;
    }
    const span = this.spans[low];
    if (!span || instant <= span.start) return this.cumulative[low] ?? 0;
    return this.cumulative[low]! + Math.min(instant, span.end) - span.start;
  }
}

/** Overlap of successive, non-decreasing windows with a sorted, disjoint span list. */
export class SpanCursor {
  private index = 0;

  constructor(private readonly spans: readonly Span[]) {}

  overlap(start: number, end: number): number {
    const spans = this.spans;
    while (this.index < spans.length && spans[this.index]!.end <= start) this.index++;
    let total = 0;
    for (let i = this.index; i < spans.length; i++) {
      const span = spans[i]!;
      if (span.start >= end) break;
      total += Math.min(end, span.end) - Math.max(start, span.start);
    }
    return total;
  }

  /** Whether an instant (non-decreasing across calls) lies inside a span. */
  contains(instant: number): boolean {
    const spans = this.spans;
    while (this.index < spans.length && spans[this.index]!.end <= instant) this.index++;
    const span = spans[this.index];
    return span !== undefined && span.start <= instant;
  }
}
