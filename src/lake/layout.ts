/**
 * Where everything lives in a lake folder. Data files are Parquet in Hive-style partitions
 * (readable by Spark, Trino and friends as they are); the underscore folders are Lathe's own.
 *
 *   raw/<entity>/load=<id>/part-*.parquet          rows that loaded (immutable once committed)
 *   quarantine/<entity>/load=<id>/part-0.parquet   rows that did not, with every reason
 *   _manifests/raw/<id>.json                       what was current right after load <id>
 *   _manifests/raw/CURRENT                         id of the current manifest (replaced atomically)
 *   _meta/loads/<id>.json                          the audit record of every load, good or failed
 *   _staging/<id>/                                 a load being written; never read by readers
 *   _writer.lock                                   held by the one process writing
 *
 * and for the warehouse (models built from the raw layer):
 *   <layer>/<model>/build=<id>/part-*.parquet      a table model's rows as built by build <id>
 *   _manifests/build/<id>.json                     every model as of build <id> (files or view SQL)
 *   _manifests/build/CURRENT                       id of the current build (replaced atomically)
 *   _meta/builds/<id>.json                         the record of every build: models, test results
 *   _staging/build-<id>/                           a build being written; never read by readers
 *   <layer>/<model>/build=<id>/_key_ranges.parquet, _replaces.parquet   an incremental part's bookkeeping
 *   _meta/cache/project.json                       the models folder as last parsed (a cache, safe to delete)
 */
import path from 'node:path';

/** The manifest series: raw loads, and warehouse builds. */
export type Layer = 'raw' | 'build';

export class LakeLayout {
  constructor(readonly root: string) {}

  rawPartition(entity: string, loadId: string): string {
    return path.join(this.root, 'raw', entity, `load=${loadId}`);
  }
  quarantinePartition(entity: string, loadId: string): string {
    return path.join(this.root, 'quarantine', entity, `load=${loadId}`);
  }
  manifestsDir(layer: Layer): string {
    return path.join(this.root, '_manifests', layer);
  }
  manifestFile(layer: Layer, id: string): string {
    return path.join(this.manifestsDir(layer), `${id}.json`);
  }
  currentPointer(layer: Layer): string {
    return path.join(this.manifestsDir(layer), 'CURRENT');
  }
  loadsDir(): string {
    return path.join(this.root, '_meta', 'loads');
  }
  stagingDir(loadId: string): string {
    return path.join(this.root, '_staging', loadId);
  }
  /** Where build `buildId` writes a table model's part files. */
  modelPartition(modelLayer: string, model: string, buildId: string): string {
    return path.join(this.root, modelLayer, model, `build=${buildId}`);
  }
  buildsDir(): string {
    return path.join(this.root, '_meta', 'builds');
  }
  buildRecord(buildId: string): string {
    return path.join(this.buildsDir(), `${buildId}.json`);
  }
  buildStagingDir(buildId: string): string {
    return path.join(this.root, '_staging', `build-${buildId}`);
  }
  projectCache(): string {
    return path.join(this.root, '_meta', 'cache', 'project.json');
  }
  writerLock(): string {
    return path.join(this.root, '_writer.lock');
  }
  /** Lake-relative path, as stored in manifests so a lake folder can be moved. */
  relative(file: string): string {
    return path.relative(this.root, file).split(path.sep).join('/');
  }
  absolute(relativePath: string): string {
    return path.join(this.root, ...relativePath.split('/'));
  }
}
