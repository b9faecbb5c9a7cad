/** A lake that knows the simulated factory's machines, and small helpers for stream tests. */
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { factorySource } from '../../../src/contract/factory.js';
import { ingestDrop } from '../../../src/ingest/load.js';
import { simulate } from '../../../src/stream/simulate.js';

/** Writes the simulated factory's master data into a new lake at `<dir>/lake`; returns the lake. */
export async function prepareLake(dir: string, machines = 6): Promise<{ lake: string; truth: string }> {
  const drop = path.join(dir, 'sim-drop');
  const truth = path.join(dir, 'sim-truth');
  await simulate({ url: 'mqtt://127.0.0.1:1', prepareOnly: true, drop, truth, machines });
  const lake = path.join(dir, 'lake');
  const result = await ingestDrop({ lake, drop, source: factorySource() });
  if (result.status !== 'committed')
    throw new Error(`master drop did not load: ${result.load.error?.message}`);
  return { lake, truth };
}

export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function publisher(url: string): Promise<MqttClient> {
  return mqtt.connectAsync(url, { protocolVersion: 5, clean: true });
}

/** The simulated factory's first machine topics: lathe/P1/P1-L1/P1-L1-M<n>. */
export function machineTopic(n: number, channel: string): string {
  const line = n <= 4 ? 'P1-L1' : 'P1-L2';
  const position = n <= 4 ? n : n - 4;
  return `lathe/P1/${line}/${line}-M${position}/${channel}`;
}

export function machineId(n: number): string {
  const line = n <= 4 ? 'P1-L1' : 'P1-L2';
  return `${line}-M${n <= 4 ? n : n - 4}`;
}
