/**
 * A data set in memory, as the trainer consumes it. Two kinds, told apart by `kind`:
 *
 * - images (`Dataset`, `kind` absent or `'image'`): pixels stay u8 (row-major, `rows*cols` bytes per
 *   sample); normalisation to float happens per batch inside the trainer;
 * - tables (`TableDataset`, `kind: 'table'`): dense float32 features, already preprocessed when the data
 *   set was prepared (standardised, one-hot; the recipe is in the manifest), and a `task` discriminant:
 *   class ids for classification, standardised float targets for regression.
 */
import type { FeatureStep } from './data/tabular/manifest.ts';

export interface Split {
  /** n × (rows·cols) bytes. */
  images: Uint8Array;
  /** n class labels 0..classes-1. */
  labels: Uint8Array;
  count: number;
}

export interface Dataset {
  /** Absent on image data sets made before tables existed; never `'table'` (that is TableDataset). */
  kind?: 'image';
  name: string;
  version: string;
  rows: number;
  cols: number;
  classes: number;
  train: Split;
  test: Split;
  /** Mean and std of the training pixels scaled to [0,1] (for `standardize`); MNIST: 0.1307 / 0.3081. */
  pixelMean: number;
  pixelStd: number;
}

/** Rows of a table, ready for training: `count × inputs` float32 features, one label per row. */
export interface TableSplit<L extends Uint16Array | Float32Array> {
  /** count × inputs, row-major. */
  features: Float32Array;
  /** Classification: class ids 0..classes-1. Regression: the target standardised (z = (y − mean) / std). */
  labels: L;
  count: number;
}

interface TableCommon {
  kind: 'table';
  name: string;
  version: string;
  /** Features per row after preprocessing (one-hot included): the width `layers[0]` must have. */
  inputs: number;
  /** Name of each input, e.g. `age`, `city=Paris`, `city=(other)`. */
  featureNames: string[];
  /** The preprocessing that made the inputs from the source's columns, in input order (the manifest's). */
  steps: FeatureStep[];
}

export interface ClassificationTable extends TableCommon {
  task: 'classification';
  /** Number of classes: the width of the last layer. */
  classes: number;
  /** The label's value of each class id, as written in the source (class id = index). */
  classNames: string[];
  train: TableSplit<Uint16Array>;
  test: TableSplit<Uint16Array>;
}

export interface RegressionTable extends TableCommon {
  task: 'regression';
  /** y = z · std + mean gives a prediction back in the target's own units. */
  target: { name: string; mean: number; std: number };
  train: TableSplit<Float32Array>;
  test: TableSplit<Float32Array>;
}

export type TableDataset = ClassificationTable | RegressionTable;

/** What a worker gets from the data set loader: an image set or a table. */
export type LoadedDataset = Dataset | TableDataset;

/** Reference to a prepared data set in a store (`datasets/<name>/<version>/`). */
export interface DatasetRef {
  name: string;
  version: string;
}
