import { hostname } from 'node:os';
import type { Command } from 'commander';
import type { EmbeddedBroker } from '../../stream/broker.js';
import { CONSUMER_NAME } from '../../stream/paths.js';
import { LatheError, UsageError } from '../../util/errors.js';
import { action, globalOptions, printJson, withExamples } from '../shell.js';

interface StreamFlags {
  mqtt?: string;
  port: string;
  topicPrefix: string;
  group?: string;
  consumer?: string;
  tlsCa?: string;
  username?: string;
  password?: string;
  mqttVersion?: string;
  batchRows: string;
  batchMs: string;
  alerts?: boolean;
  json?: boolean;
}

function whole(flag: string, value: string, min: number, max: number, example: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(
      `${flag} is \`${value}\`, expected a whole number from ${min} to ${max}`,
      `write e.g. ${flag} ${example}`,
    );
  return n;
}

export function registerStream(program: Command): void {
  const command = program
    .command('stream')
    .description(
      'consume machine data over MQTT (telemetry, counts, state): check every message, land micro-batches in the lake exactly once, raise alerts',
    )
    .option(
      '--mqtt <url>',
      'a standing broker, mqtt://host:port or mqtts://host:port (default: start an embedded broker)',
    )
    .option('--port <port>', 'port of the embedded broker on 127.0.0.1', '1883')
    .option(
      '--topic-prefix <prefix>',
      'first topic level(s): <prefix>/<plant>/<line>/<machine>/<channel>',
      'lathe',
    )
    .option(
      '--group <name>',
      'join the MQTT 5 shared subscription $share/<name>/…: consumers of a group split the messages',
    )
    .option(
      '--consumer <name>',
      "this consumer's name: its MQTT client id and its folder in the lake (stable across restarts)",
    )
    .option('--tls-ca <file>', 'PEM of the certificate authority of an mqtts:// broker')
    .option('--username <user>', 'broker user name')
    .option('--password <password>', 'broker password (or set LATHE_MQTT_PASSWORD)')
    .option(
      '--mqtt-version <n>',
      'MQTT protocol version, 5 or 4 (3.1.1); default 5, and 4 for the embedded broker',
    )
    .option('--batch-rows <n>', 'land a micro-batch when it holds this many rows', '100000')
    .option('--batch-ms <ms>', '... or when it is this old', '2000')
    .option('--alerts', 'print every alert event as a JSON line on stdout')
    .action(
      action(async (flags: StreamFlags, cmd: Command) => {
        const { lake } = globalOptions(cmd);
        // Loaded when used: the broker and client modules cost every other command start-up time.
        const [{ startEmbeddedBroker }, { checkBrokerUrl, StreamConsumer }, { detectorFactory }] =
          await Promise.all([
            import('../../stream/broker.js'),
            import('../../stream/consumer.js'),
            import('../../stream/detection.js'),
          ]);
        if (flags.mqtt !== undefined) checkBrokerUrl(flags.mqtt);
        const port = whole('--port', flags.port, 1, 65535, '1883');
        const batchRows = whole('--batch-rows', flags.batchRows, 1, 10_000_000, '100000');
        const batchMs = whole('--batch-ms', flags.batchMs, 50, 600_000, '2000');
        if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(flags.topicPrefix))
          throw new UsageError(
            `--topic-prefix \`${flags.topicPrefix}\` is not a topic path`,
            'write e.g. --topic-prefix lathe or --topic-prefix site1/lathe (no wildcards)',
          );
        if (flags.group !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(flags.group))
          throw new UsageError(
            `--group \`${flags.group}\` is not a plain name`,
            'use letters, digits, dot, dash or underscore, e.g. --group lathe',
          );
        if (flags.group && !flags.consumer)
          throw new UsageError(
            '--group needs --consumer: each member of a shared subscription needs its own stable name',
            'start each member with its own name, e.g. --group lathe --consumer lathe-a (and lathe-b ...)',
          );
        const consumerName =
          flags.consumer ?? `lathe-${hostname().replace(/[^A-Za-z0-9_.-]/g, '-')}`.slice(0, 64);
        if (!CONSUMER_NAME.test(consumerName))
          throw new UsageError(
            `--consumer \`${consumerName}\` is not a plain name`,
            'use 1-64 letters, digits, dot, dash or underscore',
          );
        const version = flags.mqttVersion === undefined ? undefined : Number(flags.mqttVersion);
        if (version !== undefined && version !== 4 && version !== 5)
          throw new UsageError(
            `--mqtt-version is \`${flags.mqttVersion}\``,
            'write --mqtt-version 5 or --mqtt-version 4',
          );

        let broker: EmbeddedBroker | undefined;
        if (!flags.mqtt) {
          if (flags.group)
            throw new UsageError(
              '--group needs a standing broker',
              'pass --mqtt mqtt://host:port of a broker with shared subscriptions (mosquitto 2, EMQX, HiveMQ)',
            );
          broker = await startEmbeddedBroker({ port });
          process.stderr.write(
            `embedded MQTT broker on ${broker.url} (MQTT 3.1.1; its sessions live as long as this process)\n`,
          );
        }
        const tty = process.stderr.isTTY;
        const consumer = await StreamConsumer.start({
          lake,
          consumer: consumerName,
          topicPrefix: flags.topicPrefix,
          url: flags.mqtt ?? broker!.url,
          protocolVersion: (version ?? (broker ? 4 : 5)) as 4 | 5,
          group: flags.group,
          tlsCa: flags.tlsCa,
          username: flags.username,
          password: flags.password ?? process.env.LATHE_MQTT_PASSWORD,
          batchRows,
          batchMs,
          detector: detectorFactory(),
          onAlert: flags.alerts ? (alert) => process.stdout.write(`${JSON.stringify(alert)}\n`) : undefined,
          onError: (error) =>
            process.stderr.write(
              `${tty ? '\n' : ''}error: ${error instanceof LatheError ? error.describe() : error instanceof Error ? error.message : String(error)}\n`,
            ),
          onConnection: (status, detail) =>
            process.stderr.write(`${tty ? '\n' : ''}${status}${detail ? `: ${detail}` : ''}\n`),
        });
        const ingestor = consumer.ingestor;
        if (ingestor.knownMachines === 0)
          process.stderr.write(
            'warning: the lake has no machines yet: stream rows will be quarantined by their loads\n  fix: ingest the master data first (lathe simulate --drop DIR writes it for the simulated factory)\n',
          );
        process.stderr.write(
          `consumer ${consumerName} (${consumer.topicFilter}) landing into ${lake} (Ctrl-C lands what is buffered and stops)\n`,
        );

        let last = { at: Date.now(), messages: ingestor.stats.messages, readings: ingestor.stats.readings };
        const ticker = tty
          ? setInterval(() => {
              const now = Date.now();
              const s = ingestor.stats;
              const seconds = (now - last.at) / 1000;
              const line = `${Math.round((s.messages - last.messages) / seconds)} msg/s, ${Math.round((s.readings - last.readings) / seconds)} readings/s | landed ${s.loads} loads, ${s.rows_landed} rows | waiting ${ingestor.backlog} | dead letters ${s.dead_letters} | alerts ${s.alerts}`;
              last = { at: now, messages: s.messages, readings: s.readings };
              process.stderr.write(`\r${line.padEnd(110)}`);
            }, 1000)
          : undefined;
        await new Promise<void>((resolve) => {
          const stop = () => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            resolve();
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
        if (ticker) clearInterval(ticker);
        process.stderr.write(`${tty ? '\n' : ''}stopping: landing what is buffered ...\n`);
        await consumer.stop();
        await broker?.close();
        const s = ingestor.stats;
        process.stderr.write(
          `stopped: ${s.messages} messages (${s.readings} readings, ${s.counts} counts, ${s.states} states), ${s.loads} loads, ${s.rows_landed} rows landed, ${s.rows_quarantined} quarantined, ${s.dead_letters} dead letters, ${s.alerts} alert events\n`,
        );
      }),
    );
  withExamples(
    command,
    'lathe stream                                   # embedded broker on 127.0.0.1:1883',
    'lathe stream --mqtt mqtt://broker.plant:1883 --consumer lathe-1 --alerts',
    'lathe stream --mqtt mqtts://broker.plant:8883 --tls-ca ca.pem --username lathe --password secret',
    'lathe stream --mqtt mqtt://broker.plant:1883 --group lathe --consumer lathe-a   # and lathe-b ...',
    'lathe stream dead-letters --limit 20',
  );

  const dead = command
    .command('dead-letters')
    .description(
      'messages that broke the stream contract: topic, payload, reasons (code, field, fix), received time',
    )
    .option('--limit <n>', 'show the newest n', '50')
    .option('--json', 'print them as JSON')
    .action(
      action(async (flags: { limit: string; json?: boolean }, cmd: Command) => {
        const { lake } = globalOptions(cmd);
        const limit = whole('--limit', flags.limit, 1, 1_000_000, '50');
        const { listDeadLetters } = await import('../../stream/dead-letters.js');
        const letters = await listDeadLetters(lake, { limit });
        if (flags.json) {
          printJson(letters);
          return;
        }
        if (letters.length === 0) {
          process.stdout.write('no dead letters: every message received so far met the stream contract\n');
          return;
        }
        for (const letter of letters) {
          const payload = letter.payload.length > 200 ? `${letter.payload.slice(0, 200)}…` : letter.payload;
          process.stdout.write(
            `${letter.received_at}  ${letter.topic}${letter.index === null ? '' : ` [${letter.index}]`}\n  payload: ${payload}\n`,
          );
          for (const reason of letter.reasons)
            process.stdout.write(
              `  ${reason.code}${reason.field ? ` (${reason.field})` : ''}: ${reason.message}\n    fix: ${reason.fix}\n`,
            );
        }
      }),
    );
  withExamples(dead, 'lathe stream dead-letters', 'lathe stream dead-letters --json --limit 100');
}
