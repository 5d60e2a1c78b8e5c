/** Leaderboard + HTML comparison report (issue 9). */
export {
  type ConfusionCell,
  type CurvePoint,
  confusionCells,
  etaSquared,
  type FitPoint,
  fitPoints,
  groupKeys,
  type Importance,
  type LrPoint,
  learningCurves,
  learningRateScatter,
  MAX_MATRIX_CLASSES,
  matrixClasses,
  type NormPoint,
  normaliseDimension,
  type ParallelDimension,
  type ParallelPoint,
  parallelCoordinates,
  parameterImportance,
  speedUp,
  trainingDynamics,
} from './analysis.ts';
export { datasetPreview, tableDatasetPreview } from './dataset-preview.ts';
export { escapeHtml, safeHref } from './escape.ts';
export {
  csvField,
  formatDuration,
  formatLeaderboard,
  formatUsd,
  type LeaderboardFormat,
  mdCell,
} from './format.ts';
export { type RenderReportInput, renderReport } from './html.ts';
export { buildLeaderboard, canonicalJson, displayParam, headline, varyingParameters } from './leaderboard.ts';
export { base64Decode, base64Encode, digitDataUri, greyscalePng } from './png.ts';
export { renderSvg } from './svg.ts';
export type { DatasetPreview, Leaderboard, LeaderboardRow, ReportMetricName, ReportSweep } from './types.ts';
