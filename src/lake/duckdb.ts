/**
 * The in-process DuckDB every command computes with. One in-memory instance per process
 * (lake data lives in Parquet files, not in a DuckDB database file, so any number of
 * processes can read the lake at once). Session time zone is UTC: `ts` values are instants.
 */
import { mkdirSync } from 'node:fs';
import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBMaterializedResult,
  type DuckDBResultReader,
  type DuckDBValue,
} from '@duckdb/node-api';

export interface SessionOptions {
  /** DuckDB's memory limit; it spills to `tempDirectory` beyond it. */
  memoryLimit?: string;
  threads?: number;
  tempDirectory?: string;
}

export class DuckSession {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    /** Whether closing this session closes the instance (the first session) or only its connection. */
    private readonly ownsInstance = true,
  ) {}

  static async open(options: SessionOptions = {}): Promise<DuckSession> {
    const config: Record<string, string> = {
      memory_limit: options.memoryLimit ?? process.env.LATHE_MEMORY_LIMIT ?? '1GB',
      preserve_insertion_order: 'true',
    };
    if (options.threads) config.threads = String(options.threads);
    if (options.tempDirectory) {
      mkdirSync(options.tempDirectory, { recursive: true });
      config.temp_directory = options.tempDirectory;
    }
    const instance = await DuckDBInstance.create(':memory:', config);
    return new DuckSession(instance, await DuckSession.connectTo(instance));
  }

  private static async connectTo(instance: DuckDBInstance): Promise<DuckDBConnection> {
    const connection = await instance.connect();
    // icu is built in but not loaded before the first query that needs it; the time zone is per connection.
    await connection.run("LOAD icu; SET TimeZone = 'UTC'");
    return connection;
  }

  /**
   * Another connection to the same instance: it sees the same tables, views and macros (not
   * the temporary ones) and shares memory and threads, and it runs statements at the same time
   * as this one. Closing it closes only the connection.
   */
  async connect(): Promise<DuckSession> {
    return new DuckSession(this.instance, await DuckSession.connectTo(this.instance), false);
  }

  async run(sql: string, params?: DuckDBValue[]): Promise<void> {
    await this.connection.run(sql, params);
  }

  /** Rows as plain objects (BIGINT as bigint, timestamps as DuckDB values). */
  async all<T = Record<string, unknown>>(sql: string, params?: DuckDBValue[]): Promise<T[]> {
    const reader = await this.connection.runAndReadAll(sql, params);
    return reader.getRowObjects() as T[];
  }

  /** Rows as JSON-friendly objects: numbers, strings, ISO timestamps, nested lists/structs. */
  async json<T = Record<string, unknown>>(sql: string, params?: DuckDBValue[]): Promise<T[]> {
    return jsonRows(await this.connection.runAndReadAll(sql, params)) as T[];
  }

  async scalar<T = unknown>(sql: string, params?: DuckDBValue[]): Promise<T> {
    const reader = await this.connection.runAndReadAll(sql, params);
    return reader.getRows()[0]?.[0] as T;
  }

  close(): void {
    this.connection.closeSync();
    if (this.ownsInstance) this.instance.closeSync();
  }
}

/** A SQL string literal. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A SQL identifier, always quoted so declared names can never be read as SQL. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function sqlList(values: string[]): string {
  return `[${values.map(sqlString).join(', ')}]`;
}

const WHOLE_NUMBER_TYPES =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|DECIMAL\(.*\))$/;

/**
 * Rows as JSON values. DuckDB's JSON conversion writes 64-bit integers and decimals as
 * strings to keep their precision; counts and sums a user reads are numbers, so those
 * that fit a double exactly (or are decimals) become numbers.
 */
export function jsonRows(result: DuckDBResultReader | DuckDBMaterializedResult): Record<string, unknown>[] {
  const reader = result as DuckDBResultReader;
  const rows = reader.getRowObjectsJson() as Record<string, unknown>[];
  const names = reader.columnNames();
  const numeric = reader
    .columnTypes()
    .map((type, index) => (WHOLE_NUMBER_TYPES.test(String(type)) ? names[index]! : null))
    .filter((name): name is string => name !== null);
  if (numeric.length === 0) return rows;
  for (const row of rows) {
    for (const name of numeric) {
      const value = row[name];
      if (typeof value !== 'string') continue;
      const number = Number(value);
      if (value.includes('.') || Number.isSafeInteger(number)) row[name] = number;
    }
  }
  return rows;
}
