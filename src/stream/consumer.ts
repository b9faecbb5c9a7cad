/**
 * `lathe stream`: an MQTT subscriber that hands every message to the ingestor and
 * acknowledges it to the broker only once it is durable in the write-ahead log.
 *
 * QoS 1 with a persistent session (clean: false; MQTT 5 with a session expiry), so the broker
 * keeps and resends what was not acknowledged while the consumer was down. MQTT.js handles
 * incoming messages one at a time and sends the PUBACK right after `handleMessage` returns;
 * flushing the log per message would cap the rate at the disk's flush rate. So the PUBACKs are
 * held back and released in groups after each flush (group commit): many messages share one
 * fdatasync, and none is acknowledged before it is on disk. Held PUBACKs of a connection that
 * closed are dropped: the broker resends those messages on the next connection.
 */
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { LatheError, UsageError } from '../util/errors.js';
import { type IngestorOptions, StreamIngestor } from './ingestor.js';

export interface BrokerOptions {
  url: string;
  /** 5 (default for a standing broker) or 4 (MQTT 3.1.1, the embedded broker). */
  protocolVersion?: 4 | 5;
  /** `$share/<group>/…`: several consumers split one subscription. */
  group?: string;
  tlsCa?: string;
  username?: string;
  password?: string;
  /** Messages the broker may send before the first acknowledgement (MQTT 5 receive maximum). */
  receiveMaximum?: number;
}

export interface ConsumerOptions extends Omit<IngestorOptions, 'shared'>, BrokerOptions {
  onConnection?: (status: 'connected' | 'subscribed' | 'offline' | 'reconnecting', detail?: string) => void;
}

/** Messages handled between two turns of the event loop. */
const YIELD_EVERY = 16;

type SendPacket = (packet: { cmd: string; messageId?: number }, cb?: () => void, ...rest: unknown[]) => void;

export function checkBrokerUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(
      `--mqtt \`${url}\` is not a URL`,
      'write the broker as mqtt://host:port (or mqtts://host:port for TLS), e.g. --mqtt mqtt://127.0.0.1:1883',
    );
  }
  if (!['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'tls:'].includes(parsed.protocol) || !parsed.hostname) {
    throw new UsageError(
      `--mqtt \`${url}\` is not an MQTT broker URL`,
      'write it as mqtt://host:port, or mqtts://host:port for TLS (with --tls-ca for a private CA)',
    );
  }
  if (parsed.port && !(Number(parsed.port) > 0 && Number(parsed.port) < 65536)) {
    throw new UsageError(`--mqtt \`${url}\` has port ${parsed.port}`, 'use a port from 1 to 65535');
  }
  return parsed;
}

export function clientOptions(clientId: string, options: BrokerOptions): IClientOptions {
  const version = options.protocolVersion ?? 5;
  const client: IClientOptions = {
    clientId,
    clean: false,
    protocolVersion: version,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    keepalive: 30,
    resubscribe: false,
  };
  if (version === 5) {
    // A week: the broker keeps the session (and queues messages) across a restart or an outage.
    client.properties = {
      sessionExpiryInterval: 7 * 24 * 3600,
      receiveMaximum: options.receiveMaximum ?? 2000,
    };
  }
  if (options.username !== undefined) client.username = options.username;
  if (options.password !== undefined) client.password = options.password;
  if (options.tlsCa) {
    try {
      client.ca = readFileSync(options.tlsCa);
    } catch (error) {
      throw new UsageError(
        `--tls-ca ${options.tlsCa} cannot be read: ${(error as Error).message}`,
        'pass the PEM file of the certificate authority that signed the broker certificate',
      );
    }
  }
  return client;
}

export class StreamConsumer {
  private client: MqttClient | undefined;
  private generation = 0;
  private held: { packet: { cmd: string }; end: number; generation: number }[] = [];
  private pumping = false;
  private stopping = false;

  private constructor(
    readonly options: ConsumerOptions,
    readonly ingestor: StreamIngestor,
  ) {}

  static async start(options: ConsumerOptions): Promise<StreamConsumer> {
    checkBrokerUrl(options.url);
    const ingestor = await StreamIngestor.open({ ...options, shared: Boolean(options.group) });
    const consumer = new StreamConsumer(options, ingestor);
    consumer.connect();
    return consumer;
  }

  get topicFilter(): string {
    const filter = `${this.options.topicPrefix}/#`;
    return this.options.group ? `$share/${this.options.group}/${filter}` : filter;
  }

  private connect(): void {
    const client = mqtt.connect(this.options.url, clientOptions(this.options.consumer, this.options));
    this.client = client;
    const send = (client as unknown as { _sendPacket: SendPacket })._sendPacket.bind(client);
    this.sendRaw = send;
    // Hold PUBACKs until the message is durable (see the module comment).
    (client as unknown as { _sendPacket: SendPacket })._sendPacket = (packet, cb, ...rest) => {
      if (packet.cmd !== 'puback') return send(packet, cb, ...rest);
      if (this.draining) return cb?.(); // stopping: not acknowledged, so the broker keeps it
      this.held.push({ packet, end: this.lastEnd, generation: this.generation });
      cb?.();
      this.pump();
    };
    let handled = 0;
    client.handleMessage = (packet, callback) => {
      this.lastEnd = this.ingestor.receive(packet.topic, packet.payload as Buffer);
      // MQTT.js works through everything buffered without leaving the event loop's turn; a
      // pause every few messages lets the landing's file and DuckDB callbacks run meanwhile.
      if (++handled % YIELD_EVERY === 0) setImmediate(callback);
      else callback();
    };
    let period = 1000;
    client.on('connect', () => {
      period = 1000;
      client.options.reconnectPeriod = period;
      this.options.onConnection?.('connected', this.options.url);
      client.subscribe(this.topicFilter, { qos: 1 }, (error, granted) => {
        const refused = granted?.find((grant) => grant.qos > 2);
        if (!error && !refused) this.options.onConnection?.('subscribed', this.topicFilter);
        if (error || refused) {
          this.options.onError?.(
            new LatheError(
              'subscribe_refused',
              `the broker refused the subscription ${this.topicFilter}: ${error?.message ?? `reason code ${refused?.qos}`}`,
              {
                fix: this.options.group
                  ? 'shared subscriptions need MQTT 5 or a broker that supports $share (mosquitto 2, EMQX, HiveMQ)'
                  : 'check the broker ACL for this user and topic',
              },
            ),
          );
        }
      });
    });
    client.on('close', () => {
      // PUBACKs held for this connection can no longer be sent: the broker resends those messages.
      this.generation++;
      this.held = [];
    });
    client.on('offline', () => this.options.onConnection?.('offline'));
    client.on('reconnect', () => {
      // Back off: 1 s, 2 s, 4 s ... up to 30 s between attempts while the broker is away.
      period = Math.min(period * 2, 30_000);
      client.options.reconnectPeriod = period;
      this.options.onConnection?.('reconnecting', `next attempt in up to ${period / 1000} s`);
    });
    client.on('error', (error) => {
      this.options.onConnection?.('offline', error.message);
    });
  }

  private lastEnd = 0;
  private sendRaw: SendPacket | undefined;
  private draining = false;

  /** Flushes the log and releases the PUBACKs of what is now durable; repeats while some wait. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    void (async () => {
      try {
        while (this.held.length > 0) {
          const durable = await this.ingestor.sync();
          // Backpressure: while the batch waiting to land is large, hold acknowledgements so the
          // broker (its in-flight window) slows down instead of the consumer's memory growing.
          while (this.ingestor.backlog >= (this.options.batchRows ?? 100_000) && !this.stopping)
            await new Promise((resolve) => setTimeout(resolve, 20));
          const send = this.sendRaw!;
          let released = 0;
          for (const entry of this.held) {
            if (entry.end > durable) break;
            if (entry.generation === this.generation && this.client?.connected) send(entry.packet);
            released++;
          }
          this.held.splice(0, released);
        }
      } catch (error) {
        this.options.onError?.(error);
      } finally {
        this.pumping = false;
      }
    })();
  }

  /** Lands everything received, acknowledges it, disconnects (the session stays on the broker). */
  async stop(): Promise<void> {
    this.stopping = true;
    // From here messages are still logged (and landed) but not acknowledged: the broker keeps
    // them and sends them again next time, where their keys make the copy harmless.
    this.draining = true;
    const client = this.client;
    await this.ingestor.sync();
    this.pump();
    while (this.pumping || this.held.length > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    if (client) await new Promise<void>((resolve) => client.end(false, {}, () => resolve()));
    await this.ingestor.close();
  }
}
