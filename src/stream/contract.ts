/**
 * The stream contract (CONTRACT.md §1 "Stream (MQTT)"): topic `<prefix>/<plant>/<line>/<machine>/<channel>`,
 * payload one JSON object or an array of objects. Decoding turns a message into typed records
 * and, for every part that breaks the contract, a reason shaped like a quarantine reason
 * (code, field, message, fix). A bad element of an array does not spoil the good ones.
 */

export type Channel = 'telemetry' | 'counts' | 'state';
export const CHANNELS: readonly Channel[] = ['telemetry', 'counts', 'state'];

export interface Reason {
  code: string;
  field: string | null;
  message: string;
  fix: string;
}

export interface MachineTopic {
  plant_id: string;
  line_id: string;
  machine_id: string;
  channel: Channel;
}

/** Instants are epoch milliseconds; they are written back as ISO 8601 UTC. */
export interface Reading {
  machine_id: string;
  sensor: string;
  ts: number;
  value: number;
  quality: 'good' | 'uncertain' | 'bad';
}

export interface Count {
  machine_id: string;
  order_id: string;
  product_id: string;
  operator_id: string | null;
  interval_start: number;
  interval_end: number;
  total_count: number;
  reject_count: number;
}

export interface StateChange {
  machine_id: string;
  ts: number;
  state: 'running' | 'stopped';
  reason_code: string | null;
}

/** One element that failed: its place in the payload (null: the whole message) and why. */
export interface Rejected {
  index: number | null;
  /** The element as received (the whole payload text when index is null). */
  payload: string;
  reasons: Reason[];
}

export interface Decoded {
  topic: MachineTopic | null;
  readings: Reading[];
  counts: Count[];
  states: StateChange[];
  rejected: Rejected[];
}

/** What the consumer knows of the plant (from the lake's master data) to check topics against. */
export interface MasterIndex {
  /** machine_id -> its line and plant. Empty: the lake has no machines yet. */
  machines: Map<string, { line_id: string; plant_id: string }>;
  /** Known downtime reason codes (empty: not checked). */
  reasons: Set<string>;
}

const TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const QUALITIES = new Set(['good', 'uncertain', 'bad']);

export function parseTopic(topic: string, prefix: string): MachineTopic | Reason {
  const parts = topic.split('/');
  const prefixParts = prefix.split('/');
  const wrong = (message: string): Reason => ({
    code: 'bad_topic',
    field: 'topic',
    message,
    fix: `publish to ${prefix}/<plant_id>/<line_id>/<machine_id>/<channel> with channel one of ${CHANNELS.join(', ')}`,
  });
  if (parts.length !== prefixParts.length + 4 || prefixParts.some((part, i) => parts[i] !== part))
    return wrong(`topic \`${topic}\` is not ${prefix}/<plant_id>/<line_id>/<machine_id>/<channel>`);
  const [plant_id, line_id, machine_id, channel] = parts.slice(prefixParts.length) as [
    string,
    string,
    string,
    string,
  ];
  if (!plant_id || !line_id || !machine_id) return wrong(`topic \`${topic}\` has an empty level`);
  if (!(CHANNELS as readonly string[]).includes(channel))
    return wrong(`unknown channel \`${channel}\` in topic \`${topic}\``);
  return { plant_id, line_id, machine_id, channel: channel as Channel };
}

/** Checks the topic's machine against the lake's master data (skipped while the lake has none). */
export function checkMachine(topic: MachineTopic, master: MasterIndex): Reason | undefined {
  if (master.machines.size === 0) return undefined;
  const machine = master.machines.get(topic.machine_id);
  if (!machine) {
    return {
      code: 'unknown_machine',
      field: 'topic',
      message: `machine \`${topic.machine_id}\` is not in the lake's machines`,
      fix: 'ingest the machine in the master data (lathe ingest), or correct the machine id in the topic',
    };
  }
  if (machine.line_id !== topic.line_id || machine.plant_id !== topic.plant_id) {
    return {
      code: 'topic_mismatch',
      field: 'topic',
      message: `machine \`${topic.machine_id}\` belongs to ${machine.plant_id}/${machine.line_id}, not ${topic.plant_id}/${topic.line_id}`,
      fix: `publish it under ${machine.plant_id}/${machine.line_id}/${topic.machine_id}/<channel>`,
    };
  }
  return undefined;
}

export function decodeMessage(
  topicText: string,
  payload: Buffer,
  prefix: string,
  master: MasterIndex,
): Decoded {
  const decoded: Decoded = { topic: null, readings: [], counts: [], states: [], rejected: [] };
  const whole = (reason: Reason) =>
    decoded.rejected.push({ index: null, payload: text(), reasons: [reason] });
  let cached: string | undefined;
  const text = () => {
    cached ??= payload.toString('utf8');
    return cached;
  };
  const topic = parseTopic(topicText, prefix);
  if ('code' in topic) {
    whole(topic);
    return decoded;
  }
  decoded.topic = topic;
  const machineProblem = checkMachine(topic, master);
  if (machineProblem) {
    whole(machineProblem);
    return decoded;
  }
  let body: unknown;
  try {
    body = JSON.parse(text());
  } catch (error) {
    whole({
      code: 'bad_json',
      field: null,
      message: `payload is not JSON: ${(error as Error).message}`,
      fix: 'send one JSON object, or an array of objects, per message (UTF-8)',
    });
    return decoded;
  }
  const elements = Array.isArray(body) ? body : [body];
  if (elements.length === 0) {
    whole({
      code: 'empty_payload',
      field: null,
      message: 'payload is an empty array',
      fix: 'send at least one object per message',
    });
    return decoded;
  }
  const single = !Array.isArray(body);
  for (let i = 0; i < elements.length; i++) {
    const element = elements[i];
    const reasons: Reason[] = [];
    if (element === null || typeof element !== 'object' || Array.isArray(element)) {
      reasons.push({
        code: 'not_an_object',
        field: null,
        message: `element ${i} is ${element === null ? 'null' : Array.isArray(element) ? 'an array' : typeof element}, not an object`,
        fix: `send objects shaped like the ${topic.channel} channel of the contract`,
      });
    } else if (topic.channel === 'telemetry') {
      const reading = toReading(element as Record<string, unknown>, topic.machine_id, reasons);
      if (reading) decoded.readings.push(reading);
    } else if (topic.channel === 'counts') {
      const count = toCount(element as Record<string, unknown>, topic.machine_id, reasons);
      if (count) decoded.counts.push(count);
    } else {
      const state = toState(element as Record<string, unknown>, topic.machine_id, reasons, master);
      if (state) decoded.states.push(state);
    }
    if (reasons.length > 0)
      decoded.rejected.push({
        index: single ? null : i,
        payload: single ? text() : JSON.stringify(element),
        reasons,
      });
  }
  return decoded;
}

type Fields = Record<string, unknown>;

function missing(field: string, what: string): Reason {
  return {
    code: 'missing_value',
    field,
    message: `\`${field}\` is missing`,
    fix: `send \`${field}\` (${what})`,
  };
}

/** The last timestamp text parsed: the readings of one instant share it. */
let lastInstantText = '';
let lastInstantMs = 0;

function instant(fields: Fields, field: string, reasons: Reason[]): number | undefined {
  const value = fields[field];
  if (value === lastInstantText && typeof value === 'string') return lastInstantMs;
  if (value === undefined || value === null || value === '') {
    reasons.push(missing(field, 'ISO 8601 with a UTC offset, e.g. 2026-03-02T06:00:00Z'));
    return undefined;
  }
  const ms = typeof value === 'string' && TS.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    const naive = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value);
    reasons.push({
      code: naive ? 'naive_timestamp' : 'bad_timestamp',
      field,
      message: naive
        ? `\`${field}\` is \`${value}\` without a UTC offset`
        : `\`${field}\` is \`${String(JSON.stringify(value))}\`, not an ISO 8601 timestamp`,
      fix: `write \`${field}\` as ISO 8601 with an offset or Z, e.g. 2026-03-02T06:00:00Z`,
    });
    return undefined;
  }
  lastInstantText = value as string;
  lastInstantMs = ms;
  return ms;
}

function text(fields: Fields, field: string, reasons: Reason[], optional = false): string | null | undefined {
  const value = fields[field];
  if (value === undefined || value === null || value === '') {
    if (!optional) reasons.push(missing(field, 'text'));
    return optional ? null : undefined;
  }
  if (typeof value !== 'string') {
    reasons.push({
      code: 'bad_type',
      field,
      message: `\`${field}\` is ${JSON.stringify(value)}, not text`,
      fix: `send \`${field}\` as a JSON string`,
    });
    return undefined;
  }
  return value;
}

function numberOf(fields: Fields, field: string, reasons: Reason[], whole: boolean): number | undefined {
  const value = fields[field];
  if (value === undefined || value === null || value === '') {
    reasons.push(missing(field, whole ? 'a whole number' : 'a number'));
    return undefined;
  }
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && DECIMAL.test(value)
        ? Number(value)
        : Number.NaN;
  if (!Number.isFinite(n) || (whole && !Number.isInteger(n))) {
    reasons.push({
      code: 'bad_type',
      field,
      message: `\`${field}\` is ${JSON.stringify(value)}, not ${whole ? 'a whole number' : 'a number'}`,
      fix: `send \`${field}\` as a JSON number${whole ? ' without decimals' : ''}`,
    });
    return undefined;
  }
  return n;
}

function toReading(fields: Fields, machineId: string, reasons: Reason[]): Reading | undefined {
  const ts = instant(fields, 'ts', reasons);
  const sensor = text(fields, 'sensor', reasons);
  const value = numberOf(fields, 'value', reasons, false);
  let quality = fields.quality ?? 'good';
  if (quality === '') quality = 'good';
  if (typeof quality !== 'string' || !QUALITIES.has(quality)) {
    reasons.push({
      code: 'bad_enum',
      field: 'quality',
      message: `\`quality\` is ${JSON.stringify(quality)}`,
      fix: 'send quality as one of good, uncertain, bad (or leave it out for good)',
    });
    return undefined;
  }
  if (ts === undefined || !sensor || value === undefined) return undefined;
  return { machine_id: machineId, sensor, ts, value, quality: quality as Reading['quality'] };
}

function toCount(fields: Fields, machineId: string, reasons: Reason[]): Count | undefined {
  const start = instant(fields, 'interval_start', reasons);
  const end = instant(fields, 'interval_end', reasons);
  const order = text(fields, 'order_id', reasons);
  const product = text(fields, 'product_id', reasons);
  const operator = text(fields, 'operator_id', reasons, true);
  const total = numberOf(fields, 'total_count', reasons, true);
  const reject = numberOf(fields, 'reject_count', reasons, true);
  if (start !== undefined && end !== undefined && end <= start) {
    reasons.push({
      code: 'end_not_after_start',
      field: 'interval_end',
      message: '`interval_end` must be after `interval_start`',
      fix: 'send the interval as [start, end) with end later than start',
    });
  }
  if (total !== undefined && total < 0) {
    reasons.push({
      code: 'out_of_range',
      field: 'total_count',
      message: `\`total_count\` is ${total}, below 0`,
      fix: 'send total_count >= 0',
    });
  }
  if (total !== undefined && reject !== undefined && (reject < 0 || reject > total)) {
    reasons.push({
      code: 'out_of_range',
      field: 'reject_count',
      message: `\`reject_count\` is ${reject}, outside 0..total_count (${total})`,
      fix: 'send 0 <= reject_count <= total_count (rejects include units sent to rework)',
    });
  }
  if (reasons.length > 0 || start === undefined || end === undefined || !order || !product) return undefined;
  return {
    machine_id: machineId,
    order_id: order,
    product_id: product,
    operator_id: operator ?? null,
    interval_start: start,
    interval_end: end,
    total_count: total!,
    reject_count: reject!,
  };
}

function toState(
  fields: Fields,
  machineId: string,
  reasons: Reason[],
  master: MasterIndex,
): StateChange | undefined {
  const ts = instant(fields, 'ts', reasons);
  const state = fields.state;
  if (state !== 'running' && state !== 'stopped') {
    reasons.push(
      state === undefined || state === null
        ? missing('state', '"running" or "stopped"')
        : {
            code: 'bad_enum',
            field: 'state',
            message: `\`state\` is ${JSON.stringify(state)}`,
            fix: 'send state as "running" or "stopped"',
          },
    );
  }
  const reason = text(fields, 'reason_code', reasons, true);
  if (reason && master.reasons.size > 0 && !master.reasons.has(reason)) {
    reasons.push({
      code: 'unknown_reference',
      field: 'reason_code',
      message: `reason_code \`${reason}\` is not in the lake's downtime_reasons`,
      fix: 'use a reason code of downtime_reasons, or ingest the new reason first',
    });
  }
  if (reasons.length > 0 || ts === undefined) return undefined;
  return { machine_id: machineId, ts, state: state as StateChange['state'], reason_code: reason ?? null };
}
