import type { Command } from 'commander';
import { SCALE_NAMES, type ScaleName } from '../../generate/plan.js';
import { UsageError } from '../../util/errors.js';
import { action, printJson, withExamples } from '../shell.js';

interface SimulateFlags {
  mqtt: string;
  rate: string;
  machines: string;
  count?: string;
  duration?: string;
  seed: string;
  scale: string;
  start?: string;
  readingIntervalS: string;
  topicPrefix: string;
  truth?: string;
  drop?: string;
  prepare?: boolean;
  mqttVersion: string;
  username?: string;
  password?: string;
  tlsCa?: string;
  json?: boolean;
}

function numberFlag(flag: string, value: string, check: (n: number) => boolean, example: string): number {
  const n = Number(value);
  if (value.trim() === '' || !check(n))
    throw new UsageError(`${flag} is \`${value}\``, `write e.g. ${flag} ${example}`);
  return n;
}

export function registerSimulate(program: Command): void {
  const command = program
    .command('simulate')
    .description(
      'publish a live MQTT stream from the synthetic factory (readings with injected drifts and spikes, counts, stops), ground truth aside',
    )
    .option('--mqtt <url>', 'the broker to publish to', 'mqtt://127.0.0.1:1883')
    .option(
      '--rate <n>',
      'records per second (readings + counts + states); 0 = as fast as the broker takes them',
      '1000',
    )
    .option('--machines <m>', 'how many machines publish', '6')
    .option('--count <n>', 'stop after n messages')
    .option('--duration <s>', 'stop after s seconds')
    .option('--seed <n>', 'seed of the factory (the same seed gives the same stream)', '1')
    .option('--scale <name>', `base scale of the factory: ${SCALE_NAMES.join(', ')}`, 'tiny')
    .option('--start <date>', 'first production day of the simulated data (YYYY-MM-DD)')
    .option('--reading-interval-s <s>', 'seconds between two readings of a sensor (data time)', '60')
    .option('--topic-prefix <prefix>', 'first topic level(s)', 'lathe')
    .option(
      '--truth <dir>',
      'write the ground truth here: failures.csv, anomalies.csv (drifts, spikes), summary.json',
    )
    .option(
      '--drop <dir>',
      "write the factory's other entities (master data, shifts, orders ...) here, for lathe ingest",
    )
    .option('--prepare', 'publish nothing: only write --truth and --drop')
    .option('--mqtt-version <n>', 'MQTT protocol version, 4 (3.1.1) or 5', '4')
    .option('--username <user>', 'broker user name')
    .option('--password <password>', 'broker password (or set LATHE_MQTT_PASSWORD)')
    .option('--tls-ca <file>', 'PEM of the certificate authority of an mqtts:// broker')
    .option('--json', 'end by printing what was published as JSON')
    .action(
      action(async (flags: SimulateFlags) => {
        if (flags.count !== undefined && flags.duration !== undefined)
          throw new UsageError(
            '--count and --duration both given',
            'pass one of them: --count N (messages) or --duration S (seconds)',
          );
        if (!SCALE_NAMES.includes(flags.scale as ScaleName))
          throw new UsageError(`unknown --scale \`${flags.scale}\``, `use one of ${SCALE_NAMES.join(', ')}`);
        if (flags.prepare && !flags.truth && !flags.drop)
          throw new UsageError(
            '--prepare writes only --truth and --drop, and neither was given',
            'add --drop DIR (and --truth DIR)',
          );
        const version = numberFlag('--mqtt-version', flags.mqttVersion, (n) => n === 4 || n === 5, '5');
        const { simulate } = await import('../../stream/simulate.js');
        const summary = await simulate({
          url: flags.mqtt,
          protocolVersion: version as 4 | 5,
          rate: numberFlag('--rate', flags.rate, (n) => n >= 0 && Number.isFinite(n), '1000'),
          machines: numberFlag(
            '--machines',
            flags.machines,
            (n) => Number.isInteger(n) && n >= 1 && n <= 240,
            '6',
          ),
          count:
            flags.count === undefined
              ? undefined
              : numberFlag('--count', flags.count, (n) => Number.isInteger(n) && n >= 0, '1000'),
          durationS:
            flags.duration === undefined
              ? undefined
              : numberFlag('--duration', flags.duration, (n) => n > 0 && Number.isFinite(n), '60'),
          seed: numberFlag('--seed', flags.seed, (n) => Number.isInteger(n) && n >= 0, '1'),
          scale: flags.scale as ScaleName,
          start: flags.start,
          readingIntervalS: numberFlag(
            '--reading-interval-s',
            flags.readingIntervalS,
            (n) => Number.isInteger(n) && n >= 1 && n <= 86400,
            '60',
          ),
          topicPrefix: flags.topicPrefix,
          truth: flags.truth,
          drop: flags.drop,
          prepareOnly: flags.prepare,
          username: flags.username,
          password: flags.password ?? process.env.LATHE_MQTT_PASSWORD,
          tlsCa: flags.tlsCa,
          onProgress:
            flags.json || !process.stderr.isTTY
              ? undefined
              : (s) =>
                  process.stderr.write(
                    `\rpublished ${s.messages} messages (${s.readings} readings, ${s.counts} counts, ${s.states} states) up to ${s.to}`,
                  ),
        });
        if (flags.json) {
          printJson(summary);
          return;
        }
        if (process.stderr.isTTY) process.stderr.write('\n');
        if (flags.prepare) {
          process.stdout.write(
            `wrote${flags.drop ? ` the factory's drop to ${flags.drop} (ingest it: lathe ingest ${flags.drop})` : ''}${flags.truth ? ` and the ground truth to ${flags.truth}` : ''}\n`,
          );
          return;
        }
        process.stdout.write(
          `published ${summary.messages} messages from ${summary.machines} machines: ${summary.readings} readings, ${summary.counts} counts, ${summary.states} states (data time ${summary.from ?? '-'} to ${summary.to ?? '-'}) in ${summary.seconds} s\n`,
        );
      }),
    );
  withExamples(
    command,
    'lathe simulate --prepare --drop demo/sim-drop --truth demo/sim-truth && lathe ingest demo/sim-drop',
    "lathe simulate --rate 2000 --duration 60            # to lathe stream's embedded broker",
    'lathe simulate --mqtt mqtt://127.0.0.1:1884 --machines 12 --count 5000 --truth demo/sim-truth --json',
  );
}
