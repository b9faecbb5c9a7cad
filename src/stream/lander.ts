/** The consumer's side of the landing worker (land-worker.ts): requests as promises. */
import { Worker } from 'node:worker_threads';
import type { IngestResult } from '../ingest/load.js';
import { LatheError } from '../util/errors.js';
import type { StreamEvent } from './states.js';

type Reply = { id: number; result?: unknown; error?: { code?: string; message: string; fix?: string } };

export class LandingWorker {
  private readonly worker: Worker;
  private next = 0;
  private readonly waiting = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();

  constructor() {
    // From dist the worker is the .js file; run from the sources (tests, tsx), the .ts file,
    // which needs tsx's loader registered inside the worker first.
    if (import.meta.url.endsWith('.ts')) {
      const url = new URL('./land-worker.ts', import.meta.url).href;
      this.worker = new Worker(
        `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url)}); });`,
        { eval: true },
      );
    } else {
      this.worker = new Worker(new URL('./land-worker.js', import.meta.url));
    }
    this.worker.unref();
    this.worker.on('message', (reply: Reply) => {
      const waiter = this.waiting.get(reply.id);
      if (!waiter) return;
      this.waiting.delete(reply.id);
      if (reply.error)
        waiter.reject(
          reply.error.code
            ? new LatheError(reply.error.code, reply.error.message, { fix: reply.error.fix })
            : new Error(reply.error.message),
        );
      else waiter.resolve(reply.result);
    });
    const failAll = (error: Error) => {
      for (const waiter of this.waiting.values()) waiter.reject(error);
      this.waiting.clear();
    };
    this.worker.on('error', failAll);
    this.worker.on('exit', (code) => failAll(new Error(`the landing worker stopped (exit code ${code})`)));
  }

  private request<T>(message: Record<string, unknown>): Promise<T> {
    const id = ++this.next;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ ...message, id });
    });
  }

  ingest(lake: string, drop: string, waitSeconds: number): Promise<IngestResult> {
    return this.request({ op: 'ingest', lake, drop, waitSeconds });
  }

  streamEvents(lake: string, machines: string[]): Promise<StreamEvent[]> {
    return this.request({ op: 'events', lake, machines });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}
