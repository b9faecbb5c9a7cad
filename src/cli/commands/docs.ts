import type { Command } from 'commander';
import { action, globalOptions, printJson, withExamples } from '../shell.js';

export function registerDocs(program: Command): void {
  const command = program
    .command('docs')
    .description(
      'write the warehouse documentation: one HTML folder (sources, models, columns, tests with their last results, lineage graph), opened from disk',
    )
    .option('--out <dir>', 'the site folder (default: <lake>/_docs)')
    .option('--build <id>', 'show the test results of this build (default: the newest)')
    .option('--models <dir>', 'the models folder', 'models')
    .option('--source <file...>', 'source declarations (YAML) to document; default: the factory contract')
    .option('--json', 'print what was written as JSON')
    .action(
      action(
        async (
          flags: { out?: string; build?: string; models: string; source?: string[]; json?: boolean },
          cmd: Command,
        ) => {
          // Loaded when used, as in ingest: the contract's libraries cost other commands start-up time.
          const [{ loadSourceDeclaration }, { factorySource }, { writeDocsSite }] = await Promise.all([
            import('../../contract/declaration.js'),
            import('../../contract/factory.js'),
            import('../../docs/index.js'),
          ]);
          const site = await writeDocsSite({
            lake: globalOptions(cmd).lake,
            modelsDir: flags.models,
            out: flags.out,
            buildId: flags.build,
            declarations: flags.source ? flags.source.map(loadSourceDeclaration) : [factorySource()],
          });
          const { catalog: _catalog, ...summary } = site;
          if (flags.json) {
            printJson(summary);
            return;
          }
          process.stdout.write(
            `wrote the docs of ${site.models} models, ${site.sources} source entities and ${site.tests} tests` +
              `${site.build_id ? ` (results of build ${site.build_id}${site.failing_tests ? `, ${site.failing_tests} not passing` : ''})` : ' (no build yet: tests have no results)'}\n` +
              `open ${site.url}\n`,
          );
        },
      ),
    );
  withExamples(
    command,
    'lathe docs',
    'lathe docs --out lake-docs && xdg-open lake-docs/index.html',
    'lathe docs --build 20261123T104512345Z-7f3a --out docs-of-that-build',
  );
}
