/**
 * Errors a user can hit. Each carries a stable code, where it happened and how to fix it,
 * so the CLI can print it plainly (and pick an exit code) and the API can map it to a 4xx body.
 */
export interface ErrorLocation {
  file?: string;
  line?: number;
  field?: string;
}

export type ExitCode = 0 | 1 | 2;

export class LatheError extends Error {
  readonly code: string;
  readonly fix: string | undefined;
  readonly location: ErrorLocation;
  /** 1 = the work failed, 2 = the command was called wrongly. */
  readonly exitCode: ExitCode;

  constructor(
    code: string,
    message: string,
    options: { fix?: string; location?: ErrorLocation; exitCode?: ExitCode; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LatheError';
    this.code = code;
    this.fix = options.fix;
    this.location = options.location ?? {};
    this.exitCode = options.exitCode ?? 1;
  }

  /** One readable paragraph: where, what, and the fix. */
  describe(): string {
    const where = formatLocation(this.location);
    const head = where ? `${where}: ${this.message}` : this.message;
    return this.fix ? `${head}\n  fix: ${this.fix}` : head;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, fix: this.fix, ...this.location };
  }
}

/** Bad usage of a command: exit code 2. */
export class UsageError extends LatheError {
  constructor(message: string, fix?: string) {
    super('usage', message, { fix, exitCode: 2 });
    this.name = 'UsageError';
  }
}

export function formatLocation(location: ErrorLocation): string {
  const parts: string[] = [];
  if (location.file) parts.push(`file ${location.file}`);
  if (location.line !== undefined) parts.push(`line ${location.line}`);
  if (location.field) parts.push(`field \`${location.field}\``);
  return parts.join(' ');
}
