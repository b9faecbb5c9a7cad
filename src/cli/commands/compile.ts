import type { Command } from 'commander';
import { compileModelSql, loadProject } from '../../models/index.js';
import { UsageError } from '../../util/errors.js';
import { closestName } from '../../util/suggest.js';
import { action, printJson, withExamples } from '../shell.js';

export function registerCompile(program: Command): void {
  const command = program
    .command('compile')
    .description('print the SQL a model runs: ref() and source() replaced by the relations a build reads')
    .argument('<model>', 'a model name (lathe models lists them)')
    .option('--models <dir>', 'the models folder', 'models')
    .option('--json', 'print { model, file, sql }')
    .action(
      action(async (name: string, flags: { models: string; json?: boolean }) => {
        const project = await loadProject(flags.models);
        const model = project.byName.get(name);
        if (!model) {
          const suggestion = closestName(name, [...project.byName.keys()]);
          throw new UsageError(
            `no model \`${name}\`${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`,
            'lathe models lists the models of this project',
          );
        }
        const sql = compileModelSql(model);
        if (flags.json) printJson({ model: model.name, file: model.file, sql });
        else process.stdout.write(`-- ${model.file} (${model.header.materialized})\n${sql}\n`);
      }),
    );
  withExamples(command, 'lathe compile fact_machine_shift', 'lathe compile dim_machine --models ./models');
}
