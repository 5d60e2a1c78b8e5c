/** `sweep train` through its command function (real trainer, mnist-mini or a real IDX directory). */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runTrain } from '../../cli/commands/train.ts';
import { decodeSafetensors } from '../../core/nn/index.ts';
import { toyDataset } from './toy.ts';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s) } };
}

function idxFile(magic: number, dims: number[], data: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => {
    head.writeUInt32BE(d, 4 + 4 * i);
  });
  return gzipSync(Buffer.concat([head, data]));
}

describe('sweep train', () => {
  it('invalid config ⇒ exit 2, naming the key and what was expected', async () => {
    const c = io();
    expect(await runTrain({ config: '{"learning_rate": -1, "layers": "784-x"}', json: true }, c.io)).toBe(2);
    expect(c.err.join('\n')).toMatch(/\$\.learning_rate: .*(>|greater|expected)/i);
    expect(c.err.join('\n')).toMatch(/\$\.layers/);
    expect(JSON.parse(c.out.at(-1)!).ok).toBe(false);
  });

  it('a config that does not fit the data ⇒ exit 2', async () => {
    const c = io();
    expect(await runTrain({ config: '{"layers":[100,10],"epochs":1}' }, c.io)).toBe(2);
    expect(c.err.join('\n')).toMatch(/layers\[0\] is 100/);
  });

  it('trains on an IDX directory, prints epoch lines, ends with one JSON line, writes safetensors', async () => {
    const d = toyDataset();
    const dir = await mkdtemp(join(tmpdir(), 'train-cli-'));
    await writeFile(
      join(dir, 'train-images-idx3-ubyte.gz'),
      idxFile(2051, [d.train.count, 4, 4], d.train.images),
    );
    await writeFile(join(dir, 'train-labels-idx1-ubyte.gz'), idxFile(2049, [d.train.count], d.train.labels));
    await writeFile(
      join(dir, 't10k-images-idx3-ubyte.gz'),
      idxFile(2051, [d.test.count, 4, 4], d.test.images),
    );
    await writeFile(join(dir, 't10k-labels-idx1-ubyte.gz'), idxFile(2049, [d.test.count], d.test.labels));
    const cfgFile = join(dir, 'trial.yaml');
    await writeFile(cfgFile, 'layers: 16-12-3\nepochs: 3\nbatch_size: 16\nlearning_rate: 0.01\n');
    const weights = join(dir, 'w.safetensors');
    const c = io();
    const code = await runTrain({ config: cfgFile, dataDir: dir, json: true, weights }, c.io);
    expect(c.err.filter((l) => l.startsWith('epoch '))).toHaveLength(3);
    expect(code).toBe(0);
    expect(c.out).toHaveLength(1);
    const s = JSON.parse(c.out[0]!);
    expect(s.state).toBe('finished');
    expect(s.epochs).toBe(3);
    expect(s.test_accuracy).toBeGreaterThan(0.6);
    for (const k of ['train_accuracy', 'val_accuracy', 'test_loss', 'wall_s'])
      expect(typeof s[k]).toBe('number');
    const st = decodeSafetensors(new Uint8Array(await readFile(weights)));
    expect(st.tensors.get('layers.0.weight')!.shape).toEqual([12, 16]);
  });

  it('without --data-dir trains on mnist-mini with a notice', async () => {
    const c = io();
    expect(await runTrain({ config: '{"layers":"784-16-10","epochs":1}' }, c.io)).toBe(0);
    expect(c.err.join('\n')).toMatch(/mnist-mini/);
    expect(c.out.some((l) => l.startsWith('epoch 1/1'))).toBe(true);
    expect(c.out.at(-1)).toMatch(/^finished: test accuracy \d+\.\d+%/);
  });
});
