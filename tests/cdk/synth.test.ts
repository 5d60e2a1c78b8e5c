/**
 * `npx cdk synth --quiet` really works offline (no Docker, no credentials, no network): it bundles the
 * three handlers with the local esbuild, and each bundle loads in plain Node and answers an SQS event.
 * Then the bundles run a whole sweep against LocalStack, in processes of their own (plain `node`, only the
 * environment the stack gives them), with the same results and weights as the sources: what `cdk deploy`
 * ships is what the tests run.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCALSTACK_CREDENTIALS, LOCALSTACK_REGION } from '../../adapters/localstack/clients.ts';
import { shardedSqsQueue, sqsQueueAt } from '../../adapters/queue/sqs.ts';
import { hasNodeModulesAbove, isolateBundles, synthesizedFunctions } from '../../adapters/runner/bundles.ts';
import { ProcessRunner } from '../../adapters/runner/processes.ts';
import { waitForSweep } from '../../adapters/runner/sweep-run.ts';
import { S3BlobStore } from '../../adapters/store/s3.ts';
import { submitSweep } from '../../core/app/submit.ts';
import { DEFAULT_STACK_NAME } from '../../core/service-spec.ts';
import {
  expectSameRuns,
  localstackResources,
  prepareMini,
  readResults,
  runSixOnEmbedded,
  SIX_TRIAL_SWEEP,
  type TestResources,
} from '../local/helpers.ts';
import { processFacts, resolveStackEnv } from './bundles-helpers.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'sweep-cdk-synth-'));

/** An environment that cannot reach AWS: no credentials, no profile files, no instance metadata. */
function offlineEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('AWS_') && !k.startsWith('CDK_')) env[k] = v;
  }
  return {
    ...env,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(out, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(out, 'no-aws-credentials'),
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    ...extra,
  };
}

let synth: ReturnType<typeof spawnSync>;
let template: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

beforeAll(() => {
  synth = spawnSync('npx', ['cdk', 'synth', '--quiet', '--no-notices', '-o', out], {
    cwd: root,
    env: offlineEnv(),
    encoding: 'utf8',
    timeout: 280_000,
  });
  const file = join(out, `${DEFAULT_STACK_NAME}.template.json`);
  if (existsSync(file)) template = JSON.parse(readFileSync(file, 'utf8'));
}, 300_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Size budgets of the bundles (index.mjs): today ≈ 1.1 MB (39 % zod) and 2.0 MB for the aggregator (vega). */
const BUNDLE_BUDGET_BYTES: Record<string, number> = {
  DispatcherFunction: 1_500_000,
  WorkerFunction: 1_500_000,
  AggregatorFunction: 2_500_000,
};

/** asset directory of the function whose logical id starts with `prefix`. */
function assetOf(prefix: string): string {
  const fn = Object.entries(template.Resources).find(
    ([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith(prefix),
  );
  if (!fn?.[1].Properties) throw new Error(`no function ${prefix}`);
  const key = (fn[1].Properties.Code as { S3Key: string }).S3Key;
  return join(out, `asset.${key.replace(/\.zip$/, '')}`);
}

describe('cdk synth', () => {
  it('npx cdk synth --quiet succeeds offline and writes the stack template', () => {
    expect(synth.error).toBeUndefined();
    expect(synth.status, String(synth.stderr)).toBe(0);
    expect(template).toBeDefined();
    const fns = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(fns).toHaveLength(3);
  });

  it.each([
    ['DispatcherFunction', 'mlp-sweep-dispatcher'],
    ['WorkerFunction', 'mlp-sweep-worker'],
    ['AggregatorFunction', 'mlp-sweep-aggregator'],
  ])('the %s bundle is a real ESM bundle that loads and handles an SQS event', (prefix, service) => {
    const dir = assetOf(prefix);
    const bundle = join(dir, 'index.mjs');
    expect(statSync(bundle).size).toBeGreaterThan(200_000); // SDK, Powertools, zod and core inside
    // Not growing without a reason (BENCHMARKS.md `bundles`): raise a budget only with one.
    expect(statSync(bundle).size).toBeLessThan(BUNDLE_BUDGET_BYTES[prefix]!);
    const code = readFileSync(bundle, 'utf8');
    expect(code).not.toContain('@tensorflow/tfjs'); // the reference ML library never ships
    // A malformed record is a failed record; this never reaches AWS (the endpoint is a closed local port).
    const script = `
      const m = await import(${JSON.stringify(bundle)});
      const record = { messageId: 'm-1', receiptHandle: 'rh', body: '{"type":"nope"}', attributes: {},
        messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
        awsRegion: 'us-east-1' };
      const context = { awsRequestId: 'req-1', memoryLimitInMB: '1769', functionName: 'f',
        getRemainingTimeInMillis: () => 60000 };
      process.stdout.write('RESULT ' + JSON.stringify(await m.handler({ Records: [record] }, context)) + '\\n');`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
      env: offlineEnv({
        SWEEP_BUCKET: 'bucket',
        TRIALS_QUEUE_URLS: 'http://127.0.0.1:9/000000000000/trials',
        RESULTS_QUEUE_URL: 'http://127.0.0.1:9/000000000000/results',
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      }),
    });
    expect(run.status, run.stderr).toBe(0);
    const result = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    expect(JSON.parse(result!.slice(7))).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
    // the structured log line comes from this function's Powertools logger
    const logLine = `${run.stdout}\n${run.stderr}`.split('\n').find((l) => l.includes('"level":"ERROR"'));
    expect(JSON.parse(logLine!)).toMatchObject({ service, function_request_id: 'req-1' });
  });
});

describe('the bundles run a sweep on LocalStack, as Lambda would run them', () => {
  let ls: TestResources;
  let store: S3BlobStore;
  const dirs: string[] = [];

  beforeAll(async () => {
    ls = await localstackResources(`bundled-${randomBytes(4).toString('hex')}`, { workerTimeoutSeconds: 30 });
    store = new S3BlobStore(ls.clients.s3, ls.res.bucket);
    await prepareMini(store);
  }, 15 * 60_000);

  afterAll(async () => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await ls?.cleanup();
  });

  it('plain node, no node_modules, only the stack’s environment: the same results and weights as the sources', async () => {
    const fns = synthesizedFunctions(out);
    const modules = isolateBundles(fns);
    const bundleDir = dirname(dirname(fileURLToPath(modules.urls.worker)));
    dirs.push(bundleDir);
    expect(hasNodeModulesAbove(bundleDir)).toBe(false);
    // The three functions get one environment from the stack; here its references point at LocalStack.
    const stackEnvs = fns.map((f) => resolveStackEnv(f.environment, ls.res));
    expect(stackEnvs[1]).toEqual(stackEnvs[0]);
    expect(stackEnvs[2]).toEqual(stackEnvs[0]);
    // …plus what the Lambda runtime adds (region, credentials) and LocalStack's endpoint.
    const env = {
      ...stackEnvs[0]!,
      AWS_REGION: LOCALSTACK_REGION,
      AWS_ENDPOINT_URL: ls.endpoint,
      AWS_ACCESS_KEY_ID: LOCALSTACK_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCALSTACK_CREDENTIALS.secretAccessKey,
    };
    const { sqs } = ls.clients;
    const { res } = ls;
    const queues = {
      submissions: sqsQueueAt(sqs, res.queueUrls.submissions),
      trials: shardedSqsQueue(sqs, res.shardUrls.trials),
      results: sqsQueueAt(sqs, res.queueUrls.results),
    };
    const runner = new ProcessRunner({
      backend: { env, queues, trialsDlq: sqsQueueAt(sqs, res.dlqUrls.trials) },
      modules,
      workers: 2,
      workerTimeoutSeconds: 30,
    });
    await runner.start();
    let sweepId: string;
    try {
      for (const [name, pid] of Object.entries(runner.pids())) {
        const p = processFacts(pid!);
        expect(p.argv.join(' '), name).not.toMatch(/tsx/);
        expect(p.argv.at(-1), name).toMatch(new RegExp(`^file://${bundleDir}/\\w+/index\\.mjs$`));
        const runtime = ['PATH', 'AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE'];
        // …and the IPC channel Node's fork opens (our stand-in for Lambda's AWS_LAMBDA_RUNTIME_API).
        const more = [
          'AWS_LAMBDA_FUNCTION_VERSION',
          'LAMBDA_TASK_ROOT',
          'NODE_CHANNEL_FD',
          'NODE_CHANNEL_SERIALIZATION_MODE',
        ];
        expect(p.envKeys.sort(), name).toEqual([...Object.keys(env), ...runtime, ...more].sort());
      }
      const sub = await submitSweep(SIX_TRIAL_SWEEP, 'bundled.json', {
        store,
        submissions: queues.submissions,
        now: Date.now,
      });
      if (!sub.ok) throw new Error(JSON.stringify(sub.problems));
      sweepId = sub.value.sweep_id;
      const status = await waitForSweep(store, sweepId, {
        queues: [queues.submissions, queues.trials, queues.results],
      });
      expect(status.counts.completed).toBe(6);
      expect(runner.activity().restarts).toBe(0);
    } finally {
      await runner.stop();
    }
    const bundled = await readResults(store, sweepId);
    expect(bundled.size).toBe(6);

    // The same sweep on the TypeScript sources (embedded backend: same handlers, files and threads).
    const dir = mkdtempSync(join(tmpdir(), 'bundled-vs-sources-'));
    dirs.push(dir);
    const sources = await runSixOnEmbedded(dir);
    expect(sources.sweepId).toBe(sweepId);
    await expectSameRuns(
      sweepId,
      { store, results: bundled },
      { store: sources.store, results: await readResults(sources.store, sweepId) },
    );
  });
});
