/** The model engine: SQL models under models/, built into the lake and tested. The CLI is a thin shell over this. */
export { type BuildOptions, type BuildProgressEvent, type BuildResult, buildWarehouse } from './build.js';
export { type CheckResult, testWarehouse } from './check.js';
export { compileModelSql, compileSql, defaultResolve, HISTORY_SCHEMA, RAW_SCHEMA } from './compile.js';
export { type CompiledTest, compileGenericTest, compileSingularTest, runTest, runTests } from './dq.js';
export type { DataTest, ModelHeader, Severity, SingularHeader, TestKind } from './header.js';
export {
  loadProject,
  MODEL_LAYERS,
  type Model,
  type Project,
  type Reference,
  type SingularTest,
} from './project.js';
export {
  type BuildRecord,
  type BuildStatus,
  FileBuildStore,
  type ModelResult,
  type TestResult,
} from './records.js';
export { attachBuildViews, modelStateSql } from './relations.js';
export { selectModels } from './select.js';
