/**
 * Contract violations for `--bad-rows RATE`: which rows to spoil, how, and the ground truth of
 * each (entity, file, physical line, violation, the quarantine reason the ingester must give).
 *
 * Transactions: a spoiled row replaces the row it was made from, except duplicates and
 * conflicts, which add a copy next to the original. Every violation is built so that exactly
 * one reason applies (a bad count's order, product, routing and line otherwise agree).
 * Master data: a bad row is an extra row (a bad machine, operator or downtime reason), added
 * only where one row stays under the quarantine limit, and the parent of a few children that
 * must then fail their foreign key. Bad rows use their own random streams, so the good rows of
 * a drop are the same with and without them.
 */
import { isoNaive, isoUtc } from './format.js';
import type { EntityName, Factory, Line, Order } from './model.js';
import { type Rng, rng } from './prng.js';
import type { CsvWriter } from './writer.js';

export const REASON_CODES = [
  'bad_type',
  'missing_value',
  'bad_enum',
  'out_of_range',
  'naive_timestamp',
  'end_not_after_start',
  'unknown_reference',
  'no_routing',
  'order_product_mismatch',
  'order_line_mismatch',
  'rejects_exceed_total',
  'overlapping_interval',
  'duplicate_row',
  'conflicting_key',
  'planned_mismatch',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** A reason code, or a child whose parent row was quarantined (reason: unknown_reference). */
export type Violation = ReasonCode | 'quarantined_parent';

export function expectedReason(violation: Violation): ReasonCode {
  return violation === 'quarantined_parent' ? 'unknown_reference' : violation;
}

/** Up to this share, at least one row per violation kind; the default quarantine limit is 5%. */
const MANDATORY_SHARE = 0.045;

export const BAD_ROWS_COLUMNS = ['entity', 'file', 'line', 'violation', 'expected_reason', 'detail'] as const;

/** A row to write, and its violation when it is bad. */
export interface EmittedRow {
  fields: string[];
  violation: Violation | null;
  detail: string;
}

export class BadRowLog {
  total = 0;
  readonly byReason = new Map<ReasonCode, number>();
  readonly byEntity = new Map<EntityName, number>();

  constructor(private readonly writer: CsvWriter) {}

  async record(
    entity: EntityName,
    file: string,
    line: number,
    violation: Violation,
    detail: string,
  ): Promise<void> {
    const reason = expectedReason(violation);
    this.total++;
    this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + 1);
    this.byEntity.set(entity, (this.byEntity.get(entity) ?? 0) + 1);
    if (this.writer.record([entity, file, String(line), violation, reason, detail]))
      await this.writer.flush();
  }

  /** Writes rows to an entity file, logging the bad ones with their physical line. */
  async emit(entity: EntityName, writer: CsvWriter, rows: readonly EmittedRow[]): Promise<void> {
    for (const row of rows) {
      const line = writer.nextLine;
      if (writer.record(row.fields)) await writer.flush();
      if (row.violation) await this.record(entity, writer.name, line, row.violation, row.detail);
    }
  }
}

/**
 * When to spoil rows of one entity, streaming: trigger positions spread over the expected row
 * count. Every kind gets one trigger early (in the first half, so an estimate that is a bit
 * high still sees them all); further triggers, up to RATE, pick kinds at random. A trigger
 * whose kind does not fit the row at hand stays pending and is tried on the next rows.
 */
export class Injector {
  /** The row index from which the caller must ask `due()`; Infinity when none is near. */
  nextAt = Number.POSITIVE_INFINITY;
  private readonly pending: Violation[] = [];
  private readonly mandatory: Violation[];
  private readonly extraCount: number;
  private mandatoryIndex = 0;
  private extraIndex = 0;
  private mandatoryNext = Number.POSITIVE_INFINITY;
  private extraNext = Number.POSITIVE_INFINITY;
  private readonly applied = new Set<Violation>();

  constructor(
    private readonly kinds: readonly Violation[],
    private readonly estimate: number,
    rate: number,
    private readonly random: Rng,
  ) {
    const capacity = Math.floor(Math.max(rate, MANDATORY_SHARE) * estimate);
    this.mandatory = random.shuffle(kinds.slice(0, Math.min(kinds.length, capacity)));
    this.extraCount = Math.max(0, Math.round(rate * estimate) - this.mandatory.length);
    this.mandatoryNext = this.position(0, this.mandatory.length, 0.5);
    this.extraNext = this.position(0, this.extraCount, 0.95);
    this.refresh();
  }

  private position(index: number, count: number, until: number): number {
    if (index >= count) return Number.POSITIVE_INFINITY;
    return Math.floor(this.estimate * (0.01 + (until - 0.01) * ((index + this.random.next()) / count)));
  }

  private refresh(): void {
    this.nextAt = this.pending.length > 0 ? 0 : Math.min(this.mandatoryNext, this.extraNext);
  }

  /** Kinds due at row `index`, in the order to try them. */
  due(index: number): readonly Violation[] {
    while (this.mandatoryNext <= index) {
      this.pending.push(this.mandatory[this.mandatoryIndex++]!);
      this.mandatoryNext = this.position(this.mandatoryIndex, this.mandatory.length, 0.5);
    }
    while (this.extraNext <= index) {
      this.pending.push(this.random.pick(this.kinds));
      this.extraNext = this.position(++this.extraIndex, this.extraCount, 0.95);
    }
    this.refresh();
    return this.pending;
  }

  done(kind: Violation): void {
    const at = this.pending.indexOf(kind);
    if (at >= 0) this.pending.splice(at, 1);
    this.applied.add(kind);
    this.refresh();
  }

  /** Kinds that were due but found no row that fits (reported in summary.json). */
  missing(): Violation[] {
    return this.mandatory.filter((kind) => !this.applied.has(kind));
  }
}

/** One production count as generated, before formatting. */
export interface CountRow {
  machineId: string;
  orderId: string;
  productId: string;
  operatorId: string;
  start: number;
  end: number;
  total: number;
  rejects: number;
}

export function countFields(row: CountRow): string[] {
  return [
    row.machineId,
    row.orderId,
    row.productId,
    row.operatorId,
    isoUtc(row.start),
    isoUtc(row.end),
    String(row.total),
    String(row.rejects),
  ];
}

/** The previous count row of the same machine, for an overlap. */
export interface PreviousCount {
  start: number;
  end: number;
  line: number;
  clean: boolean;
}

export interface CountContext {
  previous: PreviousCount | null;
  /** Another product routed on the machine (for order_product_mismatch). */
  otherProductId: string;
}

export interface ReadingRow {
  machineId: string;
  sensor: string;
  ts: number;
  value: string;
  quality: string;
}

export interface EventRow {
  fields: string[];
  start: number;
  end: number | null;
  protected: boolean;
}

export class BadRows {
  readonly badOperatorId: string | null = null;
  readonly badMachineId: string | null = null;
  readonly noRoutingOrders = new Map<Line, Order>();
  readonly otherLineOrders = new Map<Line, Order>();
  private readonly injectors = new Map<EntityName, Injector>();

  constructor(
    private readonly factory: Factory,
    readonly rate: number,
    readonly log: BadRowLog,
  ) {
    if (rate <= 0) return;
    const operators = factory.plants.reduce((sum, plant) => sum + plant.operators.length, 0);
    if (this.fits(operators)) this.badOperatorId = `OP-${factory.plants[0]!.id}-999`;
    const specs = factory.machines.reduce((sum, machine) => sum + machine.sensors.length, 0);
    if (this.fits(factory.machines.length) && this.fits(specs / 2)) {
      this.badMachineId = `${factory.lines[0]!.id}-M99`;
    }
    this.addSupportOrders();
  }

  get enabled(): boolean {
    return this.rate > 0;
  }

  /** Whether one extra bad row among `rows` stays within the rate (or the quarantine limit). */
  private fits(rows: number): boolean {
    return 1 / (rows + 1) <= Math.max(this.rate, MANDATORY_SHARE);
  }

  /**
   * Orders that bad counts point to, so that only one rule fails: per line, a cancelled order
   * for a product the line has no routing for, and one on the next line for a product this
   * line does route.
   */
  private addSupportOrders(): void {
    const lines = this.factory.lines;
    for (const line of lines) {
      const plant = line.plant;
      const middle = plant.rangeStart + Math.floor((plant.rangeEnd - plant.rangeStart) / 2);
      const base = line.orders[0]!;
      const unrouted = plant.products.find((product) => !line.products.includes(product))!;
      const noRouting: Order = {
        ...base,
        id: `PO-${line.id}-X901`,
        product: unrouted,
        plannedQty: 100,
        start: middle,
        end: middle + 28800,
        status: 'cancelled',
        batchIds: [],
      };
      line.extraOrders.push(noRouting);
      this.noRoutingOrders.set(line, noRouting);
      if (lines.length > 1) {
        const other = lines[(line.index + 1) % lines.length]!;
        const otherLine: Order = {
          ...noRouting,
          id: `PO-${other.id}-X902`,
          line: other,
          product: line.products[0]!,
        };
        other.extraOrders.push(otherLine);
        this.otherLineOrders.set(line, otherLine);
      }
    }
  }

  /** Extra master rows: a bad operator, reason and machine, and the machine's sensor specs. */
  masterExtras(entity: EntityName): EmittedRow[] {
    if (!this.enabled) return [];
    const line = this.factory.lines[0]!;
    switch (entity) {
      case 'operators':
        if (!this.badOperatorId) return [];
        return [
          {
            fields: [this.badOperatorId, line.plant.id, 'Max Mustermann', '', 'B-999999', '2024-02-29', '9'],
            violation: 'out_of_range',
            detail:
              'skill_level = 9 (allowed 1-5); its counts and downtime events must fail their operator reference',
          },
        ];
      case 'downtime_reasons':
        return [
          {
            fields: ['BD-PLANNED', 'Breakdown booked as planned', 'true', 'breakdown'],
            violation: 'planned_mismatch',
            detail: 'planned = true with loss_category = breakdown',
          },
        ];
      case 'machines':
        if (!this.badMachineId) return [];
        return [
          {
            fields: [
              this.badMachineId,
              line.id,
              'Lathe 1.99',
              'CNC lathe',
              String(line.machines.length + 1),
              'abc',
              '1',
            ],
            violation: 'bad_type',
            detail: 'hourly_cost = abc; its sensor specs and readings must fail their machine reference',
          },
        ];
      case 'sensor_specs':
        if (!this.badMachineId) return [];
        return [
          {
            fields: [this.badMachineId, 'temperature_c', '°C', '45', '65', '55'],
            violation: 'quarantined_parent',
            detail: 'machine quarantined (bad hourly_cost)',
          },
          {
            fields: [this.badMachineId, 'vibration_mm_s', 'mm/s', '', '7.1', '2.8'],
            violation: 'quarantined_parent',
            detail: 'machine quarantined (bad hourly_cost)',
          },
        ];
      default:
        return [];
    }
  }

  /** The injector of a transaction entity, or null when bad rows are off. */
  injector(entity: EntityName, estimate: number): Injector | null {
    if (!this.enabled) return null;
    let injector = this.injectors.get(entity);
    if (!injector) {
      injector = new Injector(
        this.kinds(entity),
        estimate,
        this.rate,
        rng(this.factory.plan.seed, `bad-rows:${entity}`),
      );
      this.injectors.set(entity, injector);
    }
    return injector;
  }

  /** Kinds an entity can carry, most important first (the first ones are kept when rows are few). */
  private kinds(entity: EntityName): Violation[] {
    const when = (condition: boolean, kind: Violation): Violation[] => (condition ? [kind] : []);
    switch (entity) {
      case 'production_counts':
        return [
          'no_routing',
          'order_product_mismatch',
          ...when(this.otherLineOrders.size > 0, 'order_line_mismatch'),
          'rejects_exceed_total',
          'overlapping_interval',
          'bad_type',
          'out_of_range',
          'missing_value',
          'naive_timestamp',
          'end_not_after_start',
          'unknown_reference',
          ...when(this.badOperatorId !== null, 'quarantined_parent'),
          'duplicate_row',
        ];
      case 'sensor_readings':
        return [
          'bad_type',
          'bad_enum',
          'missing_value',
          'naive_timestamp',
          'unknown_reference',
          'duplicate_row',
          'conflicting_key',
          ...when(this.badMachineId !== null, 'quarantined_parent'),
        ];
      case 'downtime_events':
        return [
          'end_not_after_start',
          'conflicting_key',
          'duplicate_row',
          'unknown_reference',
          'naive_timestamp',
          'missing_value',
          ...when(this.badOperatorId !== null, 'quarantined_parent'),
        ];
      case 'defects':
        return ['bad_enum', 'out_of_range', 'unknown_reference', 'bad_type', 'missing_value'];
      case 'maintenance_orders':
        return ['end_not_after_start', 'bad_enum'];
      default:
        return [];
    }
  }

  /** Kinds that were due somewhere but never found a row. */
  missing(): string[] {
    const missing: string[] = [];
    if (this.enabled && this.otherLineOrders.size === 0)
      missing.push('production_counts:order_line_mismatch (needs 2 lines)');
    for (const [entity, injector] of this.injectors) {
      for (const kind of injector.missing()) missing.push(`${entity}:${kind}`);
    }
    return missing.sort();
  }

  // ------------------------------------------------------------------ per entity

  spoilCount(kind: Violation, row: CountRow, context: CountContext, random: Rng): EmittedRow[] | null {
    const fields = countFields(row);
    const bad = (detail: string): EmittedRow[] => [{ fields, violation: kind, detail }];
    switch (kind) {
      case 'bad_type':
        fields[6] = `${row.total}.5`;
        return bad(`total_count = ${fields[6]} (not a whole number)`);
      case 'missing_value':
        fields[6] = '';
        return bad('total_count is empty');
      case 'out_of_range':
        fields[7] = String(-random.int(1, 5));
        return bad(`reject_count = ${fields[7]} (negative)`);
      case 'rejects_exceed_total':
        fields[7] = String(row.total + random.int(1, 9));
        return bad(`reject_count = ${fields[7]} > total_count = ${row.total}`);
      case 'naive_timestamp':
        fields[4] = isoNaive(row.start);
        return bad(`interval_start = ${fields[4]} (no UTC offset)`);
      case 'end_not_after_start':
        fields[5] = fields[4]!;
        return bad('interval_end = interval_start');
      case 'unknown_reference':
        fields[3] = 'OP-9999';
        return bad('operator_id = OP-9999 does not exist');
      case 'quarantined_parent':
        fields[3] = this.badOperatorId!;
        return bad(`operator ${this.badOperatorId} is quarantined (skill_level 9)`);
      case 'no_routing': {
        const order = this.noRoutingOrders.get(this.lineOf(row.machineId));
        if (!order) return null;
        fields[1] = order.id;
        fields[2] = order.product.id;
        return bad(
          `machine ${row.machineId} has no routing for product ${order.product.id} (order ${order.id})`,
        );
      }
      case 'order_product_mismatch':
        fields[2] = context.otherProductId;
        return bad(
          `product ${context.otherProductId} differs from order ${row.orderId}'s product ${row.productId}`,
        );
      case 'order_line_mismatch': {
        const order = this.otherLineOrders.get(this.lineOf(row.machineId));
        if (!order) return null;
        fields[1] = order.id;
        fields[2] = order.product.id;
        return bad(`order ${order.id} is on line ${order.line.id}, machine ${row.machineId} is not`);
      }
      case 'overlapping_interval': {
        const previous = context.previous;
        if (!previous?.clean || previous.end - previous.start < 2) return null;
        const start = previous.end - Math.min(60, Math.floor((previous.end - previous.start) / 2));
        fields[4] = isoUtc(start);
        return bad(`[${fields[4]}, ${fields[5]}) overlaps the row on line ${previous.line}`);
      }
      case 'duplicate_row':
        return [
          { fields, violation: null, detail: '' },
          { fields: [...fields], violation: kind, detail: 'identical copy of the row before it' },
        ];
      default:
        return null;
    }
  }

  spoilReading(kind: Violation, row: ReadingRow): EmittedRow[] | null {
    const fields = [row.machineId, row.sensor, isoUtc(row.ts), row.value, row.quality];
    const bad = (detail: string): EmittedRow[] => [{ fields, violation: kind, detail }];
    switch (kind) {
      case 'bad_type':
        fields[3] = 'n/a';
        return bad('value = n/a');
      case 'missing_value':
        fields[3] = '';
        return bad('value is empty');
      case 'bad_enum':
        fields[4] = 'ok';
        return bad('quality = ok (allowed good, uncertain, bad)');
      case 'naive_timestamp':
        fields[2] = isoNaive(row.ts);
        return bad(`ts = ${fields[2]} (no UTC offset)`);
      case 'unknown_reference':
        fields[0] = 'M999';
        return bad('machine_id = M999 does not exist');
      case 'quarantined_parent':
        fields[0] = this.badMachineId!;
        return bad(`machine ${this.badMachineId} is quarantined (bad hourly_cost)`);
      case 'duplicate_row':
        return [
          { fields, violation: null, detail: '' },
          { fields: [...fields], violation: kind, detail: 'identical copy of the row before it' },
        ];
      case 'conflicting_key': {
        const variant = [...fields];
        variant[3] = String(Math.round((Number(row.value) + 1.25) * 1000) / 1000);
        const detail = `same machine, sensor and ts with values ${row.value} and ${variant[3]}`;
        return [
          { fields, violation: kind, detail },
          { fields: variant, violation: kind, detail },
        ];
      }
      default:
        return null;
    }
  }

  spoilEvent(kind: Violation, row: EventRow, random: Rng): EmittedRow[] | null {
    if (row.protected) return null;
    const fields = [...row.fields];
    const bad = (detail: string): EmittedRow[] => [{ fields, violation: kind, detail }];
    switch (kind) {
      case 'missing_value':
        fields[2] = '';
        return bad('start_ts is empty');
      case 'naive_timestamp':
        fields[2] = isoNaive(row.start);
        return bad(`start_ts = ${fields[2]} (no UTC offset)`);
      case 'end_not_after_start':
        fields[3] = isoUtc(row.start - random.int(60, 900));
        return bad(`end_ts = ${fields[3]} is before start_ts = ${fields[2]}`);
      case 'unknown_reference':
        fields[4] = 'XX-UNKNOWN';
        return bad('reason_code = XX-UNKNOWN does not exist');
      case 'quarantined_parent':
        fields[5] = this.badOperatorId!;
        return bad(`operator ${this.badOperatorId} is quarantined (skill_level 9)`);
      case 'duplicate_row':
        return [
          { fields, violation: null, detail: '' },
          { fields: [...fields], violation: kind, detail: 'identical copy of the row before it' },
        ];
      case 'conflicting_key': {
        const variant = [...fields];
        variant[6] = variant[6] ? `${variant[6]} (edited)` : 'edited after export';
        const detail = `two rows with event_id ${fields[0]} and different notes`;
        return [
          { fields, violation: kind, detail },
          { fields: variant, violation: kind, detail },
        ];
      }
      default:
        return null;
    }
  }

  spoilDefect(kind: Violation, source: readonly string[]): EmittedRow[] | null {
    const fields = [...source];
    const bad = (detail: string): EmittedRow[] => [{ fields, violation: kind, detail }];
    switch (kind) {
      case 'bad_enum':
        fields[9] = 'scrapped';
        return bad('disposition = scrapped (allowed scrap, rework, use_as_is)');
      case 'out_of_range':
        fields[8] = '0';
        return bad('quantity = 0 (must be > 0)');
      case 'bad_type':
        fields[8] = `${fields[8]}.5`;
        return bad(`quantity = ${fields[8]} (not a whole number)`);
      case 'unknown_reference':
        fields[6] = 'DEF-UNKNOWN';
        return bad('defect_code = DEF-UNKNOWN does not exist');
      case 'missing_value':
        fields[1] = '';
        return bad('detected_at is empty');
      default:
        return null;
    }
  }

  spoilMaintenance(
    kind: Violation,
    source: readonly string[],
    repairStart: number,
    isProtected: boolean,
    random: Rng,
  ): EmittedRow[] | null {
    if (isProtected) return null;
    const fields = [...source];
    switch (kind) {
      case 'end_not_after_start':
        fields[5] = isoUtc(repairStart - random.int(600, 3600));
        return [
          {
            fields,
            violation: kind,
            detail: `repair_end = ${fields[5]} is before repair_start = ${fields[4]}`,
          },
        ];
      case 'bad_enum':
        fields[2] = 'repair';
        return [{ fields, violation: kind, detail: 'kind = repair (allowed corrective, preventive)' }];
      default:
        return null;
    }
  }

  private lineOf(machineId: string): Line {
    return this.factory.machines.find((machine) => machine.id === machineId)!.line;
  }
}

/** Writes whichever rows a due kind makes of a row, or the row itself when no kind fits. */
export async function writeWithInjector<R>(
  injector: Injector | null,
  writer: CsvWriter,
  log: BadRowLog,
  entity: EntityName,
  row: R,
  clean: () => string[],
  spoil: (kind: Violation, row: R) => EmittedRow[] | null,
): Promise<Violation | null> {
  if (injector && writer.rows >= injector.nextAt) {
    for (const kind of injector.due(writer.rows)) {
      const rows = spoil(kind, row);
      if (!rows) continue;
      injector.done(kind);
      await log.emit(entity, writer, rows);
      return kind;
    }
  }
  if (writer.record(clean())) await writer.flush();
  return null;
}
