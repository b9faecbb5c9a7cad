/**
 * Where the stream keeps its own files in a lake (Lathe's underscore folders):
 *
 *   _stream/<consumer>/wal/<offset>.wal          the write-ahead log of delivered messages
 *   _stream/<consumer>/checkpoint.json           how far the log has landed, and waiting state
 *   _stream/<consumer>/landing.json              the batch being landed (replayed after a crash)
 *   _stream/<consumer>/batches/<from>-<to>/      a batch as a drop folder, while it lands
 *   _stream/dead-letters/<consumer>/*.ndjson     messages that broke the contract
 *   _meta/alerts/<YYYY-MM-DD>.ndjson             alert events, one file per UTC day
 *   _meta/live/oee-<consumer>.json               live OEE of the running shift per machine
 */
import path from 'node:path';

export function streamDir(lake: string): string {
  return path.join(lake, '_stream');
}

export function consumerDir(lake: string, consumer: string): string {
  return path.join(streamDir(lake), consumer);
}

export function alertsDir(lake: string): string {
  return path.join(lake, '_meta', 'alerts');
}

/** A consumer name is a folder name and an MQTT client id. */
export const CONSUMER_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
