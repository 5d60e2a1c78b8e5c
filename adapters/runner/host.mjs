/**
 * One local Lambda container in its own process: imports a handler module (its `handler` export, deps from
 * the environment exactly as on Lambda) and runs the invocations its runner sends over IPC, one at a time —
 * the function's side of the Lambda runtime API. Plain JavaScript, so a bundle runs in a process with no
 * TypeScript loader:
 *
 *   node adapters/runner/host.mjs <bundle dir>/index.mjs                  (a bundle, as `cdk synth` wrote it)
 *   node --import tsx adapters/runner/host.mjs <repo>/lambdas/worker.ts   (the TypeScript sources)
 *
 * Messages (ToContainer / FromContainer in container.ts): 'ready' once the module is imported; for each
 * { type: 'invoke', id, event, context } one { type: 'done', id, response } or { type: 'done', id, error }.
 * 'stop' (or SIGTERM, or the runner going away) exits once the invocation in progress has finished.
 */
import { contextFromFields } from './lambda-context.mjs';

const moduleUrl = process.argv[2];
if (!moduleUrl || typeof process.send !== 'function') {
  process.stderr.write('usage: node host.mjs <handler module URL> (forked by the local runner, with IPC)\n');
  process.exit(2);
}
const { handler } = await import(moduleUrl);
if (typeof handler !== 'function') {
  process.stderr.write(`${moduleUrl} exports no handler function\n`);
  process.exit(2);
}

let queue = Promise.resolve();
const describe = (e) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

async function run(m) {
  try {
    const response = await handler(m.event, contextFromFields(m.context));
    process.send({ type: 'done', id: m.id, ...(response ? { response } : {}) });
  } catch (e) {
    process.send({ type: 'done', id: m.id, error: describe(e) });
  }
}

const stop = () => {
  queue.then(() => process.exit(0));
};
process.on('message', (m) => {
  if (m === 'stop') return stop();
  if (m?.type === 'invoke') queue = queue.then(() => run(m));
});
process.on('SIGTERM', stop);
process.on('disconnect', stop);
process.send({ type: 'ready' });
