/** Every state a trial can be in. Terminal states never change again. */
export const TrialState = {
  Queued: 'queued',
  Running: 'running',
  Completed: 'completed',
  Pruned: 'pruned',
  Diverged: 'diverged',
  Failed: 'failed',
  Skipped: 'skipped',
} as const;
export type TrialState = (typeof TrialState)[keyof typeof TrialState];
export const TRIAL_STATES = Object.values(TrialState) as TrialState[];
export const TERMINAL_STATES: ReadonlySet<TrialState> = new Set<TrialState>([
  TrialState.Completed,
  TrialState.Pruned,
  TrialState.Diverged,
  TrialState.Failed,
  TrialState.Skipped,
]);
export const isTerminal = (s: TrialState): boolean => TERMINAL_STATES.has(s);
