import { type Command, Option } from 'commander';
import { ENTITY_NAMES } from '../../generate/model.js';
import { SCALE_NAMES, SCALES, type ScaleName } from '../../generate/plan.js';
import { UsageError } from '../../util/errors.js';
import { createProgress } from '../../util/progress.js';
import { action, printJson, withExamples } from '../shell.js';

interface GenerateFlags {
  out: string;
  truth?: string;
  seed: string;
  scale: ScaleName;
  plants?: string;
  linesPerPlant?: string;
  machinesPerLine?: string;
  days?: string;
  start?: string;
  sensorsPerMachine?: string;
  readingIntervalS?: string;
  countIntervalS?: string;
  badRows: string;
  idPrefix?: string;
  force?: boolean;
  json?: boolean;
}

/** A whole number flag, or undefined when absent; anything else is a usage error. */
function whole(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim())) {
    throw new UsageError(`${flag} is \`${value}\`, expected a whole number`, `write e.g. ${flag} 3`);
  }
  return Number(value);
}

function share(flag: string, value: string): number {
  const parsed = value.trim() === '' ? Number.NaN : Number(value);
  if (!(parsed >= 0 && parsed <= 1)) {
    throw new UsageError(
      `${flag} is \`${value}\`, expected a share between 0 and 1`,
      `write e.g. ${flag} 0.01 for 1%`,
    );
  }
  return parsed;
}

const scaleHelp = SCALE_NAMES.map((name) => {
  const s = SCALES[name];
  return `${name}: ${s.plants} plant(s) x ${s.linesPerPlant} lines x ${s.machinesPerLine} machines, ${s.days} days from ${s.start}`;
}).join('; ');

export function registerGenerate(program: Command): void {
  const command = program
    .command('generate')
    .description(
      'write a synthetic factory drop (one CSV per contract entity) and its ground truth (failures, sensor anomalies, bad rows) in a sibling folder',
    )
    .requiredOption('--out <dir>', 'the drop folder to write')
    .option('--truth <dir>', 'the ground-truth folder (default: <out>.truth, beside the drop)')
    .option('--seed <n>', 'random seed: the same seed and options give byte-identical files', '1')
    .addOption(
      new Option('--scale <scale>', `size preset (${scaleHelp})`).choices(SCALE_NAMES).default('small'),
    )
    .option('--plants <n>', 'plants (1-5), each with its own timezone, currency and shift pattern')
    .option('--lines-per-plant <n>', 'lines per plant')
    .option('--machines-per-line <n>', 'machines per line')
    .option('--days <n>', 'production days')
    .option('--start <date>', 'first production day, plant-local, YYYY-MM-DD')
    .option('--sensors-per-machine <n>', 'sensors per machine, 1-6 (default: 4-6, drawn per machine)')
    .option('--reading-interval-s <n>', 'seconds between sensor readings')
    .option('--count-interval-s <n>', 'seconds per production count interval')
    .option(
      '--bad-rows <rate>',
      'share of rows replaced by contract violations (0..1), recorded in the truth',
      '0',
    )
    .option(
      '--id-prefix <text>',
      'put into every transaction id, so a later drop of the same factory (another --start) never reuses ids',
    )
    .option('--force', 'overwrite the generated files in a non-empty folder')
    .option('--json', 'print the summary as JSON')
    .action(
      action(async (flags: GenerateFlags) => {
        // Loaded when used: the generator's modules cost every other command start-up time.
        const { generateFactory } = await import('../../generate/index.js');
        const summary = await generateFactory({
          out: flags.out,
          truth: flags.truth,
          seed: whole('--seed', flags.seed)!,
          scale: flags.scale,
          plants: whole('--plants', flags.plants),
          linesPerPlant: whole('--lines-per-plant', flags.linesPerPlant),
          machinesPerLine: whole('--machines-per-line', flags.machinesPerLine),
          days: whole('--days', flags.days),
          start: flags.start,
          sensorsPerMachine: whole('--sensors-per-machine', flags.sensorsPerMachine),
          readingIntervalS: whole('--reading-interval-s', flags.readingIntervalS),
          countIntervalS: whole('--count-interval-s', flags.countIntervalS),
          badRows: share('--bad-rows', flags.badRows),
          idPrefix: flags.idPrefix,
          force: flags.force,
          progress: createProgress({ quiet: flags.json }),
        });
        if (flags.json) {
          printJson({
            out: summary.out,
            truth: summary.truth,
            seed: summary.seed,
            scale: summary.scale,
            entities: summary.entities,
            total_rows: summary.total_rows,
            bytes: summary.bytes,
            seconds: summary.seconds,
            failures: summary.failures,
            anomalies: summary.anomalies,
            bad_rows: summary.bad_rows,
          });
          return;
        }
        const lines = [
          `wrote ${summary.total_rows.toLocaleString('en-US')} rows (${(summary.bytes / 1e6).toFixed(1)} MB) to ${summary.out} in ${summary.seconds.toFixed(1)} s`,
          ...ENTITY_NAMES.map(
            (entity) =>
              `  ${entity.padEnd(20)} ${summary.entities[entity].toLocaleString('en-US').padStart(12)}`,
          ),
          `ground truth in ${summary.truth}: ${summary.failures} failures, ${summary.anomalies} sensor anomalies, ${summary.bad_rows} bad rows`,
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      }),
    );
  withExamples(
    command,
    'lathe generate --out demo/drop --seed 7 --scale small',
    'lathe generate --out /tmp/drop --scale tiny --bad-rows 0.02 --json',
    'lathe generate --out big/drop --scale medium --plants 2 --days 30 --force',
    'lathe generate --out next/drop --scale tiny --start 2026-03-30 --days 1 --id-prefix D2',
  );
}
