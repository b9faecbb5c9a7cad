/**
 * Production counts and defects of one machine. Counts come per fixed interval (aligned on the
 * epoch, cut at shift and order boundaries, so an interval never spans two shifts or orders);
 * an interval in which the machine never ran has no row. A row's total is what the running
 * seconds allow at the machine's speed factor, so total x ideal cycle <= interval seconds;
 * rejects are drawn from the machine's reject rate, higher at the start of an order and in the
 * day before a breakdown. Defects document the rejects of each shift-and-order stretch
 * (scrap or rework, at most the rejects that load) plus an occasional use-as-is deviation.
 */
import { type CountRow, countFields, type PreviousCount, writeWithInjector } from './bad-rows.js';
import { DEFECT_CODES } from './catalog.js';
import { type Generation, nextId } from './context.js';
import { isoUtc } from './format.js';
import { type Span, SpanCursor } from './intervals.js';
import type { Machine, Order } from './model.js';
import { type Rng, rng } from './prng.js';
import { operatorFor } from './shifts.js';
import type { Failure } from './stops.js';

const DEGRADING_S = 24 * 3600;
const DEFECT_WEIGHTS = DEFECT_CODES.map((code) => code.weight);
const COSMETIC = DEFECT_CODES.filter((code) => code.severity === 'minor');

export async function writeCountsAndDefects(
  generation: Generation,
  machine: Machine,
  running: readonly Span[],
  failures: readonly Failure[],
): Promise<void> {
  const { factory, writers, bad } = generation;
  const seed = factory.plan.seed;
  const random = rng(seed, `counts:${machine.id}`);
  const defectRandom = rng(seed, `defects:${machine.id}`);
  const badRandom = rng(seed, `bad-rows:counts:${machine.id}`);
  const interval = factory.plan.countIntervalS;
  const writer = writers.production_counts;
  const injector = generation.injectors.production_counts ?? null;
  const cursor = new SpanCursor(running);
  let lastOrder: Order | null = null;
  let failureIndex = 0;
  for (const window of machine.line.windows) {
    const order = window.order;
    const productId = order.product.id;
    const cycle = machine.cycleS.get(productId)!;
    const operatorId = operatorFor(machine, window.shift).id;
    const otherProductId = machine.line.products.find((product) => product !== order.product)!.id;
    let previous: (PreviousCount & { rejects: number }) | null = null;
    let segmentRejects = 0;
    const cells: number[] = [];
    for (let start = window.start; start < window.end; ) {
      const end = Math.min((Math.floor(start / interval) + 1) * interval, window.end);
      const run = cursor.overlap(start, end);
      if (run > 0) {
        while (failureIndex < failures.length && failures[failureIndex]!.start <= start) failureIndex++;
        const next = failures[failureIndex];
        const degrading = next !== undefined && start >= next.start - DEGRADING_S;
        const speed = machine.speed * random.between(0.965, 1) * (degrading ? 0.94 : 1);
        const total = Math.floor((run * speed) / cycle);
        const rate = machine.rejectRate * (degrading ? 3 : 1) * (lastOrder !== order ? 2.5 : 1);
        lastOrder = order;
        const row: CountRow = {
          machineId: machine.id,
          orderId: order.id,
          productId,
          operatorId: random.chance(0.02) ? '' : operatorId,
          start,
          end,
          total,
          rejects: Math.min(total, random.poisson(total * rate)),
        };
        const line = writer.nextLine;
        const kind = await writeWithInjector(
          injector,
          writer,
          bad.log,
          'production_counts',
          row,
          () => countFields(row),
          (k, r) => bad.spoilCount(k, r, { previous, otherProductId }, badRandom),
        );
        if (kind === 'overlapping_interval' && previous) {
          await bad.log.record(
            'production_counts',
            writer.name,
            previous.line,
            kind,
            `overlapped by the row on line ${line}`,
          );
          segmentRejects -= previous.rejects;
        }
        if (kind === null || kind === 'duplicate_row') {
          segmentRejects += row.rejects;
          cells.push(start, end - start);
        }
        previous = { start, end, line, clean: kind === null, rejects: row.rejects };
      }
      start = end;
    }
    await writeDefects(generation, machine, order, segmentRejects, cells, defectRandom);
  }
}

async function writeDefects(
  generation: Generation,
  machine: Machine,
  order: Order,
  rejects: number,
  cells: readonly number[],
  random: Rng,
): Promise<void> {
  if (cells.length === 0) return;
  const records: {
    code: (typeof DEFECT_CODES)[number];
    quantity: number;
    disposition: string;
    severity: string;
  }[] = [];
  let documented = rejects;
  if (rejects > 0 && random.chance(0.15)) documented -= random.int(0, Math.ceil(rejects * 0.3));
  if (documented > 0) {
    const parts = documented <= 2 ? 1 : random.int(1, Math.min(3, documented));
    let remaining = documented;
    for (let part = 0; part < parts; part++) {
      const quantity = part === parts - 1 ? remaining : random.int(1, remaining - (parts - 1 - part));
      remaining -= quantity;
      const code = random.weighted(DEFECT_CODES, DEFECT_WEIGHTS);
      const escalated = code.severity === 'minor' && random.chance(0.08);
      records.push({
        code,
        quantity,
        disposition: random.chance(0.65) ? 'scrap' : 'rework',
        severity: escalated ? 'major' : code.severity,
      });
    }
  }
  if (random.chance(0.04)) {
    records.push({
      code: random.pick(COSMETIC),
      quantity: random.int(1, 3),
      disposition: 'use_as_is',
      severity: 'minor',
    });
  }
  const { writers, bad } = generation;
  const injector = generation.injectors.defects ?? null;
  for (const record of records) {
    const cell = random.int(0, cells.length / 2 - 1);
    const detectedAt = cells[2 * cell]! + random.int(0, cells[2 * cell + 1]! - 1);
    const batchId = order.batchIds.length > 0 && random.chance(0.75) ? random.pick(order.batchIds) : '';
    const fields = [
      nextId(`DF-${generation.factory.plan.idPrefix}`, ++generation.ids.defect, 7),
      isoUtc(detectedAt),
      machine.id,
      order.id,
      order.product.id,
      batchId,
      record.code.code,
      record.severity,
      String(record.quantity),
      record.disposition,
    ];
    await writeWithInjector(
      injector,
      writers.defects,
      bad.log,
      'defects',
      fields,
      () => fields,
      (kind, row) => bad.spoilDefect(kind, row),
    );
  }
}
