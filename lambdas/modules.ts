/** The three handler modules as TypeScript sources, for the local runners (adapters/runner/handler-modules.ts). */
import type { HandlerModules } from '../adapters/runner/handler-modules.ts';

export const SOURCE_HANDLERS: HandlerModules = {
  kind: 'sources',
  urls: {
    dispatcher: new URL('./dispatcher.ts', import.meta.url).href,
    worker: new URL('./worker.ts', import.meta.url).href,
    aggregator: new URL('./aggregator.ts', import.meta.url).href,
  },
};
