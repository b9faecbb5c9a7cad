import type { Command } from 'commander';
import { LakeLayout } from '../../lake/layout.js';
import { FileBuildStore } from '../../models/index.js';
import { LatheError } from '../../util/errors.js';
import { action, globalOptions, printJson, withExamples } from '../shell.js';
import { printTable } from '../table.js';

export function registerDq(program: Command): void {
  const command = program
    .command('dq')
    .description('data-quality history: every test result of every build (pass and fail, counts, samples)')
    .option('--build <id>', 'only this build')
    .option('--model <name>', 'only the tests of this model')
    .option('--failing', 'only tests that did not pass')
    .option('--json', 'print an array of results, each with its build and a sample of failing rows')
    .action(
      action(
        async (
          flags: { build?: string; model?: string; failing?: boolean; json?: boolean },
          cmd: Command,
        ) => {
          const store = new FileBuildStore(new LakeLayout(globalOptions(cmd).lake));
          const builds = await store.list();
          if (flags.build && !builds.some((build) => build.build_id === flags.build))
            throw new LatheError('unknown_build', `no build \`${flags.build}\` in this lake`, {
              fix: builds.length
                ? `use a build id from lathe dq, e.g. --build ${builds[builds.length - 1]!.build_id}`
                : 'this lake has no build yet: run lathe build',
              exitCode: 2,
            });
          const rows = builds
            .filter((build) => !flags.build || build.build_id === flags.build)
            .flatMap((build) =>
              build.tests.map((test) => ({ build_id: build.build_id, build_status: build.status, ...test })),
            )
            .filter((row) => !flags.model || row.model.split(', ').includes(flags.model))
            .filter((row) => !flags.failing || row.status !== 'pass');
          if (flags.json) {
            printJson(rows);
            return;
          }
          if (builds.length === 0) {
            process.stdout.write('no builds yet: run lathe build\n');
            return;
          }
          printTable(
            ['build_id', 'build_status', 'model', 'name', 'severity', 'status', 'failing_rows'],
            rows.map((row) => ({
              ...row,
              status: row.status === 'pass' ? 'pass' : row.status.toUpperCase(),
            })),
          );
          for (const row of rows.filter((r) => r.status !== 'pass' && r.sample.length > 0).slice(-5)) {
            process.stdout.write(
              `\n${row.build_id} ${row.model}: ${row.name} (${row.failing_rows} failing), sample:\n`,
            );
            const columns = Object.keys(row.sample[0]!);
            printTable(columns, row.sample);
          }
        },
      ),
    );
  withExamples(
    command,
    'lathe dq',
    'lathe dq --model fact_machine_shift --failing',
    'lathe dq --build 20261123T104512345Z-7f3a --json',
  );
}
