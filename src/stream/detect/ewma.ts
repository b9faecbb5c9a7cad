/**
 * EWMA chart (NIST/SEMATECH e-Handbook 6.3.2.4): z_t = λ·x_t + (1 − λ)·z_{t−1}, z_0 = target.
 * Limits target ± L·σ·√(λ/(2 − λ)) are the asymptotic ones the handbook uses; `exact` limits
 * multiply by √(1 − (1 − λ)^{2t}), narrower for the first few points (one multiply per point).
 */
export type EwmaLimits = 'asymptotic' | 'exact';

export interface EwmaOptions {
  /** Weight of the newest point, 0 < λ ≤ 1. */
  lambda: number;
  /** Width of the limits in σ of the EWMA. */
  L: number;
  limits?: EwmaLimits;
}

export class Ewma {
  readonly lambda: number;
  readonly L: number;
  readonly target: number;
  readonly sigma: number;
  readonly exact: boolean;
  /** Asymptotic half-width L·σ·√(λ/(2 − λ)). */
  readonly halfWidth: number;
  z: number;
  /** Points seen. */
  t = 0;
  /** (1 − λ)^{2t}, kept for the exact limits. */
  private decay = 1;
  private readonly decayStep: number;

  constructor(options: EwmaOptions, target: number, sigma: number) {
    this.lambda = options.lambda;
    this.L = options.L;
    this.target = target;
    this.sigma = sigma;
    this.exact = options.limits === 'exact';
    this.halfWidth = options.L * sigma * Math.sqrt(options.lambda / (2 - options.lambda));
    this.decayStep = (1 - options.lambda) ** 2;
    this.z = target;
  }

  get ucl(): number {
    return this.target + this.currentHalfWidth();
  }

  get lcl(): number {
    return this.target - this.currentHalfWidth();
  }

  /** Half-width for the latest point: asymptotic, or exact for point t. */
  currentHalfWidth(): number {
    return this.exact ? this.halfWidth * Math.sqrt(1 - this.decay) : this.halfWidth;
  }

  /** Adds a point; returns 1 above the UCL, −1 below the LCL (strictly), else 0. */
  update(x: number): 1 | -1 | 0 {
    this.z = this.lambda * x + (1 - this.lambda) * this.z;
    this.t++;
    if (this.exact) this.decay *= this.decayStep;
    const h = this.exact ? this.halfWidth * Math.sqrt(1 - this.decay) : this.halfWidth;
    if (this.z > this.target + h) return 1;
    if (this.z < this.target - h) return -1;
    return 0;
  }
}
