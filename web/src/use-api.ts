/** Reading a route in a component: loading, the answer, or the server's error, per URL. */
import { useEffect, useState } from 'react';
import { ApiError, getJson, type Row } from './api.js';

export type Fetched<T> =
  | { state: 'loading' }
  | { state: 'error'; error: ApiError }
  | { state: 'done'; data: T };

// Answers of this page session by URL: going back to a view shows it at once. The server's
// ETag keeps a reload cheap; a new build shows on the next page load.
const answers = new Map<string, unknown>();

export function useApi<T>(url: string | null): Fetched<T> {
  const cached = url !== null && answers.has(url);
  const [result, setResult] = useState<{ url: string | null; fetched: Fetched<T> }>(() => ({
    url,
    fetched: cached ? { state: 'done', data: answers.get(url) as T } : { state: 'loading' },
  }));

  useEffect(() => {
    if (url === null) return;
    if (answers.has(url)) {
      setResult({ url, fetched: { state: 'done', data: answers.get(url) as T } });
      return;
    }
    const abort = new AbortController();
    setResult({ url, fetched: { state: 'loading' } });
    getJson<T>(url, abort.signal).then(
      (data) => {
        answers.set(url, data);
        setResult({ url, fetched: { state: 'done', data } });
      },
      (error: unknown) => {
        if (abort.signal.aborted) return;
        const apiError =
          error instanceof ApiError
            ? error
            : new ApiError(0, 'network', `cannot reach the server: ${String(error)}`);
        setResult({ url, fetched: { state: 'error', error: apiError } });
      },
    );
    return () => abort.abort();
  }, [url]);

  if (url === null) return { state: 'loading' };
  // Between a URL change and the effect, never show the previous URL's answer as this one's.
  if (result.url !== url)
    return cached ? { state: 'done', data: answers.get(url) as T } : { state: 'loading' };
  return result.fetched;
}

/** A panel's state from a fetch: the same, less the data. */
export function statusOf<T>(
  fetched: Fetched<T>,
): { state: 'loading' } | { state: 'error'; error: ApiError } | { state: 'done' } {
  return fetched.state === 'done' ? { state: 'done' } : fetched;
}

/** Both fetches done, or the first not done (loading before error). */
export function statusOfAll(...all: Fetched<unknown>[]): ReturnType<typeof statusOf> {
  for (const fetched of all) if (fetched.state === 'error') return fetched;
  for (const fetched of all) if (fetched.state === 'loading') return fetched;
  return { state: 'done' };
}

// One empty list for every answer not here yet: a new `[]` per render would rebuild (and
// redraw) each chart built from it.
const NONE: never[] = [];

export function rowsOf(fetched: Fetched<{ rows: Row[] }>): Row[] {
  return fetched.state === 'done' ? fetched.data.rows : NONE;
}

export function itemsOf<R>(fetched: Fetched<{ items: R[] }>): R[] {
  return fetched.state === 'done' ? fetched.data.items : NONE;
}
