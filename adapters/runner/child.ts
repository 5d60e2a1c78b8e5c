/**
 * One local "Lambda function instance" as a child process (LocalStack mode): imports the real handler
 * module (`lambdas/<role>.ts`), whose deps come from the environment exactly as on Lambda (S3/SQS clients
 * on AWS_ENDPOINT_URL), and feeds it from its queue(s) with a Poller. The parent passes the environment
 * and restarts the process if it dies. The worker polls every trials queue shard (TRIALS_QUEUE_URLS;
 * one URL for one shard) through one ShardedQueue, as the shards' event source mappings do on Lambda.
 * IPC: 'ready', one 'batch' report per invocation; 'stop' (or SIGTERM) finishes the invocation in progress
 * and exits.
 *
 *   node --import tsx adapters/runner/child.ts dispatcher|worker|aggregator
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { ENV, serviceSpec } from '../../core/service-spec.ts';
import { readEnv } from '../aws/env.ts';
import { RUNNER_ENV } from '../backend.ts';
import { shardedSqsQueue } from '../queue/sqs.ts';
import { CHILD_ENV, type ChildRole, type FromChild } from './child-protocol.ts';
import type { SqsHandler } from './lambda-event.ts';
import { invokeHandler, Poller } from './poller.ts';

const role = process.argv[2] as ChildRole;
if (!['dispatcher', 'worker', 'aggregator'].includes(role)) {
  process.stderr.write(`usage: child.ts dispatcher|worker|aggregator (got ${role})\n`);
  process.exit(2);
}

const env = (k: string): string => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set`);
  return v;
};
const mod = (await import(`../../lambdas/${role}.ts`)) as { handler: SqsHandler };
const sqs = new SQSClient({
  ...(process.env.AWS_ENDPOINT_URL ? { endpoint: process.env.AWS_ENDPOINT_URL } : {}),
  ...(process.env.AWS_REGION ? { region: process.env.AWS_REGION } : {}),
});
const spec = serviceSpec();
const timeoutSeconds =
  Number(process.env[CHILD_ENV.timeoutSeconds]) ||
  (role === 'worker'
    ? spec.worker.timeoutSeconds
    : role === 'dispatcher'
      ? spec.dispatcherTimeoutSeconds
      : spec.aggregatorTimeoutSeconds);
const fn = {
  functionName: `local-${role}`,
  timeoutSeconds,
  memoryMb: Number(process.env[CHILD_ENV.memoryMb]) || spec.worker.memoryMb,
  ...(process.env.AWS_REGION ? { region: process.env.AWS_REGION } : {}),
};
const sources: { urls: string[]; batchSize: number }[] =
  role === 'dispatcher'
    ? [{ urls: [env(ENV.submissionsQueueUrl)], batchSize: 1 }]
    : role === 'worker'
      ? [{ urls: [...readEnv().trialsQueueUrls], batchSize: 1 }]
      : [
          { urls: [env(ENV.resultsQueueUrl)], batchSize: 10 },
          ...(process.env[RUNNER_ENV.trialsDlqUrl]
            ? [{ urls: [env(RUNNER_ENV.trialsDlqUrl)], batchSize: 10 }]
            : []),
        ];
const send = (m: FromChild) => process.send?.(m);
const pollers = sources.map(
  (s) =>
    new Poller({
      queue: shardedSqsQueue(sqs, s.urls),
      fn,
      invoke: invokeHandler(mod.handler),
      batchSize: s.batchSize,
      waitSeconds: 1,
      onBatch: (report) => send({ type: 'batch', report }),
      onError: (e) => process.stderr.write(`poller error: ${e instanceof Error ? e.message : String(e)}\n`),
    }),
);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await Promise.all(pollers.map((p) => p.stop()));
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('message', (m) => {
  if (m === 'stop') void stop();
});
process.on('disconnect', stop);
for (const p of pollers) p.start();
send({ type: 'ready' });
