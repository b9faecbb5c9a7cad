/**
 * Dead letters: messages (or elements of an array payload) that broke the stream contract,
 * kept with their topic, payload, reasons and the time they were received. Nothing is dropped
 * silently. They are written with the batch they arrived in, one NDJSON file per batch:
 *
 *   <lake>/_stream/dead-letters/<consumer>/<from>-<to>.ndjson
 *
 * named by the batch's log range, so a batch landed again after a crash rewrites the same file
 * instead of adding copies.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../lake/atomic.js';
import type { Reason } from './contract.js';
import { streamDir } from './paths.js';

export interface DeadLetter {
  /** `<consumer>:<log offset>[:<element index>]`: stable across replays. */
  id: string;
  consumer: string;
  received_at: string;
  topic: string;
  /** The message text, or the failing element of an array payload as JSON. */
  payload: string;
  /** The element's index in an array payload; null for the whole message. */
  index: number | null;
  reasons: Reason[];
}

export function deadLetterDir(lake: string, consumer: string): string {
  return path.join(streamDir(lake), 'dead-letters', consumer);
}

export async function writeDeadLetters(
  lake: string,
  consumer: string,
  from: number,
  to: number,
  letters: DeadLetter[],
): Promise<void> {
  if (letters.length === 0) return;
  const name = `${String(from).padStart(16, '0')}-${String(to).padStart(16, '0')}.ndjson`;
  await writeFileAtomic(
    path.join(deadLetterDir(lake, consumer), name),
    letters
      .map((letter) => JSON.stringify(letter))
      .join('\n')
      .concat('\n'),
  );
}

/** Dead letters of every consumer of the lake, newest first. */
export async function listDeadLetters(lake: string, options: { limit?: number } = {}): Promise<DeadLetter[]> {
  const root = path.join(streamDir(lake), 'dead-letters');
  const consumers = await readdir(root).catch(() => [] as string[]);
  const letters: DeadLetter[] = [];
  for (const consumer of consumers) {
    const files = await readdir(path.join(root, consumer)).catch(() => [] as string[]);
    for (const file of files.filter((name) => name.endsWith('.ndjson'))) {
      const text = await readFile(path.join(root, consumer, file), 'utf8');
      for (const line of text.split('\n')) if (line) letters.push(JSON.parse(line) as DeadLetter);
    }
  }
  letters.sort((a, b) =>
    a.received_at < b.received_at ? 1 : a.received_at > b.received_at ? -1 : a.id < b.id ? 1 : -1,
  );
  return options.limit === undefined ? letters : letters.slice(0, options.limit);
}
