/**
 * NumPy's `.npy` format, read by hand (it is small: numpy.lib.format): the magic `\x93NUMPY`, a version
 * byte pair, the header length (u16 little-endian for version 1, u32 for 2 and 3), then a Python dict
 * literal such as `{'descr': '<f8', 'fortran_order': False, 'shape': (150, 4), }`, padded with spaces
 * to a 16- (v1) or 64-byte boundary, then the array's bytes.
 *
 * Read: 1-D and 2-D arrays of booleans (`|b1`), signed and unsigned integers (1, 2, 4, 8 bytes), floats
 * (4, 8 bytes; `<f2` too), fixed-width unicode (`<U<n>`, UTF-32) and byte strings (`|S<n>`), either byte
 * order, C or Fortran order. Object arrays (`|O`, pickled) are refused: they need Python to read.
 */
export class NpyError extends Error {
  override readonly name = 'NpyError';
}

export interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  /** Where the data starts. */
  dataOffset: number;
}

export interface NpyArray extends NpyHeader {
  rows: number;
  cols: number;
  /** Element (i, j) of the array as a 2-D (rows × cols) one; a 1-D array is one column. */
  at(i: number, j: number): number | string;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Reads the header; `bytes` needs only to hold it (the first few hundred bytes of the file). */
export function parseNpyHeader(bytes: Uint8Array): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b))
    throw new NpyError('not a .npy file (no \\x93NUMPY magic)');
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [lenBytes, start] = major === 1 ? [view.getUint16(8, true), 10] : [view.getUint32(8, true), 12];
  if (major < 1 || major > 3) throw new NpyError(`unsupported .npy format version ${major}.${bytes[7]}`);
  if (bytes.length < start + lenBytes) throw new NpyError('truncated .npy header');
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(start, start + lenBytes),
  );
  const descr = /'descr':\s*'([^']+)'/.exec(text)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    const structured = /'descr':\s*\[/.test(text);
    throw new NpyError(
      structured
        ? 'a structured array (named fields): save a plain 2-D numeric array instead'
        : `unreadable .npy header ${JSON.stringify(text.trim())}`,
    );
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  return { descr, fortranOrder: fortran === 'True', shape, dataOffset: start + lenBytes };
}

/** Parses a whole `.npy` file's bytes. */
export function parseNpy(bytes: Uint8Array): NpyArray {
  const h = parseNpyHeader(bytes);
  if (h.shape.length < 1 || h.shape.length > 2)
    throw new NpyError(`a ${h.shape.length}-D array (shape (${h.shape.join(', ')})); expected 1-D or 2-D`);
  const rows = h.shape[0]!;
  const cols = h.shape[1] ?? 1;
  const read = reader(h.descr);
  const need = h.dataOffset + rows * cols * read.size;
  if (bytes.length < need) throw new NpyError(`truncated: ${bytes.length} bytes, the header needs ${need}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset + h.dataOffset, rows * cols * read.size);
  const index = h.fortranOrder
    ? (i: number, j: number) => j * rows + i
    : (i: number, j: number) => i * cols + j;
  return { ...h, rows, cols, at: (i, j) => read.get(view, index(i, j) * read.size) };
}

interface ElementReader {
  size: number;
  get(view: DataView, offset: number): number | string;
}

/** How to read one element of a dtype such as `<f8`, `>i4`, `|b1`, `<U7`, `|S3`. */
function reader(descr: string): ElementReader {
  const m = /^([<>|=])([biufUS])(\d+)$/.exec(descr);
  if (!m) {
    throw new NpyError(
      descr.endsWith('O')
        ? 'an object array (pickled Python objects): convert it to numbers or fixed-width strings (np.asarray(a, dtype=str))'
        : `unsupported dtype ${descr}`,
    );
  }
  const le = m[1] !== '>';
  const kind = m[2]!;
  const n = Number(m[3]);
  if (kind === 'U') return { size: 4 * n, get: (v, o) => utf32(v, o, n, le) };
  if (kind === 'S') return { size: n, get: (v, o) => bytesText(v, o, n) };
  const key = `${kind}${n}`;
  const get = NUMERIC[key];
  if (!get) throw new NpyError(`unsupported dtype ${descr}`);
  return { size: n, get: (v, o) => get(v, o, le) };
}

const NUMERIC: Partial<Record<string, (v: DataView, o: number, le: boolean) => number | string>> = {
  b1: (v, o) => (v.getUint8(o) !== 0 ? 'true' : 'false'),
  i1: (v, o) => v.getInt8(o),
  u1: (v, o) => v.getUint8(o),
  i2: (v, o, le) => v.getInt16(o, le),
  u2: (v, o, le) => v.getUint16(o, le),
  i4: (v, o, le) => v.getInt32(o, le),
  u4: (v, o, le) => v.getUint32(o, le),
  i8: (v, o, le) => Number(v.getBigInt64(o, le)),
  u8: (v, o, le) => Number(v.getBigUint64(o, le)),
  f2: (v, o, le) => half(v.getUint16(o, le)),
  f4: (v, o, le) => v.getFloat32(o, le),
  f8: (v, o, le) => v.getFloat64(o, le),
};

/** IEEE 754 half precision to a number. */
function half(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

function utf32(v: DataView, o: number, n: number, le: boolean): string {
  let s = '';
  for (let k = 0; k < n; k++) {
    const c = v.getUint32(o + 4 * k, le);
    if (c === 0) break;
    s += String.fromCodePoint(c);
  }
  return s;
}

function bytesText(v: DataView, o: number, n: number): string {
  let s = '';
  for (let k = 0; k < n; k++) {
    const c = v.getUint8(o + k);
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}
