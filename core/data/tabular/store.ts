/**
 * A prepared table in a store: cut into table shards with its manifest (nothing written: store-io.ts's
 * writeDataset does that, as for images), and loaded back into a TableDataset in a worker, every shard
 * sha256-verified, the first k training shards only when asked (low-fidelity rungs).
 */
import type { TableDataset, TableSplit } from '../../dataset.ts';
import { keys } from '../../layout.ts';
import type { BlobStore } from '../../ports.ts';
import { type ShardEntry, ShardError, sha256Hex } from '../shards.ts';
import { type BuiltDataset, type HashFn, type LoadOptions, loadShards } from '../store-io.ts';
import { TABLE_MANIFEST_CREATED_BY, type TableManifest } from './manifest.ts';
import type { PreparedTable } from './prepare.ts';
import { type DecodedTableShard, decodeTableShard, encodeTableShard, type TableLabels } from './shard.ts';

export const DEFAULT_TABLE_SHARD_ROWS = 10_000;

/** Cuts a prepared table into shards of `shardSize` rows and describes them in its manifest. */
export function buildTableShards(
  p: PreparedTable,
  opts: { shardSize?: number; hash?: HashFn } = {},
): BuiltDataset<TableManifest> {
  const shardSize = opts.shardSize ?? DEFAULT_TABLE_SHARD_ROWS;
  if (!Number.isInteger(shardSize) || shardSize < 1)
    throw new RangeError(`shardSize must be ≥ 1, got ${shardSize}`);
  const hash = opts.hash ?? sha256Hex;
  const { dataset: ds, recipe } = p;
  const prefix = keys.dataset(ds.name, ds.version);
  const shards: BuiltDataset['shards'] = [];
  const cut = (split: TableSplit<TableLabels>, kind: 'train' | 'test'): ShardEntry[] => {
    const entries: ShardEntry[] = [];
    for (let start = 0, i = 0; start < split.count; start += shardSize, i++) {
      const end = Math.min(start + shardSize, split.count);
      const bytes = encodeTableShard(
        split.features.subarray(start * ds.inputs, end * ds.inputs),
        split.labels.subarray(start, end),
        ds.inputs,
      );
      const key = `${prefix}${kind}-${String(i).padStart(5, '0')}.bin`;
      shards.push({ key, bytes });
      entries.push({ key, sha256: hash(bytes), count: end - start, bytes: bytes.length });
    }
    return entries;
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
  };
  if (m.label.task === 'classification') {
    return {
      ...common,
      task: 'classification',
      classes: m.outputs,
      classNames: m.label.classes,
      train: concatRows(decoded.train, m.inputs, Uint16Array),
      test: concatRows(decoded.test, m.inputs, Uint16Array),
    };
  }
  return {
    ...common,
    task: 'regression',
    target: { name: m.label.column, mean: m.label.mean, std: m.label.std },
    train: concatRows(decoded.train, m.inputs, Float32Array),
    test: concatRows(decoded.test, m.inputs, Float32Array),
  };
}

/** One split from its shards (the shard's own arrays when there is one). */
function concatRows<L extends Uint16Array | Float32Array>(
  parts: DecodedTableShard[],
  inputs: number,
  Labels: { new (n: number): L },
): TableSplit<L> {
  if (parts.length === 1) {
    const p = parts[0]!;
    return { features: p.features, labels: p.labels as L, count: p.count };
  }
  const count = parts.reduce((s, p) => s + p.count, 0);
  const features = new Float32Array(count * inputs);
  const labels = new Labels(count);
  let at = 0;
  for (const p of parts) {
    features.set(p.features, at * inputs);
    labels.set(p.labels, at);
    at += p.count;
  }
  return { features, labels, count };
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
