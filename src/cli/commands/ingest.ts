import type { Command } from 'commander';
import { UsageError } from '../../util/errors.js';
import { createProgress } from '../../util/progress.js';
import { action, globalOptions, printJson, withExamples } from '../shell.js';

interface IngestFlags {
  source?: string;
  quarantineLimit?: string;
  wait: string;
  force?: boolean;
  json?: boolean;
}

export function registerIngest(program: Command): void {
  const command = program
    .command('ingest')
    .description('load a drop folder into the lake: validate, quarantine bad rows, commit atomically')
    .argument('<dir>', 'the drop folder (one file or folder per entity)')
    .option(
      '--source <file>',
      'a source declaration (YAML) for your own files; default: the factory contract',
    )
    .option(
      '--quarantine-limit <share>',
      'fail the load when more than this share of an entity is quarantined (0..1)',
    )
    .option('--wait <seconds>', 'when another process is writing the lake, wait this long for it', '0')
    .option('--force', 'load even if the same drop content was loaded before')
    .option('--json', 'print the load record as JSON')
    .action(
      action(async (dir: string, flags: IngestFlags, cmd: Command) => {
        const { lake } = globalOptions(cmd);
        // Loaded when used: the contract's YAML and schema libraries cost every other command start-up time.
        const [{ loadSourceDeclaration }, { factorySource }, { ingestDrop }] = await Promise.all([
          import('../../contract/declaration.js'),
          import('../../contract/factory.js'),
          import('../../ingest/load.js'),
        ]);
        const source = flags.source ? loadSourceDeclaration(flags.source) : factorySource();
        const limit = flags.quarantineLimit === undefined ? undefined : Number(flags.quarantineLimit);
        if (limit !== undefined && !(limit >= 0 && limit <= 1)) {
          throw new UsageError(
            `--quarantine-limit is \`${flags.quarantineLimit}\`, expected a share between 0 and 1`,
            'write e.g. --quarantine-limit 0.05 for 5%',
          );
        }
        const waitSeconds = Number(flags.wait);
        if (!(waitSeconds >= 0))
          throw new UsageError(`--wait is \`${flags.wait}\`, expected seconds`, 'write e.g. --wait 60');
        const result = await ingestDrop({
          lake,
          drop: dir,
          source,
          quarantineLimit: limit,
          waitSeconds,
          force: flags.force,
          progress: createProgress({ quiet: flags.json }),
          onWait: (message) => process.stderr.write(`${message}\n`),
        });
        const load = result.load;
        if (flags.json) printJson({ ...load, result: result.status });
        else if (result.status === 'unchanged') {
          process.stdout.write(
            `unchanged: this drop's content was already loaded as ${load.load_id} (use --force to load it again)\n`,
          );
        } else {
          // A failed load loaded nothing: its counts say what it would have loaded.
          const loaded = load.status === 'committed' ? 'loaded' : 'would have loaded';
          process.stdout.write(
            `load ${load.load_id} ${load.status}: ${load.rows_read} rows read, ${load.rows_loaded} ${loaded}, ${load.rows_quarantined} quarantined, ${(load.bytes / 1e6).toFixed(1)} MB in ${((load.duration_ms ?? 0) / 1000).toFixed(1)} s\n`,
          );
          for (const entity of load.entities) {
            const reasons = Object.entries(entity.reasons)
              .map(([code, n]) => `${code} ${n}`)
              .join(', ');
            process.stdout.write(
              `  ${entity.entity.padEnd(20)} ${String(entity.rows_loaded).padStart(10)} loaded ${String(entity.rows_quarantined).padStart(8)} quarantined${reasons ? `  (${reasons})` : ''}\n`,
            );
          }
          if (load.ignored_files.length > 0)
            process.stdout.write(`  ignored (no declared entity): ${load.ignored_files.join(', ')}\n`);
          if (load.rows_quarantined > 0)
            process.stdout.write(`see the quarantined rows: lathe quarantine --load ${load.load_id}\n`);
        }
        if (load.status === 'failed' && load.error) {
          const where = [
            load.error.file && `file ${load.error.file}`,
            load.error.line && `line ${load.error.line}`,
            load.error.field && `field \`${load.error.field}\``,
          ]
            .filter(Boolean)
            .join(' ');
          process.stderr.write(
            `error: load ${load.load_id} failed and did not become current: ${where ? `${where}: ` : ''}${load.error.message}\n${load.error.fix ? `  fix: ${load.error.fix}\n` : ''}`,
          );
          process.exitCode = 1;
        }
      }),
    );
  withExamples(
    command,
    'lathe ingest demo/drop',
    'lathe ingest exports/2026-03-02 --quarantine-limit 0.01 --json',
    'lathe ingest ../shared/data/ai4i2020 --source examples/sources/ai4i2020.source.yaml',
  );
}
