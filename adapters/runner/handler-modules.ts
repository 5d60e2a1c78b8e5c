/**
 * Which code a local runner runs for each function: the runner never imports a handler itself (adapters do
 * not depend on lambdas/); its caller says where the three modules are.
 *
 * - `sources`: the TypeScript handler modules (lambdas/*.ts, see lambdas/modules.ts), run through tsx. They
 *   export `handler` (deps from the environment) and `createHandler(deps?)` (deps injected: the embedded
 *   runner).
 * - `bundles`: the esbuild bundles `cdk synth` writes (`index.mjs`, see bundles.ts), run by plain `node`
 *   in processes given only the function's environment. They export `handler`.
 */
import type { FunctionRole } from './container.ts';

export interface HandlerModules {
  kind: 'sources' | 'bundles';
  /** file: URL of each function's module. */
  urls: Record<FunctionRole, string>;
}
