/**
 * Drawing digits inline: base64 (@scure/base) both ways and an 8-bit greyscale PNG with
 * uncompressed (stored) deflate blocks — a 28×28 digit is under 1 KB, so compression is not worth a dep.
 */
import { base64 } from '@scure/base';

/** Standard base64 (RFC 4648, padded). */
export const base64Encode = (bytes: Uint8Array): string => base64.encode(bytes);

/** Decodes standard base64 (whitespace ignored); throws on any other character. */
export function base64Decode(s: string): Uint8Array {
  try {
    return base64.decode(s.replace(/\s+/g, ''));
  } catch (e) {
    throw new Error(`invalid base64: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length; i++) {
    a = (a + bytes[i]!) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** zlib stream of stored (uncompressed) deflate blocks. */
function zlibStored(data: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(data.length / 65535));
  const out = new Uint8Array(2 + data.length + blocks * 5 + 4);
  out[0] = 0x78;
  out[1] = 0x01;
  let o = 2;
  for (let b = 0; b < blocks; b++) {
    const start = b * 65535;
    const len = Math.min(65535, data.length - start);
    out[o++] = b === blocks - 1 ? 1 : 0;
    out[o++] = len & 0xff;
    out[o++] = len >> 8;
    out[o++] = ~len & 0xff;
    out[o++] = (~len >> 8) & 0xff;
    out.set(data.subarray(start, start + len), o);
    o += len;
  }
  const ad = adler32(data);
  out[o++] = ad >>> 24;
  out[o++] = (ad >>> 16) & 0xff;
  out[o++] = (ad >>> 8) & 0xff;
  out[o++] = ad & 0xff;
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

/** An 8-bit greyscale PNG of `pixels` (rows·cols, row-major). `invert` draws 0 as white. */
export function greyscalePng(pixels: Uint8Array, rows: number, cols: number, invert = false): Uint8Array {
  if (pixels.length < rows * cols) throw new Error(`expected ${rows * cols} pixels, found ${pixels.length}`);
  const raw = new Uint8Array(rows * (cols + 1));
  for (let y = 0; y < rows; y++) {
    raw[y * (cols + 1)] = 0; // filter: none
    for (let x = 0; x < cols; x++) {
      const p = pixels[y * cols + x]!;
      raw[y * (cols + 1) + 1 + x] = invert ? 255 - p : p;
    }
  }
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, cols);
  dv.setUint32(4, rows);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // colour type: greyscale
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlibStored(raw)),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** `data:image/png;base64,…` of a digit given as base64 pixels; square side guessed when not given. */
export function digitDataUri(pixelsB64: string, rows?: number, cols?: number): string {
  const px = base64Decode(pixelsB64);
  const side = Math.round(Math.sqrt(px.length));
  const r = rows ?? side;
  const c = cols ?? (r > 0 ? Math.floor(px.length / r) : 0);
  return `data:image/png;base64,${base64Encode(greyscalePng(px, r, c, true))}`;
}
