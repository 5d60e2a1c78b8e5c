/** Trial queue shards in the template: queues, one shared DLQ, one worker mapping per shard, grants, outputs. */
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_TRIAL_QUEUE_SHARDS,
  ENV,
  MAX_RECEIVE_COUNT,
  STACK_OUTPUTS,
  serviceSpec,
} from '../../core/service-spec.ts';
import {
  allowed,
  flat,
  functionId,
  functionRoleId,
  get,
  resources,
  roleStatements,
  type Synth,
  synth,
} from './helpers.ts';

const strip = (id: string) => id.replace(/[A-F0-9]{8}$/, '');
const arnId = (v: unknown) => flat(v).replace(/^<(.*)\.Arn>$/, '$1');

/** Source queues (with a redrive policy) whose logical id marks them as trial shards. */
function trialShards(s: Synth): string[] {
  return Object.entries(resources(s.template, 'AWS::SQS::Queue'))
    .filter(([id, q]) => /^Trials\d*Queue/.test(id) && q.Properties?.RedrivePolicy)
    .map(([id]) => id)
    .sort();
}

function workerMappings(s: Synth) {
  const worker = functionId(s.template, 'WorkerFunction');
  return Object.values(resources(s.template, 'AWS::Lambda::EventSourceMapping')).filter(
    (m) => flat(m.Properties?.FunctionName) === `<${worker}>`,
  );
}

/** Resources (queue logical ids) an action is allowed on for a function. */
function sqsAllowed(s: Synth, fnPrefix: string, action: string): string[] {
  const t = s.template;
  const m = allowed(roleStatements(t, functionRoleId(t, functionId(t, fnPrefix))));
  return [...(m.get(action) ?? [])].map((r) => r.replace(/^<(.*)\.Arn>$/, '$1')).sort();
}

let def: Synth;
let three: Synth;
let one: Synth;
beforeAll(() => {
  def = synth();
  three = synth({ trialQueueShards: 3, workerMaxConcurrency: 100 });
  one = synth({ trialQueueShards: 1 });
});

describe('trial queue shards', () => {
  it('default: 4 shards (serviceSpec and the stack agree)', () => {
    expect(DEFAULT_TRIAL_QUEUE_SHARDS).toBe(4);
    expect(serviceSpec().worker.queueShards).toBe(4);
    expect(serviceSpec().queues.trials.shardSuffixes).toEqual(['trials', 'trials-1', 'trials-2', 'trials-3']);
    expect(trialShards(def)).toHaveLength(4);
    expect(def.stack.trialShards).toHaveLength(4);
    expect(workerMappings(def)).toHaveLength(4);
  });

  it('N shard queues redrive to one shared trials DLQ with maxReceiveCount 3', () => {
    for (const s of [three, def]) {
      const queues = resources(s.template, 'AWS::SQS::Queue');
      const dlqs = new Set<string>();
      for (const id of trialShards(s)) {
        const rp = queues[id]!.Properties!.RedrivePolicy as {
          maxReceiveCount: number;
          deadLetterTargetArn: unknown;
        };
        expect(rp.maxReceiveCount).toBe(MAX_RECEIVE_COUNT);
        dlqs.add(arnId(rp.deadLetterTargetArn));
        // every shard has the trials settings (visibility ≥ 6 × worker timeout)
        expect(queues[id]!.Properties?.VisibilityTimeout).toBe(
          serviceSpec().queues.trials.visibilityTimeoutSeconds,
        );
      }
      expect([...dlqs].map(strip)).toEqual(['TrialsDlq']);
      // the shared DLQ is the one the aggregator drains
      const aggregator = functionId(s.template, 'AggregatorFunction');
      const drained = Object.values(resources(s.template, 'AWS::Lambda::EventSourceMapping'))
        .filter((m) => flat(m.Properties?.FunctionName) === `<${aggregator}>`)
        .map((m) => arnId(m.Properties?.EventSourceArn));
      expect(drained).toContain([...dlqs][0]);
    }
    expect(trialShards(three)).toHaveLength(3);
    expect(Object.keys(resources(three.template, 'AWS::SQS::Queue'))).toHaveLength(2 + 3 + 3);
  });

  it('one worker mapping per shard, each with ⌈total / shards⌉ maximum concurrency', () => {
    const ms = workerMappings(three);
    expect(ms.map((m) => arnId(m.Properties?.EventSourceArn)).sort()).toEqual(trialShards(three));
    for (const m of ms) {
      expect(m.Properties).toMatchObject({
        BatchSize: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 34 }, // ⌈100 / 3⌉
      });
    }
    expect(
      serviceSpec({ workerMaxConcurrency: 100, trialQueueShards: 3 }).worker.maxConcurrencyPerShard,
    ).toBe(34);
    expect(serviceSpec({ workerMaxConcurrency: 2, trialQueueShards: 10 }).worker.maxConcurrencyPerShard).toBe(
      2,
    );
  });

  it('grants cover every shard and nothing more: all three functions send, only the worker consumes', () => {
    for (const s of [three, def]) {
      const shards = trialShards(s);
      const results = Object.keys(resources(s.template, 'AWS::SQS::Queue')).find((id) =>
        id.startsWith('ResultsQueue'),
      )!;
      expect(sqsAllowed(s, 'DispatcherFunction', 'sqs:SendMessage')).toEqual(shards);
      expect(sqsAllowed(s, 'AggregatorFunction', 'sqs:SendMessage')).toEqual(shards);
      expect(sqsAllowed(s, 'WorkerFunction', 'sqs:SendMessage')).toEqual([...shards, results].sort());
      for (const consume of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']) {
        expect(sqsAllowed(s, 'WorkerFunction', consume), consume).toEqual(shards);
        for (const fn of ['DispatcherFunction', 'AggregatorFunction'])
          for (const shard of shards)
            expect(sqsAllowed(s, fn, consume), `${fn} ${consume}`).not.toContain(shard);
      }
    }
  });

  it('every function gets TRIALS_QUEUE_URLS (all shards, shard 0 first) and the stack outputs TrialsQueueUrls', () => {
    const order = (v: unknown) =>
      flat(v)
        .split(',')
        .map((x) => strip(x.replace(/^<(.*)>$/, '$1')));
    for (const f of Object.values(resources(three.template, 'AWS::Lambda::Function'))) {
      const vars = (get(f, 'Environment') as { Variables: Record<string, unknown> }).Variables;
      expect(order(vars[ENV.trialsQueueUrls])).toEqual(['TrialsQueue', 'Trials1Queue', 'Trials2Queue']);
      expect(vars).not.toHaveProperty('TRIALS_QUEUE_URL');
    }
    const outputs = three.template.findOutputs('*');
    expect(order(outputs[STACK_OUTPUTS.trialsQueueUrls]?.Value)).toEqual([
      'TrialsQueue',
      'Trials1Queue',
      'Trials2Queue',
    ]);
  });

  it('trialQueueShards=1 gives the template shape of before the shards (same logical ids as shard 0)', () => {
    const queues = Object.keys(resources(one.template, 'AWS::SQS::Queue'));
    expect(queues).toHaveLength(6);
    expect(Object.values(resources(one.template, 'AWS::Lambda::EventSourceMapping'))).toHaveLength(4);
    const [m, ...rest] = workerMappings(one);
    expect(rest).toHaveLength(0);
    expect(m?.Properties?.ScalingConfig).toEqual({ MaximumConcurrency: 50 });
    // the 1-shard stack's resources are exactly the default stack's minus shards 1..3
    const ids = (s: Synth) => Object.keys(s.template.toJSON().Resources as Record<string, unknown>).sort();
    const extra = ids(def).filter((id) => !ids(one).includes(id));
    expect(ids(one).filter((id) => !ids(def).includes(id))).toEqual([]);
    expect(extra.length).toBeGreaterThan(0);
    for (const id of extra)
      expect(id, 'only shard 1..3 resources are added').toMatch(
        /^(Trials[123]Queue|WorkerFunction.*Trials[123]Queue)/,
      );
  });

  it('cdk-nag stays clean with 10 shards and with provisioned pollers over shards', () => {
    for (const props of [{ trialQueueShards: 10 }, { trialQueueShards: 5, workerMinPollers: 20 }]) {
      const s = synth(props);
      expect(trialShards(s)).toHaveLength(props.trialQueueShards);
      expect(new AwsSolutionsChecks(s.app).validateScope(s.app).violations).toEqual([]);
    }
  });

  it('rejects a shard count outside 1..10', () => {
    expect(() => serviceSpec({ trialQueueShards: 0 })).toThrow(
      /trialQueueShards must be an integer in 1\.\.10/,
    );
    expect(() => serviceSpec({ trialQueueShards: 11 })).toThrow(RangeError);
    expect(() => serviceSpec({ trialQueueShards: 2.5 })).toThrow(RangeError);
  });
});
