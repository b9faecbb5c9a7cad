/**
 * The landing's DuckDB work in a worker thread: loading a batch (`ingestDrop`) and reading the
 * lake's stream events. On the consumer's main thread these would wait for turns of an event
 * loop kept busy by incoming messages (a hundred small awaits, each a turn); here they have a
 * loop of their own, and the main thread keeps decoding and detecting meanwhile.
 */
import { parentPort } from 'node:worker_threads';
import { factorySource } from '../contract/factory.js';
import { ingestDrop } from '../ingest/load.js';
import { LatheError } from '../util/errors.js';
import { readStreamEvents } from './lake-state.js';

export type LandRequest =
  | { id: number; op: 'ingest'; lake: string; drop: string; waitSeconds: number }
  | { id: number; op: 'events'; lake: string; machines: string[] };

parentPort?.on('message', async (request: LandRequest) => {
  try {
    const result =
      request.op === 'ingest'
        ? await ingestDrop({
            lake: request.lake,
            drop: request.drop,
            source: factorySource(),
            quarantineLimit: 1,
            waitSeconds: request.waitSeconds,
          })
        : await readStreamEvents(request.lake, request.machines);
    parentPort!.postMessage({ id: request.id, result });
  } catch (error) {
    parentPort!.postMessage({
      id: request.id,
      error:
        error instanceof LatheError
          ? { code: error.code, message: error.message, fix: error.fix, location: error.location }
          : { message: error instanceof Error ? (error.stack ?? error.message) : String(error) },
    });
  }
});
