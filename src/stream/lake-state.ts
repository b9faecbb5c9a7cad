/**
 * What the consumer reads from the lake: the master data that topics are checked against, the
 * sensor specs the detectors need, and the latest stream downtime events of some machines.
 */
import { sqlList } from '../lake/duckdb.js';
import { openLakeReader } from '../lake/reader.js';
import type { MasterIndex } from './contract.js';
import type { StreamEvent } from './states.js';

export interface SensorSpec {
  machine_id: string;
  sensor: string;
  unit: string | null;
  lsl: number | null;
  usl: number | null;
  target: number | null;
}

/** What live OEE needs (the same definitions as the batch warehouse). */
export interface OeeMaster {
  shifts: { shift_id: string; plant_id: string; start: number; end: number }[];
  machines: { machine_id: string; plant_id: string }[];
  routings: { machine_id: string; product_id: string; ideal_cycle_time_s: number }[];
  reasons: { reason_code: string; planned: boolean; loss_category: string }[];
}

export interface LakeMaster extends MasterIndex {
  specs: SensorSpec[];
  oee: OeeMaster;
  /** The reason a `stopped` without reason_code gets: the first unplanned `other_unplanned` reason. */
  defaultReason: string | undefined;
}

export async function readLakeMaster(lake: string): Promise<LakeMaster> {
  const reader = await openLakeReader(lake);
  try {
    const has = (entity: string) => reader.entities.includes(entity);
    const machines = new Map<string, { line_id: string; plant_id: string }>();
    if (has('machines') && has('lines')) {
      const rows = await reader.db.json<{ machine_id: string; line_id: string; plant_id: string }>(
        'SELECT m.machine_id, m.line_id, l.plant_id FROM machines m JOIN lines l USING (line_id)',
      );
      for (const row of rows) machines.set(row.machine_id, { line_id: row.line_id, plant_id: row.plant_id });
    }
    const reasons = new Set<string>();
    let defaultReason: string | undefined;
    if (has('downtime_reasons')) {
      const rows = await reader.db.json<{ reason_code: string; planned: boolean; loss_category: string }>(
        'SELECT reason_code, planned, loss_category FROM downtime_reasons ORDER BY reason_code',
      );
      for (const row of rows) reasons.add(row.reason_code);
      defaultReason =
        rows.find((row) => !row.planned && row.loss_category === 'other_unplanned')?.reason_code ??
        rows.find((row) => !row.planned)?.reason_code;
    }
    const specs = has('sensor_specs')
      ? await reader.db.json<SensorSpec>(
          'SELECT machine_id, sensor, unit, lsl, usl, target FROM sensor_specs',
        )
      : [];
    const oee: OeeMaster = {
      shifts: has('shifts')
        ? (
            await reader.db.json<{ shift_id: string; plant_id: string; s: number; e: number }>(
              'SELECT shift_id, plant_id, epoch_ms(start_ts) AS s, epoch_ms(end_ts) AS e FROM shifts',
            )
          ).map((row) => ({
            shift_id: row.shift_id,
            plant_id: row.plant_id,
            start: Number(row.s),
            end: Number(row.e),
          }))
        : [],
      machines: [...machines].map(([machine_id, machine]) => ({ machine_id, plant_id: machine.plant_id })),
      routings: has('routings')
        ? await reader.db.json<OeeMaster['routings'][number]>(
            'SELECT machine_id, product_id, ideal_cycle_time_s FROM routings',
          )
        : [],
      reasons: has('downtime_reasons')
        ? await reader.db.json<OeeMaster['reasons'][number]>(
            'SELECT reason_code, planned, loss_category FROM downtime_reasons',
          )
        : [],
    };
    return { machines, reasons, specs, defaultReason, oee };
  } finally {
    reader.close();
  }
}

/** The latest few stream events (ids `ST-…`) of each machine, from the lake's current state. */
export async function readStreamEvents(lake: string, machines: string[]): Promise<StreamEvent[]> {
  if (machines.length === 0) return [];
  const reader = await openLakeReader(lake);
  try {
    if (!reader.entities.includes('downtime_events')) return [];
    const rows = await reader.db.json<{
      event_id: string;
      machine_id: string;
      start_ms: number;
      end_ms: number | null;
      reason_code: string;
    }>(
      `SELECT event_id, machine_id, epoch_ms(start_ts) AS start_ms, epoch_ms(end_ts) AS end_ms, reason_code
       FROM downtime_events
       WHERE starts_with(event_id, 'ST-') AND machine_id IN (SELECT unnest(${sqlList(machines)}))
       QUALIFY row_number() OVER (PARTITION BY machine_id ORDER BY start_ts DESC) <= 3`,
    );
    return rows.map((row) => ({
      event_id: row.event_id,
      machine_id: row.machine_id,
      start_ts: Number(row.start_ms),
      end_ts: row.end_ms === null ? null : Number(row.end_ms),
      reason_code: row.reason_code,
    }));
  } finally {
    reader.close();
  }
}
