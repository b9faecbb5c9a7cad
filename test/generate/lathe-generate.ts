/**
 * Test entry: `lathe generate` alone, as src/cli/main.ts wires it (commander errors exit 2),
 * so the command's tests do not depend on the other commands.
 */
import { Command, CommanderError } from 'commander';
import { registerGenerate } from '../../src/cli/commands/generate.js';

const program = new Command('lathe').exitOverride();
registerGenerate(program);
for (const command of program.commands) command.exitOverride();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (!(error instanceof CommanderError)) throw error;
  process.exitCode = error.exitCode === 0 ? 0 : 2;
}
