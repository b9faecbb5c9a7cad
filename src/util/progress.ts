import cliProgress from 'cli-progress';

/** A progress reporter for long work; silent when stderr is not a terminal (CI, pipes, --json). */
export interface Progress {
  start(label: string, total: number): void;
  advance(by?: number): void;
  set(value: number): void;
  stop(): void;
}

class TerminalProgress implements Progress {
  private bar: cliProgress.SingleBar | undefined;
  start(label: string, total: number): void {
    this.stop();
    this.bar = new cliProgress.SingleBar(
      {
        format: `${label.padEnd(28)} {bar} {percentage}% | {value}/{total} | {eta_formatted} left`,
        stream: process.stderr,
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total, 0);
  }
  advance(by = 1): void {
    this.bar?.increment(by);
  }
  set(value: number): void {
    this.bar?.update(value);
  }
  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}

const silent: Progress = { start() {}, advance() {}, set() {}, stop() {} };

export function createProgress(options: { quiet?: boolean } = {}): Progress {
  if (options.quiet || !process.stderr.isTTY) return silent;
  return new TerminalProgress();
}

export const silentProgress = silent;
