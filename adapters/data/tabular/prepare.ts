/**
 * `data prepare --from <file>`: read the table file(s), prepare them (core/data/tabular/prepare.ts: every
 * check before anything is written), cut shards and write them + the manifest to a store (the same
 * idempotent writer as image data sets). A failure leaves nothing in the store.
 */
import type { SourceFile } from '../../../core/data/shards.ts';
import { type BuiltDataset, writeDataset } from '../../../core/data/store-io.ts';
import type { TableManifest } from '../../../core/data/tabular/manifest.ts';
import { memoryLimit } from '../../../core/data/tabular/memory.ts';
import {
  type PreparedTable,
  prepareTable,
  type TablePrepareOptions,
} from '../../../core/data/tabular/prepare.ts';
import { buildTableShards } from '../../../core/data/tabular/store.ts';
import type { RawTable } from '../../../core/data/tabular/table.ts';
import type { BlobStore } from '../../../core/ports.ts';
import { nodeSha256 } from '../loader.ts';
import { type ReadTableOptions, readTableFile } from './read.ts';

export interface TableFilesOptions
  extends Omit<TablePrepareOptions, 'memory'>,
    Omit<ReadTableOptions, 'memory' | 'label'> {
  /** The table file. */
  from: string;
  /** The test rows' own file (else `testSplit` of `from` is held out). */
  test?: string;
  /** The worker's memory in MB: the prepared table may take half of it. */
  workerMemoryMb: number;
  shardSize?: number;
  verify?: boolean;
}

export interface PreparedTableFiles {
  prepared: PreparedTable;
  manifest: TableManifest;
  tables: { train: RawTable; test?: RawTable };
  written: number;
  skipped: boolean;
}

/** Reads and prepares the table without writing anything (what `prepareTableFiles` writes). */
export async function buildTableFiles(o: TableFilesOptions): Promise<{
  prepared: PreparedTable;
  built: BuiltDataset<TableManifest>;
  tables: PreparedTableFiles['tables'];
}> {
  const memory = memoryLimit(o.workerMemoryMb);
  const readOptions = {
    label: o.label,
    memory,
    ...(o.features ? { features: o.features } : {}),
    ...(o.encoding ? { encoding: o.encoding } : {}),
    ...(o.delimiter ? { delimiter: o.delimiter } : {}),
  };
  const train = await readTableFile(o.from, readOptions);
  const test = o.test ? await readTableFile(o.test, readOptions) : undefined;
  const source: SourceFile[] = [train.source, ...(test ? [test.source] : [])];
  const prepared = prepareTable(train.table, test?.table, source, { ...o, label: train.label, memory });
  const built = buildTableShards(prepared, {
    ...(o.shardSize ? { shardSize: o.shardSize } : {}),
    hash: nodeSha256,
  });
  return { prepared, built, tables: { train: train.table, ...(test ? { test: test.table } : {}) } };
}

export async function prepareTableFiles(store: BlobStore, o: TableFilesOptions): Promise<PreparedTableFiles> {
  const { prepared, built, tables } = await buildTableFiles(o);
  const r = await writeDataset(store, built, { hash: nodeSha256, verify: Boolean(o.verify) });
  return { prepared, manifest: r.manifest, tables, written: r.written, skipped: r.skipped };
}
