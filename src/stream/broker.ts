/**
 * The embedded broker for demos: aedes (MQTT 3.1.1) in-process on a loopback port, so
 * `lathe stream` and `lathe simulate` work without installing a server. Its sessions and
 * queued messages live in memory: they survive a consumer's restart, not the broker's. A
 * plant runs a standing broker (mosquitto, EMQX, HiveMQ) instead; see docs/stream.md.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import { LatheError } from '../util/errors.js';

export interface EmbeddedBroker {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(
  options: { host?: string; port?: number } = {},
): Promise<EmbeddedBroker> {
  const host = options.host ?? '127.0.0.1';
  const broker = await Aedes.createBroker({ drainTimeout: 30_000 });
  const server: Server = createServer(broker.handle as never);
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      broker.close();
      reject(
        error.code === 'EADDRINUSE'
          ? new LatheError('port_in_use', `port ${options.port ?? 1883} on ${host} is already in use`, {
              fix: 'a broker may already run there: pass --mqtt mqtt://127.0.0.1:<port> to use it, or --port to start the embedded one elsewhere',
              exitCode: 1,
            })
          : error,
      );
    });
    server.listen(options.port ?? 1883, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 1883);
  return {
    url: `mqtt://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => broker.close(() => resolve()));
        // Connected clients keep the server open: end them.
        for (const socket of sockets) socket.destroy();
      }),
  };
}
