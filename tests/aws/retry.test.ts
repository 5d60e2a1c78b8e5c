/**
 * The functions' retry strategy: the SDK's standard retries without the retry quota. A retry that is no
 * success (a conditional put meeting its own write answers 412) never refunds its cost: the SDK's standard
 * strategy refuses every retry once 500 tokens are spent (14 per transient retry), ours keeps retrying —
 * and still refuses what the standard one refuses for any other reason (a non-retryable error, the last
 * attempt). Clients built with maxAttempts (the functions') get it; the CLI's keep the SDK's default.
 */
import { INITIAL_RETRY_TOKENS, Retry, StandardRetryStrategy } from '@smithy/core/retry';
import { describe, expect, it } from 'vitest';
import { createClients, FUNCTION_MAX_ATTEMPTS, FunctionRetryStrategy } from '../../adapters/aws/clients.ts';

type Strategy = StandardRetryStrategy;
const transient = { errorType: 'TRANSIENT' } as const;

/** Retries granted for `n` lost responses in a row, each retry answered by a non-retryable error. */
async function granted(s: Strategy, n: number): Promise<number> {
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const first = await s.acquireInitialRetryToken('');
    try {
      await s.refreshRetryTokenForRetry(first, transient);
      ok++;
    } catch {
      // refused: "No retry token available"
    }
  }
  return ok;
}

describe("the functions' retry strategy", () => {
  it('keeps retrying where the SDK standard strategy has spent its quota', async () => {
    expect(await granted(new StandardRetryStrategy(FUNCTION_MAX_ATTEMPTS), 60)).toBe(
      Math.floor(INITIAL_RETRY_TOKENS / Retry.cost()),
    );
    expect(await granted(new FunctionRetryStrategy(), 60)).toBe(60);
  }, 30_000);

  it('still refuses a non-retryable error and a retry after the last attempt', async () => {
    const s = new FunctionRetryStrategy(3);
    const first = await s.acquireInitialRetryToken('');
    await expect(s.refreshRetryTokenForRetry(first, { errorType: 'CLIENT_ERROR' })).rejects.toThrow();
    const second = await s.refreshRetryTokenForRetry(first, transient);
    const third = await s.refreshRetryTokenForRetry(second, { errorType: 'THROTTLING' });
    expect(third.getRetryCount()).toBe(2);
    await expect(s.refreshRetryTokenForRetry(third, transient)).rejects.toThrow();
  }, 30_000);

  it("is what the functions' clients get; the CLI's keep the SDK's default", async () => {
    const fn = createClients({ region: 'us-east-1', maxAttempts: FUNCTION_MAX_ATTEMPTS });
    const cli = createClients({ region: 'us-east-1' });
    for (const c of [fn.s3, fn.sqs]) {
      expect(await c.config.retryStrategy()).toBeInstanceOf(FunctionRetryStrategy);
      expect(await c.config.maxAttempts()).toBe(FUNCTION_MAX_ATTEMPTS);
    }
    // One strategy per client.
    expect(await fn.s3.config.retryStrategy()).not.toBe(await fn.sqs.config.retryStrategy());
    for (const c of [cli.s3, cli.sqs]) {
      const r = await c.config.retryStrategy();
      expect(r).toBeInstanceOf(StandardRetryStrategy);
      expect(r).not.toBeInstanceOf(FunctionRetryStrategy);
      expect(await c.config.maxAttempts()).toBe(3);
    }
  });
});
