import type { Command } from 'commander';
import { type BuildResult, buildWarehouse } from '../../models/index.js';
import { UsageError } from '../../util/errors.js';
import { createProgress } from '../../util/progress.js';
import { action, globalOptions, printJson, withExamples } from '../shell.js';
import { printTable } from '../table.js';

interface BuildFlags {
  select?: string[];
  asOf?: string;
  models: string;
  fullRefresh?: boolean;
  wait: string;
  json?: boolean;
}

export function registerBuild(program: Command): void {
  const command = program
    .command('build')
    .description(
      'build the warehouse: run the SQL models into the lake, test them, publish if the error tests pass',
    )
    .option(
      '--select <selector...>',
      'only these models: name, name+ (and downstream), +name (and upstream), tag:x',
    )
    .option('--as-of <load-id>', 'build from the raw lake as it was right after that load')
    .option('--models <dir>', 'the models folder', 'models')
    .option('--full-refresh', 'rebuild incremental models from every load, not only the new ones')
    .option('--wait <seconds>', 'when another process is writing the lake, wait this long for it', '0')
    .option('--json', 'print the build record as JSON')
    .action(
      action(async (flags: BuildFlags, cmd: Command) => {
        const waitSeconds = Number(flags.wait);
        if (!(waitSeconds >= 0))
          throw new UsageError(`--wait is \`${flags.wait}\`, expected seconds`, 'write e.g. --wait 60');
        const progress = createProgress({ quiet: flags.json });
        let started = false;
        const result = await buildWarehouse({
          lake: globalOptions(cmd).lake,
          modelsDir: flags.models,
          select: flags.select,
          asOfLoad: flags.asOf,
          fullRefresh: flags.fullRefresh,
          waitSeconds,
          onWait: (message) => process.stderr.write(`${message}\n`),
          onProgress: (event) => {
            if (event.kind !== 'model') return;
            if (!started) progress.start('building models', event.total);
            started = true;
            progress.set(event.done);
          },
        }).finally(() => progress.stop());
        if (flags.json) printJson(result);
        else printBuild(result);
        if (result.status !== 'published') process.exitCode = 1;
      }),
    );
  withExamples(
    command,
    'lathe build',
    'lathe build --select fact_machine_shift+',
    'lathe build --select tag:oee --json',
    'lathe build --as-of 20261123T104512345Z-7f3a',
  );
}

const LAYER_ORDER = ['staging', 'core', 'marts'];

/** Staging, core, marts, each by name: how a person looks for a model (the build ran in dependency order). */
function byLayer(a: { layer: string; name: string }, b: { layer: string; name: string }): number {
  return LAYER_ORDER.indexOf(a.layer) - LAYER_ORDER.indexOf(b.layer) || a.name.localeCompare(b.name);
}

function printBuild(result: BuildResult): void {
  printTable(
    ['model', 'layer', 'materialized', 'status', 'rows', 'seconds'],
    [...result.models].sort(byLayer).map((model) => ({
      ...model,
      model: model.name,
      status:
        model.mode === 'incremental'
          ? `${model.status} (new rows)`
          : model.full_reason && model.full_reason !== 'first incremental build'
            ? `${model.status} (in full: ${model.full_reason})`
            : model.status,
      seconds: model.status === 'reused' ? '' : model.seconds.toFixed(2),
    })),
  );
  const failing = result.tests.filter((test) => test.status !== 'pass');
  const passed = result.tests.length - failing.length;
  process.stdout.write(
    `tests: ${passed} passed, ${failing.filter((t) => t.severity === 'warn').length} warned, ${failing.filter((t) => t.severity === 'error').length} failed\n`,
  );
  for (const test of failing)
    process.stdout.write(
      `  ${test.severity === 'error' ? 'FAIL' : 'WARN'} ${test.model}: ${test.name} — ${test.message ?? `${test.failing_rows} failing row${test.failing_rows === 1 ? '' : 's'}`}\n`,
    );
  const seconds = ((result.duration_ms ?? 0) / 1000).toFixed(1);
  if (result.status === 'published') {
    process.stdout.write(`build ${result.build_id} published (load ${result.load_id}) in ${seconds} s\n`);
  } else {
    const error = result.error;
    process.stdout.write(`build ${result.build_id} failed (not published) in ${seconds} s\n`);
    if (error)
      process.stderr.write(
        `error: ${error.file ? `file ${error.file}: ` : ''}${error.message}${error.fix ? `\n  fix: ${error.fix}` : ''}\n`,
      );
  }
}
