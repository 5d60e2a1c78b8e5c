/**
 * Sweep validation against a prepared table: `layers[0]` must be the manifest's `inputs` (the width after
 * one-hot) and the last layer its `outputs` (classes, or 1 for a regression), both numbers in the message;
 * the metric and the loss must be the task's, and image-only keys are refused, each with the fix.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareTableFiles } from '../../../adapters/data/tabular/prepare.ts';
import { FsBlobStore } from '../../../adapters/store/fs.ts';
import { validateFile } from '../../../cli/commands/validate.ts';
import { tempDir } from '../helpers.ts';
import { fixture } from './helpers.ts';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir('tabular-validate'));
});
afterEach(() => cleanup());

/** A regression sweep's keys that fit its task. */
const REGRESSION = { metric: { name: 'val_rmse' }, parameters: { loss: { value: 'mse' } } };

async function validate(
  dataset: string,
  layers: string,
  more: { metric?: unknown; parameters?: Record<string, unknown> } = {},
) {
  const file = join(dir, `${dataset}-${layers}-${Math.random().toString(36).slice(2)}.json`);
  const sweep = {
    dataset,
    method: 'grid',
    ...(more.metric ? { metric: more.metric } : {}),
    parameters: { layers: { value: layers }, ...more.parameters },
  };
  await writeFile(file, JSON.stringify(sweep));
  const stderr: string[] = [];
  const stdout: string[] = [];
  const code = await validateFile(
    file,
    { storeDir: join(dir, 'store') },
    { stdout: (s) => stdout.push(s), stderr: (s) => stderr.push(s) },
  );
  return {
    code,
    first: stderr[0] ?? '',
    errors: stderr.filter((l) => l.startsWith('$')),
    stdout: stdout.join('\n'),
  };
}

describe('sweep validate on a table data set', () => {
  it('checks the net against the inputs after one-hot and the classes or the single regression output', async () => {
    const store = new FsBlobStore(join(dir, 'store'));
    const common = { workerMemoryMb: 1769, label: 'label' };
    await prepareTableFiles(store, { ...common, name: 'mixed', from: fixture('mixed-train.csv') });
    await prepareTableFiles(store, { ...common, name: 'reg', from: fixture('regress.csv'), label: 'y' });
    const fits = await validate('mixed', '9-16-2');
    expect(fits.code).toBe(0);
    // The estimate is sized from the prepared table (64 training rows), not MNIST's 60,000.
    expect(fits.stdout).toContain('assuming: 64 training samples');
    const bad = await validate('mixed', '7-16-3');
    expect(bad.code).toBe(2);
    expect(bad.first).toBe(
      '$.parameters.layers.value: layers 7-16-3 does not fit data set mixed: the input layer has 7 units but mixed has 9 inputs, and the output layer has 3 units but mixed has 2 classes (expected 9-…-2, found 7-16-3)',
    );
    expect((await validate('reg', '3-8-1', REGRESSION)).code).toBe(0);
    expect((await validate('reg', '3-8-2', REGRESSION)).first).toContain(
      'the output layer has 2 units but reg is a regression (1 output) (expected 3-…-1, found 3-8-2)',
    );
  });

  it("refuses a classification's metric and loss on a regression, and image-only keys on any table, with the fix", async () => {
    const store = new FsBlobStore(join(dir, 'store'));
    const common = { workerMemoryMb: 1769, label: 'label' };
    await prepareTableFiles(store, { ...common, name: 'mixed', from: fixture('mixed-train.csv') });
    await prepareTableFiles(store, { ...common, name: 'reg', from: fixture('regress.csv'), label: 'y' });
    // Nothing said: the defaults (val_accuracy, cross_entropy) are a classification's.
    const bare = await validate('reg', '3-8-1');
    expect(bare.code).toBe(2);
    expect(bare.errors).toEqual([
      "$.metric.name: metric val_accuracy (the default when the file gives no metric) is not one of a regression's, and data set reg is a regression: write metric: {name: val_rmse} (minimized), or another of val_loss, val_rmse, val_mae, val_r2 (expected val_loss | val_rmse | val_mae | val_r2, found val_accuracy)",
      '$.parameters.loss: loss is not given, and its default cross_entropy is not a regression\'s loss, and data set reg is a regression: add "loss": {"value": "mse"} (or huber) to parameters (expected mse | huber, found cross_entropy)',
    ]);
    const swept = await validate('reg', '3-8-1', {
      metric: { name: 'val_r2' },
      parameters: { loss: { values: ['huber', 'cross_entropy'] }, normalize: { value: 'pm1' } },
    });
    expect(swept.errors).toEqual([
      "$.parameters.loss.values[1]: loss cross_entropy is not a regression's loss, and data set reg is a regression: write mse or huber (expected mse | huber, found cross_entropy)",
      '$.parameters.normalize: normalize is for images, and data set reg is a table (its features were standardised when it was prepared): remove normalize (expected no such key for a table, found normalize)',
    ]);
    const classify = await validate('mixed', '9-16-2', {
      metric: { name: 'val_mae' },
      parameters: { loss: { value: 'huber' }, augment_shift: { value: 1 } },
    });
    expect(classify.errors.map((l) => l.split(':')[0])).toEqual([
      '$.metric.name',
      '$.parameters.loss.value',
      '$.parameters.augment_shift',
    ]);
    expect(classify.errors[0]).toContain('write metric: {name: val_accuracy} (maximized)');
    expect(classify.errors[1]).toContain('write cross_entropy or mse');
  });
});
