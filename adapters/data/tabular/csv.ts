/**
 * CSV files as tables, parsed by csv-parse (quoting, escaped quotes, fields over several lines) from a
 * stream, so the file is never one string in memory. The first line names the columns.
 *
 * Encoding: `auto` (the default) reads a byte-order mark (UTF-8, UTF-16 LE/BE); without one, the file is
 * UTF-8 if its first 64 KiB are, else Windows-1252/Latin-1 (said in a notice). A byte sequence that is
 * not UTF-8 further on stops the read with the fix (--encoding latin1). `--encoding` sets it.
 * Delimiter: `--delimiter`, else a tab for `.tsv`, else whichever of `,` `;` tab `|` the header line has
 * most of. Blank lines are skipped; spaces around unquoted fields are trimmed.
 */
import { createReadStream, promises as fsp } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, type Info, parse } from 'csv-parse';
import { TableInputError } from '../../../core/data/tabular/errors.ts';
import { checkFits, type MemoryLimit } from '../../../core/data/tabular/memory.ts';
import { type RawTable, TableBuilder } from '../../../core/data/tabular/table.ts';

export const CSV_ENCODINGS = ['auto', 'utf-8', 'latin1', 'utf-16le', 'utf-16be'] as const;
export type CsvEncoding = (typeof CSV_ENCODINGS)[number];

export interface CsvReadOptions {
  encoding?: CsvEncoding;
  delimiter?: string;
  memory: MemoryLimit;
}

const SNIFF_BYTES = 64 * 1024;
const DELIMITERS = [',', ';', '\t', '|'];

export async function readCsv(path: string, o: CsvReadOptions): Promise<RawTable> {
  const { size } = await fsp.stat(path);
  const head = await readHead(path, SNIFF_BYTES);
  const sniffed = sniffEncoding(head, o.encoding ?? 'auto');
  const text = new TextDecoder(sniffed.encoding).decode(head);
  if (text.trim() === '') {
    throw new TableInputError({
      file: path,
      expected: 'a header line naming the columns, then rows',
      found: size === 0 ? 'an empty file (0 bytes)' : 'only blank lines',
      fix: 'Give a file with data.',
    });
  }
  const firstLine = text.split(/\r?\n/, 1)[0]!;
  const delimiter = o.delimiter ?? (path.toLowerCase().endsWith('.tsv') ? '\t' : sniffDelimiter(firstLine));
  if (size > head.length) estimateFits(path, text, head.length, size, delimiter, o.memory);
  const format = `CSV (${sniffed.encoding}, ${JSON.stringify(delimiter)})`;
  const parser = parse({
    delimiter,
    relax_column_count: true,
    skip_empty_lines: true,
    trim: true,
    info: true,
  });
  const feeding = pipeline(Readable.from(decode(path, sniffed.encoding)), parser).catch(() => undefined);
  let builder: TableBuilder | undefined;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: Info }>) {
      if (!builder) {
        builder = new TableBuilder(path, format, record, { withLines: true });
        if (sniffed.notice) builder.notice(sniffed.notice);
        if (record.every((c) => c.trim() !== '' && Number.isFinite(Number(c)))) {
          builder.notice(
            `the first line (${firstLine.slice(0, 60)}) is all numbers: it is read as the column names`,
          );
        }
        continue;
      }
      if (record.length !== builder.names.length)
        throw ragged(path, info.lines, record.length, builder.names.length);
      builder.addRow(record, info.lines);
    }
  } catch (e) {
    throw readError(path, e, sniffed.encoding);
  } finally {
    await feeding;
  }
  return builder!.finish();
}

async function readHead(path: string, n: number): Promise<Uint8Array> {
  const fh = await fsp.open(path, 'r');
  try {
    const buf = new Uint8Array(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** The encoding to decode with, and a notice when it was guessed to be Latin-1. */
export function sniffEncoding(
  head: Uint8Array,
  asked: CsvEncoding,
): { encoding: Exclude<CsvEncoding, 'auto'>; notice?: string } {
  if (asked !== 'auto') return { encoding: asked };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le' };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be' };
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return { encoding: 'utf-8' };
  } catch {
    return {
      encoding: 'latin1',
      notice: 'the file is not UTF-8: read as Windows-1252/Latin-1 (pass --encoding to say otherwise)',
    };
  }
}

function sniffDelimiter(line: string): string {
  const unquoted = line.replace(/"[^"]*"/g, '');
  const counts = DELIMITERS.map((d) => unquoted.split(d).length - 1);
  const best = counts.indexOf(Math.max(...counts));
  return counts[best]! > 0 ? DELIMITERS[best]! : ',';
}

/** Refuses, before parsing, a file whose rows (estimated from its first lines) cannot fit a worker. */
function estimateFits(
  path: string,
  text: string,
  headBytes: number,
  size: number,
  delimiter: string,
  memory: MemoryLimit,
): void {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const sample = Math.max(1, lines.length - 2); // the header and a possibly cut last line aside
  const rows = (size / headBytes) * sample;
  const cols = lines[0]!.split(delimiter).length;
  checkFits(path, { rows, inputs: cols - 1, labelBytes: 2, estimated: true }, memory);
}

/** The file's chunks decoded to text; bytes that are not in the encoding stop the read. */
async function* decode(path: string, encoding: string): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding, { fatal: true });
  let offset = 0;
  for await (const chunk of createReadStream(path)) {
    const bytes = chunk as Buffer;
    try {
      yield decoder.decode(bytes, { stream: true });
    } catch {
      throw new EncodingError(encoding, offset);
    }
    offset += bytes.length;
  }
  yield decoder.decode();
}

class EncodingError extends Error {
  constructor(
    readonly encoding: string,
    readonly near: number,
  ) {
    super(`bytes that are not ${encoding} (in the 64 KiB read from byte ${near})`);
  }
}

function ragged(file: string, line: number, found: number, expected: number): TableInputError {
  return new TableInputError({
    file,
    at: `line ${line}`,
    expected: `${expected} fields, as the header has`,
    found: `${found}`,
    fix:
      found > expected
        ? 'A field holding the delimiter must be quoted ("a, b"); or the row has an extra delimiter.'
        : 'The row is missing fields: add them (empty for missing values).',
  });
}

function readError(file: string, e: unknown, encoding: string): Error {
  if (e instanceof TableInputError) return e;
  const cause = (e as { cause?: unknown }).cause ?? e;
  if (cause instanceof EncodingError || e instanceof EncodingError) {
    const err = (cause instanceof EncodingError ? cause : e) as EncodingError;
    return new TableInputError({
      file,
      expected: `text in ${encoding}`,
      found: err.message,
      fix: 'Pass --encoding latin1 (files saved by Excel or Windows) or --encoding utf-16le, or re-save the file as UTF-8.',
    });
  }
  if (e instanceof CsvError) {
    const line = (e as CsvError & { lines?: number }).lines;
    return new TableInputError({
      file,
      ...(line ? { at: `line ${line}` } : {}),
      expected: 'well-formed CSV',
      found: e.message,
      fix: 'Check the quoting there: a field with quotes in it is quoted and its quotes doubled ("say ""hi""").',
    });
  }
  return e as Error;
}
