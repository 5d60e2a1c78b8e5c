/**
 * `sweep data …`: getting data sets into a store.
 *
 *   sweep data prepare --dataset mnist [--data-dir d] [--backend local|localstack|aws] [--store-dir .sweep/store] [--region r]
 *   sweep data prepare --dataset <name> --from <table file> --label <column> [--task …] [--test f | --test-split p]
 *   sweep data download --dataset fashion-mnist
 *   sweep data list [--backend …]
 *
 * Exit codes: 0 ok, 1 runtime failure, 2 invalid input.
 */
import type { Command } from 'commander';
import { downloadDataset, isDownloadable, REMOTE_DATASETS } from '../../adapters/data/download.ts';
import { nodeSha256 } from '../../adapters/data/loader.ts';
import { DATASET_NAMES, DatasetInputError, resolveDataset } from '../../adapters/data/sources.ts';
import { FsBlobStore } from '../../adapters/store/fs.ts';
import { IdxError } from '../../core/data/idx.ts';
import { manifestShape, parseAnyManifest } from '../../core/data/manifest.ts';
import { prepareDataset } from '../../core/data/prepare.ts';
import { TableInputError } from '../../core/data/tabular/errors.ts';
import type { BlobStore } from '../../core/ports.ts';
import { UsageError } from '../ui/errors.ts';
import { addTableOptions, prepareTableCommand } from './data-table.ts';

type BackendKind = 'local' | 'localstack' | 'aws';
const BACKENDS: readonly BackendKind[] = ['local', 'localstack', 'aws'];
export const DEFAULT_STORE_DIR = '.sweep/store';

interface StoreOpts {
  backend: string;
  storeDir?: string;
  stackName?: string;
  endpoint?: string;
  region?: string;
}

type OpenBackend = (
  kind: BackendKind,
  opts: { storeDir?: string; stackName?: string; endpoint?: string; region?: string },
) => Promise<{ store: BlobStore; kind: string }>;

/**
 * Opens the chosen backend's store through adapters/backend.ts (`openBackend`). Until that module is
 * there, the local backend falls back to the files store directly.
 */
async function openStore(o: StoreOpts): Promise<BlobStore> {
  if (!(BACKENDS as readonly string[]).includes(o.backend)) {
    throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, got ${JSON.stringify(o.backend)}`);
  }
  const kind = o.backend as BackendKind;
  const storeDir = o.storeDir ?? DEFAULT_STORE_DIR;
  const modPath = '../../adapters/backend.ts';
  let openBackend: OpenBackend | undefined;
  try {
    openBackend = ((await import(modPath)) as { openBackend?: OpenBackend }).openBackend;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND') throw e;
  }
  if (openBackend) {
    const opts = {
      storeDir,
      ...(o.stackName ? { stackName: o.stackName } : {}),
      ...(o.endpoint ? { endpoint: o.endpoint } : {}),
      ...(o.region ? { region: o.region } : {}),
    };
    return (await openBackend(kind, opts)).store;
  }
  if (kind === 'local') return new FsBlobStore(storeDir);
  throw new Error(`backend ${kind} is not available in this build (adapters/backend.ts missing)`);
}

function addStoreOptions(cmd: Command): Command {
  return cmd
    .option('--backend <kind>', `where the store is: ${BACKENDS.join('|')}`, 'local')
    .option('--store-dir <dir>', 'local store directory', DEFAULT_STORE_DIR)
    .option('--stack-name <name>', 'CloudFormation stack of the aws backend')
    .option('--endpoint <url>', 'LocalStack endpoint')
    .option('--region <region>', 'aws backend: region (default from the environment or your AWS profile)');
}

function fail(e: unknown, json: boolean): void {
  const input =
    e instanceof UsageError ||
    e instanceof IdxError ||
    e instanceof DatasetInputError ||
    e instanceof TableInputError;
  const msg = (e as Error).message ?? String(e);
  const problem = e instanceof TableInputError ? { problem: e.problem } : {};
  if (json)
    process.stdout.write(
      `${JSON.stringify({ ok: false, error: msg, kind: (e as Error).name, ...problem })}\n`,
    );
  process.stderr.write(`error: ${msg}\n`);
  process.exitCode = input ? 2 : 1;
}

function parsePositiveInt(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
}

export function register(program: Command): void {
  const data = program.command('data').description('prepare data sets (MNIST and friends) in a store');

  addStoreOptions(
    addTableOptions(data.command('prepare'))
      .description('read a data set, cut it into verified shards and write them + manifest.json to the store')
      .option(
        '--dataset <name>',
        `${DATASET_NAMES.join('|')}, a directory of IDX files, or the name for --from`,
        'mnist',
      )
      .option('--data-dir <dir>', 'read the IDX files from this directory instead of the cache / a download')
      .option('--cache-dir <dir>', 'download cache (default: the user cache dir, XDG)')
      .option('--offline', 'never download (use the cache, else fall back to mnist-mini)')
      .option('--shard-size <n>', 'samples per shard', '10000')
      .option('--verify', 'also re-check the shards already in the store and rewrite bad ones')
      .option('--json', 'print the result as one JSON line'),
  ).action(async (o, cmd: Command) => {
    const json = Boolean(o.json);
    try {
      if (o.from) {
        const given = cmd.getOptionValueSource('dataset') !== 'default';
        await prepareTableCommand(o, given, () => openStore(o), json);
        return;
      }
      const shardSize = parsePositiveInt('--shard-size', o.shardSize);
      const log = (m: string) => {
        if (!json) process.stderr.write(`${m}\n`);
      };
      const resolved = await resolveDataset(o.dataset, {
        ...(o.dataDir ? { dataDir: o.dataDir } : {}),
        ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}),
        offline: Boolean(o.offline),
        log,
        download: { progress: !json },
      });
      if (resolved.notice) process.stderr.write(`notice: ${resolved.notice}\n`);
      const store = await openStore(o);
      const r = await prepareDataset(store, resolved.dataset, resolved.source, {
        ...(shardSize ? { shardSize } : {}),
        hash: nodeSha256,
        verify: Boolean(o.verify),
      });
      const m = r.manifest;
      const summary = {
        ok: true,
        dataset: m.name,
        version: m.version,
        skipped: r.skipped,
        written: r.written,
        train: m.train.reduce((s, e) => s + e.count, 0),
        test: m.test.reduce((s, e) => s + e.count, 0),
        shards: m.train.length + m.test.length,
        bytes: [...m.train, ...m.test].reduce((s, e) => s + e.bytes, 0),
        pixel_mean: m.pixel_mean,
        pixel_std: m.pixel_std,
        backend: o.backend,
        ...(resolved.notice ? { notice: resolved.notice } : {}),
      };
      if (json) {
        process.stdout.write(`${JSON.stringify(summary)}\n`);
      } else {
        const what = `${m.name}@${m.version} (${summary.train} train / ${summary.test} test, ${summary.shards} shards, ${(summary.bytes / 1e6).toFixed(1)} MB)`;
        process.stdout.write(
          r.skipped
            ? `${what} is already prepared in the ${o.backend} store; nothing to do\n`
            : `prepared ${what} in the ${o.backend} store: ${r.written} objects written\n`,
        );
        process.stdout.write(
          `use it in a sweep as  "dataset": { "name": "${m.name}", "version": "${m.version}" }\n`,
        );
      }
    } catch (e) {
      fail(e, json);
    }
  });

  data
    .command('download')
    .description('download a data set into the cache and verify its MD5s')
    .option('--dataset <name>', Object.keys(REMOTE_DATASETS).join('|'), 'mnist')
    .option('--cache-dir <dir>', 'download cache (default: the user cache dir, XDG)')
    .option('--mirror <url...>', 'mirror base URLs to try instead of the built-in ones')
    .option('--json', 'print the result as one JSON line')
    .action(async (o) => {
      const json = Boolean(o.json);
      try {
        if (!isDownloadable(o.dataset)) {
          throw new UsageError(
            `cannot download ${JSON.stringify(o.dataset)}: expected ${Object.keys(REMOTE_DATASETS).join(', ')}`,
          );
        }
        const dir = await downloadDataset(o.dataset, {
          ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}),
          ...(o.mirror ? { mirrors: o.mirror as string[] } : {}),
          progress: !json,
          log: (m) => {
            if (!json) process.stderr.write(`${m}\n`);
          },
        });
        if (json) process.stdout.write(`${JSON.stringify({ ok: true, dataset: o.dataset, dir })}\n`);
        else process.stdout.write(`${o.dataset}: verified files in ${dir}\n`);
      } catch (e) {
        fail(e, json);
      }
    });

  addStoreOptions(
    data
      .command('list')
      .description('list the data sets prepared in the store')
      .option('--json', 'print one JSON line per data set'),
  ).action(async (o) => {
    const json = Boolean(o.json);
    try {
      const store = await openStore(o);
      const manifests = (await store.list('datasets/')).filter((k) => k.endsWith('/manifest.json'));
      const rows = [];
      for (const key of manifests) {
        const obj = await store.get(key);
        if (!obj) continue;
        const m = parseAnyManifest(obj.body, key);
        rows.push({
          dataset: m.name,
          version: m.version,
          ...manifestShape(m),
          train: m.train.reduce((s, e) => s + e.count, 0),
          test: m.test.reduce((s, e) => s + e.count, 0),
          shards: m.train.length + m.test.length,
          created_at: m.created_at ?? null,
        });
      }
      if (json) for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
      else if (rows.length === 0) process.stdout.write('no data sets prepared; run `sweep data prepare`\n');
      else
        for (const r of rows)
          process.stdout.write(
            `${r.dataset}@${r.version}  ${r.kind} ${r.task} ${r.inputs}→${r.outputs}  ${r.train} train / ${r.test} test  ${r.shards} shards  ${r.created_at ?? ''}\n`,
          );
    } catch (e) {
      fail(e, json);
    }
  });
}
