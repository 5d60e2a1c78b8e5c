/**
 * A prepared table in a store and back in a worker: the loader returns a TableDataset equal to what was
 * prepared (dense float32 features, class ids or standardised targets), every shard sha256-verified,
 * prefixes of the training shards as views; re-preparing is a no-op; the same on LocalStack's S3.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearDatasetMemo, createDatasetLoader } from '../../../adapters/data/loader.ts';
import {
  buildTableFiles,
  prepareTableFiles,
  type TableFilesOptions,
} from '../../../adapters/data/tabular/prepare.ts';
import { deleteBucket } from '../../../adapters/localstack/bootstrap.ts';
import { localstackClients } from '../../../adapters/localstack/clients.ts';
import { FsBlobStore } from '../../../adapters/store/fs.ts';
import { S3BlobStore } from '../../../adapters/store/s3.ts';
import { manifestShape, parseAnyManifest } from '../../../core/data/manifest.ts';
import { readManifest } from '../../../core/data/prepare.ts';
import { ChecksumError, readAnyManifest } from '../../../core/data/store-io.ts';
import { loadTableFromManifest } from '../../../core/data/tabular/store.ts';
import type { LoadedDataset, TableDataset } from '../../../core/dataset.ts';
import { keys } from '../../../core/layout.ts';
import type { BlobStore } from '../../../core/ports.ts';
import { ensureLocalstack } from '../../setup/localstack-env.ts';
import { tempDir } from '../helpers.ts';
import { fixture } from './helpers.ts';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir('tabular-store'));
  clearDatasetMemo();
});
afterEach(() => cleanup());

const MIXED: TableFilesOptions = {
  name: 'mixed',
  from: fixture('mixed-train.csv'),
  test: fixture('mixed-test.csv'),
  label: 'label',
  workerMemoryMb: 1769,
  shardSize: 30,
};
const REGRESS: TableFilesOptions = {
  name: 'regress',
  from: fixture('regress.csv'),
  label: 'y',
  workerMemoryMb: 1769,
  shardSize: 16,
};

function table(d: LoadedDataset): TableDataset {
  if (d.kind !== 'table') throw new Error(`${d.name} is not a table`);
  return d;
}

/** Plain arrays of a table data set, to compare loads with what was prepared. */
const plain = (d: TableDataset) => ({
  ...d,
  train: { ...d.train, features: [...d.train.features], labels: [...d.train.labels] },
  test: { ...d.test, features: [...d.test.features], labels: [...d.test.labels] },
});

async function roundTrip(store: BlobStore, o: TableFilesOptions) {
  const r = await prepareTableFiles(store, o);
  const loaded = table(await createDatasetLoader(store, { tmpDir: false }).load(r.manifest));
  return { r, loaded };
}

describe('tables in a store', () => {
  it('load back as prepared: classification, with the manifest saying task, inputs, outputs', async () => {
    const store = new FsBlobStore(join(dir, 'store'));
    const { r, loaded } = await roundTrip(store, MIXED);
    expect(loaded.task).toBe('classification');
    expect(plain(loaded)).toEqual(plain(r.prepared.dataset));
    expect(loaded.train.labels).toBeInstanceOf(Uint16Array);
    expect(r.manifest.train.map((e) => e.count)).toEqual([30, 30, 20]);
    const m = parseAnyManifest((await store.get(keys.manifest('mixed', r.manifest.version)))!.body, 'm');
    expect(manifestShape(m)).toEqual({ kind: 'table', task: 'classification', inputs: 9, outputs: 2 });
    await expect(readManifest(store, r.manifest)).rejects.toThrow(/is a table, not images/);
  });

  it('load back as prepared: regression, targets standardised', async () => {
    const store = new FsBlobStore(join(dir, 'store'));
    const { r, loaded } = await roundTrip(store, REGRESS);
    expect(loaded.task).toBe('regression');
    expect(plain(loaded)).toEqual(plain(r.prepared.dataset));
    expect(loaded.train.labels).toBeInstanceOf(Float32Array);
    expect(loaded.task === 'regression' && loaded.target.name).toBe('y');
    expect(manifestShape(r.manifest)).toEqual({ kind: 'table', task: 'regression', inputs: 3, outputs: 1 });
  });

  it('re-preparing the same file the same way writes nothing; other options make another version', async () => {
    const store = new FsBlobStore(join(dir, 'store'));
    const first = await prepareTableFiles(store, REGRESS);
    expect(first).toMatchObject({ skipped: false, written: 4 + 1 });
    const again = await prepareTableFiles(store, REGRESS);
    expect(again).toMatchObject({ skipped: true, written: 0 });
    expect(again.manifest).toEqual(first.manifest);
    const other = await prepareTableFiles(store, { ...REGRESS, seed: 3 });
    expect(other.manifest.version).not.toBe(first.manifest.version);
  });

  it('serves the first k training shards as views, and refuses a corrupted shard', async () => {
    const store = new FsBlobStore(join(dir, 'store'));
    const r = await prepareTableFiles(store, MIXED);
    const loader = createDatasetLoader(store, { tmpDir: false });
    const full = table(await loader.load(r.manifest));
    const one = table(await loader.load(r.manifest, { trainShards: 1 }));
    expect(one.train.count).toBe(30);
    expect(one.train.features.buffer).toBe(full.train.features.buffer);
    expect([...one.train.features]).toEqual([...full.train.features.subarray(0, 30 * full.inputs)]);
    const victim = r.manifest.test[0]!;
    const bytes = (await store.get(victim.key))!.body.slice();
    bytes[bytes.length - 1] = bytes.at(-1)! ^ 1;
    await store.put(victim.key, bytes);
    clearDatasetMemo();
    await expect(createDatasetLoader(store, { tmpDir: false }).load(r.manifest)).rejects.toBeInstanceOf(
      ChecksumError,
    );
  });

  it('decodes shards whose bytes are not 4-byte aligned (a copy, same values)', async () => {
    const { built, prepared } = await buildTableFiles(REGRESS);
    const store = new FsBlobStore(join(dir, 'store'));
    const shifted: BlobStore = {
      get: async (key) => {
        const o = await store.get(key);
        if (!o || !key.endsWith('.bin')) return o;
        const padded = new Uint8Array(o.body.length + 1);
        padded.set(o.body, 1);
        return { ...o, body: padded.subarray(1) };
      },
      getIfChanged: (k, etag) => store.getIfChanged(k, etag),
      put: (k, b, o) => store.put(k, b, o),
      list: (p) => store.list(p),
      delete: (k) => store.delete(k),
    };
    await prepareTableFiles(store, REGRESS);
    const m = await readAnyManifest(store, built.manifest);
    if (!('kind' in m)) throw new Error('expected a table manifest');
    expect(plain(await loadTableFromManifest(shifted, m))).toEqual(plain(prepared.dataset));
  });

  it('keeps the file order of rows and the recorded recipe in the manifest', async () => {
    const csv = join(dir, 'ordered.csv');
    writeFileSync(csv, `x,label\n${Array.from({ length: 20 }, (_, i) => `${i},${i % 2}`).join('\n')}\n`);
    const store = new FsBlobStore(join(dir, 'store'));
    const r = await prepareTableFiles(store, {
      name: 'ordered',
      from: csv,
      label: 'label',
      workerMemoryMb: 1769,
      testSplit: 0.25,
    });
    const step = r.manifest.features[0]!;
    if (step.type !== 'numeric') throw new Error('x should be numeric');
    const xs = [...r.prepared.dataset.train.features].map((z) => Math.round(z * step.std + step.mean));
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(r.manifest.options).toMatchObject({ label: 'label', test: 0.25, seed: 0 });
  });
});

describe('tables in LocalStack S3', () => {
  let clients: ReturnType<typeof localstackClients> | undefined;
  const bucket = `tabular-${randomBytes(4).toString('hex')}`;
  afterAll(async () => {
    if (clients) await deleteBucket(clients, bucket);
  });

  it('prepare and load the same data set as the local store', async () => {
    clients = localstackClients(await ensureLocalstack());
    await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const s3 = new S3BlobStore(clients.s3, bucket);
    const local = new FsBlobStore(join(dir, 'store'));
    const remote = await roundTrip(s3, MIXED);
    clearDatasetMemo();
    const here = await roundTrip(local, MIXED);
    expect(remote.r.manifest.version).toBe(here.r.manifest.version);
    expect(remote.r.manifest.train).toEqual(here.r.manifest.train);
    expect(plain(remote.loaded)).toEqual(plain(here.loaded));
    expect((await prepareTableFiles(s3, MIXED)).skipped).toBe(true);
  }, 300_000);
});
