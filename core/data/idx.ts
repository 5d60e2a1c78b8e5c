/**
 * IDX, the file format of MNIST and its siblings (pure: raw, already gunzipped bytes in).
 *
 *   bytes 0-1  0x00 0x00
 *   byte  2    element type: 0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64
 *   byte  3    number of dimensions d
 *   4·d bytes  the dimensions, u32 big-endian
 *   then       the data, row-major, elements big-endian
 *
 * MNIST images are u8 3-D (n × 28 × 28, magic 0x00000803 = 2051), labels u8 1-D (n, magic 2049). QMNIST
 * ships its labels as i32 2-D (n × 8, magic 0x00000C02) whose first column is the class.
 */
import type { Dataset, Split } from '../dataset.ts';

export type IdxDtype = 'u8' | 'i8' | 'i16' | 'i32' | 'f32' | 'f64';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  dtype: IdxDtype;
  dims: number[];
  data: IdxData;
}

/** A malformed IDX file: names the file and what is wrong with it. */
export class IdxError extends Error {
  override readonly name = 'IdxError';
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

const DTYPES: Record<number, { dtype: IdxDtype; size: number }> = {
  8: { dtype: 'u8', size: 1 },
  9: { dtype: 'i8', size: 1 },
  11: { dtype: 'i16', size: 2 },
  12: { dtype: 'i32', size: 4 },
  13: { dtype: 'f32', size: 4 },
  14: { dtype: 'f64', size: 8 },
};

/** Largest element count we accept from one file (guards allocation before anything is read). */
const MAX_ELEMENTS = 2 ** 31 - 1;

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    throw new IdxError(file, 'gzip-compressed data (gunzip it before parsing)');
  }
  if (bytes.length < 4)
    throw new IdxError(file, `truncated: ${bytes.length} bytes, too short for an IDX header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const type = DTYPES[bytes[2]!];
  if (bytes[0] !== 0 || bytes[1] !== 0 || !type) {
    throw new IdxError(file, `wrong magic number ${hex(magic)}: not an IDX file`);
  }
  const ndims = bytes[3]!;
  if (ndims === 0) throw new IdxError(file, `wrong magic number ${hex(magic)}: zero dimensions`);
  const headerLen = 4 + 4 * ndims;
  if (bytes.length < headerLen) {
    throw new IdxError(
      file,
      `truncated: header declares ${ndims} dimensions but the file has ${bytes.length} bytes`,
    );
  }
  const dims: number[] = [];
  let elements = 1;
  for (let i = 0; i < ndims; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    elements *= d;
  }
  if (elements > MAX_ELEMENTS) throw new IdxError(file, `dimensions ${dims.join('×')} are too large`);
  const expected = headerLen + elements * type.size;
  if (bytes.length < expected) {
    throw new IdxError(
      file,
      `truncated: dimensions ${dims.join('×')} of ${type.dtype} need ${expected} bytes, the file has ${bytes.length}`,
    );
  }
  if (bytes.length > expected) {
    throw new IdxError(
      file,
      `${bytes.length - expected} unexpected trailing bytes after the ${dims.join('×')} ${type.dtype} data`,
    );
  }
  return { dtype: type.dtype, dims, data: decode(bytes, view, headerLen, elements, type.dtype) };
}

function decode(bytes: Uint8Array, view: DataView, off: number, n: number, dtype: IdxDtype): IdxData {
  switch (dtype) {
    case 'u8':
      return bytes.subarray(off, off + n);
    case 'i8':
      return new Int8Array(bytes.buffer, bytes.byteOffset + off, n);
    case 'i16': {
      const out = new Int16Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt16(off + 2 * i, false);
      return out;
    }
    case 'i32': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(off + 4 * i, false);
      return out;
    }
    case 'f32': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(off + 4 * i, false);
      return out;
    }
    case 'f64': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(off + 8 * i, false);
      return out;
    }
  }
}

/** Checks that a parsed file is an image file (u8, 3-D) and returns its pixels. */
export function idxImages(
  arr: IdxArray,
  file: string,
): { images: Uint8Array; count: number; rows: number; cols: number } {
  if (arr.dtype !== 'u8' || arr.dims.length !== 3) {
    throw new IdxError(file, `expected u8 images with 3 dimensions, got ${arr.dtype} ${arr.dims.join('×')}`);
  }
  const [count, rows, cols] = arr.dims as [number, number, number];
  if (rows === 0 || cols === 0) throw new IdxError(file, `empty images ${arr.dims.join('×')}`);
  return { images: arr.data as Uint8Array, count, rows, cols };
}

/**
 * Checks that a parsed file is a label file and returns one u8 class per sample: u8 1-D (MNIST) or
 * i32 2-D whose first column is the class (QMNIST's extended labels).
 */
export function idxLabels(arr: IdxArray, file: string, maxClasses = 256): Uint8Array {
  let labels: Uint8Array;
  if (arr.dtype === 'u8' && arr.dims.length === 1) {
    labels = arr.data as Uint8Array;
  } else if (arr.dtype === 'i32' && arr.dims.length === 2 && arr.dims[1]! >= 1) {
    const [n, width] = arr.dims as [number, number];
    const src = arr.data as Int32Array;
    labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const c = src[i * width]!;
      if (c < 0 || c >= maxClasses) throw new IdxError(file, `label ${c} of sample ${i} is out of range`);
      labels[i] = c;
    }
  } else {
    throw new IdxError(
      file,
      `expected labels as u8 with 1 dimension or i32 with 2 (QMNIST), got ${arr.dtype} ${arr.dims.join('×')}`,
    );
  }
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]! >= maxClasses)
      throw new IdxError(file, `label ${labels[i]} of sample ${i} is out of range`);
  }
  return labels;
}

export interface IdxFile {
  /** Name used in errors (the file's name or path). */
  file: string;
  /** Raw (gunzipped) bytes. */
  bytes: Uint8Array;
}

export interface IdxSplitFiles {
  trainImages: IdxFile;
  trainLabels: IdxFile;
  testImages: IdxFile;
  testLabels: IdxFile;
}

/** Builds a Dataset from the four files of an MNIST-style data set, checking shapes and counts agree. */
export function datasetFromIdx(files: IdxSplitFiles, meta: { name: string; version: string }): Dataset {
  const split = (img: IdxFile, lab: IdxFile) => {
    const im = idxImages(parseIdx(img.bytes, img.file), img.file);
    const labels = idxLabels(parseIdx(lab.bytes, lab.file), lab.file);
    if (labels.length !== im.count) {
      throw new IdxError(
        lab.file,
        `count mismatch: ${labels.length} labels but ${im.count} images in ${img.file}`,
      );
    }
    return { ...im, labels };
  };
  const train = split(files.trainImages, files.trainLabels);
  const test = split(files.testImages, files.testLabels);
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw new IdxError(
      files.testImages.file,
      `image size ${test.rows}×${test.cols} differs from the training images' ${train.rows}×${train.cols}`,
    );
  }
  if (train.count === 0) throw new IdxError(files.trainImages.file, 'no training samples');
  let maxLabel = 0;
  for (const l of train.labels) if (l > maxLabel) maxLabel = l;
  for (const l of test.labels) if (l > maxLabel) maxLabel = l;
  const stats = pixelStats(train.images);
  const toSplit = (s: { images: Uint8Array; labels: Uint8Array; count: number }): Split => ({
    images: s.images,
    labels: s.labels,
    count: s.count,
  });
  return {
    name: meta.name,
    version: meta.version,
    rows: train.rows,
    cols: train.cols,
    classes: Math.max(maxLabel + 1, 2),
    train: toSplit(train),
    test: toSplit(test),
    pixelMean: stats.mean,
    pixelStd: stats.std,
  };
}

/** Mean and standard deviation of u8 pixels scaled to [0,1] (exact, via a 256-bin histogram). */
export function pixelStats(pixels: Uint8Array): { mean: number; std: number } {
  const hist = new Float64Array(256);
  for (let i = 0; i < pixels.length; i++) hist[pixels[i]!]!++;
  let sum = 0;
  let sq = 0;
  for (let v = 0; v < 256; v++) {
    const x = v / 255;
    sum += hist[v]! * x;
    sq += hist[v]! * x * x;
  }
  const n = Math.max(pixels.length, 1);
  const mean = sum / n;
  return { mean, std: Math.sqrt(Math.max(sq / n - mean * mean, 0)) };
}
