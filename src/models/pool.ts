/**
 * A build's DuckDB: one in-memory instance, several connections, so independent models run
 * at the same time (they share the catalog: a view created on one connection is seen by all).
 * Same session rules as DuckSession: ICU loaded, time zone UTC.
 */
import { mkdirSync } from 'node:fs';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

export class ConnectionPool {
  private readonly idle: DuckDBConnection[];
  private readonly waiting: ((connection: DuckDBConnection) => void)[] = [];
  /** Work that may wait for everything in `waiting` (a build's tests wait for its models). */
  private readonly waitingLater: ((connection: DuckDBConnection) => void)[] = [];

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connections: DuckDBConnection[],
  ) {
    this.idle = [...connections];
  }

  static async open(options: {
    size: number;
    memoryLimit: string;
    tempDirectory: string;
  }): Promise<ConnectionPool> {
    mkdirSync(options.tempDirectory, { recursive: true });
    const instance = await DuckDBInstance.create(':memory:', {
      memory_limit: options.memoryLimit,
      temp_directory: options.tempDirectory,
      // Models that care about order say ORDER BY; the rest may be written in any order (faster COPY).
      preserve_insertion_order: 'false',
    });
    const connections: DuckDBConnection[] = [];
    for (let i = 0; i < Math.max(1, options.size); i++) {
      const connection = await instance.connect();
      await connection.run("LOAD icu; SET TimeZone = 'UTC'");
      connections.push(connection);
    }
    return new ConnectionPool(instance, connections);
  }

  /** Any one connection, for setup work done before models run. */
  get first(): DuckDBConnection {
    return this.connections[0]!;
  }

  /** Runs `work` on a free connection, waiting for one if all are busy ('later': behind all other waiting work). */
  async use<T>(
    work: (connection: DuckDBConnection) => Promise<T>,
    turn: 'now' | 'later' = 'now',
  ): Promise<T> {
    const queue = turn === 'now' ? this.waiting : this.waitingLater;
    const connection =
      this.idle.pop() ?? (await new Promise<DuckDBConnection>((resolve) => queue.push(resolve)));
    try {
      return await work(connection);
    } finally {
      const next = this.waiting.shift() ?? this.waitingLater.shift();
      if (next) next(connection);
      else this.idle.push(connection);
    }
  }

  close(): void {
    for (const connection of this.connections) connection.closeSync();
    this.instance.closeSync();
  }
}
