/**
 * Sweep files → the normalised `Sweep`, with every problem as data (JSON path, expected, found), all at
 * once. Accepts our format and W&B sweep files (JSON or YAML) as they are; see ../README.md for the mapping.
 *
 *   source.ts     text → JSON value (syntax errors at line and column), and the numbers written as floats
 *   sweep.ts      the top level: keys, name, method, seed, and the sections below in turn
 *   dataset.ts, metric.ts, budgets.ts, early-terminate.ts, parameters.ts   one section each
 *                 (dataset.ts: also `datasetShape`, the one place a data set's shape comes from)
 *   task.ts       the metric, loss and image-only keys against the data set's task and kind
 *   param.ts      one parameter spec (categorical.ts, numeric.ts, when.ts: its parts)
 *   values.ts     one value against its trial key's schema, with hints for other tools' values
 *   synonyms.ts   other tools' names for our keys and values, and how to write ours
 *   wandb.ts      the W&B dialect's top-level keys
 *   expansion.ts  the grid's size and the expansion, every trial validated
 *   edit.ts       the command line's overrides written into a file's text (--max-trials, --dataset)
 */
import type { Parsed } from '../../config.ts';
import type { Sweep } from '../types.ts';
import { readSource } from './source.ts';
import { type ParseOptions, parseSweepObject } from './sweep.ts';

export {
  BUILTIN_DATASETS,
  checkNetFits,
  type DatasetShape,
  datasetShape,
  type ManifestShape,
  unknownDatasetText,
} from './dataset.ts';
export { withMaxTrials, withTopLevel } from './edit.ts';
export { metricAlias, NATURAL_GOAL } from './metric.ts';
export { parseSweepObject } from './sweep.ts';
export { KEY_HINTS, KEY_SYNONYMS, VALUE_HINTS } from './synonyms.ts';
export { checkTaskFits } from './task.ts';

/** Parse a sweep file's text: JSON or YAML (by extension, else sniffed), ours or W&B's. */
export function parseSweep(text: string, opts: Omit<ParseOptions, 'floats'> = {}): Parsed<Sweep> {
  const source = readSource(text, opts.filename);
  return source.ok ? parseSweepObject(source.value, { ...opts, floats: source.floats }) : source;
}
