import type { Command } from 'commander';
import { type TestResult, testWarehouse } from '../../models/index.js';
import { action, globalOptions, printJson, withExamples } from '../shell.js';
import { printTable } from '../table.js';

export function registerTest(program: Command): void {
  const command = program
    .command('test')
    .description('run the data-quality tests against the current build (nothing is built or published)')
    .option('--select <selector...>', 'only the tests of these models: name, name+, +name, tag:x')
    .option('--models <dir>', 'the models folder', 'models')
    .option(
      '--as-of <build-or-load>',
      'test an earlier build (a build id, or the build in force after a load)',
    )
    .option('--json', 'print { build_id, load_id, tests }')
    .action(
      action(
        async (flags: { select?: string[]; models: string; asOf?: string; json?: boolean }, cmd: Command) => {
          const result = await testWarehouse({
            lake: globalOptions(cmd).lake,
            modelsDir: flags.models,
            select: flags.select,
            asOf: flags.asOf,
          });
          const blocking = result.tests.filter((test) => test.severity === 'error' && test.status !== 'pass');
          if (flags.json) printJson(result);
          else {
            printTestResults(result.tests);
            if (result.not_built.length)
              process.stdout.write(
                `not in build ${result.build_id} (untested): ${result.not_built.join(', ')}\n`,
              );
            process.stdout.write(
              `build ${result.build_id}: ${result.tests.length - blocking.length} of ${result.tests.length} tests without errors\n`,
            );
          }
          if (blocking.length > 0) process.exitCode = 1;
        },
      ),
    );
  withExamples(command, 'lathe test', 'lathe test --select fact_machine_shift', 'lathe test --json');
}

/** One line per test; failing ones with the count and, below, their message. */
export function printTestResults(tests: TestResult[]): void {
  printTable(
    ['model', 'test', 'severity', 'status', 'failing_rows'],
    tests.map((test) => ({
      ...test,
      test: test.name,
      status: test.status === 'pass' ? 'pass' : test.status.toUpperCase(),
    })),
  );
  for (const test of tests)
    if (test.status !== 'pass' && test.message)
      process.stdout.write(`  ${test.model}: ${test.name}: ${test.message}\n`);
}
