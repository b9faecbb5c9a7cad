/**
 * Tabular CUSUM (NIST/SEMATECH e-Handbook 6.3.2.3; Montgomery, Introduction to Statistical
 * Quality Control, §9.1) with a fixed in-control target μ0 and σ, in σ units:
 *   C+_t = max(0, C+_{t−1} + (x_t − μ0)/σ − k),  C−_t = max(0, C−_{t−1} − (x_t − μ0)/σ − k),
 * a signal when C± > h. After a signal that side restarts at 0 (Montgomery's advice), so a
 * lasting shift signals again about every h / (δ − k) points.
 */
export interface CusumOptions {
  /** Reference value (slack) in σ; 0.5 detects a 1σ shift fastest. */
  k: number;
  /** Decision interval in σ. */
  h: number;
}

export class Cusum {
  readonly k: number;
  readonly h: number;
  readonly target: number;
  readonly sigma: number;
  /** Upper and lower sums in σ units. */
  high = 0;
  low = 0;
  /** Consecutive points with a non-zero sum: the shift likely began that many points ago. */
  highRun = 0;
  lowRun = 0;
  /** The sum that crossed h at the last signal (before the restart). */
  lastSignalSum = 0;
  /** Run length of the side that signalled last. */
  lastSignalRun = 0;

  constructor(options: CusumOptions, target: number, sigma: number) {
    this.k = options.k;
    this.h = options.h;
    this.target = target;
    this.sigma = sigma;
  }

  /** Adds a point; returns 1 when C+ crosses h, −1 when C− does (strictly), else 0. */
  update(x: number): 1 | -1 | 0 {
    const z = (x - this.target) / this.sigma;
    const high = this.high + z - this.k;
    const low = this.low - z - this.k;
    if (high > 0) {
      this.high = high;
      this.highRun++;
    } else {
      this.high = 0;
      this.highRun = 0;
    }
    if (low > 0) {
      this.low = low;
      this.lowRun++;
    } else {
      this.low = 0;
      this.lowRun = 0;
    }
    if (this.high > this.h) {
      this.lastSignalSum = this.high;
      this.lastSignalRun = this.highRun;
      this.high = 0;
      this.highRun = 0;
      return 1;
    }
    if (this.low > this.h) {
      this.lastSignalSum = this.low;
      this.lastSignalRun = this.lowRun;
      this.low = 0;
      this.lowRun = 0;
      return -1;
    }
    return 0;
  }
}
