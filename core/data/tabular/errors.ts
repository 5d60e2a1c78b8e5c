/**
 * Bad input in a table, as data: where (the file, then a line / row / column), what was expected, what
 * was found, and how to fix it. The CLI prints the message and, with --json, the fields (exit code 2).
 * Every check runs before anything is written, so a table that fails leaves nothing in the store.
 */
export interface TableProblem {
  /** The file as the user named it. */
  file: string;
  /** Where in the file: `line 7`, `column "age"`, `array "y"`; absent for the file as a whole. */
  at?: string;
  expected: string;
  found: string;
  fix: string;
}

export class TableInputError extends Error {
  override readonly name: string = 'TableInputError';
  constructor(readonly problem: TableProblem) {
    const where = problem.at ? `${problem.file}, ${problem.at}` : problem.file;
    super(`${where}: expected ${problem.expected}, found ${problem.found}. ${problem.fix}`);
  }
}

/** The table would not fit in a worker's memory (or is too large to read here). */
export class TableTooLargeError extends TableInputError {
  override readonly name = 'TableTooLargeError';
}

/** `a, b, c` with each name quoted, at most `max` of them then `… (N more)`. */
export function listNames(names: readonly string[], max = 20): string {
  const shown = names.slice(0, max).map((n) => JSON.stringify(n));
  return names.length > max ? `${shown.join(', ')} … (${names.length - max} more)` : shown.join(', ');
}
