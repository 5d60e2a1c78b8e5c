/**
 * A data set's manifest of either kind: an image set's (core/data/shards.ts; no `kind` field) or a
 * table's (core/data/tabular/manifest.ts; `kind: "table"`). Both say `task`, `inputs` and `outputs`, the
 * shape a sweep's `layers` must have: `layers[0] == inputs`, last layer == outputs.
 */
import { type Manifest, manifestIssue, manifestJson, parseManifest, serializeManifest } from './shards.ts';
import { type TableManifest, tableManifestProblem, tableManifestSchema } from './tabular/manifest.ts';

export type AnyManifest = Manifest | TableManifest;

/**
 * A prepared data set's kind and shape, as its manifest says. (Sweep validation reads `inputs`/`outputs`
 * from the raw manifest through core/sweep's `datasetShape`, which works for both kinds.)
 */
export interface DatasetKindShape {
  kind: 'image' | 'table';
  task: 'classification' | 'regression';
  inputs: number;
  outputs: number;
}

export const manifestShape = (m: AnyManifest): DatasetKindShape => ({
  kind: 'kind' in m ? m.kind : 'image',
  task: m.task,
  inputs: m.inputs,
  outputs: m.outputs,
});

export const isTableManifest = (m: AnyManifest): m is TableManifest => 'kind' in m && m.kind === 'table';

/** Parses and validates a manifest of either kind; throws a readable Error naming `where` when invalid. */
export function parseAnyManifest(body: Uint8Array | string, where: string): AnyManifest {
  const json = manifestJson(body, where);
  if ((json as { kind?: unknown } | null)?.kind !== 'table') return parseManifest(body, where);
  const r = tableManifestSchema.safeParse(json);
  if (!r.success) throw manifestIssue(where, r.error);
  const problem = tableManifestProblem(r.data);
  if (problem) throw new Error(`${where}: invalid manifest at ${problem}`);
  return r.data;
}

/** Serialises a manifest deterministically (fixed key order, 2-space indent, trailing newline). */
export function serializeAnyManifest(m: AnyManifest): string {
  if (!isTableManifest(m)) return serializeManifest(m);
  return `${JSON.stringify(tableManifestSchema.parse(m), null, 2)}\n`;
}
