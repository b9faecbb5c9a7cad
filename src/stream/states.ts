/**
 * The `state` channel as downtime_events. A `stopped` opens an event, the next `running`
 * closes it; a `stopped` while stopped closes the open event and opens a new one (the reason
 * changed). The event id is made from the machine and the instant the stop began
 * (`ST-<machine>-<yyyyMMddTHHmmssSSSZ>`), so a message delivered twice makes the same row
 * and upserts onto itself.
 *
 * The lake is the memory: before a batch lands, the latest stream events of its machines are
 * read from the lake, and the batch's state messages are applied on top, in arrival order. A
 * `running` that finds no open stop is a heartbeat, except in a shared subscription, where the
 * stop may sit in another consumer's batch: there it waits (`pending`) until that stop lands,
 * for at most `PENDING_MS`.
 */
import type { StateChange } from './contract.js';

export interface StreamEvent {
  event_id: string;
  machine_id: string;
  start_ts: number;
  end_ts: number | null;
  reason_code: string;
}

export interface PendingRunning {
  change: StateChange;
  /** Wall-clock ms when it was first seen. */
  since: number;
}

export const PENDING_MS = 30_000;

export function eventId(machineId: string, startMs: number): string {
  const iso = new Date(startMs).toISOString();
  return `ST-${machineId}-${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}${iso.slice(20, 23)}Z`;
}

export interface StateResolution {
  /** Rows to land, at most one per event id (the latest version). */
  events: StreamEvent[];
  /** `running` messages still waiting for their stop (shared subscriptions only). */
  pending: PendingRunning[];
  /** Messages that contradict what is known, with why. */
  rejected: { change: StateChange; code: string; message: string; fix: string }[];
}

/**
 * Applies state changes in order on top of the known events (per machine, any order).
 * `waitForStops`: a `running` without an open stop waits instead of being a heartbeat.
 */
export function resolveStates(
  known: StreamEvent[],
  pendingBefore: PendingRunning[],
  changes: StateChange[],
  options: { defaultReason: string; waitForStops: boolean; now: number },
): StateResolution {
  const byMachine = new Map<string, StreamEvent[]>();
  for (const event of known) {
    const list = byMachine.get(event.machine_id) ?? [];
    list.push({ ...event });
    byMachine.set(event.machine_id, list);
  }
  for (const list of byMachine.values()) list.sort((a, b) => a.start_ts - b.start_ts);
  const touched = new Map<string, StreamEvent>();
  const touch = (event: StreamEvent) => touched.set(event.event_id, event);
  const result: StateResolution = { events: [], pending: [], rejected: [] };
  /** The latest event of the machine that starts at or before `ts` (strictly before when `strict`). */
  const latest = (machine: string, ts: number, strict: boolean) => {
    const list = byMachine.get(machine) ?? [];
    for (let i = list.length - 1; i >= 0; i--) {
      const event = list[i]!;
      if (strict ? event.start_ts < ts : event.start_ts <= ts) return event;
    }
    return undefined;
  };
  const insert = (event: StreamEvent) => {
    const list = byMachine.get(event.machine_id) ?? [];
    list.push(event);
    list.sort((a, b) => a.start_ts - b.start_ts);
    byMachine.set(event.machine_id, list);
    touch(event);
  };

  const running = (change: StateChange, since: number, retry: boolean) => {
    const event = latest(change.machine_id, change.ts, true);
    if (event && event.end_ts === null) {
      event.end_ts = change.ts;
      touch(event);
      return;
    }
    if (event && event.end_ts === change.ts) return; // delivered again
    // No open stop before it: a heartbeat, or (shared subscription) a stop not landed yet.
    if (options.waitForStops && options.now - since < PENDING_MS) result.pending.push({ change, since });
    else if (retry && !options.waitForStops) return;
  };

  for (const waiting of pendingBefore) running(waiting.change, waiting.since, true);
  for (const change of changes) {
    if (change.state === 'running') {
      running(change, options.now, false);
      continue;
    }
    const previous = latest(change.machine_id, change.ts, false);
    if (previous && previous.start_ts === change.ts) continue; // delivered again
    if (previous && previous.end_ts === null) {
      previous.end_ts = change.ts;
      touch(previous);
    } else if (previous && previous.end_ts !== null && previous.end_ts > change.ts) {
      result.rejected.push({
        change,
        code: 'state_out_of_order',
        message: `a stop at ${new Date(change.ts).toISOString()} falls inside the stop ${previous.event_id} that ran until ${new Date(previous.end_ts).toISOString()}`,
        fix: 'publish the state changes of a machine in time order',
      });
      continue;
    }
    insert({
      event_id: eventId(change.machine_id, change.ts),
      machine_id: change.machine_id,
      start_ts: change.ts,
      end_ts: null,
      reason_code: change.reason_code ?? options.defaultReason,
    });
  }
  result.events = [...touched.values()];
  return result;
}
