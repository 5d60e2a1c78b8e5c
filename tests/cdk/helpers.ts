/** Shared synthesis for the stack tests: one App per settings, context from cdk.json, bundling skipped. */
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SweepStack, type SweepStackProps } from '../../cdk/sweep-stack.ts';

export const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  app: string;
  context: Record<string, unknown>;
};

export interface Synth {
  app: App;
  stack: SweepStack;
  template: Template;
}

/**
 * Builds the stack with the project's cdk.json context. Asset bundling is skipped here
 * (`aws:cdk:bundling-stacks: []`): these tests are about the template; the real esbuild bundles are
 * built and loaded by synth.test.ts.
 */
export function synth(props: SweepStackProps = {}, opts: { bundle?: boolean } = {}): Synth {
  const app = new App({
    context: { ...cdkJson.context, ...(opts.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
  const stack = new SweepStack(app, 'TestSweepStack', props);
  return { app, stack, template: Template.fromStack(stack) };
}

export type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

export function resources(t: Template, type: string): Resources {
  return t.findResources(type) as Resources;
}

/** One CloudFormation value as a readable string: `{Fn::GetAtt:[X,Arn]}` → `<X.Arn>`, joins flattened. */
export function flat(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(flat).join(',');
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('Ref' in o) return `<${String(o.Ref)}>`;
    if ('Fn::GetAtt' in o) return `<${(o['Fn::GetAtt'] as string[]).join('.')}>`;
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(flat).join(sep);
    }
  }
  return JSON.stringify(v);
}

export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: unknown;
  Condition?: unknown;
}

export const list = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

/** Every IAM statement attached to a role: its inline policies and the AWS::IAM::Policy resources on it. */
export function roleStatements(t: Template, roleLogicalId: string): Statement[] {
  const out: Statement[] = [];
  const role = resources(t, 'AWS::IAM::Role')[roleLogicalId];
  if (!role) throw new Error(`no role ${roleLogicalId}`);
  for (const p of list(role.Properties?.Policies as { PolicyDocument: { Statement: Statement[] } }[])) {
    out.push(...p.PolicyDocument.Statement);
  }
  for (const p of Object.values(resources(t, 'AWS::IAM::Policy'))) {
    const roles = list(get(p, 'Roles') as unknown[]).map(flat);
    if (roles.includes(`<${roleLogicalId}>`)) {
      out.push(...(get(p, 'PolicyDocument') as { Statement: Statement[] }).Statement);
    }
  }
  return out;
}

/** The logical id of the function whose id starts with `prefix` (e.g. `WorkerFunction`). */
export function functionId(t: Template, prefix: string): string {
  const ids = Object.keys(resources(t, 'AWS::Lambda::Function')).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1)
    throw new Error(`expected one function ${prefix}*, found ${ids.join(', ') || 'none'}`);
  return ids[0]!;
}

export function functionRoleId(t: Template, fnId: string): string {
  const fn = resources(t, 'AWS::Lambda::Function')[fnId]!;
  const role = fn.Properties?.Role as { 'Fn::GetAtt': [string, string] };
  return role['Fn::GetAtt'][0];
}

/** Allowed actions → the flattened resources they are allowed on. */
export function allowed(statements: Statement[]): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const s of statements) {
    if (s.Effect !== 'Allow') continue;
    for (const a of list(s.Action)) {
      const set = m.get(a) ?? new Set<string>();
      for (const r of list(s.Resource)) set.add(flat(r));
      m.set(a, set);
    }
  }
  return m;
}

/** A property of a resource (or of a Properties object); throws if absent. */
export function get(
  r: { Properties?: Record<string, unknown> } | Record<string, unknown> | undefined,
  name: string,
) {
  if (!r) throw new Error(`no resource to read ${name} from`);
  const p = ('Properties' in r && r.Properties ? r.Properties : r) as Record<string, unknown>;
  if (p[name] === undefined) throw new Error(`property ${name} missing`);
  return p[name];
}
