/** Exit codes and error reporting shared by the commands: 0 ok, 1 runtime failure, 2 invalid input. */
export const EXIT = { ok: 0, failure: 1, invalid: 2 } as const;

/** Invalid input from the user (bad file, bad flag, unknown sweep id): exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface Out {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export const processOut: Out = {
  stdout: (s) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`),
  stderr: (s) => process.stderr.write(s.endsWith('\n') ? s : `${s}\n`),
};

/** Prints an error (stderr, and a JSON line on stdout with --json) and returns the exit code. */
export function reportError(e: unknown, out: Out, json = false): number {
  const invalid = e instanceof UsageError || (e instanceof Error && e.name === 'InvalidIdError');
  const message = e instanceof Error ? e.message : String(e);
  if (json)
    out.stdout(JSON.stringify({ ok: false, error: message, kind: e instanceof Error ? e.name : 'Error' }));
  out.stderr(`error: ${message}`);
  if (!invalid && process.env.SWEEP_DEBUG && e instanceof Error && e.stack) out.stderr(e.stack);
  return invalid ? EXIT.invalid : EXIT.failure;
}

export function positiveInt(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
}
