import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_TRIAL_QUEUE_SHARDS,
  MAX_RECEIVE_COUNT,
  STACK_OUTPUTS,
  serviceSpec,
  VISIBILITY_FACTOR,
} from '../../core/service-spec.ts';
import {
  allowed,
  flat,
  functionId,
  functionRoleId,
  get,
  list,
  resources,
  roleStatements,
  type Statement,
  type Synth,
  synth,
} from './helpers.ts';

let base: Synth;
beforeAll(() => {
  base = synth();
});

const queueIds = () => Object.keys(resources(base.template, 'AWS::SQS::Queue'));

/** The queue logical id an event source mapping of `fnId` reads from. */
function sourceQueues(fnId: string): string[] {
  return Object.values(resources(base.template, 'AWS::Lambda::EventSourceMapping'))
    .filter((m) => flat(m.Properties?.FunctionName) === `<${fnId}>`)
    .map((m) => flat(m.Properties?.EventSourceArn).replace(/^<(.*)\.Arn>$/, '$1'));
}

function mappingsOf(fnId: string) {
  return Object.values(resources(base.template, 'AWS::Lambda::EventSourceMapping')).filter(
    (m) => flat(m.Properties?.FunctionName) === `<${fnId}>`,
  );
}

describe('queues', () => {
  it('each queue has a DLQ with maxReceiveCount 3 (the trial shards share one)', () => {
    const queues = resources(base.template, 'AWS::SQS::Queue');
    const withRedrive = Object.entries(queues).filter(([, q]) => q.Properties?.RedrivePolicy);
    expect(withRedrive).toHaveLength(2 + DEFAULT_TRIAL_QUEUE_SHARDS); // submissions, results, trial shards
    expect(Object.keys(queues)).toHaveLength(2 + DEFAULT_TRIAL_QUEUE_SHARDS + 3); // … and three DLQs
    const targets = new Set<string>();
    for (const [id, q] of withRedrive) {
      const rp = q.Properties?.RedrivePolicy as { maxReceiveCount: number; deadLetterTargetArn: unknown };
      expect(rp.maxReceiveCount).toBe(MAX_RECEIVE_COUNT);
      expect(MAX_RECEIVE_COUNT).toBe(3);
      const dlq = flat(rp.deadLetterTargetArn).replace(/^<(.*)\.Arn>$/, '$1');
      expect(queues[dlq], `${id}'s DLQ exists`).toBeDefined();
      expect(queues[dlq]?.Properties?.RedrivePolicy, 'a DLQ has no DLQ of its own').toBeUndefined();
      targets.add(dlq);
    }
    expect(targets.size, 'only the trial shards share a DLQ').toBe(3);
  });

  it('queues are encrypted and deny non-TLS', () => {
    const policies = Object.values(resources(base.template, 'AWS::SQS::QueuePolicy'));
    for (const id of queueIds()) {
      const q = resources(base.template, 'AWS::SQS::Queue')[id]!;
      expect(q.Properties?.SqsManagedSseEnabled, `${id} encrypted`).toBe(true);
      const denies = policies
        .filter((p) => list(get(p, 'Queues') as unknown[]).some((r) => flat(r) === `<${id}>`))
        .flatMap((p) => (get(p, 'PolicyDocument') as { Statement: Statement[] }).Statement)
        .filter(
          (s) =>
            s.Effect === 'Deny' &&
            list(s.Action).includes('sqs:*') &&
            JSON.stringify(s.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
        );
      expect(denies, `${id} denies non-TLS`).toHaveLength(1);
    }
  });

  it('the trials visibility timeout is at least 6× the worker timeout', () => {
    const worker = functionId(base.template, 'WorkerFunction');
    const [trials] = sourceQueues(worker);
    const timeout = resources(base.template, 'AWS::Lambda::Function')[worker]?.Properties?.Timeout as number;
    const visibility = resources(base.template, 'AWS::SQS::Queue')[trials!]?.Properties
      ?.VisibilityTimeout as number;
    expect(timeout).toBe(900);
    expect(visibility).toBeGreaterThanOrEqual(VISIBILITY_FACTOR * timeout);
    // and every consumed queue's visibility covers its consumer's timeout (else deploy fails)
    for (const fnId of Object.keys(resources(base.template, 'AWS::Lambda::Function'))) {
      const fnTimeout = resources(base.template, 'AWS::Lambda::Function')[fnId]?.Properties
        ?.Timeout as number;
      for (const q of sourceQueues(fnId)) {
        const v =
          (resources(base.template, 'AWS::SQS::Queue')[q]?.Properties?.VisibilityTimeout as number) ?? 30;
        expect(v, `${q} → ${fnId}`).toBeGreaterThanOrEqual(VISIBILITY_FACTOR * fnTimeout);
      }
    }
  });
});

describe('event sources', () => {
  it("the worker's event sources (one per trial shard) report batch item failures", () => {
    const worker = functionId(base.template, 'WorkerFunction');
    const ms = mappingsOf(worker);
    expect(ms).toHaveLength(DEFAULT_TRIAL_QUEUE_SHARDS);
    for (const m of ms) {
      expect(m.Properties).toMatchObject({
        BatchSize: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: Math.ceil(50 / DEFAULT_TRIAL_QUEUE_SHARDS) },
      });
    }
  });

  it('every handler reports batch item failures; the aggregator batches 10 and also drains the trials DLQ', () => {
    const all = Object.values(resources(base.template, 'AWS::Lambda::EventSourceMapping'));
    expect(all).toHaveLength(3 + DEFAULT_TRIAL_QUEUE_SHARDS);
    for (const m of all) expect(m.Properties?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    const aggregator = functionId(base.template, 'AggregatorFunction');
    const sources = sourceQueues(aggregator).sort();
    expect(sources).toHaveLength(2);
    expect(sources.some((q) => q.startsWith('ResultsQueue'))).toBe(true);
    expect(sources.some((q) => q.startsWith('TrialsDlq'))).toBe(true);
    for (const m of mappingsOf(aggregator)) {
      expect(m.Properties).toMatchObject({ BatchSize: 10, ScalingConfig: { MaximumConcurrency: 2 } });
      expect(m.Properties?.MaximumBatchingWindowInSeconds).toBeGreaterThan(0);
    }
    const dispatcher = functionId(base.template, 'DispatcherFunction');
    expect(sourceQueues(dispatcher).map((q) => q.replace(/[A-F0-9]{8}$/, ''))).toEqual(['SubmissionsQueue']);
  });
});

describe('functions', () => {
  it('worker is arm64 / nodejs24.x / 900 s / 1769 MB by default and memory follows the prop', () => {
    const props = (s: Synth) =>
      resources(s.template, 'AWS::Lambda::Function')[functionId(s.template, 'WorkerFunction')]?.Properties;
    expect(props(base)).toMatchObject({
      Architectures: ['arm64'],
      Runtime: 'nodejs24.x',
      Timeout: 900,
      MemorySize: 1769,
      Handler: 'index.handler',
    });
    const big = synth({ workerMemoryMb: 3008, workerMaxConcurrency: 7 });
    expect(props(big)).toMatchObject({ MemorySize: 3008, Architectures: ['arm64'], Timeout: 900 });
    expect(
      (get(props(big), 'Environment') as { Variables: Record<string, string> }).Variables.WORKER_MEMORY_MB,
    ).toBe('3008');
    const mappings = Object.values(resources(big.template, 'AWS::Lambda::EventSourceMapping')).filter(
      (m) => flat(m.Properties?.FunctionName) === `<${functionId(big.template, 'WorkerFunction')}>`,
    );
    // 7 in total over 4 shards: ⌈7 / 4⌉ = 2 each (AWS's minimum is 2 anyway)
    expect(mappings.map((m) => m.Properties?.ScalingConfig)).toEqual(
      Array(DEFAULT_TRIAL_QUEUE_SHARDS).fill({ MaximumConcurrency: 2 }),
    );
  });

  it('provisioned pollers replace maximum concurrency on the worker queues (AWS makes them exclusive)', () => {
    const workerMappings = (s: Synth) =>
      Object.values(resources(s.template, 'AWS::Lambda::EventSourceMapping')).filter(
        (m) => flat(m.Properties?.FunctionName) === `<${functionId(s.template, 'WorkerFunction')}>`,
      );
    // one shard: the totals as given
    const one = workerMappings(
      synth({ workerMinPollers: 100, workerMaxConcurrency: 7, trialQueueShards: 1 }),
    );
    expect(one).toHaveLength(1);
    expect(one[0]?.Properties?.ProvisionedPollerConfig).toEqual({ MinimumPollers: 100, MaximumPollers: 200 });
    // the default 4 shards split the totals: ⌈100 / 4⌉ = 25 minimum, ⌈200 / 4⌉ = 50 maximum each
    const fast = workerMappings(synth({ workerMinPollers: 100, workerMaxConcurrency: 7 }));
    expect(fast).toHaveLength(DEFAULT_TRIAL_QUEUE_SHARDS);
    for (const m of fast) {
      expect(m.Properties?.ProvisionedPollerConfig).toEqual({ MinimumPollers: 25, MaximumPollers: 50 });
      expect(m.Properties?.ScalingConfig).toBeUndefined();
      expect(m.Properties?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    }
    // AWS's minimum of 2 pollers per mapping holds when the total is small
    const small = workerMappings(synth({ workerMinPollers: 2, workerMaxPollers: 4, trialQueueShards: 3 }));
    for (const m of small)
      expect(m.Properties?.ProvisionedPollerConfig).toEqual({ MinimumPollers: 2, MaximumPollers: 2 });
  });

  it('every function has the env the handlers read and a log group with retention', () => {
    const fns = resources(base.template, 'AWS::Lambda::Function');
    expect(Object.keys(fns)).toHaveLength(3);
    const groups = resources(base.template, 'AWS::Logs::LogGroup');
    for (const [id, f] of Object.entries(fns)) {
      const vars = (get(f, 'Environment') as { Variables: Record<string, unknown> }).Variables;
      for (const k of [
        'SWEEP_BUCKET',
        'TRIALS_QUEUE_URLS',
        'RESULTS_QUEUE_URL',
        'WORKER_MEMORY_MB',
        'WORKER_ARCH',
      ]) {
        expect(vars[k], `${id} ${k}`).toBeDefined();
      }
      const group = flat((get(f, 'LoggingConfig') as { LogGroup: unknown }).LogGroup).replace(
        /^<(.*)>$/,
        '$1',
      );
      expect(groups[group]?.Properties?.RetentionInDays, `${id} log retention`).toBe(30);
      expect(f.Properties?.Runtime).toBe('nodejs24.x');
    }
  });
});

describe('IAM', () => {
  const s3 = (fnPrefix: string) => {
    const t = base.template;
    const m = allowed(roleStatements(t, functionRoleId(t, functionId(t, fnPrefix))));
    const bucket = Object.keys(resources(t, 'AWS::S3::Bucket')).find((id) => id.startsWith('DataBucket'))!;
    const rel = (a: string) => [...(m.get(a) ?? [])].map((r) => r.replace(`<${bucket}.Arn>`, '')).sort();
    return { m, rel, bucket };
  };

  it('the worker reads datasets/* and writes only under sweeps/*, cannot delete', () => {
    const { m, rel } = s3('WorkerFunction');
    expect(rel('s3:GetObject')).toEqual(['/datasets/*', '/sweeps/*']);
    expect(rel('s3:PutObject')).toEqual(['/sweeps/*']);
    expect(rel('s3:PutObjectTagging')).toEqual(['/sweeps/*']); // checkpoints are tagged for expiry
    expect(rel('s3:ListBucket')).toEqual(['']);
    const s3Actions = [...m.keys()].filter((a) => a.startsWith('s3:')).sort();
    expect(s3Actions).toEqual(['s3:GetObject', 's3:ListBucket', 's3:PutObject', 's3:PutObjectTagging']);
    expect([...m.keys()].some((a) => /delete/i.test(a) && a.startsWith('s3:'))).toBe(false);
    const sends = [...(m.get('sqs:SendMessage') ?? [])]
      .map((r) => r.replace(/[A-F0-9]{8}\.Arn>$/, '>'))
      .sort();
    expect(sends).toEqual([
      '<ResultsQueue>',
      '<Trials1Queue>',
      '<Trials2Queue>',
      '<Trials3Queue>',
      '<TrialsQueue>',
    ]);
  });

  it('the dispatcher reads sweeps and manifests, writes sweeps/*, sends trials only', () => {
    const { m, rel } = s3('DispatcherFunction');
    expect(rel('s3:GetObject')).toEqual(['/datasets/*/manifest.json', '/sweeps/*']);
    expect(rel('s3:PutObject')).toEqual(['/sweeps/*']);
    const sends = [...(m.get('sqs:SendMessage') ?? [])]
      .map((r) => r.replace(/[A-F0-9]{8}\.Arn>$/, '>'))
      .sort();
    expect(sends).toEqual(['<Trials1Queue>', '<Trials2Queue>', '<Trials3Queue>', '<TrialsQueue>']);
  });

  it('the aggregator reads and writes sweeps/* (plus manifests for the report preview)', () => {
    const { m, rel } = s3('AggregatorFunction');
    expect(rel('s3:GetObject')).toEqual(['/datasets/*/manifest.json', '/sweeps/*']);
    expect(rel('s3:PutObject')).toEqual(['/sweeps/*']);
    expect([...m.keys()].some((a) => /delete/i.test(a) && a.startsWith('s3:'))).toBe(false);
  });

  it('no IAM statement allows * actions', () => {
    const t = base.template;
    const statements: Statement[] = [];
    for (const roleId of Object.keys(resources(t, 'AWS::IAM::Role')))
      statements.push(...roleStatements(t, roleId));
    expect(statements.length).toBeGreaterThan(10);
    for (const s of statements.filter((x) => x.Effect === 'Allow')) {
      for (const a of list(s.Action)) expect(a, JSON.stringify(s)).not.toContain('*');
      for (const r of list(s.Resource)) expect(flat(r), JSON.stringify(s)).not.toBe('*');
    }
    // no managed policies either (explicit log permissions instead of AWSLambdaBasicExecutionRole)
    for (const r of Object.values(resources(t, 'AWS::IAM::Role'))) {
      expect(r.Properties?.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('bucket', () => {
  it('bucket blocks public access, encrypts, enforces SSL', () => {
    const t = base.template;
    const buckets = resources(t, 'AWS::S3::Bucket');
    expect(Object.keys(buckets)).toHaveLength(2); // data + access logs
    const policies = Object.values(resources(t, 'AWS::S3::BucketPolicy'));
    for (const [id, b] of Object.entries(buckets)) {
      expect(b.Properties?.PublicAccessBlockConfiguration, id).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(b.Properties?.BucketEncryption, id).toEqual({
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      });
      const deny = policies
        .filter((p) => flat(p.Properties?.Bucket) === `<${id}>`)
        .flatMap((p) => (get(p, 'PolicyDocument') as { Statement: Statement[] }).Statement)
        .find(
          (s) =>
            s.Effect === 'Deny' &&
            list(s.Action).includes('s3:*') &&
            JSON.stringify(s.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
        );
      expect(deny, `${id} denies non-TLS`).toBeDefined();
    }
    const data = Object.entries(buckets).find(([id]) => id.startsWith('DataBucket'))![1];
    expect(
      flat((get(data, 'LoggingConfiguration') as { DestinationBucketName: unknown }).DestinationBucketName),
    ).toMatch(/^<DataAccessLogs/);
  });

  it('checkpoints tagged kind=checkpoint expire after checkpointExpiryDays; multipart uploads are aborted', () => {
    base.template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Id: 'expire-checkpoints',
            Status: 'Enabled',
            Prefix: 'sweeps/',
            TagFilters: [{ Key: 'kind', Value: 'checkpoint' }],
            ExpirationInDays: serviceSpec().checkpointExpiryDays,
          }),
          Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' }),
        ]),
      },
    });
    const short = synth({ checkpointExpiryDays: 2 });
    short.template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ Id: 'expire-checkpoints', ExpirationInDays: 2 })]),
      },
    });
  });

  it('is retained on stack deletion by default', () => {
    const data = Object.entries(resources(base.template, 'AWS::S3::Bucket')).find(([id]) =>
      id.startsWith('DataBucket'),
    )![1] as { DeletionPolicy?: string };
    expect(data.DeletionPolicy).toBe('Retain');
  });
});

describe('outputs', () => {
  it('exports the bucket and every queue/DLQ URL under the keys the CLI reads', () => {
    const outputs = base.template.findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual(Object.values(STACK_OUTPUTS).sort());
    expect(flat(outputs[STACK_OUTPUTS.bucket]?.Value)).toMatch(/^<DataBucket/);
    expect(flat(outputs[STACK_OUTPUTS.trialsQueueUrls]?.Value)).toMatch(/^<TrialsQueue/);
    expect(flat(outputs[STACK_OUTPUTS.trialsDlqUrl]?.Value)).toMatch(/^<TrialsDlq/);
  });
});

describe('cdk-nag', () => {
  it('cdk-nag AwsSolutions reports no unsuppressed findings', () => {
    const report = new AwsSolutionsChecks(base.app).validateScope(base.app);
    const findings = report.violations.map(
      (v) => `${v.severity} ${v.ruleName} @ ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('with X-Ray tracing on, the only extra finding (X-Ray Resource::*) is acknowledged with a reason', () => {
    const traced = synth({ tracing: true });
    traced.template.hasResourceProperties('AWS::Lambda::Function', { TracingConfig: { Mode: 'Active' } });
    expect(new AwsSolutionsChecks(traced.app).validateScope(traced.app).violations).toEqual([]);
  });

  it('the checker does find unacknowledged problems (control)', () => {
    const app = new App();
    const stack = new Stack(app, 'Control');
    new Bucket(stack, 'Plain');
    const acked = new Bucket(stack, 'Acked');
    Validations.of(acked).acknowledge({ id: 'AwsSolutions-S1', reason: 'control' });
    const rules = new AwsSolutionsChecks(app).validateScope(app).violations.map((v) => v.ruleName);
    expect(rules).toContain('AwsSolutions-S1');
    expect(rules).toContain('AwsSolutions-S10');
    const s1 = new AwsSolutionsChecks(app)
      .validateScope(app)
      .violations.find((v) => v.ruleName === 'AwsSolutions-S1')!;
    expect(s1.violatingResources.map((r) => r.constructPath)).toEqual(['Control/Plain/Resource']);
  });
});
