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
 */
import path from 'node:path';

export type Layer = 'raw';

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
