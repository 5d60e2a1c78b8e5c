/**
 * The data set at a glance, for the report: read from the prepared manifest (histogram + sample images, or a
 * table's columns as prepared).
 */
import type { TableManifest } from '../data/tabular/manifest.ts';
import type { DatasetRef } from '../dataset.ts';
import { keys } from '../layout.ts';
import type { BlobStore } from '../ports.ts';
import { type DatasetPreview, tableDatasetPreview } from '../report/index.ts';
import { getJson } from './json.ts';

interface ManifestPreview {
  name: string;
  rows: number;
  cols: number;
  class_histogram?: { train: number[]; test: number[] };
  preview?: { label: number; pixels_b64: string }[];
}

export async function datasetPreview(store: BlobStore, ref: DatasetRef): Promise<DatasetPreview | undefined> {
  const m = await getJson<ManifestPreview | TableManifest>(store, keys.manifest(ref.name, ref.version));
  if (m && 'kind' in m && m.kind === 'table') return tableDatasetPreview(m, `${ref.name} (${ref.version})`);
  if (!m || !('class_histogram' in m) || !m.class_histogram) return undefined;
  return {
    name: `${ref.name} (${ref.version})`,
    class_histogram: m.class_histogram,
    samples: m.preview ?? [],
    rows: m.rows,
    cols: m.cols,
  };
}
