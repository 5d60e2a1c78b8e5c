/**
 * A data set in memory, as the trainer consumes it. Pixels stay u8 (row-major, `rows*cols` bytes per
 * sample); normalisation to float happens per batch inside the trainer.
 */
export interface Split {
  /** n × (rows·cols) bytes. */
  images: Uint8Array;
  /** n class labels 0..classes-1. */
  labels: Uint8Array;
  count: number;
}

export interface Dataset {
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

/** Reference to a prepared data set in a store (`datasets/<name>/<version>/`). */
export interface DatasetRef {
  name: string;
  version: string;
}
