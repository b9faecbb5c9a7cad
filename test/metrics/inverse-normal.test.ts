/**
 * Φ⁻¹ (Wichura's AS 241) behind the sigma level: published quantiles, symmetry, and a round
 * trip through an independent Φ (Simpson's rule over the normal density) in all three
 * regions of the algorithm.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inverseNormalCdf, sigmaLevel } from '../../src/metrics/inverse-normal.js';

/** Upper tail Q(z) = ∫_z^∞ φ, by composite Simpson over [z, z + 40]: independent of AS 241. */
function upperTail(z: number): number {
  const steps = 200_000;
  const width = 40 / steps;
  const density = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
  let sum = density(z) + density(z + 40);
  for (let i = 1; i < steps; i++) sum += (i % 2 === 0 ? 2 : 4) * density(z + i * width);
  return (sum * width) / 3;
}

describe('inverse normal CDF (AS 241)', () => {
  test('published quantiles to 1e-12', () => {
    const table: Array<[number, number]> = [
      [0.5, 0],
      [0.8, 0.8416212335729143],
      [0.9, 1.2815515655446004],
      [0.95, 1.6448536269514722],
      [0.975, 1.959963984540054],
      [0.99, 2.3263478740408408],
      [0.995, 2.5758293035489004],
      [0.999, 3.090232306167813],
      [0.9999, 3.7190164854556804],
      [1e-10, -6.361340902404056],
    ];
    for (const [p, z] of table) {
      assert.ok(Math.abs(inverseNormalCdf(p) - z) <= 1e-12, `Φ⁻¹(${p}) = ${inverseNormalCdf(p)}, not ${z}`);
    }
  });

  test('symmetric: Φ⁻¹(1 − p) = −Φ⁻¹(p)', () => {
    for (const p of [0.001, 0.01, 0.2, 0.4, 0.49]) {
      assert.ok(Math.abs(inverseNormalCdf(1 - p) + inverseNormalCdf(p)) <= 1e-12);
    }
  });

  test('round trip through an independent Φ in the centre, the tail and the far tail', () => {
    // p = 0.3 (centre), 1e-3 and 1e-9 (tail, r ≤ 5), 1e-14 (far tail, r > 5).
    for (const p of [0.3, 0.1, 1e-3, 1.67e-4, 1e-9, 1e-14]) {
      const z = inverseNormalCdf(p);
      const back = upperTail(-z);
      assert.ok(Math.abs(back - p) / p <= 1e-8, `Φ(Φ⁻¹(${p})) = ${back}`);
    }
  });

  test('edges: ±Infinity at 0 and 1, NaN outside', () => {
    assert.equal(inverseNormalCdf(0), Number.NEGATIVE_INFINITY);
    assert.equal(inverseNormalCdf(1), Number.POSITIVE_INFINITY);
    assert.ok(Number.isNaN(inverseNormalCdf(1.5)));
    assert.ok(Number.isNaN(inverseNormalCdf(-0.1)));
  });
});

describe('sigma level = Φ⁻¹(1 − DPMO/1e6) + 1.5', () => {
  test('DPMO 167 → 5.09; 6210 → 4.0; 3.4 → 6.0; 5000 → 4.08', () => {
    assert.equal(sigmaLevel((40 * 1e6) / (40000 * 6))!.toFixed(2), '5.09');
    assert.equal(sigmaLevel(167)!.toFixed(2), '5.09');
    assert.equal(sigmaLevel(6210)!.toFixed(2), '4.00');
    assert.equal(sigmaLevel(3.4)!.toFixed(2), '6.00');
    assert.equal(sigmaLevel(5000)!.toFixed(4), '4.0758');
  });

  test('null when there is no finite level: DPMO 0, null, or every opportunity a defect', () => {
    assert.equal(sigmaLevel(0), null);
    assert.equal(sigmaLevel(null), null);
    assert.equal(sigmaLevel(1e6), null);
    assert.equal(sigmaLevel(2e6), null);
  });
});
