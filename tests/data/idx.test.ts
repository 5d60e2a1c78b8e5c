import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { loadIdxDirectory, loadIdxDirectoryWithSource, readIdxFile } from '../../adapters/data/idx-files.ts';
import { datasetFromIdx, IdxError, idxLabels, parseIdx, pixelStats } from '../../core/data/idx.ts';
import { idxBytes, SHARED_MNIST, syntheticSplit, tempDir } from './helpers.ts';

function catchIdx(fn: () => unknown): IdxError {
  try {
    fn();
  } catch (e) {
    if (e instanceof IdxError) return e;
    throw e;
  }
  throw new Error('expected an IdxError');
}

describe('parseIdx', () => {
  it('parses u8 3-D images and 1-D labels', () => {
    const img = parseIdx(idxBytes('u8', [2, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), 'img');
    expect(img.dtype).toBe('u8');
    expect(img.dims).toEqual([2, 2, 3]);
    expect([...img.data]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const lab = parseIdx(idxBytes('u8', [3], [7, 0, 9]), 'lab');
    expect(lab.dims).toEqual([3]);
    expect([...idxLabels(lab, 'lab')]).toEqual([7, 0, 9]);
  });

  it('parses QMNIST extended int32 labels (big-endian, n×8) taking the class from the first column', () => {
    // columns: class, NIST HSF series, writer id, digit index, NIST class, global index, duplicate, unused
    const rows = [
      [5, 4, 1234, 0, 53, 1000, 0, 0],
      [0, 4, 1234, 1, 48, 70_000, 0, 0],
      [9, 7, -1, 2, 57, 402_953, 1, 0],
    ];
    const parsed = parseIdx(idxBytes('i32', [3, 8], rows.flat()), 'qmnist-test-labels-idx2-int');
    expect(parsed.dtype).toBe('i32');
    expect(parsed.dims).toEqual([3, 8]);
    expect(parsed.data).toBeInstanceOf(Int32Array);
    expect([...parsed.data]).toEqual(rows.flat());
    expect([...idxLabels(parsed, 'q')]).toEqual([5, 0, 9]);
  });

  it('rejects a wrong magic number, naming the file', () => {
    const bytes = idxBytes('u8', [3], [1, 2, 3]);
    bytes[0] = 0x12;
    const e = catchIdx(() => parseIdx(bytes, 'train-labels-idx1-ubyte'));
    expect(e.file).toBe('train-labels-idx1-ubyte');
    expect(e.problem).toMatch(/wrong magic number 0x12000801/);
    const badType = idxBytes('u8', [3], [1, 2, 3]);
    badType[2] = 0x07;
    expect(catchIdx(() => parseIdx(badType, 'f')).problem).toMatch(/wrong magic/);
  });

  it('rejects truncated data and headers with the sizes involved', () => {
    const full = idxBytes('u8', [2, 28, 28], new Uint8Array(2 * 784));
    const e = catchIdx(() => parseIdx(full.subarray(0, full.length - 100), 'train-images-idx3-ubyte'));
    expect(e.problem).toMatch(/truncated: dimensions 2×28×28 of u8 need 1584 bytes, the file has 1484/);
    expect(catchIdx(() => parseIdx(full.subarray(0, 9), 'x')).problem).toMatch(
      /truncated: header declares 3/,
    );
    expect(catchIdx(() => parseIdx(full.subarray(0, 2), 'x')).problem).toMatch(/too short/);
    const i32 = idxBytes('i32', [2, 8], new Array(16).fill(1));
    expect(catchIdx(() => parseIdx(i32.subarray(0, i32.length - 1), 'q')).problem).toMatch(/truncated/);
  });

  it('rejects trailing garbage and still-gzipped input', () => {
    const bytes = idxBytes('u8', [2], [1, 2]);
    const longer = new Uint8Array(bytes.length + 3);
    longer.set(bytes);
    expect(catchIdx(() => parseIdx(longer, 'f')).problem).toMatch(/3 unexpected trailing bytes/);
    expect(catchIdx(() => parseIdx(gzipSync(bytes), 'f.gz')).problem).toMatch(/gzip/);
  });

  it('rejects labels of the wrong shape or out of range', () => {
    expect(() => idxLabels(parseIdx(idxBytes('u8', [2, 2], [1, 2, 3, 4]), 'l'), 'l')).toThrow(IdxError);
    expect(() =>
      idxLabels(
        parseIdx(idxBytes('i32', [2, 8], [3, 0, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0]), 'l'),
        'l',
      ),
    ).toThrow(/label -1 of sample 1 is out of range/);
  });
});

describe('datasetFromIdx', () => {
  const files = (trainN: number, trainLabelsN: number) => {
    const train = syntheticSplit(trainN, 4, 4);
    const test = syntheticSplit(5, 4, 4);
    return {
      trainImages: { file: 'train-images', bytes: idxBytes('u8', [trainN, 4, 4], train.images) },
      trainLabels: {
        file: 'train-labels',
        bytes: idxBytes('u8', [trainLabelsN], train.labels.subarray(0, trainLabelsN)),
      },
      testImages: { file: 'test-images', bytes: idxBytes('u8', [5, 4, 4], test.images) },
      testLabels: { file: 'test-labels', bytes: idxBytes('u8', [5], test.labels) },
    };
  };

  it('assembles splits and computes pixel statistics of the training data', () => {
    const ds = datasetFromIdx(files(12, 12), { name: 'syn', version: 'v1' });
    expect(ds.train.count).toBe(12);
    expect(ds.test.count).toBe(5);
    expect([ds.rows, ds.cols, ds.classes]).toEqual([4, 4, 10]);
    const direct = [...ds.train.images].map((v) => v / 255);
    const mean = direct.reduce((s, x) => s + x, 0) / direct.length;
    expect(ds.pixelMean).toBeCloseTo(mean, 12);
    const std = Math.sqrt(direct.reduce((s, x) => s + (x - mean) ** 2, 0) / direct.length);
    expect(ds.pixelStd).toBeCloseTo(std, 12);
  });

  it('rejects a count mismatch between images and labels, naming the label file', () => {
    const e = catchIdx(() => datasetFromIdx(files(12, 11), { name: 'syn', version: 'v1' }));
    expect(e.file).toBe('train-labels');
    expect(e.problem).toBe('count mismatch: 11 labels but 12 images in train-images');
  });

  it('pixelStats matches the direct formula', () => {
    const px = Uint8Array.from([0, 255, 128, 64]);
    const s = pixelStats(px);
    const xs = [...px].map((v) => v / 255);
    const m = xs.reduce((a, b) => a + b) / 4;
    expect(s.mean).toBeCloseTo(m, 12);
    expect(s.std).toBeCloseTo(Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / 4), 12);
  });
});

describe('IDX directories (adapter)', () => {
  let cleanup = () => {};
  afterEach(() => cleanup());

  it('loads the real MNIST .gz files: 60,000 + 10,000 digits, mean 0.1307, std 0.3081', async () => {
    const { dataset: ds, source } = await loadIdxDirectoryWithSource(SHARED_MNIST, { name: 'mnist' });
    expect(ds.train.count).toBe(60_000);
    expect(ds.test.count).toBe(10_000);
    expect([ds.rows, ds.cols, ds.classes]).toEqual([28, 28, 10]);
    expect(ds.pixelMean).toBeCloseTo(0.1307, 4);
    expect(ds.pixelStd).toBeCloseTo(0.3081, 4);
    expect([...ds.train.labels.subarray(0, 8)]).toEqual([5, 0, 4, 1, 9, 2, 1, 3]);
    expect(source.map((s) => s.md5).sort()).toEqual(
      [
        'f68b3c2dcbeaaa9fbdd348bbdeb94873',
        'd53e105ee54ea40749a09fcbcd1e9432',
        '9fb629c4189551a2d022fa330f9573f3',
        'ec29112dd5afa0611ce80d1b7f02629c',
      ].sort(),
    );
  });

  it('reads raw (uncompressed) files as well, and gzip is detected by content', async () => {
    const t = tempDir('idx-raw');
    cleanup = t.cleanup;
    const train = syntheticSplit(20, 28, 28);
    const test = syntheticSplit(10, 28, 28);
    writeFileSync(join(t.dir, 'train-images-idx3-ubyte'), idxBytes('u8', [20, 28, 28], train.images));
    writeFileSync(join(t.dir, 'train-labels-idx1-ubyte'), gzipSync(idxBytes('u8', [20], train.labels)));
    writeFileSync(
      join(t.dir, 't10k-images-idx3-ubyte.gz'),
      gzipSync(idxBytes('u8', [10, 28, 28], test.images)),
    );
    writeFileSync(join(t.dir, 't10k-labels-idx1-ubyte'), idxBytes('u8', [10], test.labels));
    const ds = await loadIdxDirectory(t.dir, { name: 'syn' });
    expect(ds.name).toBe('syn');
    expect(ds.train.count).toBe(20);
    expect([...ds.train.images]).toEqual([...train.images]);
    expect([...ds.test.labels]).toEqual([...test.labels]);
    expect(ds.version).toMatch(/^[0-9a-f]{12}$/);
  });

  it('loads a QMNIST-layout directory (int32 extended labels)', async () => {
    const t = tempDir('idx-qmnist');
    cleanup = t.cleanup;
    const train = syntheticSplit(6, 28, 28);
    const test = syntheticSplit(4, 28, 28);
    const ext = (labels: Uint8Array) =>
      [...labels].flatMap((l, i) => [l, 4, 100 + i, i, 48 + l, 1000 + i, 0, 0]);
    writeFileSync(
      join(t.dir, 'qmnist-train-images-idx3-ubyte.gz'),
      gzipSync(idxBytes('u8', [6, 28, 28], train.images)),
    );
    writeFileSync(
      join(t.dir, 'qmnist-train-labels-idx2-int.gz'),
      gzipSync(idxBytes('i32', [6, 8], ext(train.labels))),
    );
    writeFileSync(
      join(t.dir, 'qmnist-test-images-idx3-ubyte.gz'),
      gzipSync(idxBytes('u8', [4, 28, 28], test.images)),
    );
    writeFileSync(
      join(t.dir, 'qmnist-test-labels-idx2-int.gz'),
      gzipSync(idxBytes('i32', [4, 8], ext(test.labels))),
    );
    const ds = await loadIdxDirectory(t.dir, { name: 'qmnist' });
    expect([...ds.train.labels]).toEqual([...train.labels]);
    expect([...ds.test.labels]).toEqual([...test.labels]);
    expect(ds.test.count).toBe(4);
  });

  it('names missing files, and reports a truncated .gz file as an IdxError naming it', async () => {
    const t = tempDir('idx-bad');
    cleanup = t.cleanup;
    copyFileSync(join(SHARED_MNIST, 't10k-labels-idx1-ubyte.gz'), join(t.dir, 't10k-labels-idx1-ubyte.gz'));
    await expect(loadIdxDirectory(t.dir)).rejects.toThrow(
      /lacks IDX files: train-images-idx3-ubyte\[\.gz\], train-labels-idx1-ubyte\[\.gz\], t10k-images-idx3-ubyte\[\.gz\]/,
    );
    const gz = gzipSync(idxBytes('u8', [100], new Uint8Array(100)));
    const path = join(t.dir, 'cut.gz');
    writeFileSync(path, gz.subarray(0, gz.length - 10));
    const err = await readIdxFile(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IdxError);
    expect((err as IdxError).file).toBe(path);
    expect((err as IdxError).problem).toMatch(/corrupt gzip/);
  });
});
