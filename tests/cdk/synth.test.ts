/**
 * `npx cdk synth --quiet` really works offline (no Docker, no credentials, no network): it bundles the
 * three handlers with the local esbuild, and each bundle loads in plain Node and answers an SQS event.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STACK_NAME } from '../../core/service-spec.ts';

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
