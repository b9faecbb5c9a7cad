import type { Command } from 'commander';
import { LakeLayout } from '../../lake/layout.js';
import { readCurrentId } from '../../lake/manifest.js';
import { FileLoadStore } from '../../meta/load-store.js';
import { action, globalOptions, printJson, withExamples } from '../shell.js';

export function registerLoads(program: Command): void {
  const command = program
    .command('loads')
    .description('the history of loads: status, rows read, loaded and quarantined, per file')
    .option('--json', 'print an array of loads, each with its files')
    .action(
      action(async (flags: { json?: boolean }, cmd: Command) => {
        const layout = new LakeLayout(globalOptions(cmd).lake);
        const loads = await new FileLoadStore(layout.loadsDir()).list();
        const current = await readCurrentId(layout, 'raw');
        if (flags.json) {
          printJson(loads.map((load) => ({ ...load, current: load.load_id === current })));
          return;
        }
        if (loads.length === 0) {
          process.stdout.write('no loads yet: run lathe ingest DIR\n');
          return;
        }
        process.stdout.write(
          `${'load_id'.padEnd(26)} ${'status'.padEnd(10)} ${'read'.padStart(10)} ${'loaded'.padStart(10)} ${'quarantined'.padStart(11)}  started\n`,
        );
        for (const load of loads) {
          const marker = load.load_id === current ? ' *' : '';
          process.stdout.write(
            `${load.load_id.padEnd(26)} ${load.status.padEnd(10)} ${String(load.rows_read).padStart(10)} ${String(load.rows_loaded).padStart(10)} ${String(load.rows_quarantined).padStart(11)}  ${load.started_at}${marker}\n`,
          );
          if (load.error)
            process.stdout.write(
              `    ${load.error.file ? `${load.error.file}${load.error.line ? `:${load.error.line}` : ''}: ` : ''}${load.error.message}\n`,
            );
        }
        process.stdout.write('* = current\n');
      }),
    );
  withExamples(command, 'lathe loads', 'lathe loads --json | jq ".[-1].files"');
}
