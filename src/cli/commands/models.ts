import type { Command } from 'commander';
import { loadProject, selectModels } from '../../models/index.js';
import { action, printJson, withExamples } from '../shell.js';
import { printTable } from '../table.js';

export function registerModels(program: Command): void {
  const command = program
    .command('models')
    .description('list the SQL models: layer, materialization, description, what each depends on')
    .option('--models <dir>', 'the models folder', 'models')
    .option('--select <selector...>', 'only these models: name, name+, +name, tag:x')
    .option('--json', 'print an array of models')
    .action(
      action(async (flags: { models: string; select?: string[]; json?: boolean }) => {
        const project = await loadProject(flags.models);
        const selected = selectModels(project, flags.select);
        const rows = project.models
          .filter((model) => selected.has(model.name))
          .map((model) => ({
            name: model.name,
            layer: model.layer,
            materialized: model.header.materialized,
            description: model.header.description ?? '',
            depends_on: [
              ...model.refs,
              ...model.sources.map((s) => `source:${s}`),
              ...model.histories.map((s) => `source_history:${s}`),
            ],
            tags: model.header.tags,
            tests: model.tests.length,
            file: model.file,
          }));
        if (flags.json) {
          printJson(rows);
          return;
        }
        printTable(
          ['name', 'layer', 'materialized', 'description', 'depends_on'],
          rows.map((row) => ({ ...row, depends_on: row.depends_on.join(', ') })),
        );
      }),
    );
  withExamples(command, 'lathe models', 'lathe models --select +fact_machine_shift', 'lathe models --json');
}
