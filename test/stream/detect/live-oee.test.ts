/**
 * Live OEE equals the batch cell of record: the same counts and state changes go to LiveOee (as
 * the stream delivers them) and, as production_counts and downtime_events, through ingest →
 * buildWarehouse → fact_machine_shift; every component of every machine-shift cell must agree
 * (within 1e-6 s, counts exactly). Seeded states cover stops across shift ends, small stops just
 * under and exactly at the 300 s threshold, reason changes while stopped (touching events that
 * merge), planned stops next to unplanned ones, a stop that outlives the cut-off and one still open.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type LiveCount, LiveOee, type OeeCell } from '../../../src/stream/detect/index.js';
import { buildMarts, type MartLake } from '../../marts/support.js';
import { validDrop } from '../../support/drop.js';
import { seeded } from '../support/seeded.js';

const SHIFTS = [
  { shift_id: 'S1', start: '2026-03-02T06:00:00+01:00', end: '2026-03-02T14:00:00+01:00' },
  { shift_id: 'S2', start: '2026-03-02T14:00:00+01:00', end: '2026-03-02T22:00:00+01:00' },
  { shift_id: 'S3', start: '2026-03-02T22:00:00+01:00', end: '2026-03-03T06:00:00+01:00' },
  { shift_id: 'S4', start: '2026-03-03T06:00:00+01:00', end: '2026-03-03T14:00:00+01:00' },
  { shift_id: 'S5', start: '2026-03-03T14:00:00+01:00', end: '2026-03-03T22:00:00+01:00' },
].map((s) => ({ ...s, plant_id: 'P1', startMs: Date.parse(s.start), endMs: Date.parse(s.end) }));

const REASONS = [
  { reason_code: 'BRK', description: 'Break', planned: true, loss_category: 'break' },
  {
    reason_code: 'PM',
    description: 'Planned maintenance',
    planned: true,
    loss_category: 'planned_maintenance',
  },
  { reason_code: 'BD', description: 'Breakdown', planned: false, loss_category: 'breakdown' },
  { reason_code: 'SET', description: 'Setup', planned: false, loss_category: 'setup' },
  { reason_code: 'MAT', description: 'No material', planned: false, loss_category: 'material_shortage' },
  {
    reason_code: 'PMU',
    description: 'Unplanned maintenance',
    planned: false,
    loss_category: 'planned_maintenance',
  },
];

const ROUTINGS = [
  { machine_id: 'M1', product_id: 'A', ideal_cycle_time_s: 1 },
  { machine_id: 'M2', product_id: 'A', ideal_cycle_time_s: 1.5 },
  { machine_id: 'M1', product_id: 'B', ideal_cycle_time_s: 2.5 },
  { machine_id: 'M2', product_id: 'B', ideal_cycle_time_s: 0.8 },
];

interface StateMessage {
  machine: string;
  ts: number;
  state: 'running' | 'stopped';
  reason?: string;
}

interface CountMessage extends LiveCount {
  machine: string;
  order_id: string;
}

const COUNTS_FROM = Date.parse('2026-03-02T04:45:00Z'); // the first one lies in no shift
const CUTOFF = Date.parse('2026-03-03T09:37:30Z'); // inside S4: S4 is partial, S5 has no cell

function counts(machine: string, random: () => number): CountMessage[] {
  const out: CountMessage[] = [];
  for (let t = COUNTS_FROM; t < CUTOFF; t += 900_000) {
    const end = Math.min(t + 900_000, CUTOFF);
    const hourB = Math.floor((t - COUNTS_FROM) / 3_600_000) % 3 === 2;
    const total = Math.floor(random() * 250) + 20;
    out.push({
      machine,
      order_id: hourB ? 'PO2' : 'PO1',
      product_id: hourB ? 'B' : 'A',
      interval_start: t,
      interval_end: end,
      total_count: total,
      reject_count: Math.floor(random() * total * 0.1),
    });
  }
  return out;
}

/** Running stretches and stops; a stop sometimes changes reason while the machine stands. */
function states(machine: string, random: () => number, endOpen: boolean): StateMessage[] {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const durations = [60_000, 250_000, 299_500, 300_000, 300_500, 900_000, 2_400_000, 5_400_000];
  const out: StateMessage[] = [{ machine, ts: Date.parse('2026-03-02T04:00:00Z'), state: 'running' }];
  let t = out[0]!.ts;
  const stopBefore = CUTOFF - 6 * 3_600_000;
  while (t < stopBefore) {
    t += Math.floor(random() * 90) * 60_000 + 30_000;
    if (t >= stopBefore) break;
    let reason = pick(REASONS).reason_code;
    out.push({ machine, ts: t, state: 'stopped', reason });
    if (random() < 0.2) out.push({ machine, ts: t + 10_000, state: 'stopped', reason }); // repeated: same stop
    t += pick(durations);
    while (random() < 0.3) {
      const next = pick(REASONS).reason_code;
      if (next === reason) break;
      reason = next;
      out.push({ machine, ts: t, state: 'stopped', reason });
      t += pick(durations);
    }
    out.push({ machine, ts: t, state: 'running' });
  }
  // The last stop: M1's outlives the cut-off (it ends after it), M2's is still open.
  const lastStop = Math.max(t + 60_000, CUTOFF - 200_000);
  out.push({ machine, ts: lastStop, state: 'stopped', reason: 'BD' });
  if (!endOpen) out.push({ machine, ts: CUTOFF + 400_000, state: 'running' });
  return out;
}

/** The downtime events the state changes describe (what a plant's export would hold). */
function events(
  messages: StateMessage[],
): { machine: string; start: number; end: number | null; reason: string }[] {
  const out: { machine: string; start: number; end: number | null; reason: string }[] = [];
  let open: (typeof out)[number] | null = null;
  for (const m of messages) {
    if (open !== null && (m.state === 'running' || m.reason !== open.reason)) {
      open.end = m.ts;
      out.push(open);
      open = null;
    }
    if (m.state === 'stopped' && open === null)
      open = { machine: m.machine, start: m.ts, end: null, reason: m.reason! };
  }
  if (open !== null) out.push(open);
  return out;
}

const iso = (ms: number) => new Date(ms).toISOString();

const COMPONENTS = [
  'shift_s',
  'planned_stop_s',
  'ppt_s',
  'stop_s',
  'breakdown_s',
  'setup_s',
  'other_stop_s',
  'small_stop_s',
  'run_s',
  'ideal_s',
  'ideal_good_s',
  'speed_loss_s',
  'quality_loss_s',
] as const;

function newLiveOee(): LiveOee {
  return new LiveOee({
    shifts: SHIFTS.map((s) => ({ shift_id: s.shift_id, plant_id: 'P1', start: s.startMs, end: s.endMs })),
    machines: [
      { machine_id: 'M1', plant_id: 'P1' },
      { machine_id: 'M2', plant_id: 'P1' },
    ],
    routings: ROUTINGS,
    reasons: REASONS,
  });
}

type BatchCell = Record<(typeof COMPONENTS)[number] | 'total' | 'reject' | 'good', number> & {
  machine_id: string;
  shift_id: string;
  partial: boolean;
};

function assertSameCell(live: OeeCell | null, batch: BatchCell, label: string): void {
  assert.ok(live !== null, `${label}: a live cell`);
  for (const c of COMPONENTS) {
    assert.ok(
      Math.abs(live[c] - Number(batch[c])) <= 1e-6,
      `${label} ${c}: live ${live[c]}, batch ${batch[c]}`,
    );
  }
  assert.equal(live.total, Number(batch.total), `${label} total`);
  assert.equal(live.reject, Number(batch.reject), `${label} reject`);
  assert.equal(live.good, Number(batch.good), `${label} good`);
  assert.equal(live.partial, batch.partial, `${label} partial`);
}

describe('live OEE equals fact_machine_shift over the same data', () => {
  let lake: MartLake;
  const random = seeded(42);
  const countMessages = [...counts('M1', random), ...counts('M2', random)];
  const stateMessages = [...states('M1', random, false), ...states('M2', random, true)];
  const stopEvents = events(stateMessages.filter((m) => m.machine === 'M1')).concat(
    events(stateMessages.filter((m) => m.machine === 'M2')),
  );
  let cells: BatchCell[] = [];

  before(async () => {
    const drop = validDrop();
    drop['products.csv'] += 'B,Hinge,hinges,0.7,2.0,0.5,4.0,3\n';
    drop['routings.csv'] =
      `machine_id,product_id,ideal_cycle_time_s\n${ROUTINGS.map((r) => `${r.machine_id},${r.product_id},${r.ideal_cycle_time_s}`).join('\n')}\n`;
    drop['downtime_reasons.csv'] =
      `reason_code,description,planned,loss_category\n${REASONS.map((r) => `${r.reason_code},${r.description},${r.planned},${r.loss_category}`).join('\n')}\n`;
    drop['shifts.csv'] =
      `shift_id,plant_id,shift_name,start_ts,end_ts\n${SHIFTS.map((s) => `${s.shift_id},P1,${s.shift_id},${s.start},${s.end}`).join('\n')}\n`;
    drop['production_orders.csv'] =
      'order_id,product_id,line_id,planned_qty,planned_start,planned_end,due_date,status\n' +
      'PO1,A,L1,100000,2026-03-02T06:00:00+01:00,2026-03-03T14:00:00+01:00,2026-03-04,released\n' +
      'PO2,B,L1,100000,2026-03-02T06:00:00+01:00,2026-03-03T14:00:00+01:00,2026-03-04,released\n';
    drop['production_counts.csv'] =
      `machine_id,order_id,product_id,operator_id,interval_start,interval_end,total_count,reject_count\n${countMessages
        .map(
          (c) =>
            `${c.machine},${c.order_id},${c.product_id},,${iso(c.interval_start)},${iso(c.interval_end)},${c.total_count},${c.reject_count}`,
        )
        .join('\n')}\n`;
    drop['downtime_events.csv'] =
      `event_id,machine_id,start_ts,end_ts,reason_code,operator_id,note\n${stopEvents
        .map(
          (e, i) =>
            `E${String(i).padStart(4, '0')},${e.machine},${iso(e.start)},${e.end === null ? '' : iso(e.end)},${e.reason},,`,
        )
        .join('\n')}\n`;
    drop['defects.csv'] =
      'defect_id,detected_at,machine_id,order_id,product_id,batch_id,defect_code,severity,quantity,disposition\n';
    lake = await buildMarts(drop, ['+fact_machine_shift']);
    cells = await lake.query<BatchCell>('select * from fact_machine_shift order by machine_id, shift_id');
  });
  after(async () => lake?.dispose());

  it('the data covers the cases that matter', async () => {
    const [cutoff] = await lake.query<{ cutoff_ts: unknown }>('select cutoff_ts from plant_cutoff');
    assert.equal(Date.parse(String(cutoff!.cutoff_ts)), CUTOFF);
    assert.deepEqual(
      cells.map((c) => `${c.machine_id}/${c.shift_id}${c.partial ? ' partial' : ''}`),
      ['M1/S1', 'M1/S2', 'M1/S3', 'M1/S4 partial', 'M2/S1', 'M2/S2', 'M2/S3', 'M2/S4 partial'],
    );
    const sum = (c: keyof BatchCell) => cells.reduce((s, cell) => s + Number(cell[c]), 0);
    for (const c of ['planned_stop_s', 'breakdown_s', 'setup_s', 'other_stop_s', 'small_stop_s'] as const) {
      assert.ok(sum(c) > 0, `${c} occurs`);
    }
    assert.ok(
      stopEvents.some((e) => e.end === null),
      'an open stop',
    );
    assert.ok(
      stopEvents.some((e) => SHIFTS.some((s) => e.start < s.endMs && (e.end ?? CUTOFF) > s.endMs)),
      'a stop across a shift end',
    );
  });

  it('every component of every cell, with everything delivered, as of the cut-off', () => {
    const oee = newLiveOee();
    for (const c of countMessages) oee.count(c.machine, c);
    for (const s of stateMessages) oee.state(s.machine, s.ts, s.state, s.reason);
    assert.equal(oee.stats.countsOutsideShifts, 2, 'the 04:45Z intervals count nowhere');
    for (const batch of cells) {
      assertSameCell(
        oee.cell(batch.machine_id, batch.shift_id, CUTOFF),
        batch,
        `${batch.machine_id}/${batch.shift_id}`,
      );
    }
    assert.equal(oee.cell('M1', 'S5', CUTOFF), null, 'a shift starting after the cut-off has no cell');
  });

  it('streamed in time order, each shift read at its end equals the batch (a stop open at the end once its class is decided)', () => {
    const oee = newLiveOee();
    const messages = [
      ...countMessages.map((c) => ({ at: c.interval_end, apply: () => oee.count(c.machine, c) })),
      ...stateMessages.map((s) => ({ at: s.ts, apply: () => oee.state(s.machine, s.ts, s.state, s.reason) })),
    ].sort((a, b) => a.at - b.at);
    const ends = SHIFTS.filter((s) => s.endMs <= CUTOFF).map((s) => ({ ...s, read: false }));
    let compared = 0;
    let provisional = 0;
    const readShiftEnds = (upTo: number) => {
      for (const shift of ends) {
        if (shift.read || shift.endMs >= upTo) continue;
        shift.read = true;
        for (const machine of ['M1', 'M2']) {
          const live = oee.current(machine, shift.endMs - 1)!;
          const atEnd = oee.cell(machine, shift.shift_id, shift.endMs)!;
          assert.deepEqual(live.shift_id, shift.shift_id);
          const batch = cells.find((c) => c.machine_id === machine && c.shift_id === shift.shift_id)!;
          // A stop still open at the shift end and under 300 s so far is a small stop for now;
          // its final class depends on when it ends (documented). Everything else is final.
          const undecided =
            bucketAt(stopEvents, machine, shift.endMs, shift.endMs) !==
            bucketAt(stopEvents, machine, shift.endMs, Number.POSITIVE_INFINITY);
          if (undecided) provisional++;
          else {
            assertSameCell(atEnd, batch, `${machine}/${shift.shift_id} at its end`);
            compared++;
          }
        }
      }
    };
    for (const m of messages) {
      readShiftEnds(m.at);
      m.apply();
    }
    readShiftEnds(Number.POSITIVE_INFINITY);
    assert.ok(compared >= 5, `${compared} cells compared at their shift end (${provisional} provisional)`);
  });
});

/**
 * Bucket of the merged unplanned stop of `machine` that spans `at`, from the events known up to
 * `known` (later ones unknown, an open one ending at `known`); null if none spans it.
 */
function bucketAt(
  stopEvents: { machine: string; start: number; end: number | null; reason: string }[],
  machine: string,
  at: number,
  known: number,
): string | null {
  const unplanned = new Set(REASONS.filter((r) => !r.planned).map((r) => r.reason_code));
  const category = new Map(REASONS.map((r) => [r.reason_code, r.loss_category]));
  const list = stopEvents
    .filter((e) => e.machine === machine && unplanned.has(e.reason) && e.start < known)
    .map((e) => ({ start: e.start, end: Math.min(e.end ?? known, known), reason: e.reason }));
  let merged: { start: number; end: number; longest: number; reason: string } | null = null;
  for (const e of list) {
    if (merged !== null && e.start <= merged.end) {
      merged.end = Math.max(merged.end, e.end);
      if (e.end - e.start > merged.longest) [merged.longest, merged.reason] = [e.end - e.start, e.reason];
    } else {
      if (merged !== null && merged.start < at && merged.end >= at) break;
      merged = { start: e.start, end: e.end, longest: e.end - e.start, reason: e.reason };
    }
  }
  if (merged === null || !(merged.start < at && merged.end >= at)) return null;
  return merged.end - merged.start < 300_000 ? 'small' : category.get(merged.reason)!;
}
