/**
 * The dashboard's only door to `lathe serve` (docs/api.md). Every route the pages read is
 * built here, so a change of the API is a change of this file. The numbers come back as the
 * server computed them; nothing here does arithmetic on them.
 */
import type { Filters } from './filters.js';

export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };
export type Row = Record<string, Value>;
export type Display = 'ratio' | 'seconds' | 'count' | 'money' | 'dpmo' | 'sigma' | 'flag' | 'text';

export interface KpiColumn {
  name: string;
  role: 'key' | 'measure';
  display: Display;
  formula?: string;
}

export interface KpiAnswer {
  kpi: string;
  build_id: string;
  columns: KpiColumn[];
  rows: Row[];
}

export interface Listing<T = Row> {
  build_id?: string;
  items: T[];
  total?: number;
  limit?: number;
  offset?: number;
}

export interface SpcAnswer {
  build_id: string;
  machine_id: string;
  sensor: string;
  limits: Row | null;
  points: { ts: string; value: number; mr: number | null; baseline: boolean }[];
  violations: {
    ts: string;
    value: number;
    rule: number;
    rule_name: string;
    side: string;
    point_count: number;
    point_ts: string[];
  }[];
  truncated: boolean;
}

export interface ReliabilityAnswer {
  build_id: string;
  machines: Row[];
  failures: Row[];
  signatures: Row[];
}

export interface DeliveryAnswer {
  build_id: string;
  weeks: Row[];
  orders: Row[];
  totals: Row;
}

export interface LineageAnswer {
  nodes: { id: string; name: string; kind: string; layer: string; x: number; y: number }[];
  edges: { from: string; to: string }[];
  width: number;
  height: number;
}

/** What the server said went wrong, shown to the user as is (it says what to fix). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fix?: string,
  ) {
    super(message);
  }
}

type Params = Record<string, string | string[] | number | undefined>;

export function apiUrl(route: string, params: Params = {}): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === '') continue;
    for (const one of Array.isArray(value) ? value : [value]) search.append(name, String(one));
  }
  const query = search.toString();
  return query ? `${route}?${query}` : route;
}

const KPI_DIMENSIONS = ['plant', 'line', 'machine', 'product'] as const;

/** `/api/kpi/:kpi` per `by`, under the global filters (`where=plant:P1,line:…`, from, to). */
export function kpiUrl(kpi: string, filters: Filters, by: string[] = []): string {
  const where = KPI_DIMENSIONS.filter((dimension) => filters[dimension]).map(
    (dimension) => `${dimension}:${filters[dimension]}`,
  );
  return apiUrl(`/api/kpi/${encodeURIComponent(kpi)}`, {
    by: by.length ? by.join(',') : undefined,
    where: where.length ? where.join(',') : undefined,
    from: filters.from,
    to: filters.to,
  });
}

export const routes = {
  plants: () => '/api/plants',
  lines: (plant?: string) => apiUrl('/api/lines', { plant }),
  machines: (plant?: string, line?: string) => apiUrl('/api/machines', { plant, line }),
  products: () => '/api/products',
  sensors: (machine: string) => apiUrl('/api/sensors', { machine }),
  spc: (machine: string, sensor: string, from?: string, to?: string) =>
    apiUrl(`/api/spc/${encodeURIComponent(machine)}/${encodeURIComponent(sensor)}`, { from, to }),
  capability: (filters: Filters, sensor?: string) =>
    apiUrl('/api/capability', {
      plant: filters.plant,
      line: filters.line,
      machine: filters.machine,
      sensor,
    }),
  pareto: (plant: string | undefined, by: 'quantity' | 'cost', month?: string) =>
    apiUrl('/api/pareto', { plant, by, month }),
  reliability: (filters: Filters) =>
    apiUrl('/api/reliability', {
      plant: filters.plant,
      line: filters.line,
      machine: filters.machine,
      from: filters.from,
      to: filters.to,
    }),
  delivery: (filters: Filters) =>
    apiUrl('/api/delivery', { plant: filters.plant, line: filters.line, from: filters.from, to: filters.to }),
  downtimeReasons: (filters: Filters) =>
    apiUrl('/api/downtime', {
      plant: filters.plant,
      line: filters.line,
      machine: filters.machine,
      from: filters.from,
      to: filters.to,
    }),
  loads: () => '/api/loads',
  quarantine: (load?: string, entity?: string, limit = 50, offset = 0) =>
    apiUrl('/api/quarantine', { load, entity, limit, offset }),
  builds: () => '/api/builds',
  buildTests: (buildId: string) => `/api/builds/${encodeURIComponent(buildId)}/tests`,
  lineage: () => '/api/lineage',
};

export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(url, { signal, headers: { accept: 'application/json' } });
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(response.status, 'bad_response', `the server answered ${url} with something not JSON`);
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string; fix?: string } } | null)?.error;
    throw new ApiError(
      response.status,
      error?.code ?? `http_${response.status}`,
      error?.message ?? `${url} answered ${response.status}`,
      error?.fix,
    );
  }
  return body as T;
}
