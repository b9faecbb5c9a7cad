import path from 'node:path';
import type { Command } from 'commander';
import { LatheError } from '../util/errors.js';

/** Options every command inherits from the program. */
export interface GlobalOptions {
  lake: string;
}

export function globalOptions(command: Command): GlobalOptions {
  const opts = command.optsWithGlobals<{ lake?: string }>();
  return { lake: path.resolve(opts.lake ?? process.env.LATHE_LAKE ?? 'lake') };
}

/** Adds the standard example block to a command's --help. */
export function withExamples(command: Command, ...examples: string[]): Command {
  return command.addHelpText(
    'after',
    `\nExample${examples.length > 1 ? 's' : ''}:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n`,
  );
}

/**
 * Runs a command's action: a LatheError becomes a readable message (or JSON with --json)
 * and its exit code; anything else is a bug and prints its stack.
 */
export function action<A extends unknown[]>(
  work: (...args: A) => Promise<void> | void,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const command = args[args.length - 1] as Command;
    const json = Boolean(command.opts<{ json?: boolean }>().json);
    try {
      await work(...args);
    } catch (error) {
      if (error instanceof LatheError) {
        if (json) process.stdout.write(`${JSON.stringify({ error: error.toJSON() })}\n`);
        process.stderr.write(`error: ${error.describe()}\n`);
        process.exitCode = error.exitCode;
        return;
      }
      throw error;
    }
  };
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, jsonReplacer, 2)}\n`);
}

/** BigInt (DuckDB counts) prints as a number when safe, else as a string. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  return value;
}
