import { describe, expect, it } from 'vitest';
import {
  datasetVersion,
  decodeShard,
  encodeShard,
  type Manifest,
  parseManifest,
  previewPixels,
  SHARD_HEADER_BYTES,
  ShardError,
  serializeManifest,
  sha256Hex,
} from '../../core/data/shards.ts';
import { syntheticSplit } from './helpers.ts';

describe('shard format', () => {
  it('round-trips images and labels with the documented header', () => {
    const s = syntheticSplit(7, 3, 5);
    const bytes = encodeShard(s.images, s.labels, 3, 5);
    expect(bytes.length).toBe(SHARD_HEADER_BYTES + 7 * (15 + 1));
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('MLPS');
    const view = new DataView(bytes.buffer);
    expect([1, 2, 3, 4].map((i) => view.getUint32(4 * i, true))).toEqual([1, 7, 3, 5]);
    const d = decodeShard(bytes, 'x');
    expect([d.count, d.rows, d.cols]).toEqual([7, 3, 5]);
    expect([...d.images]).toEqual([...s.images]);
    expect([...d.labels]).toEqual([...s.labels]);
  });

  it('rejects wrong magic, version and size, naming the shard', () => {
    const s = syntheticSplit(2, 2, 2);
    const good = encodeShard(s.images, s.labels, 2, 2);
    const badMagic = good.slice();
    badMagic[0] = 0;
    expect(() => decodeShard(badMagic, 'datasets/a/b/train-00000.bin')).toThrow(
      /shard datasets\/a\/b\/train-00000.bin: wrong magic/,
    );
    const badVersion = good.slice();
    badVersion[4] = 9;
    expect(() => decodeShard(badVersion, 's')).toThrow(/unsupported shard format version 9/);
    expect(() => decodeShard(good.subarray(0, good.length - 1), 's')).toThrow(ShardError);
    expect(() => decodeShard(good.subarray(0, 10), 's')).toThrow(/no header/);
    expect(() => encodeShard(s.images, s.labels.subarray(0, 1), 2, 2)).toThrow(RangeError);
  });
});

describe('data set version', () => {
  it('derives from the sorted source MD5s: same data ⇒ same version, other data ⇒ other version', () => {
    const a = [
      { file: 'x.gz', md5: 'f68b3c2dcbeaaa9fbdd348bbdeb94873' },
      { file: 'y.gz', md5: 'd53e105ee54ea40749a09fcbcd1e9432' },
    ];
    const v = datasetVersion(a);
    expect(v).toMatch(/^[0-9a-f]{12}$/);
    expect(datasetVersion([...a].reverse().map((s) => ({ ...s, file: `renamed-${s.file}` })))).toBe(v);
    expect(v).toBe(
      sha256Hex(
        new TextEncoder().encode('d53e105ee54ea40749a09fcbcd1e9432\nf68b3c2dcbeaaa9fbdd348bbdeb94873'),
      ).slice(0, 12),
    );
    expect(datasetVersion([a[0]!])).not.toBe(v);
  });
});

describe('manifest', () => {
  const manifest: Manifest = {
    name: 'syn',
    version: 'abc123',
    task: 'classification',
    inputs: 4,
    outputs: 10,
    rows: 2,
    cols: 2,
    classes: 10,
    created_by: 'test',
    source: [{ file: 'f', md5: '00' }],
    train: [{ key: 'datasets/syn/abc123/train-00000.bin', sha256: 'a'.repeat(64), count: 2, bytes: 30 }],
    test: [],
    class_histogram: { train: [1, 1, 0, 0, 0, 0, 0, 0, 0, 0], test: new Array(10).fill(0) },
    pixel_mean: 0.5,
    pixel_std: 0.25,
    preview: [{ label: 3, pixels_b64: btoa('\u0000\u00ff\u0080\u0001') }],
  };

  it('serialises deterministically and parses back', () => {
    const text = serializeManifest(manifest);
    expect(serializeManifest(parseManifest(text, 'm'))).toBe(text);
    expect([...previewPixels(parseManifest(text, 'm').preview![0]!)]).toEqual([0, 255, 128, 1]);
  });

  it('fills in task, inputs and outputs on a manifest written before they existed, and checks them', () => {
    const { task: _t, inputs: _i, outputs: _o, ...old } = manifest;
    const parsed = parseManifest(JSON.stringify(old), 'm');
    expect(parsed).toMatchObject({ task: 'classification', inputs: 4, outputs: 10 });
    expect(serializeManifest(parsed)).toBe(serializeManifest(manifest));
    expect(() => parseManifest(JSON.stringify({ ...manifest, inputs: 784 }), 'm')).toThrow(
      'm: invalid manifest at inputs: 784, but the images make 4',
    );
    expect(() => parseManifest(JSON.stringify({ ...manifest, kind: 'table' }), 'm')).toThrow(
      /a table data set's/,
    );
  });

  it('rejects invalid manifests with the path of the problem', () => {
    expect(() => parseManifest('{', 'datasets/x/manifest.json')).toThrow(
      /datasets\/x\/manifest.json: not valid JSON/,
    );
    const bad = { ...manifest, train: [{ ...manifest.train[0]!, sha256: 'nothex' }] };
    expect(() => parseManifest(JSON.stringify(bad), 'm')).toThrow(/invalid manifest at train.0.sha256/);
  });
});
