/**
 * Parquet files as tables, read by hyparquet (pure JavaScript, no native code) with hyparquet-compressors
 * for the codecs beyond snappy (gzip, zstd, brotli, lz4: pandas writes snappy, polars and DuckDB zstd).
 * Each top-level column becomes a table column, filled column chunk by column chunk. Values: numbers
 * (INT64 as numbers), text, booleans (as the categories "true"/"false"), dates and timestamps (as ISO
 * text); lists, structs and binary columns cannot be features and are dropped with a notice.
 */
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { TableInputError } from '../../../core/data/tabular/errors.ts';
import { checkFits, type MemoryLimit } from '../../../core/data/tabular/memory.ts';
import { type RawTable, TableBuilder } from '../../../core/data/tabular/table.ts';

export async function readParquet(path: string, o: { memory: MemoryLimit }): Promise<RawTable> {
  const file = await asyncBufferFromFile(path);
  if (file.byteLength === 0) {
    throw new TableInputError({
      file: path,
      expected: 'a Parquet file',
      found: 'an empty file (0 bytes)',
      fix: 'Give a file with data.',
    });
  }
  try {
    const metadata = await parquetMetadataAsync(file);
    const names = parquetSchema(metadata).children.map((c) => c.element.name);
    const rows = Number(metadata.num_rows);
    checkFits(
      path,
      { rows, inputs: Math.max(1, names.length - 1), labelBytes: 2, estimated: true },
      o.memory,
    );
    const b = new TableBuilder(path, 'Parquet', names, { capacity: rows });
    const index = new Map(names.map((n, j) => [n, j]));
    await parquetRead({
      file,
      metadata,
      compressors,
      onChunk: ({ columnName, columnData, rowStart, rowEnd }) => {
        const j = index.get(columnName);
        if (j === undefined) return;
        for (let r = rowStart; r < rowEnd; r++) b.set(j, r, columnData[r - rowStart]);
      },
    });
    // Rows no chunk reached (a file of 0 rows) still have the schema's columns.
    for (let r = b.rowCount; r < rows; r++) for (let j = 0; j < names.length; j++) b.set(j, r, null);
    return b.finish();
  } catch (e) {
    if (e instanceof TableInputError) throw e;
    throw new TableInputError({
      file: path,
      expected: 'a Parquet file',
      found: `one hyparquet cannot read: ${(e as Error).message}`,
      fix: 'Check that the file is Parquet (it ends with the bytes PAR1); re-write it with pandas.to_parquet or pyarrow.',
    });
  }
}
