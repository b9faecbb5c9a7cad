/** What every benchmark script shares: its `--name value` flags and the median of its rounds. */

/** The command line after the script. */
export const args = process.argv.slice(2);

/** The value after `--name` on the command line, if given. */
export function flag(name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

/** The middle value (the upper middle of an even count). */
export function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}
