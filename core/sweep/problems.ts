import type { Problem } from '../config.ts';

/** Collects problems; `error`/`warn` never throw, so one pass reports everything. */
export class ProblemList {
  readonly list: Problem[] = [];
  error(path: string, message: string, expected?: string, found?: string): void {
    const p: Problem = { path, message, severity: 'error' };
    if (expected !== undefined) p.expected = expected;
    if (found !== undefined) p.found = found;
    this.list.push(p);
  }
  warn(path: string, message: string): void {
    this.list.push({ path, message, severity: 'warning' });
  }
  notice(path: string, message: string): void {
    this.list.push({ path, message, severity: 'notice' });
  }
  get errorCount(): number {
    return this.list.filter((p) => p.severity === 'error').length;
  }
}

/** One line per problem: `path: message (expected …, found …)`; warnings and notices say so first. */
export function problemLine(p: Problem): string {
  return `${p.severity === 'error' ? '' : `${p.severity}: `}${formatProblem(p)}`;
}

/** `path: message (expected …, found …)`. */
export function formatProblem(p: Problem): string {
  const extra = [
    p.expected !== undefined ? `expected ${p.expected}` : '',
    p.found !== undefined ? `found ${p.found}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `${p.path}: ${p.message}${extra ? ` (${extra})` : ''}`;
}
