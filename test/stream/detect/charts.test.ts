/**
 * The detection library against textbook oracles and hand-made series: the NIST/SEMATECH EWMA
 * example, Montgomery's tabular CUSUM example, each Western Electric rule once per side (a
 * point on CL breaking rule 4), spec breaches, and how alerts are coalesced.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Alert,
  type AlertEvent,
  Cusum,
  Detector,
  type DetectorOptions,
  Ewma,
  type WeViolation,
} from '../../../src/stream/detect/index.js';

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

describe('EWMA: NIST/SEMATECH e-Handbook 6.3.2.4 example', () => {
  // Section 6.3.2.4, "Example of calculation of parameters for an EWMA control chart":
  // EWMA_0 = 50, s = 2.0539, λ = 0.3, k (L) = 3, and 20 readings.
  const readings = [
    52.0, 47.0, 53.0, 49.3, 50.1, 47.0, 51.0, 50.1, 51.2, 50.5, 49.6, 47.6, 49.9, 51.3, 47.8, 51.2, 52.6,
    52.4, 53.6, 52.1,
  ];
  // The handbook's EWMA column (2 decimals).
  const handbookEwma = [
    50.6, 49.52, 50.56, 50.18, 50.16, 49.21, 49.75, 49.85, 50.26, 50.33, 50.11, 49.36, 49.52, 50.05, 49.38,
    49.92, 50.73, 51.23, 51.94, 51.99,
  ];

  it('gives the handbook limits with the asymptotic formula it uses, and no point out of control', () => {
    const ewma = new Ewma({ lambda: 0.3, L: 3 }, 50, 2.0539);
    // UCL = 50 + 3 · 2.0539 · √(0.3 / 1.7). The handbook prints LCL 47.4115 (truncated); rounded it is 47.4116.
    assert.equal(round4(ewma.ucl), 52.5884);
    assert.equal(round4(ewma.lcl), 47.4116);
    const signals = readings.map((x) => ewma.update(x));
    assert.deepEqual(signals, new Array(20).fill(0), 'no point out of control');
    assert.equal(round4(ewma.ucl), 52.5884, 'asymptotic limits do not move');
  });

  it('follows the handbook EWMA column point by point', () => {
    const ewma = new Ewma({ lambda: 0.3, L: 3 }, 50, 2.0539);
    const z = readings.map((x) => {
      ewma.update(x);
      return Math.round(ewma.z * 100) / 100;
    });
    assert.deepEqual(z, handbookEwma);
  });

  it('offers the exact time-varying limits, narrower at first and tending to the asymptotic ones', () => {
    const ewma = new Ewma({ lambda: 0.3, L: 3, limits: 'exact' }, 50, 2.0539);
    const widths: number[] = [];
    for (const x of readings) {
      assert.equal(ewma.update(x), 0);
      widths.push(ewma.ucl - 50);
    }
    const exact = (t: number) => 3 * 2.0539 * Math.sqrt((0.3 / 1.7) * (1 - 0.7 ** (2 * t)));
    assert.ok(Math.abs(widths[0]! - exact(1)) < 1e-12, 'first point: L·s·λ (= 1.8485)');
    assert.equal(round4(widths[0]!), 1.8485);
    assert.ok(Math.abs(widths[19]! - exact(20)) < 1e-12);
    assert.equal(
      round4(50 + widths[19]!),
      52.5884,
      'after 20 points the exact limit equals the asymptotic one to 4 decimals',
    );
  });
});

describe('tabular CUSUM: Montgomery, Introduction to Statistical Quality Control, Example 9.1', () => {
  // Table 9.1: 30 observations, the first 20 from N(10, 1), the last 10 from N(11, 1).
  // μ0 = 10, σ = 1, k = 0.5, h = 5. Table 9.2: C+ first exceeds H = 5 at period 29 (C+ = 5.28,
  // N+ = 7, so the shift began after period 22); C− never signals.
  const x = [
    9.45, 7.99, 9.29, 11.66, 12.16, 10.18, 8.04, 11.46, 9.2, 10.34, 9.03, 11.47, 10.51, 9.4, 10.08, 9.37,
    10.62, 10.31, 8.52, 10.84, 10.9, 9.33, 12.29, 11.5, 10.6, 11.08, 10.38, 11.62, 11.31, 10.52,
  ];

  it('signals upward at period 29 with N+ = 7, never downward', () => {
    const cusum = new Cusum({ k: 0.5, h: 5 }, 10, 1);
    const highs: number[] = [];
    const signals: { period: number; side: number; sum: number; run: number }[] = [];
    x.forEach((value, i) => {
      const side = cusum.update(value);
      highs.push(cusum.high);
      if (side !== 0)
        signals.push({ period: i + 1, side, sum: cusum.lastSignalSum, run: cusum.lastSignalRun });
    });
    assert.deepEqual(
      signals.map((s) => ({ ...s, sum: Math.round(s.sum * 100) / 100 })),
      [{ period: 29, side: 1, sum: 5.28, run: 7 }],
    );
    // Montgomery's C+ column at a few periods.
    assert.equal(Math.round(highs[4]! * 100) / 100, 2.82);
    assert.equal(Math.round(highs[27]! * 100) / 100, 4.47);
    assert.equal(highs[28], 0, 'restarts after the signal');
  });
});

/** A detector over a hand-made series: baseline alternating 9.5 / 10.5 (CL 10, MR̄ 1, σ = 1/1.128). */
function run(monitored: number[], options: DetectorOptions = {}) {
  const violations: WeViolation[] = [];
  const events: { event: AlertEvent; alert: Alert }[] = [];
  const detector = new Detector({
    baselineN: 26,
    ewma: { enabled: false },
    cusum: { enabled: false },
    ...options,
    onViolation: (v) => violations.push(v),
    onAlert: (alert, event) => events.push({ event, alert: { ...alert, values: [...alert.values] } }),
  });
  const series = [...Array.from({ length: 26 }, (_, i) => (i % 2 === 0 ? 9.5 : 10.5)), ...monitored];
  series.forEach((value, i) => detector.reading('M1', 'x', i * 1000, value, 'good'));
  detector.flush();
  return { detector, violations, events };
}

/** Monitored reading k (1-based) was sent at this ts. */
const at = (k: number) => (25 + k) * 1000;
const mirror = (xs: number[]) => xs.map((x) => 20 - x);

describe('Western Electric rules on a hand-made series', () => {
  // σ = 0.8865: 1σ 10.8865 / 9.1135, 2σ 11.7730 / 8.2270, 3σ 12.6596 / 7.3404.
  const cases: { name: string; rule: number; series: number[]; ts: number; points: number[] }[] = [
    { name: 'rule 1: a point beyond 3σ', rule: 1, series: [10, 10, 13, 10], ts: at(3), points: [at(3)] },
    {
      name: 'rule 2: 2 of 3 beyond 2σ (the middle one inside)',
      rule: 2,
      series: [10, 12, 10, 12, 10],
      ts: at(4),
      points: [at(2), at(4)],
    },
    {
      name: 'rule 3: 4 of 5 beyond 1σ',
      rule: 3,
      series: [11, 11, 10, 11, 11, 10],
      ts: at(5),
      points: [at(1), at(2), at(4), at(5)],
    },
    {
      name: 'rule 4: 8 in a row above CL, after 7 that a point on CL cut off',
      rule: 4,
      series: [...new Array(7).fill(10.25), 10, ...new Array(8).fill(10.25)],
      ts: at(16),
      points: Array.from({ length: 8 }, (_, i) => at(9 + i)),
    },
  ];
  for (const c of cases) {
    for (const side of ['upper', 'lower'] as const) {
      it(`${c.name} (${side})`, () => {
        const { violations, events } = run(side === 'upper' ? c.series : mirror(c.series));
        assert.deepEqual(
          violations.map((v) => ({ rule: v.rule, side: v.side, ts: v.ts, points: v.point_ts })),
          [{ rule: c.rule, side, ts: c.ts, points: c.points }],
        );
        const opened = events.filter((e) => e.event === 'open').map((e) => e.alert);
        assert.equal(opened.length, 1);
        const alert = opened[0]!;
        assert.equal(alert.rule, `we${c.rule}`);
        assert.equal(alert.family, 'western_electric');
        assert.equal(alert.side, side);
        assert.equal(alert.severity, c.rule === 1 ? 'critical' : 'warning');
        assert.equal(alert.first_ts, new Date(c.points[0]!).toISOString());
        assert.equal(alert.alert_id, `M1|x|we${c.rule}|${alert.first_ts}`);
        assert.equal(alert.values.length, c.points.length);
      });
    }
  }

  it('rule 4 goes on without the point on CL: 16 in a row complete 9 windows', () => {
    const { violations, events } = run(new Array(16).fill(10.25));
    assert.equal(violations.length, 9);
    assert.ok(violations.every((v) => v.rule === 4 && v.side === 'upper'));
    // Coalesced: one alert from the first point of the run to the 16th, every point once.
    const closed = events.filter((e) => e.event === 'close').map((e) => e.alert);
    assert.equal(closed.length, 1);
    assert.equal(closed[0]!.breaches, 9);
    assert.equal(closed[0]!.points, 16);
    assert.equal(closed[0]!.first_ts, new Date(at(1)).toISOString());
    assert.equal(closed[0]!.last_ts, new Date(at(16)).toISOString());
  });

  it('breaches further apart than the coalescing gap open a new alert', () => {
    const spike = [10, 13, ...new Array(5).fill(10), 13, ...new Array(25).fill(10), 13];
    const { events } = run(spike, { coalesceGap: 20 });
    const closed = events.filter((e) => e.event === 'close').map((e) => e.alert);
    assert.deepEqual(
      closed.map((a) => [a.rule, a.breaches, a.first_ts]),
      [
        ['we1', 2, new Date(at(2)).toISOString()],
        ['we1', 1, new Date(at(34)).toISOString()],
      ],
    );
  });

  it('judges only good readings, and a redelivered or older reading is skipped', () => {
    const violations: WeViolation[] = [];
    const detector = new Detector({ baselineN: 26, onViolation: (v) => violations.push(v) });
    for (let i = 0; i < 26; i++) detector.reading('M1', 'x', i * 1000, i % 2 === 0 ? 9.5 : 10.5);
    detector.reading('M1', 'x', 26_000, 500, 'bad');
    detector.reading('M1', 'x', 27_000, 500, 'uncertain');
    detector.reading('M1', 'x', 28_000, 13);
    detector.reading('M1', 'x', 28_000, 13); // redelivered
    detector.reading('M1', 'x', 27_500, 13); // older
    assert.equal(violations.length, 1);
    assert.deepEqual(
      {
        notGood: detector.stats.notGood,
        outOfOrder: detector.stats.outOfOrder,
        judged: detector.stats.judged,
      },
      { notGood: 2, outOfOrder: 2, judged: 27 },
    );
    const limits = detector.limits('M1', 'x')!;
    assert.equal(limits.cl, 10);
    assert.equal(limits.mr_bar, 1);
    assert.equal(round4(limits.ucl), 12.6596);
    assert.equal(round4(limits.mr_ucl), 3.267);
  });

  it('refuses a baseline under 25 readings', () => {
    assert.throws(() => new Detector({ baselineN: 24 }), { code: 'detect_baseline_too_small' });
  });
});

describe('EWMA and CUSUM inside the detector', () => {
  it('a 1σ shift after the baseline raises ewma_high and cusum_high, warnings, coalesced', () => {
    const { events } = run(
      new Array(60).fill(0).map((_, i) => (i % 2 === 0 ? 10.5 : 11.3)),
      {
        westernElectric: { enabled: false },
        sigma: 'within',
        ewma: { lambda: 0.2, L: 3 },
        cusum: { k: 0.5, h: 5 },
        coalesceGap: 30,
      },
    );
    const opened = events.filter((e) => e.event === 'open').map((e) => e.alert);
    assert.deepEqual(opened.map((a) => a.rule).sort(), ['cusum_high', 'ewma_high']);
    assert.ok(opened.every((a) => a.severity === 'warning'));
    const cusum = events.find((e) => e.event === 'close' && e.alert.rule === 'cusum_high')!.alert;
    // Shift of (10.9 − 10)/0.8865 = 1.015σ: C+ grows by 0.515σ per point, crosses h = 5 at the
    // 10th point (5.15σ) and, restarted, again every 10 points: 6 breaches in one alert.
    assert.equal(cusum.first_ts, new Date(at(10)).toISOString());
    assert.equal(cusum.breaches, 6);
    assert.match(cusum.message, /began about 10 readings before/);
  });

  it('by default takes σ from the baseline s.d., widened for positive lag-1 autocorrelation only', () => {
    const alternating = new Detector({ baselineN: 26 });
    const drifting = new Detector({ baselineN: 26 });
    for (let i = 0; i < 26; i++) {
      alternating.reading('M1', 'x', i, i % 2 === 0 ? 9.5 : 10.5);
      drifting.reading('M1', 'x', i, i < 13 ? 9.5 : 10.5); // one step: r1 = 0.88
    }
    // Alternating: r1 < 0 counts as 0, σ = s.d. = √(26 · 0.25 / 25).
    const sd = Math.sqrt((26 * 0.25) / 25);
    assert.ok(Math.abs(alternating.limits('M1', 'x')!.ewma_sigma - sd) < 1e-12);
    assert.ok(Math.abs(alternating.limits('M1', 'x')!.cusum_sigma - sd) < 1e-12);
    const r1 = (25 * 0.25 - 0.5) / (26 * 0.25); // Σ(x_t − x̄)(x_{t−1} − x̄) / Σ(x_t − x̄)²
    const carry = r1 * 0.8;
    const limits = drifting.limits('M1', 'x')!;
    assert.ok(Math.abs(limits.ewma_sigma - sd * Math.sqrt((1 + carry) / (1 - carry))) < 1e-12);
    assert.ok(Math.abs(limits.cusum_sigma - sd * Math.sqrt((1 + r1) / (1 - r1))) < 1e-12);
  });

  it('uses a given target and σ instead of the baseline when told', () => {
    const detector = new Detector({
      baselineN: 26,
      overrides: () => ({ ewmaTarget: 12, ewmaSigma: 2, cusumTarget: 12, cusumSigma: 2 }),
    });
    for (let i = 0; i < 26; i++) detector.reading('M1', 'x', i, i % 2 === 0 ? 9.5 : 10.5);
    const limits = detector.limits('M1', 'x')!;
    assert.equal(limits.ewma_target, 12);
    assert.equal(round4(limits.ewma_ucl), round4(12 + 3 * 2 * Math.sqrt(0.2 / 1.8)));
    assert.equal(limits.cusum_sigma, 2);
  });
});

describe('spec limits', () => {
  it('a reading strictly outside LSL/USL is a critical spec alert, from the first reading on', () => {
    const events: { event: AlertEvent; alert: Alert }[] = [];
    const detector = new Detector({
      baselineN: 25,
      specs: [{ machine_id: 'M1', sensor: 'x', lsl: 8, usl: 12 }],
      onAlert: (alert, event) => events.push({ event, alert: { ...alert } }),
    });
    detector.reading('M1', 'x', 1, 12); // on the USL: in spec
    detector.reading('M1', 'x', 2, 12.5);
    detector.reading('M1', 'x', 3, 12.7);
    detector.reading('M1', 'x', 4, 8);
    detector.reading('M1', 'x', 5, 7.9);
    detector.reading('M1', 'y', 6, 1000); // no spec for y
    detector.flush();
    const closed = events.filter((e) => e.event === 'close').map((e) => e.alert);
    assert.deepEqual(
      closed.map((a) => [a.rule, a.family, a.severity, a.first_ts, a.points, a.limit]),
      [
        ['spec_high', 'spec', 'critical', new Date(2).toISOString(), 2, 12],
        ['spec_low', 'spec', 'critical', new Date(5).toISOString(), 1, 8],
      ],
    );
    assert.match(closed[0]!.message, /x on M1: 12.5 above the spec limit USL 12/);
  });

  it('a one-sided spec checks only its side; setSpec applies to the next reading', () => {
    const events: Alert[] = [];
    const detector = new Detector({
      specs: [{ machine_id: 'M1', sensor: 'x', lsl: null, usl: 5 }],
      onAlert: (alert, event) => event === 'open' && events.push({ ...alert }),
    });
    detector.reading('M1', 'x', 1, -1e9);
    detector.reading('M1', 'x', 2, 6);
    detector.setSpec({ machine_id: 'M1', sensor: 'x', lsl: 0, usl: null });
    detector.reading('M1', 'x', 3, 1e9);
    detector.reading('M1', 'x', 4, -1);
    assert.deepEqual(
      events.map((a) => a.rule),
      ['spec_high', 'spec_low'],
    );
  });
});
