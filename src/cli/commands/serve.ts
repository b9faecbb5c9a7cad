import type { Command } from 'commander';
import { LatheError, UsageError } from '../../util/errors.js';
import { action, globalOptions, withExamples } from '../shell.js';

interface ServeFlags {
  port: string;
  host: string;
  models: string;
  web?: string;
  logLevel: string;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function checkPort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || !Number.isInteger(port) || port > 65_535)
    throw new UsageError(
      `--port \`${text}\` is not a port number`,
      'give a number from 1 to 65535, e.g. --port 8080 (0 picks a free port)',
    );
  return port;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export function registerServe(program: Command): void {
  const command = program
    .command('serve')
    .description(
      'serve the HTTP API (KPIs, marts, loads, builds, lineage, alerts; OpenAPI at /api/openapi.json) and the dashboard',
    )
    .option('--port <port>', 'port to listen on (0 = any free port)', '8080')
    .option(
      '--host <host>',
      'address to listen on (there is no authentication yet: keep it on loopback)',
      '127.0.0.1',
    )
    .option('--models <dir>', 'the models folder (for the lineage graph)', 'models')
    .option('--web <dir>', 'the dashboard build to serve at / (default: dist/web of the package)')
    .option('--log-level <level>', `server log level: ${LOG_LEVELS.join(', ')}`, 'warn')
    .action(
      action(async (flags: ServeFlags, cmd: Command) => {
        const port = checkPort(flags.port);
        if (!LOG_LEVELS.includes(flags.logLevel))
          throw new UsageError(
            `--log-level \`${flags.logLevel}\` is not a level`,
            `use one of: ${LOG_LEVELS.join(', ')}`,
          );
        const lake = globalOptions(cmd).lake;
        // Loaded when used: the server's modules cost every other command start-up time.
        const { createServer, DEFAULT_WEB_DIR } = await import('../../server/app.js');
        const server = await createServer({
          lake,
          modelsDir: flags.models,
          webDir: flags.web ?? DEFAULT_WEB_DIR,
          logger: { level: flags.logLevel },
          warm: true,
        });
        let address: string;
        try {
          address = await server.app.listen({ port, host: flags.host });
        } catch (error) {
          await server.close();
          const code = (error as NodeJS.ErrnoException).code;
          throw new LatheError(
            code === 'EADDRINUSE' ? 'port_in_use' : 'listen_failed',
            code === 'EADDRINUSE'
              ? `port ${port} on ${flags.host} is already in use`
              : `cannot listen on ${flags.host}:${port}: ${(error as Error).message}`,
            { fix: 'pick another --port (or --port 0 for any free one), or stop the other server' },
          );
        }
        const build = await server.state.currentBuildId();
        process.stdout.write(
          `lathe serve: ${address}  (lake ${lake}, ${build ? `build ${build}` : 'no build yet: run lathe build'})\n` +
            `  API ${address}/api/health, OpenAPI ${address}/api/openapi.json; Ctrl-C stops\n`,
        );
        if (!isLoopback(flags.host))
          process.stderr.write(
            `warning: listening on ${flags.host} without authentication: anyone who can reach it reads the lake\n`,
          );
        const stop = () => {
          server.close().finally(() => process.exit(0));
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      }),
    );
  withExamples(
    command,
    'lathe serve',
    'lathe serve --port 9000',
    'lathe --lake /data/lake serve --host 127.0.0.1 --port 8080',
    'curl "http://127.0.0.1:8080/api/kpi/oee?by=line,day&where=plant:P1&from=2026-03-01&to=2026-03-31"',
  );
}
