/** For the bundled end-to-end run (synth.test.ts): the stack's environment on LocalStack, and what a process really got. */
import { readFileSync } from 'node:fs';
import type { LocalstackResources } from '../../adapters/localstack/bootstrap.ts';

/**
 * A function's environment from the template, its CloudFormation references resolved to the LocalStack
 * resources made from the same spec: the bucket, and each queue (TrialsQueue is shard 0, Trials<i>Queue
 * shard i). A reference to anything else fails, so a new variable cannot slip through unresolved.
 */
export function resolveStackEnv(
  vars: Record<string, unknown>,
  res: LocalstackResources,
): Record<string, string> {
  const ref = (id: string): string => {
    const shard = /^Trials(\d*)Queue[0-9A-F]{8}$/.exec(id);
    if (shard) return res.shardUrls.trials[Number(shard[1] || 0)]!;
    if (/^DataBucket[0-9A-F]{8}$/.test(id)) return res.bucket;
    if (/^SubmissionsQueue[0-9A-F]{8}$/.test(id)) return res.queueUrls.submissions;
    if (/^ResultsQueue[0-9A-F]{8}$/.test(id)) return res.queueUrls.results;
    throw new Error(`the template's environment refers to ${id}, which this test cannot resolve`);
  };
  const value = (v: unknown): string => {
    if (typeof v === 'string') return v;
    const o = v as Record<string, unknown>;
    if (typeof o.Ref === 'string') return ref(o.Ref);
    if (Array.isArray(o['Fn::Join'])) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(value).join(sep);
    }
    throw new Error(`unexpected CloudFormation value ${JSON.stringify(v)}`);
  };
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, value(v)]));
}

/** A running process's command line and environment variable names (Linux /proc). */
export function processFacts(pid: number): { argv: string[]; envKeys: string[] } {
  const split = (file: string) => readFileSync(`/proc/${pid}/${file}`, 'utf8').split('\0').filter(Boolean);
  return { argv: split('cmdline'), envKeys: split('environ').map((kv) => kv.slice(0, kv.indexOf('='))) };
}
