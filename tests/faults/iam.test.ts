/**
 * Least privilege (issue 6), on top of tests/cdk/stack.test.ts: what the three function roles can NOT do.
 * Each role touches only the one sweep bucket (not the access-log bucket, not any other), never deletes or
 * changes ACLs/policies, never writes data sets, consumes only the queues its event sources read, sends
 * only where the service logic sends, manages no queue, assumes nothing, logs only to its own group.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { serviceSpec } from '../../core/service-spec.ts';
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
} from '../cdk/helpers.ts';

let s: Synth;
let bucket: string;
let logBucket: string;
beforeAll(() => {
  s = synth();
  const buckets = Object.keys(resources(s.template, 'AWS::S3::Bucket'));
  bucket = buckets.find((b) => b.startsWith('DataBucket'))!;
  logBucket = buckets.find((b) => b !== bucket)!;
});

const FUNCTIONS = ['DispatcherFunction', 'WorkerFunction', 'AggregatorFunction'] as const;
type Fn = (typeof FUNCTIONS)[number];

function roleOf(fn: Fn): { roleId: string; statements: Statement[]; allow: Map<string, Set<string>> } {
  const t = s.template;
  const roleId = functionRoleId(t, functionId(t, fn));
  const statements = roleStatements(t, roleId);
  return { roleId, statements, allow: allowed(statements) };
}

/** `<TrialsQueue0F2D08DB.Arn>` → `TrialsQueue`. */
const queueName = (r: string) => r.replace(/^<(.*?)[A-F0-9]{8}\.Arn>$/, '$1');

/** The queues a function's event source mappings read. */
function sourceQueues(fn: Fn): string[] {
  const id = functionId(s.template, fn);
  return Object.values(resources(s.template, 'AWS::Lambda::EventSourceMapping'))
    .filter((m) => flat(m.Properties?.FunctionName) === `<${id}>`)
    .map((m) => queueName(flat(m.Properties?.EventSourceArn)))
    .sort();
}

/** Every trial queue shard of the default stack (core/service-spec.ts): `TrialsQueue`, `Trials1Queue`, … */
const TRIAL_SHARDS = Array.from({ length: serviceSpec().worker.queueShards }, (_, i) =>
  i === 0 ? 'TrialsQueue' : `Trials${i}Queue`,
);
const SENDS: Record<Fn, string[]> = {
  DispatcherFunction: [...TRIAL_SHARDS].sort(),
  WorkerFunction: ['ResultsQueue', ...TRIAL_SHARDS].sort(), // results + continuations
  AggregatorFunction: [...TRIAL_SHARDS].sort(), // max_concurrency top-ups
};

describe('least privilege of the function roles (what they cannot do)', () => {
  it.each(FUNCTIONS)('%s: S3 only on the sweep bucket, never on the access-log bucket or any other', (fn) => {
    const { allow } = roleOf(fn);
    const s3 = [...allow].filter(([a]) => a.startsWith('s3:'));
    expect(s3.length).toBeGreaterThan(0);
    for (const [action, rs] of s3) {
      for (const r of rs) {
        expect(r, `${fn} ${action}`).toMatch(new RegExp(`^<${bucket}\\.Arn>(/(sweeps|datasets)/.*)?$`));
        expect(r).not.toContain(logBucket);
        expect(r).not.toMatch(/^arn:aws:s3:::\*|^\*$/);
      }
    }
  });

  it.each(FUNCTIONS)('%s: cannot delete objects, change ACLs/policies/versions, or write data sets', (fn) => {
    const { allow } = roleOf(fn);
    const s3Actions = [...allow.keys()].filter((a) => a.startsWith('s3:')).sort();
    expect(
      s3Actions.every((a) =>
        ['s3:GetObject', 's3:ListBucket', 's3:PutObject', 's3:PutObjectTagging'].includes(a),
      ),
    ).toBe(true);
    for (const a of [...allow.keys()].filter((x) => x.startsWith('s3:')))
      expect(a).not.toMatch(/Delete|Acl|Policy|Version|Restore|Replicat|Lifecycle/);
    for (const a of ['s3:PutObject', 's3:PutObjectTagging'])
      for (const r of allow.get(a) ?? []) expect(r, `${fn} ${a}`).toBe(`<${bucket}.Arn>/sweeps/*`);
  });

  it.each(FUNCTIONS)(
    '%s: consumes only the queues its event sources read; sends only where it must',
    (fn) => {
      const { allow } = roleOf(fn);
      const sources = sourceQueues(fn);
      expect(sources.length).toBeGreaterThan(0);
      for (const a of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']) {
        expect([...(allow.get(a) ?? [])].map(queueName).sort(), `${fn} ${a}`).toEqual(sources);
      }
      const sends = [...(allow.get('sqs:SendMessage') ?? [])].map(queueName).sort();
      expect(sends).toEqual(SENDS[fn]);
      expect(sends.some((q) => /Submissions|Dlq/.test(q))).toBe(false); // only users submit; only SQS dead-letters
    },
  );

  it.each(FUNCTIONS)(
    '%s: manages no queue, assumes no role, calls no other service, logs only to its own group',
    (fn) => {
      const { allow, roleId } = roleOf(fn);
      for (const a of allow.keys()) {
        expect(a).toMatch(/^(s3|sqs|logs|xray):/);
        expect(a).not.toMatch(/^sqs:(Purge|DeleteQueue|Create|Set|Add|Remove|Tag|Untag)/);
        expect(a).not.toMatch(/^logs:(Create|Delete|Put)(LogGroup|RetentionPolicy|ResourcePolicy)/);
      }
      const logGroups = new Set(
        [...allow].filter(([a]) => a.startsWith('logs:')).flatMap(([, rs]) => [...rs]),
      );
      expect(logGroups.size).toBe(1);
      expect([...logGroups][0]).toMatch(new RegExp(`^<${fn.replace('Function', '')}Logs[A-F0-9]{8}\\.Arn>`));
      const role = resources(s.template, 'AWS::IAM::Role')[roleId]!;
      const trust = (get(role, 'AssumeRolePolicyDocument') as { Statement: Statement[] }).Statement;
      expect(trust.map((st) => JSON.stringify((st as unknown as { Principal: unknown }).Principal))).toEqual([
        JSON.stringify({ Service: 'lambda.amazonaws.com' }),
      ]);
    },
  );

  it('with the defaults (X-Ray off) no role statement is on Resource "*"; all are Allow', () => {
    for (const fn of FUNCTIONS) {
      for (const st of roleOf(fn).statements) {
        expect(st.Effect).toBe('Allow');
        for (const r of list(st.Resource)) expect(flat(r), JSON.stringify(st)).not.toBe('*');
      }
    }
  });
});
