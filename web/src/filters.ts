/**
 * The URL is the dashboard's state: the page is the path (`/quality`), the global filters and
 * a page's own choices are the query (`?plant=P1&line=P1-L1&from=2026-03-23`). A copied URL
 * opens the same view for a colleague; back and forward walk through the views.
 */
import { useSyncExternalStore } from 'react';

export const PAGES = [
  { path: '/', name: 'Overview' },
  { path: '/losses', name: 'Losses' },
  { path: '/quality', name: 'Quality' },
  { path: '/reliability', name: 'Reliability' },
  { path: '/process', name: 'Process' },
  { path: '/cost', name: 'Cost' },
  { path: '/data', name: 'Data' },
] as const;

export type PagePath = (typeof PAGES)[number]['path'];

/** The global filters: ids as the API knows them, days as plant-local production days. */
export interface Filters {
  plant?: string;
  line?: string;
  machine?: string;
  product?: string;
  from?: string;
  to?: string;
}

export const FILTER_NAMES = ['plant', 'line', 'machine', 'product', 'from', 'to'] as const;

export interface Location {
  page: PagePath;
  filters: Filters;
  params: URLSearchParams;
}

const CHANGE = 'lathe:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(CHANGE, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(CHANGE, onChange);
  };
}

function snapshot(): string {
  return window.location.pathname + window.location.search;
}

export function parseLocation(href: string): Location {
  const url = new URL(href, 'http://dashboard');
  const page = PAGES.find((one) => one.path === url.pathname)?.path ?? '/';
  const filters: Filters = {};
  for (const name of FILTER_NAMES) {
    const value = url.searchParams.get(name);
    if (value) filters[name] = value;
  }
  return { page, filters, params: url.searchParams };
}

/** The current location; re-renders on every navigation. */
export function useLocation(): Location {
  const href = useSyncExternalStore(subscribe, snapshot);
  return parseLocation(href);
}

export function navigate(href: string, options: { replace?: boolean } = {}): void {
  if (href === snapshot()) return;
  if (options.replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  window.dispatchEvent(new Event(CHANGE));
}

/**
 * The href of the current view with some query values changed (undefined or '' removes one).
 * Narrowing a filter clears what no longer fits under it: a new plant drops line and machine.
 */
export function withParams(
  current: Location,
  changes: Record<string, string | undefined>,
  page: PagePath = current.page,
): string {
  const params = new URLSearchParams(current.params);
  if ('plant' in changes && changes.plant !== current.filters.plant) {
    params.delete('line');
    params.delete('machine');
  }
  if ('line' in changes && changes.line !== current.filters.line) params.delete('machine');
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined || value === '') params.delete(name);
    else params.set(name, value);
  }
  const query = params.toString();
  return query ? `${page}?${query}` : page;
}

/** Only the global filters carried to another page (a page's own choices stay behind). */
export function pageHref(current: Location, page: PagePath): string {
  const params = new URLSearchParams();
  for (const name of FILTER_NAMES) {
    const value = current.filters[name];
    if (value) params.set(name, value);
  }
  const query = params.toString();
  return query ? `${page}?${query}` : page;
}
