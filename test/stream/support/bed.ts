/** What every stream CLI test shares: a real mosquitto and a scratch folder per file, and a consumer process. */
import { after, before } from 'node:test';
import { startCli } from '../../support/cli.js';
import { Scratch } from '../../support/drop.js';
import { waitFor } from './fixture.js';
import { type Mosquitto, startMosquitto } from './mosquitto.js';

export interface StreamBed {
  broker: Mosquitto;
  scratch: Scratch;
}

/** Starts a broker and a scratch folder before the file's tests and disposes of both after them. */
export function streamBed(scratchPrefix: string): StreamBed {
  const bed = {} as StreamBed;
  before(async () => {
    bed.broker = await startMosquitto();
    bed.scratch = await Scratch.create(scratchPrefix);
  });
  after(async () => {
    await bed.broker?.stop();
    await bed.scratch?.dispose();
  });
  return bed;
}

/**
 * `lathe stream` on `lake` as consumer `name` (300 ms batches, plus `extra` flags). `subscribed`
 * settles once it subscribed; nobody has to await it (a consumer killed early never subscribes).
 */
export function startConsumer(lake: string, brokerUrl: string, name: string, extra: string[] = []) {
  const run = startCli([
    '--lake',
    lake,
    'stream',
    '--mqtt',
    brokerUrl,
    ...extra,
    '--consumer',
    name,
    '--batch-ms',
    '300',
  ]);
  let stderr = '';
  run.child.stderr!.on('data', (chunk: string) => (stderr += chunk)); // startCli set utf8
  const subscribed = waitFor(
    `consumer ${name} to subscribe`,
    async () => stderr.includes('subscribed'),
    30_000,
  );
  subscribed.catch(() => undefined);
  return { ...run, name, subscribed, stderr: () => stderr };
}
