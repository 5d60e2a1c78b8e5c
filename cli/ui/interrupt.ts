/** Runs a long command with Ctrl-C turned into an abort signal (the command stops cleanly and can resume). */
export async function runInterruptible(fn: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const ac = new AbortController();
  const onSigint = () => ac.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  try {
    return await fn(ac.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
