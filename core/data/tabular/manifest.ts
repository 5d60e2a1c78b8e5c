/**
 * The manifest of a table data set (`kind: "table"`), beside the image manifest of core/data/shards.ts.
 * It says what sweep validation needs (`task`, `inputs` = the width `layers[0]` must have, `outputs` = the
 * last layer's: classes, or 1 for regression), where the shards are (sha256 each), and the preprocessing
 * recipe that made the shards' float32 features from the source rows, so the same rows can be prepared
 * again identically (prediction, the ONNX export's input nodes) and the report can speak in the source's
 * terms. Applying the recipe to a raw row, feature by feature in order:
 *
 *   numeric      v missing → median;  x = (v − mean) / std                                   (1 input)
 *   categorical  v missing → most_frequent; one input per category (1 where v equals it), then, when
 *                `other` is true, one `(other)` input for every value not among the categories;
 *                a value not among them with `other` false gives all zeros          (len(categories) [+1])
 *
 * Regression targets are stored as z = (y − label.mean) / label.std; y = z·std + mean in the target's units.
 * Serialised in the schema's key order (zod keeps it), so equal manifests are equal bytes.
 */
import { z } from 'zod';
import { MANIFEST_CREATED_BY, sha256Hex, shardEntrySchema } from '../shards.ts';

export const TABLE_SHARD_FORMAT_VERSION = 1;
export const TABLE_MANIFEST_CREATED_BY = MANIFEST_CREATED_BY.replace(
  /\(shard format \d+\)/,
  `(table shard format ${TABLE_SHARD_FORMAT_VERSION})`,
);

const count = z.number().int().min(0);
const splitCounts = z.strictObject({ train: count, test: count });

const numericStep = z.strictObject({
  column: z.string(),
  type: z.literal('numeric'),
  median: z.number(),
  mean: z.number(),
  std: z.number().positive(),
  missing: splitCounts,
});

const categoricalStep = z.strictObject({
  column: z.string(),
  type: z.literal('categorical'),
  categories: z.array(z.string()).min(1),
  other: z.boolean(),
  /** Training categories pooled into `(other)` (rare, or past the cap). */
  pooled: count,
  most_frequent: z.string(),
  missing: splitCounts,
});

export const featureStepSchema = z.discriminatedUnion('type', [numericStep, categoricalStep]);
export type FeatureStep = z.infer<typeof featureStepSchema>;
export type NumericStep = z.infer<typeof numericStep>;
export type CategoricalStep = z.infer<typeof categoricalStep>;

export const labelSchema = z.discriminatedUnion('task', [
  z.strictObject({
    task: z.literal('classification'),
    column: z.string(),
    /** The label's value of each class id (class id = index). */
    classes: z.array(z.string()).min(2),
    histogram: z.strictObject({ train: z.array(count), test: z.array(count) }),
  }),
  z.strictObject({
    task: z.literal('regression'),
    column: z.string(),
    mean: z.number(),
    std: z.number().positive(),
    min: z.number(),
    max: z.number(),
  }),
]);
export type LabelRecipe = z.infer<typeof labelSchema>;

/** What the user asked for; with the source files' MD5s it determines the version. */
export const tableOptionsSchema = z.strictObject({
  label: z.string(),
  /** The task as given with --task; absent: inferred from the label. */
  task: z.enum(['classification', 'regression']).optional(),
  /** `file`: the test rows came from their own file; else this fraction was held out. */
  test: z.union([z.literal('file'), z.number().gt(0).lt(1)]),
  seed: z.number().int().min(0),
  max_categories: z.number().int().min(1),
  min_category_rows: z.number().int().min(1),
  categorical: z.array(z.string()),
  drop: z.array(z.string()),
});
export type TableOptionsRecord = z.infer<typeof tableOptionsSchema>;

export const tableManifestSchema = z.strictObject({
  kind: z.literal('table'),
  name: z.string().min(1),
  version: z.string().min(1),
  task: z.enum(['classification', 'regression']),
  inputs: z.number().int().min(1),
  outputs: z.number().int().min(1),
  created_by: z.string(),
  created_at: z.string().optional(),
  source: z.array(z.strictObject({ file: z.string(), md5: z.string() })),
  train: z.array(shardEntrySchema).min(1),
  test: z.array(shardEntrySchema),
  label: labelSchema,
  features: z.array(featureStepSchema).min(1),
  feature_names: z.array(z.string()).min(1),
  dropped: z.array(z.strictObject({ column: z.string(), reason: z.string() })),
  rows_without_label: splitCounts,
  options: tableOptionsSchema,
});
export type TableManifest = z.infer<typeof tableManifestSchema>;

/** Inputs a feature step produces. */
export const stepWidth = (s: FeatureStep): number =>
  s.type === 'numeric' ? 1 : s.categories.length + (s.other ? 1 : 0);

/** The names of a step's inputs: `age`; `city=Paris`, …, `city=(other)`. */
export const stepNames = (s: FeatureStep): string[] =>
  s.type === 'numeric'
    ? [s.column]
    : [...s.categories.map((c) => `${s.column}=${c}`), ...(s.other ? [`${s.column}=(other)`] : [])];

/**
 * The checks a schema cannot state: the widths add up, outputs match the label, the task is the label's.
 * Returns the first inconsistency, as `field: problem`.
 */
export function tableManifestProblem(m: TableManifest): string | undefined {
  const width = m.features.reduce((s, f) => s + stepWidth(f), 0);
  if (m.inputs !== width) return `inputs: ${m.inputs}, but the features make ${width} inputs`;
  if (m.feature_names.length !== m.inputs)
    return `feature_names: ${m.feature_names.length} names for ${m.inputs} inputs`;
  if (m.task !== m.label.task) return `task: ${m.task}, but label.task is ${m.label.task}`;
  const outputs = m.label.task === 'classification' ? m.label.classes.length : 1;
  if (m.outputs !== outputs) return `outputs: ${m.outputs}, but the label gives ${outputs}`;
  return undefined;
}

/**
 * The version of a table data set: the first 12 hex digits of the sha256 of its source files' MD5s (sorted,
 * one per line), the table shard format and the options (as serialised in the manifest), so the same files
 * prepared the same way land under the same key, and another label, split or seed under another.
 */
export function tableVersion(source: readonly { md5: string }[], options: TableOptionsRecord): string {
  if (source.length === 0) throw new RangeError('tableVersion: no source files');
  const md5s = source.map((s) => s.md5.toLowerCase()).sort();
  const text = [
    ...md5s,
    `table shard format ${TABLE_SHARD_FORMAT_VERSION}`,
    JSON.stringify(tableOptionsSchema.parse(options)),
  ];
  return sha256Hex(new TextEncoder().encode(text.join('\n'))).slice(0, 12);
}
