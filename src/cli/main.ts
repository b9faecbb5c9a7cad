#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { registerBuild } from './commands/build.js';
import { registerCompile } from './commands/compile.js';
import { registerDocs } from './commands/docs.js';
import { registerDq } from './commands/dq.js';
import { registerGenerate } from './commands/generate.js';
import { registerIngest } from './commands/ingest.js';
import { registerKpi } from './commands/kpi.js';
import { registerLake } from './commands/lake.js';
import { registerLoads } from './commands/loads.js';
import { registerModels } from './commands/models.js';
import { registerQuarantine } from './commands/quarantine.js';
import { registerQuery } from './commands/query.js';
import { registerServe } from './commands/serve.js';
import { registerSimulate } from './commands/simulate.js';
import { registerStream } from './commands/stream.js';
import { registerTest } from './commands/test.js';
import { withExamples } from './shell.js';

// `lathe … | head` closes stdout early: that ends the output, it is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const program = new Command('lathe')
  .description('Lathe: a local-first manufacturing analytics lakehouse.')
  .version('0.1.0')
  .addOption(new Option('--lake <dir>', 'lake folder (default: $LATHE_LAKE or ./lake)'))
  .showHelpAfterError()
  .exitOverride();
withExamples(
  program,
  'lathe generate --out demo/drop --scale small',
  'lathe ingest demo/drop',
  'lathe loads',
  'lathe build',
);

for (const register of [
  registerGenerate,
  registerIngest,
  registerLoads,
  registerQuarantine,
  registerQuery,
  registerLake,
  registerBuild,
  registerModels,
  registerCompile,
  registerTest,
  registerDq,
  registerKpi,
  registerDocs,
  registerServe,
  registerStream,
  registerSimulate,
]) {
  register(program);
}
for (const command of program.commands) command.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version end here with code 0; everything else is bad usage.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else {
    process.stderr.write(
      `internal error (a bug, please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  }
}
