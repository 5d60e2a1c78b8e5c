/** Reading a sweep file, and pointing it at another data set (`--dataset`, the mnist-mini fallback). */
import { readFile } from 'node:fs/promises';
import YAML from 'yaml';
import type { Problem } from '../../core/config.ts';
import { formatProblem, parseSweep } from '../../core/sweep/index.ts';
import type { Sweep } from '../../core/sweep/types.ts';
import { UsageError } from './errors.ts';

export async function readSweepFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read the sweep file: ${(e as Error).message}`);
  }
}

export class SweepProblemsError extends UsageError {
  constructor(
    readonly file: string,
    readonly problems: Problem[],
  ) {
    super(
      `${file}: ${problems.length} problem(s):\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`,
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
  const yaml = /\.ya?ml$/i.test(filename);
  const doc = (yaml ? YAML.parse(text) : JSON.parse(text)) as Record<string, unknown>;
  if (typeof doc !== 'object' || doc === null) return text;
  doc.dataset = name;
  return yaml ? YAML.stringify(doc) : `${JSON.stringify(doc, null, 2)}\n`;
}
