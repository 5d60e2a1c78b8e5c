/** Shared by the table tests: the fixtures (made by fixtures/make_fixtures.py) and default options. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { TableInputError, type TableProblem } from '../../../core/data/tabular/errors.ts';
import { memoryLimit } from '../../../core/data/tabular/memory.ts';

export const FIXTURES = join(import.meta.dirname, 'fixtures');
export const fixture = (name: string) => join(FIXTURES, name);
export const fixtureJson = <T>(name: string): T => JSON.parse(readFileSync(fixture(name), 'utf8')) as T;

/** A default Lambda worker's limit (1769 MB). */
export const MEMORY = memoryLimit(1769);

/** Awaits `p`, expects it to fail with a TableInputError, and returns the problem for more checks. */
export async function problemOf(p: Promise<unknown>): Promise<TableProblem & { message: string }> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TableInputError);
  const t = e as TableInputError;
  return { ...t.problem, message: t.message };
}
