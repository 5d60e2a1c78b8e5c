/**
 * Reading a sweep file, the command line's overrides written into its text (`--dataset`, the mnist-mini
 * fallback, `--max-trials`), and its warnings and notices printed.
 */
import { readFile } from 'node:fs/promises';
import type { Problem } from '../../core/config.ts';
import { parseSweep, problemLine, withMaxTrials, withTopLevel } from '../../core/sweep/index.ts';
import type { Sweep } from '../../core/sweep/types.ts';
import { positiveInt, UsageError } from './errors.ts';

export async function readSweepFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read the sweep file: ${(e as Error).message}`);
  }
}

const isError = (p: Problem) => p.severity === 'error';

/** Errors first, then warnings and notices (each in the order found). */
export function errorsFirst(problems: readonly Problem[]): Problem[] {
  return [...problems.filter(isError), ...problems.filter((p) => !isError(p))];
}

export class SweepProblemsError extends UsageError {
  constructor(
    readonly file: string,
    readonly problems: Problem[],
  ) {
    super(
      `${file}: ${problems.filter(isError).length} problem(s):\n${errorsFirst(problems)
        .map((p) => `  ${problemLine(p)}`)
        .join('\n')}`,
    );
  }
}

export function parseOrThrow(text: string, filename: string): Sweep {
  const p = parseSweep(text, { filename });
  if (!p.ok) throw new SweepProblemsError(filename, p.problems);
  return p.value;
}

/** The same sweep text with its top-level `dataset` replaced by `name` (latest prepared version). */
export function withDataset(text: string, filename: string, name: string): string {
  return withTopLevel(text, filename, 'dataset', name);
}

/** The flags that override a sweep file's own keys. */
export interface OverrideFlags {
  dataset?: string;
  maxTrials?: string;
}

/** The sweep text with `--dataset` and `--max-trials` written into it (everything else as written). */
export function withOverrides(text: string, filename: string, flags: OverrideFlags): string {
  const maxTrials = positiveInt('--max-trials', flags.maxTrials);
  const t = flags.dataset ? withDataset(text, filename, flags.dataset) : text;
  return maxTrials === undefined ? t : withMaxTrials(t, filename, maxTrials);
}

/** Warnings and notices, one line each (`warning: path: message`). */
export function sayWarnings(say: (s: string) => void, warnings: readonly Problem[]): void {
  for (const w of warnings) say(problemLine(w));
}

export const MAX_TRIALS_HELP =
  'number of trials: overrides max_trials / W&B run_cap (random search without either runs 50)';
