/** Step timings for finding where time goes: printed to stderr when LATHE_TIMINGS=1. */
const enabled = process.env.LATHE_TIMINGS === '1';

export async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  if (!enabled) return work();
  const started = performance.now();
  try {
    return await work();
  } finally {
    process.stderr.write(`[timing] ${label}: ${(performance.now() - started).toFixed(0)} ms\n`);
  }
}
