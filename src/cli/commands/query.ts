import type { Command } from 'commander';
import { openLakeReader, runReadOnlyQuery } from '../../lake/reader.js';
import { UsageError } from '../../util/errors.js';
import { action, globalOptions, printJson, withExamples } from '../shell.js';
import { printCsv, printTable } from '../table.js';

export function registerQuery(program: Command): void {
  const command = program
    .command('query')
    .description(
      'run read-only SQL (DuckDB) over the lake: a table per source entity and per warehouse model',
    )
    .argument('<sql>', 'one SELECT statement')
    .option(
      '--as-of <load-or-build>',
      'read the lake as it was right after that load (and its latest build), or as of that build',
    )
    .option('--json', 'print rows as a JSON array')
    .option('--csv', 'print rows as CSV')
    .action(
      action(async (sql: string, flags: { asOf?: string; json?: boolean; csv?: boolean }, cmd: Command) => {
        if (flags.json && flags.csv)
          throw new UsageError('--json and --csv cannot both be given', 'pick one output format');
        const reader = await openLakeReader(globalOptions(cmd).lake, { asOf: flags.asOf });
        try {
          const { columns, rows } = await runReadOnlyQuery(reader, sql);
          if (flags.json) printJson(rows);
          else if (flags.csv) printCsv(columns, rows);
          else printTable(columns, rows);
        } finally {
          reader.close();
        }
      }),
    );
  withExamples(
    command,
    'lathe query "select count(*) from sensor_readings"',
    'lathe query "select machine_id, sum(total_count) from production_counts group by all" --csv',
    'lathe query "select count(*) from machines" --as-of 20261123T104512345Z-7f3a',
  );
}
