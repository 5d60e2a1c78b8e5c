/** What the LocalStack-mode runner and its child processes (child.ts) agree on. */
import type { BatchReport } from './poller.ts';

export type ChildRole = 'dispatcher' | 'worker' | 'aggregator';
export type FromChild = { type: 'ready' } | { type: 'batch'; report: BatchReport };
export const CHILD_ENV = {
  timeoutSeconds: 'SWEEP_FUNCTION_TIMEOUT_S',
  memoryMb: 'SWEEP_FUNCTION_MEMORY_MB',
} as const;
