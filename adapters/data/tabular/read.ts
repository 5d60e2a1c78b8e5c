/**
 * Reading a table file, by its extension: `.csv`/`.tsv`/`.txt` (csv.ts), `.parquet`/`.pq` (parquet.ts),
 * `.npy`/`.npz` (numpy.ts, which also say how their label is given). Returns the table, the label
 * column's name in it, and the file's MD5 for the data set's version.
 */
import { promises as fsp } from 'node:fs';
import { basename, extname } from 'node:path';
import type { SourceFile } from '../../../core/data/shards.ts';
import { TableInputError } from '../../../core/data/tabular/errors.ts';
import type { MemoryLimit } from '../../../core/data/tabular/memory.ts';
import type { RawTable } from '../../../core/data/tabular/table.ts';
import { md5File } from '../download.ts';
import { type CsvEncoding, readCsv } from './csv.ts';
import { readNpy, readNpz } from './numpy.ts';
import { readParquet } from './parquet.ts';

export const TABLE_EXTENSIONS = ['.csv', '.tsv', '.txt', '.parquet', '.pq', '.npy', '.npz'] as const;

export interface ReadTableOptions {
  /** A column name (CSV, Parquet), a column index (.npy), the label array's name (.npz). */
  label: string;
  /** .npz: the features array (default: the only other array). */
  features?: string;
  encoding?: CsvEncoding;
  delimiter?: string;
  memory: MemoryLimit;
}

export interface ReadTable {
  table: RawTable;
  /** The label column's name in the table. */
  label: string;
  source: SourceFile;
}

export async function readTableFile(path: string, o: ReadTableOptions): Promise<ReadTable> {
  const st = await fsp.stat(path).catch(() => undefined);
  if (!st?.isFile()) {
    throw new TableInputError({
      file: path,
      expected: 'a readable file',
      found: st ? 'a directory' : 'no such file',
      fix: 'Check the path given to --from / --test.',
    });
  }
  const ext = extname(path).toLowerCase();
  const read = async (): Promise<{ table: RawTable; label: string }> => {
    switch (ext) {
      case '.csv':
      case '.tsv':
      case '.txt':
        return { table: await readCsv(path, o), label: o.label };
      case '.parquet':
      case '.pq':
        return { table: await readParquet(path, o), label: o.label };
      case '.npy':
        return readNpy(path, o);
      case '.npz':
        return readNpz(path, o);
      default:
        throw new TableInputError({
          file: path,
          expected: `a table file: ${TABLE_EXTENSIONS.join(', ')}`,
          found: ext ? `the extension ${ext}` : 'no extension',
          fix: 'Rename the file to what it holds, or convert it to CSV or Parquet.',
        });
    }
  };
  const { table, label } = await read();
  const md5 = await md5File(path);
  if (!md5) throw new Error(`${path}: could not be read again to hash it`);
  return { table, label, source: { file: basename(path), md5 } };
}
