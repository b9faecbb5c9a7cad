/**
 * Φ⁻¹, the standard normal quantile, for the sigma level (DuckDB has none built in).
 * Wichura's algorithm AS 241 (PPND16; Applied Statistics 37(3), 1988, 477-484): three
 * rational approximations — the centre |p − ½| ≤ 0.425, the tail with r = √(−ln min(p, 1−p))
 * ≤ 5, and the far tail — accurate to about 1 part in 10¹⁶ over the whole range.
 */

// Coefficients of the published algorithm, lowest degree first.
const CENTRE_NUM = [
  3.3871328727963665, 133.14166789178438, 1971.5909503065513, 13731.69376550946, 45921.95393154987,
  67265.7709270087, 33430.57558358813, 2509.0809287301227,
];
const CENTRE_DEN = [
  1, 42.31333070160091, 687.1870074920579, 5394.196021424751, 21213.794301586597, 39307.89580009271,
  28729.085735721943, 5226.495278852854,
];
const TAIL_NUM = [
  1.4234371107496835, 4.630337846156546, 5.769497221460691, 3.6478483247632045, 1.2704582524523684,
  0.2417807251774506, 0.022723844989269184, 0.0007745450142783414,
];
const TAIL_DEN = [
  1, 2.053191626637759, 1.6763848301838038, 0.6897673349851, 0.14810397642748008, 0.015198666563616457,
  0.0005475938084995345, 1.0507500716444169e-9,
];
const FAR_NUM = [
  6.657904643501103, 5.463784911164114, 1.7848265399172913, 0.29656057182850487, 0.026532189526576124,
  0.0012426609473880784, 0.000027115555687434876, 2.0103343992922881e-7,
];
const FAR_DEN = [
  1, 0.599832206555888, 0.1369298809227358, 0.014875361290850615, 0.0007868691311456133,
  0.000018463183175100548, 1.421511758316446e-7, 2.0442631033899397e-15,
];

function polynomial(coefficients: readonly number[], x: number): number {
  let value = 0;
  for (let i = coefficients.length - 1; i >= 0; i--) value = value * x + coefficients[i]!;
  return value;
}

/** The z with Φ(z) = p. ±Infinity at 0 and 1; NaN outside [0, 1]. */
export function inverseNormalCdf(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * polynomial(CENTRE_NUM, r)) / polynomial(CENTRE_DEN, r);
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let value: number;
  if (r <= 5) {
    r -= 1.6;
    value = polynomial(TAIL_NUM, r) / polynomial(TAIL_DEN, r);
  } else {
    r -= 5;
    value = polynomial(FAR_NUM, r) / polynomial(FAR_DEN, r);
  }
  return q < 0 ? -value : value;
}

/**
 * Sigma level of a DPMO, with the customary 1.5 σ long-term shift: Φ⁻¹(1 − DPMO/1e6) + 1.5.
 * Null when DPMO is null or 0 (no defect: no finite level), or 1e6 and above (every
 * opportunity a defect).
 */
export function sigmaLevel(dpmo: number | null | undefined): number | null {
  if (dpmo === null || dpmo === undefined || !Number.isFinite(dpmo) || dpmo <= 0 || dpmo >= 1e6) return null;
  // 1 − dpmo/1e6 loses digits for tiny DPMO; Φ⁻¹(1 − x) = −Φ⁻¹(x) keeps them.
  return -inverseNormalCdf(dpmo / 1e6) + 1.5;
}
