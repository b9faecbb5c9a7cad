import type { Command } from 'commander';
import { DuckSession } from '../../lake/duckdb.js';
import { LakeLayout } from '../../lake/layout.js';
import { readQuarantine } from '../../lake/quarantine.js';
import { FileLoadStore } from '../../meta/load-store.js';
import { LatheError, UsageError } from '../../util/errors.js';
import { action, globalOptions, printJson, withExamples } from '../shell.js';

interface QuarantineFlags {
  load?: string;
  entity?: string;
  all?: boolean;
  limit: string;
  json?: boolean;
}

export function registerQuarantine(program: Command): void {
  const command = program
    .command('quarantine')
    .description(
      'rows that did not load, with file, line, the raw record and every reason (default: the latest load)',
    )
    .option('--load <load-id>', 'rows of this load')
    .option('--entity <entity>', 'rows of this entity only')
    .option('--all', 'rows of every load')
    .option('--limit <n>', 'show at most this many rows', '100')
    .option('--json', 'print {total, rows} as JSON')
    .action(
      action(async (flags: QuarantineFlags, cmd: Command) => {
        const layout = new LakeLayout(globalOptions(cmd).lake);
        const limit = Number(flags.limit);
        if (!Number.isInteger(limit) || limit < 0)
          throw new UsageError(
            `--limit is \`${flags.limit}\`, expected a whole number`,
            'write e.g. --limit 20',
          );
        if (flags.all && flags.load)
          throw new UsageError('--all and --load cannot both be given', 'drop one of them');
        const loads = await new FileLoadStore(layout.loadsDir()).list();
        let loadId = flags.load;
        if (loadId && !loads.some((load) => load.load_id === loadId)) {
          throw new LatheError('unknown_load', `no load \`${loadId}\` in this lake`, {
            fix: 'pick a load id from `lathe loads`',
            exitCode: 2,
          });
        }
        if (!loadId && !flags.all) loadId = loads[loads.length - 1]?.load_id;
        const db = await DuckSession.open();
        try {
          const { total, rows } = await readQuarantine(db, layout, { loadId, entity: flags.entity, limit });
          if (flags.json) {
            printJson({ load_id: loadId ?? null, total, rows });
            return;
          }
          if (total === 0) {
            process.stdout.write(
              loadId
                ? `no quarantined rows in load ${loadId}${flags.entity ? ` for ${flags.entity}` : ''}\n`
                : 'no quarantined rows\n',
            );
            return;
          }
          for (const row of rows) {
            process.stdout.write(
              `${row.entity} ${row.file}:${row.line}  (load ${row.load_id})\n  record: ${row.record}\n`,
            );
            for (const reason of row.reasons)
              process.stdout.write(`  - [${reason.code}] ${reason.message}\n    fix: ${reason.fix}\n`);
          }
          process.stdout.write(
            `${rows.length} of ${total} quarantined row${total === 1 ? '' : 's'} shown${rows.length < total ? ' (raise --limit to see more)' : ''}\n`,
          );
        } finally {
          db.close();
        }
      }),
    );
  withExamples(
    command,
    'lathe quarantine',
    'lathe quarantine --load 20261123T104512345Z-7f3a --entity production_counts --json',
  );
}
