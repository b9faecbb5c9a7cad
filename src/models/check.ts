/**
 * `lathe test`: the project's data-quality tests run against the build in force, without
 * building or publishing anything (e.g. after editing a test, or to re-check a build).
 */
import path from 'node:path';
import { readManifest } from '../lake/manifest.js';
import { openLakeReader } from '../lake/reader.js';
import { LatheError } from '../util/errors.js';
import { compileGenericTest, compileSingularTest, runTests } from './dq.js';
import { loadProject } from './project.js';
import type { TestResult } from './records.js';
import { createHistoryViews, createRawViews } from './relations.js';
import { selectModels } from './select.js';

export interface CheckResult {
  build_id: string;
  load_id: string;
  tests: TestResult[];
  /** Selected models the project has but the build does not (their tests could not run). */
  not_built: string[];
}

export async function testWarehouse(options: {
  lake: string;
  modelsDir?: string;
  select?: string | string[];
  asOf?: string;
}): Promise<CheckResult> {
  const project = await loadProject(options.modelsDir ?? 'models');
  const selected = selectModels(project, options.select);
  const reader = await openLakeReader(path.resolve(options.lake), { asOf: options.asOf });
  try {
    const build = reader.build;
    if (!build)
      throw new LatheError('no_build', 'this lake has no published build to test', {
        fix: 'build the warehouse first: lathe build',
      });
    const raw = await readManifest(reader.layout, { asOf: build.loadId });
    const cutoff = raw?.committedAt ?? build.committedAt;
    const built = new Set(build.order);
    const tests = project.models
      .filter((model) => selected.has(model.name) && built.has(model.name))
      .flatMap((model) => model.tests.map((test) => compileGenericTest(test, cutoff)));
    const layout = reader.layout;
    for (const test of project.singularTests) {
      const runs =
        test.refs.every((ref) => built.has(ref)) &&
        (test.refs.length === 0 || test.refs.some((ref) => selected.has(ref)));
      if (!runs) continue;
      // A singular test may read raw entities: as of the build's load, like the models did.
      const run = (sql: string) => reader.db.run(sql);
      if (raw && test.references.some((r) => r.kind === 'source')) await createRawViews(run, layout, raw);
      if (raw && test.references.some((r) => r.kind === 'source_history'))
        await createHistoryViews(run, layout, raw);
      tests.push(compileSingularTest(test));
    }
    const results: TestResult[] = await runTests(reader.db.connection, tests);
    return {
      build_id: build.id,
      load_id: build.loadId,
      tests: results,
      not_built: [...selected].filter((name) => !built.has(name)),
    };
  } finally {
    reader.close();
  }
}
