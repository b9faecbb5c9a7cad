/**
 * Detection quality on a simulated stream with ground truth: src/generate's small factory (seed
 * 7: 16 machines, a week of 5-min readings, 12 failures with 24 h drifts before them, 97
 * spikes), readings and machine states fed in time order, alerts matched to the truth's anomaly
 * windows (same machine and sensor, within an hour after the window). The thresholds and why
 * each family scores as it does: docs/stream-detection.md, "Detection quality".
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateFactory } from '../../../src/generate/index.js';
import { Scratch } from '../../support/drop.js';
import {
  type Anomaly,
  detect,
  type FamilyScore,
  type FeedItem,
  readSimulation,
  type Spec,
  score,
} from './simulated.js';

const LAG_MS = 3_600_000;

describe('detection quality against the generator ground truth', () => {
  let scratch: Scratch;
  let feed: FeedItem[];
  let specs: Spec[];
  let anomalies: Anomaly[];

  before(async () => {
    scratch = await Scratch.create('lathe-detect-');
    await generateFactory({
      out: scratch.path('drop'),
      truth: scratch.path('truth'),
      seed: 7,
      scale: 'small',
    });
    ({ feed, specs, anomalies } = await readSimulation(scratch.path('drop'), scratch.path('truth')));
  });
  after(async () => scratch?.dispose());

  const show = (s: Record<string, FamilyScore>) =>
    Object.entries(s)
      .map(
        ([f, v]) =>
          `${f}: ${v.alerts} alerts, precision ${v.precision?.toFixed(3)}, drift recall ${v.recall.drift.found}/${v.recall.drift.of}, spike recall ${v.recall.spike.found}/${v.recall.spike.of}`,
      )
      .join('\n');

  it('plant settings (judged while running, 300-reading baseline, EWMA L 4, CUSUM h 10): each family above its threshold', () => {
    assert.ok(anomalies.filter((a) => a.kind === 'drift').length >= 15, 'enough drifts to judge');
    const { alerts } = detect(feed, {
      specs,
      onlyWhileRunning: true,
      baselineN: 300,
      ewma: { lambda: 0.2, L: 4 },
      cusum: { k: 0.5, h: 10 },
    });
    const s = score(alerts, anomalies, LAG_MS);
    const report = show(s);
    const we = s.western_electric!;
    const ewma = s.ewma!;
    const cusum = s.cusum!;
    const spec = s.spec!;
    // EWMA and CUSUM: made for the slow drifts before failures.
    assert.ok(ewma.precision! >= 0.6, report);
    assert.ok(ewma.recall.drift.recall! >= 0.7, report);
    assert.ok(cusum.precision! >= 0.8, report);
    assert.ok(cusum.recall.drift.recall! >= 0.75, report);
    // Spec limits: rarely wrong, but only anomalies that leave the spec are seen.
    assert.ok(spec.precision! >= 0.95, report);
    assert.ok(spec.recall.spike.recall! >= 0.35, report);
    // Western Electric rules (as the contract words them): they find nearly everything, and
    // raise far more: the generator's noise is autocorrelated (AR(1), φ = 0.7), so MR̄/1.128
    // underestimates σ and runs are common. Their precision is poor, and that is the truth.
    assert.ok(we.recall.spike.recall! >= 0.75, report);
    assert.ok(we.recall.drift.recall! >= 0.8, report);
    assert.ok(we.precision! >= 0.03, report);
    assert.ok(we.precision! < 0.2, `Western Electric precision stays poor on AR(1) noise\n${report}`);
  });

  it('the contract baseline (100 readings) with textbook EWMA/CUSUM raises many more false alarms', () => {
    const tuned = score(
      detect(feed, { specs, onlyWhileRunning: true, baselineN: 300, ewma: { L: 4 }, cusum: { h: 10 } })
        .alerts,
      anomalies,
      LAG_MS,
    );
    const textbook = score(detect(feed, { specs, onlyWhileRunning: true }).alerts, anomalies, LAG_MS);
    assert.ok(textbook.ewma!.alerts > 2 * tuned.ewma!.alerts, `${show(textbook)}\n---\n${show(tuned)}`);
    assert.ok(textbook.ewma!.precision! < tuned.ewma!.precision!, show(textbook));
    assert.ok(textbook.cusum!.precision! < tuned.cusum!.precision!, show(textbook));
  });
});
