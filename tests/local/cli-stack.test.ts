/**
 * The CLI against a stack as a user meets it: `sweep status` right after `submit` (before any dispatcher ran),
 * `--backend aws` on a stack deployed into an emulator (AWS_ENDPOINT_URL: path-style S3, as the handlers),
 * `--region` for the data commands, and the missing-region error. LocalStack stands in for the emulator;
 * nothing here reaches AWS (credentials are dummies, instance metadata is off).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsBackend } from '../../adapters/backend.ts';
import { loadMnistMini } from '../../adapters/data/mnist-mini.ts';
import { LOCALSTACK_CREDENTIALS } from '../../adapters/localstack/clients.ts';
import { InProcessQueue } from '../../adapters/queue/memory.ts';
import { FsBlobStore } from '../../adapters/store/fs.ts';
import type { S3BlobStore } from '../../adapters/store/s3.ts';
import { statusCommand } from '../../cli/commands/status.ts';
import { submitSweep } from '../../core/app/submit.ts';
import { prepareDataset } from '../../core/data/prepare.ts';
import { tinySweep } from '../lambdas/sqs-pump.ts';
import { localstackResources, type TestResources } from './helpers.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function capture() {
  const lines = { stdout: [] as string[], stderr: [] as string[] };
  return {
    lines,
    out: { stdout: (s: string) => lines.stdout.push(s), stderr: (s: string) => lines.stderr.push(s) },
  };
}

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'sweep.js');

/** Runs `sweep …` as a user does, with `env` in place of every AWS variable; exit code and stderr. */
function sweepWith(env: Record<string, string>, args: string[]): Promise<{ code: number; stderr: string }> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...base, AWS_EC2_METADATA_DISABLED: 'true', NO_COLOR: '1', ...env }, timeout: 60_000 },
      (err, _stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr }),
    );
  });
}

describe('sweep status right after submit', () => {
  it('says the sweep is submitted and waiting for the dispatcher (exit 0), in text and JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'status-submitted-'));
    dirs.push(dir);
    const store = new FsBlobStore(dir);
    await prepareDataset(store, loadMnistMini(), []);
    const sub = await submitSweep(tinySweep('status-submitted'), 's.json', {
      store,
      submissions: new InProcessQueue('submissions'),
      now: Date.now,
    });
    if (!sub.ok) throw new Error(JSON.stringify(sub.problems));
    const id = sub.value.sweep_id;

    const text = capture();
    expect(await statusCommand(id, { backend: 'local', storeDir: dir }, { out: text.out, tty: false })).toBe(
      0,
    );
    expect(text.lines.stdout.join('\n')).toMatch(
      new RegExp(`sweep ${id} .*submitted at .*waiting for the dispatcher`),
    );

    const json = capture();
    expect(
      await statusCommand(id, { backend: 'local', storeDir: dir, json: true }, { out: json.out, tty: false }),
    ).toBe(0);
    expect(JSON.parse(json.lines.stdout[0]!)).toMatchObject({ ok: true, sweep_id: id, phase: 'submitted' });

    const unknown = capture();
    expect(
      await statusCommand(
        's-000000000000',
        { backend: 'local', storeDir: dir },
        { out: unknown.out, tty: false },
      ),
    ).toBe(2);
    expect(unknown.lines.stderr.join('\n')).toMatch(/no sweep s-000000000000/);
  });
});

describe('--backend aws', () => {
  let ls: TestResources;
  beforeAll(async () => {
    ls = await localstackResources(`cli-aws-${randomBytes(4).toString('hex')}`, { trialQueueShards: 2 });
  }, 15 * 60_000);
  afterAll(async () => {
    await ls?.cleanup();
  });

  it('with AWS_ENDPOINT_URL set, talks to that endpoint with path-style S3, as the handlers do', async () => {
    const b = awsBackend(
      'EmulatedStack',
      {
        bucket: ls.res.bucket,
        submissionsQueueUrl: ls.res.queueUrls.submissions,
        trialsQueueUrls: ls.res.shardUrls.trials,
        resultsQueueUrl: ls.res.queueUrls.results,
        trialsDlqUrl: ls.res.dlqUrls.trials,
      },
      'us-east-1',
      { AWS_ENDPOINT_URL: ls.endpoint },
    );
    const store = b.store as S3BlobStore;
    expect(store.client.config.forcePathStyle).toBe(true);
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: LOCALSTACK_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCALSTACK_CREDENTIALS.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    try {
      // A virtual-hosted request would go to <bucket>.127.0.0.1, which does not resolve.
      await store.put('probe/path-style.txt', 'ok');
      expect(new TextDecoder().decode((await store.get('probe/path-style.txt'))?.body)).toBe('ok');
      await b.queues!.trials.send(['{}', '{}']);
      expect((await b.queues!.trials.depth()).visible).toBe(2);
    } finally {
      process.env = saved;
    }
    expect(b.env).toMatchObject({ AWS_ENDPOINT_URL: ls.endpoint, AWS_REGION: 'us-east-1' });
    expect(b.env?.TRIALS_QUEUE_URLS?.split(',')).toEqual(ls.res.shardUrls.trials);
  });

  it('without a region, status and data list say how to set one (exit 1)', async () => {
    const noRegion = {
      AWS_CONFIG_FILE: join(tmpdir(), 'no-such-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(tmpdir(), 'no-such-aws-credentials'),
    };
    for (const args of [
      ['status', 's-000000000000', '--backend', 'aws'],
      ['data', 'list', '--backend', 'aws'],
    ]) {
      const r = await sweepWith(noRegion, args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/no AWS region is set for --backend aws: pass --region <region>/);
      expect(r.stderr).toMatch(/AWS_REGION/);
    }
  });

  it('data list and data prepare take --region (the stack is looked up there)', async () => {
    const env = {
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL: ls.endpoint,
      AWS_CONFIG_FILE: join(tmpdir(), 'no-such-aws-config'),
    };
    for (const args of [
      ['data', 'list', '--backend', 'aws', '--region', 'eu-west-3', '--stack-name', 'NoSuchStack'],
      [
        'data',
        'prepare',
        '--dataset',
        'mnist-mini',
        '--backend',
        'aws',
        '--region',
        'eu-west-3',
        '--stack-name',
        'NoSuchStack',
      ],
    ]) {
      const r = await sweepWith(env, args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/cannot read the CloudFormation stack NoSuchStack in eu-west-3/);
    }
  });
});

describe('--bundled', () => {
  it('needs --backend localstack, and a synth output that holds the bundles (exit 2, saying why)', async () => {
    const local = await sweepWith({}, [
      'run',
      'sweeps/quickstart.json',
      '--bundled',
      '--dataset',
      'mnist-mini',
    ]);
    expect(local.code).toBe(2);
    expect(local.stderr).toMatch(/--bundled needs --backend localstack \(got local\)/);
    const dir = await mkdtemp(join(tmpdir(), 'no-synth-'));
    dirs.push(dir);
    const missing = await sweepWith({}, ['serve', '--backend', 'localstack', '--bundled', dir]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`no ${join(dir, 'MlpSweepStack.template.json')}: synthesize first`);
  });
});
