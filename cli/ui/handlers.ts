/** `--bundled`: which code the LocalStack runner runs — the TypeScript sources, or the bundles `cdk synth` writes. */
import { BundlesUnavailableError, prepareBundles } from '../../adapters/runner/bundles.ts';
import type { HandlerModules } from '../../adapters/runner/handler-modules.ts';
import { SOURCE_HANDLERS } from '../../lambdas/modules.ts';
import { UsageError } from './errors.ts';

export interface BundledFlag {
  /** true: synthesize now; a string: the synth output directory to take them from. */
  bundled?: boolean | string;
}

export const BUNDLED_FLAGS = '--bundled [cdk.out]';
export const BUNDLED_HELP =
  'localstack: run the deployable bundles (a fresh cdk synth, or those in this synth output directory) instead of the TypeScript sources';

/** The handler modules to run; `dispose` removes the bundles' copies afterwards. */
export async function handlerModules(
  flags: BundledFlag & { backend?: string },
  say: (s: string) => void,
): Promise<{ modules: HandlerModules; dispose: () => void }> {
  if (!flags.bundled) return { modules: SOURCE_HANDLERS, dispose: () => {} };
  if (flags.backend !== 'localstack') {
    throw new UsageError(
      `--bundled needs --backend localstack (got ${flags.backend ?? 'local'}): the bundles build their S3 and SQS clients from the environment, as on Lambda`,
    );
  }
  try {
    return await prepareBundles({
      ...(typeof flags.bundled === 'string' ? { cdkOut: flags.bundled } : {}),
      log: say,
    });
  } catch (e) {
    if (e instanceof BundlesUnavailableError && typeof flags.bundled === 'string')
      throw new UsageError(e.message);
    throw e;
  }
}
