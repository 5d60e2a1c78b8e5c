/**
 * A prepared table in a store: cut into table shards with its manifest (nothing written: store-io.ts's
 * writeDataset does that, as for images), and loaded back into a TableDataset in a worker, every shard
 * sha256-verified, the first k training shards only when asked (low-fidelity rungs).
 */
import type { TableDataset, TableSplit } from '../../dataset.ts';
import { keys } from '../../layout.ts';
import type { BlobStore } from '../../ports.ts';
import { type ShardEntry, ShardError, sha256Hex } from '../shards.ts';
import {
  type BuiltDataset,
  cutShards,
  type HashFn,
  joinArrays,
  type LoadOptions,
  loadShards,
} from '../store-io.ts';
import { TABLE_MANIFEST_CREATED_BY, type TableManifest } from './manifest.ts';
import type { PreparedTable } from './prepare.ts';
import { type DecodedTableShard, decodeTableShard, encodeTableShard, type TableLabels } from './shard.ts';

export const DEFAULT_TABLE_SHARD_ROWS = 10_000;

/** Cuts a prepared table into shards of `shardSize` rows and describes them in its manifest. */
export function buildTableShards(
  p: PreparedTable,
  opts: { shardSize?: number; hash?: HashFn } = {},
): BuiltDataset<TableManifest> {
  const hash = opts.hash ?? sha256Hex;
  const { dataset: ds, recipe } = p;
  const prefix = keys.dataset(ds.name, ds.version);
  const shards: BuiltDataset['shards'] = [];
  const cut = (split: TableSplit<TableLabels>, kind: 'train' | 'test'): ShardEntry[] => {
    const encode = (start: number, end: number) =>
      encodeTableShard(
        split.features.subarray(start * ds.inputs, end * ds.inputs),
        split.labels.subarray(start, end),
        ds.inputs,
      );
    return cutShards(
      { count: split.count, kind, prefix },
      opts.shardSize ?? DEFAULT_TABLE_SHARD_ROWS,
      encode,
      hash,
      shards,
    );
  };
  const train = cut(ds.train, 'train');
  const test = cut(ds.test, 'test');
  const manifest: TableManifest = { ...recipe, created_by: TABLE_MANIFEST_CREATED_BY, train, test };
  return { manifest, shards };
}

/** Loads a prepared table from its (validated) manifest. */
export async function loadTableFromManifest(
  store: BlobStore,
  m: TableManifest,
  opts: LoadOptions = {},
): Promise<TableDataset> {
  const classification = m.label.task === 'classification';
  const decoded = await loadShards(store, m, opts, (bytes, e) => {
    const s = decodeTableShard(bytes, e.key);
    if (s.inputs !== m.inputs)
      throw new ShardError(e.key, `rows of ${s.inputs} inputs, the manifest says ${m.inputs}`);
    if (classification !== s.labels instanceof Uint16Array) {
      throw new ShardError(
        e.key,
        `labels are ${classification ? 'targets' : 'class ids'}, the manifest says ${m.task}`,
      );
    }
    if (m.label.task === 'classification') {
      for (const l of s.labels) {
        if (l >= m.outputs) throw new ShardError(e.key, `label ${l} is outside 0..${m.outputs - 1}`);
      }
    }
    return s;
  });
  const common = {
    kind: 'table' as const,
    name: m.name,
    version: m.version,
    inputs: m.inputs,
    featureNames: m.feature_names,
    steps: m.features,
  };
  if (m.label.task === 'classification') {
    return {
      ...common,
      task: 'classification',
      classes: m.outputs,
      classNames: m.label.classes,
      train: concatRows(decoded.train, Uint16Array),
      test: concatRows(decoded.test, Uint16Array),
    };
  }
  return {
    ...common,
    task: 'regression',
    target: { name: m.label.column, mean: m.label.mean, std: m.label.std },
    train: concatRows(decoded.train, Float32Array),
    test: concatRows(decoded.test, Float32Array),
  };
}

/** One split from its shards (the shard's own arrays when there is one). */
function concatRows<L extends Uint16Array | Float32Array>(
  parts: DecodedTableShard[],
  Labels: { new (n: number): L },
): TableSplit<L> {
  return {
    features: joinArrays(
      parts.map((p) => p.features),
      (n) => new Float32Array(n),
    ),
    labels: joinArrays(
      parts.map((p) => p.labels as L),
      (n) => new Labels(n),
    ),
    count: parts.reduce((s, p) => s + p.count, 0),
  };
}

/** The first `rows` training rows of a loaded table, as views (no copy). */
export function tableTrainPrefix(ds: TableDataset, rows: number): TableDataset {
  if (rows >= ds.train.count) return ds;
  const train = ds.train;
  const cut = { features: train.features.subarray(0, rows * ds.inputs), count: rows };
  return ds.task === 'classification'
    ? { ...ds, train: { ...cut, labels: ds.train.labels.subarray(0, rows) } }
    : { ...ds, train: { ...cut, labels: ds.train.labels.subarray(0, rows) } };
}
