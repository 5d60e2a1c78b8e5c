/**
 * Sweep validation against a prepared table: `layers[0]` must be the manifest's `inputs` (the width after
 * one-hot) and the last layer its `outputs` (classes, or 1 for a regression), both numbers in the message.
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

async function validate(dataset: string, layers: string) {
  const file = join(dir, `${dataset}-${layers}.json`);
  await writeFile(
    file,
    JSON.stringify({ dataset, method: 'grid', parameters: { layers: { value: layers } } }),
  );
  const stderr: string[] = [];
  const code = await validateFile(
    file,
    { storeDir: join(dir, 'store') },
    { stdout: () => {}, stderr: (s) => stderr.push(s) },
  );
  return { code, first: stderr[0] ?? '' };
}

describe('sweep validate on a table data set', () => {
  it('checks the net against the inputs after one-hot and the classes or the single regression output', async () => {
    const store = new FsBlobStore(join(dir, 'store'));
    const common = { workerMemoryMb: 1769, label: 'label' };
    await prepareTableFiles(store, { ...common, name: 'mixed', from: fixture('mixed-train.csv') });
    await prepareTableFiles(store, { ...common, name: 'reg', from: fixture('regress.csv'), label: 'y' });
    expect((await validate('mixed', '9-16-2')).code).toBe(0);
    const bad = await validate('mixed', '7-16-3');
    expect(bad.code).toBe(2);
    expect(bad.first).toBe(
      '$.parameters.layers.value: layers 7-16-3 does not fit data set mixed: the input layer has 7 units but mixed has 9 inputs, and the output layer has 3 units but mixed has 2 classes (expected 9-…-2, found 7-16-3)',
    );
    expect((await validate('reg', '3-8-1')).code).toBe(0);
    expect((await validate('reg', '3-8-2')).first).toContain(
      'the output layer has 2 units but reg is a regression (1 output) (expected 3-…-1, found 3-8-2)',
    );
  });
});
