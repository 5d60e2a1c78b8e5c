/** The scale model: SQS → Lambda wall time and cost of a sweep, from measured trial durations. */
export {
  SimInputError,
  type SimOptions,
  type SimResult,
  type SimSample,
  type SimTrial,
  simulate,
} from './model.ts';
export { LAMBDA_RULES, RULES_SOURCES } from './rules.ts';
export {
  resampleTrials,
  type SweepEstimateOptions,
  trialsFromLeaderboard,
  trialsFromSweep,
  uniformTrials,
} from './trials.ts';
