import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { LakeLayout } from '../../lake/layout.js';
import { readManifest } from '../../lake/manifest.js';
import { FileLoadStore } from '../../meta/load-store.js';
import { action, globalOptions, printJson, withExamples } from '../shell.js';
import { printTable } from '../table.js';

export function registerLake(program: Command): void {
  const lake = program.command('lake').description('inspect the lake folder');
  const stats = lake
    .command('stats')
    .description('what the current state holds: per entity its kind, loads, files, rows and bytes')
    .option('--json', 'print the figures as JSON')
    .action(
      action(async (flags: { json?: boolean }, cmd: Command) => {
        const layout = new LakeLayout(globalOptions(cmd).lake);
        const manifest = await readManifest(layout);
        const loads = await new FileLoadStore(layout.loadsDir()).list();
        const entities = [];
        for (const [name, entity] of Object.entries(manifest?.entities ?? {}).sort(([a], [b]) =>
          a.localeCompare(b),
        )) {
          let bytes = 0;
          for (const partition of entity.partitions)
            for (const file of partition.files) bytes += (await stat(layout.absolute(file))).size;
          entities.push({
            entity: name,
            kind: entity.kind,
            loads: entity.partitions.length,
            files: entity.partitions.reduce((sum, p) => sum + p.files.length, 0),
            rows_stored: entity.partitions.reduce((sum, p) => sum + p.rows, 0),
            bytes,
          });
        }
        const summary = {
          lake: layout.root,
          current_load: manifest?.id ?? null,
          loads: loads.length,
          loads_by_status: countBy(loads.map((load) => load.status)),
          rows_quarantined: loads.reduce((sum, load) => sum + load.rows_quarantined, 0),
          entities,
        };
        if (flags.json) {
          printJson(summary);
          return;
        }
        process.stdout.write(
          `lake ${summary.lake}\ncurrent load: ${summary.current_load ?? 'none'}; ${summary.loads} loads (${
            Object.entries(summary.loads_by_status)
              .map(([s, n]) => `${n} ${s}`)
              .join(', ') || 'none'
          }); ${summary.rows_quarantined} rows quarantined in all\n`,
        );
        if (entities.length) printTable(Object.keys(entities[0]!), entities);
      }),
    );
  withExamples(stats, 'lathe lake stats', 'lathe --lake /data/lathe lake stats --json');
  withExamples(lake, 'lathe lake stats');
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
