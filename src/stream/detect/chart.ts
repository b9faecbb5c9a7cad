/**
 * Individuals (I-MR) chart of one machine and sensor with the Western Electric rules, the same
 * semantics as mart_spc_limits / mart_spc_violations so stream and batch agree point for point:
 * baseline = the first N good readings, σ = MR̄/1.128, zones CL ± 1/2/3σ computed as
 * `cl + k·σ`; "beyond" is strictly beyond; a point exactly on CL is on neither side (it breaks a
 * rule-4 run); windows are counted among the monitored readings only (full windows); the reading
 * that completes a window raises one violation when it is itself one of the points the rule counts.
 */

/** Running sums of a baseline: no array is kept. */
export class Baseline {
  n = 0;
  sum = 0;
  sumSq = 0;
  /** Σ x_t · x_{t−1}, for the lag-1 autocorrelation. */
  sumLag = 0;
  mrSum = 0;
  first = 0;
  prev = 0;
  firstTs = 0;
  lastTs = 0;

  add(ts: number, x: number): void {
    if (this.n === 0) {
      this.firstTs = ts;
      this.first = x;
    } else {
      this.mrSum += Math.abs(x - this.prev);
      this.sumLag += x * this.prev;
    }
    this.sumSq += x * x;
    this.prev = x;
    this.lastTs = ts;
    this.sum += x;
    this.n++;
  }

  get mean(): number {
    return this.sum / this.n;
  }

  /** Sample standard deviation (n − 1). */
  get sd(): number {
    if (this.n < 2) return 0;
    const m = this.mean;
    return Math.sqrt(Math.max(0, (this.sumSq - this.n * m * m) / (this.n - 1)));
  }

  /** Lag-1 autocorrelation r1 = Σ(x_t − x̄)(x_{t−1} − x̄) / Σ(x_t − x̄)². */
  get lag1(): number {
    const m = this.mean;
    const ss = this.sumSq - this.n * m * m;
    if (this.n < 3 || !(ss > 0)) return 0;
    const cross = this.sumLag - m * (this.sum - this.first + (this.sum - this.prev)) + (this.n - 1) * m * m;
    return cross / ss;
  }

  /** Mean moving range over n − 1 ranges. */
  get mrBar(): number {
    return this.n > 1 ? this.mrSum / (this.n - 1) : 0;
  }
}

/** Bits of `WeRules.check`: rule r, side upper = bit 2(r−1), lower = bit 2(r−1)+1. */
export const WE1_UPPER = 1;
export const WE1_LOWER = 2;
export const WE2_UPPER = 4;
export const WE2_LOWER = 8;
export const WE3_UPPER = 16;
export const WE3_LOWER = 32;
export const WE4_UPPER = 64;
export const WE4_LOWER = 128;

const RING = 8;

export class WeRules {
  readonly cl: number;
  readonly sigma: number;
  readonly ucl: number;
  readonly lcl: number;
  readonly upper2: number;
  readonly lower2: number;
  readonly upper1: number;
  readonly lower1: number;
  /** Monitored readings so far. */
  n = 0;
  private runUpper = 0;
  private runLower = 0;
  /** The last 8 monitored readings; `head` is where the next one goes. */
  private readonly ts = new Float64Array(RING);
  private readonly values = new Float64Array(RING);
  private head = 0;

  constructor(cl: number, sigma: number) {
    // The same expressions as mart_spc_limits, so a value on a line compares the same way.
    this.cl = cl;
    this.sigma = sigma;
    this.ucl = cl + 3 * sigma;
    this.lcl = cl - 3 * sigma;
    this.upper2 = cl + 2 * sigma;
    this.lower2 = cl - 2 * sigma;
    this.upper1 = cl + sigma;
    this.lower1 = cl - sigma;
  }

  /** Judges one monitored reading; returns the bits of the rules it completes (0 nearly always). */
  check(ts: number, x: number): number {
    this.ts[this.head] = ts;
    this.values[this.head] = x;
    this.head = (this.head + 1) % RING;
    this.n++;
    this.runUpper = x > this.cl ? this.runUpper + 1 : 0;
    this.runLower = x < this.cl ? this.runLower + 1 : 0;
    let fired = 0;
    if (x > this.ucl) fired |= WE1_UPPER;
    else if (x < this.lcl) fired |= WE1_LOWER;
    if (x > this.upper2 && this.n >= 3 && this.countAbove(3, this.upper2) >= 2) fired |= WE2_UPPER;
    else if (x < this.lower2 && this.n >= 3 && this.countBelow(3, this.lower2) >= 2) fired |= WE2_LOWER;
    if (x > this.upper1 && this.n >= 5 && this.countAbove(5, this.upper1) >= 4) fired |= WE3_UPPER;
    else if (x < this.lower1 && this.n >= 5 && this.countBelow(5, this.lower1) >= 4) fired |= WE3_LOWER;
    if (this.runUpper >= 8) fired |= WE4_UPPER;
    else if (this.runLower >= 8) fired |= WE4_LOWER;
    return fired;
  }

  private countAbove(window: number, line: number): number {
    let count = 0;
    for (let i = 1; i <= window; i++) if (this.values[(this.head - i + RING) % RING]! > line) count++;
    return count;
  }

  private countBelow(window: number, line: number): number {
    let count = 0;
    for (let i = 1; i <= window; i++) if (this.values[(this.head - i + RING) % RING]! < line) count++;
    return count;
  }

  /**
   * The points of a violation the last `check` raised (oldest first), as mart_spc_violations
   * lists them: rule 1 the reading, rules 2 and 3 the window's points beyond the zone on that
   * side, rule 4 the 8 readings of the run.
   */
  points(bit: number, outTs: number[], outValues: number[]): void {
    // zone: 1 above `line`, −1 below it, 0 every point of the window.
    let window = 1;
    let zone = 0;
    let line = 0;
    if (bit === WE2_UPPER) [window, zone, line] = [3, 1, this.upper2];
    else if (bit === WE2_LOWER) [window, zone, line] = [3, -1, this.lower2];
    else if (bit === WE3_UPPER) [window, zone, line] = [5, 1, this.upper1];
    else if (bit === WE3_LOWER) [window, zone, line] = [5, -1, this.lower1];
    else if (bit === WE4_UPPER || bit === WE4_LOWER) window = 8;
    for (let i = window; i >= 1; i--) {
      const slot = (this.head - i + RING) % RING;
      const x = this.values[slot]!;
      if (zone === 0 || (zone > 0 ? x > line : x < line)) {
        outTs.push(this.ts[slot]!);
        outValues.push(x);
      }
    }
  }
}
