import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { base64Decode, base64Encode, digitDataUri, greyscalePng } from '../../core/report/index.ts';
import { mulberry32 } from './synthetic.ts';

describe('base64', () => {
  it('matches Buffer for every length mod 3 and round-trips', () => {
    const rnd = mulberry32(1);
    for (const n of [0, 1, 2, 3, 4, 5, 784, 1000]) {
      const bytes = Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
      const b64 = base64Encode(bytes);
      expect(b64).toBe(Buffer.from(bytes).toString('base64'));
      expect([...base64Decode(b64)]).toEqual([...bytes]);
    }
    expect(() => base64Decode('ab$c')).toThrow(/invalid base64/);
  });
});

describe('greyscale PNG', () => {
  it('is a valid PNG whose pixels inflate back (inverted when asked)', () => {
    const px = Uint8Array.from({ length: 28 * 28 }, (_, i) => i % 256);
    const png = greyscalePng(px, 28, 28, true);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const dv = new DataView(png.buffer, png.byteOffset);
    expect(dv.getUint32(16)).toBe(28); // IHDR width
    expect(dv.getUint32(20)).toBe(28); // IHDR height
    // IDAT follows IHDR (8 sig + 25 IHDR).
    const idatLen = dv.getUint32(33);
    expect(Buffer.from(png.subarray(37, 41)).toString('latin1')).toBe('IDAT');
    const raw = inflateSync(png.subarray(41, 41 + idatLen));
    expect(raw.length).toBe(28 * 29);
    for (let y = 0; y < 28; y++) {
      expect(raw[y * 29]).toBe(0);
      for (let x = 0; x < 28; x++) expect(raw[y * 29 + 1 + x]).toBe(255 - px[y * 28 + x]!);
    }
    expect(digitDataUri(base64Encode(px))).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
  });
});
