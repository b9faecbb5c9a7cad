import type { Command } from 'commander';
import { openLakeReader } from '../../lake/reader.js';
import { displayRows } from '../../metrics/display.js';
import { KPIS } from '../../metrics/kpis.js';
import { compileKpi, runKpi } from '../../metrics/query.js';
import { UsageError } from '../../util/errors.js';
import { action, globalOptions, printJson, withExamples } from '../shell.js';
import { printCsv, printTable } from '../table.js';

interface KpiFlags {
  by?: string;
  where?: string[];
  from?: string;
  to?: string;
  asOf?: string;
  json?: boolean;
  csv?: boolean;
  list?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function printList(json: boolean | undefined): void {
  if (json) {
    printJson(
      KPIS.map((kpi) => ({
        name: kpi.name,
        title: kpi.title,
        description: kpi.description,
        columns: kpi.columns.map((column) => ({ name: column.name, formula: column.formula })),
      })),
    );
    return;
  }
  const lines: string[] = [];
  for (const kpi of KPIS) {
    lines.push(`${kpi.name}: ${kpi.title}`);
    const width = Math.max(...kpi.columns.map((column) => column.name.length));
    for (const column of kpi.columns) lines.push(`  ${column.name.padEnd(width)}  ${column.formula}`);
    lines.push('');
  }
  process.stdout.write(`${lines.join('\n')}`);
}

export function registerKpi(program: Command): void {
  const command = program
    .command('kpi')
    .description(
      'a KPI at any grain and filter, rolled up from sums of the cell components (never averaged ratios)',
    )
    .argument(
      '[kpi]',
      'oee, utilization, teep, yield, waterfall, reliability, scrap, rework, dpmo, fpy, rty, cost',
    )
    .option(
      '--by <dimensions>',
      'group by: machine, line, plant, product, order, shift, day, week, month (comma-separated)',
    )
    .option(
      '--where <filters>',
      'filter: dimension=value,… (repeat a dimension for any of its values)',
      collect,
      [],
    )
    .option('--from <date>', 'first production day, inclusive (YYYY-MM-DD)')
    .option('--to <date>', 'last production day, inclusive (YYYY-MM-DD)')
    .option('--as-of <id>', 'read the warehouse build in force after that load, or that build')
    .option('--json', 'print rows as a JSON array (unrounded)')
    .option('--csv', 'print rows as CSV (unrounded)')
    .option('--list', 'list the KPIs with their formulas')
    .action(
      action(async (name: string | undefined, flags: KpiFlags, cmd: Command) => {
        if (flags.json && flags.csv)
          throw new UsageError('--json and --csv cannot both be given', 'pick one output format');
        if (flags.list) {
          printList(flags.json);
          return;
        }
        if (!name) {
          throw new UsageError(
            'which KPI? none was given',
            `name one: lathe kpi oee (KPIs: ${KPIS.map((kpi) => kpi.name).join(', ')}; lathe kpi --list shows their formulas)`,
          );
        }
        const request = {
          kpi: name,
          by: flags.by,
          where: flags.where?.join(','),
          from: flags.from,
          to: flags.to,
        };
        // Bad input is reported before the lake is opened, which then attaches only what the query reads.
        const compiled = compileKpi(request);
        const reader = await openLakeReader(globalOptions(cmd).lake, {
          asOf: flags.asOf,
          models: compiled.tables,
        });
        try {
          const result = await runKpi(reader, compiled);
          if (flags.json) printJson(result.rows);
          else if (flags.csv) printCsv(result.columns, result.rows);
          else printTable(result.columns, displayRows(compiled.kpi, result.rows));
        } finally {
          reader.close();
        }
      }),
    );
  withExamples(
    command,
    'lathe kpi oee --by line,day --where plant=P1 --from 2026-03-01 --to 2026-03-31',
    'lathe kpi teep --by machine,week --json',
    'lathe kpi waterfall --by plant,month --csv',
    'lathe kpi dpmo --by line --where line=L1,line=L2',
    'lathe kpi --list',
  );
}
