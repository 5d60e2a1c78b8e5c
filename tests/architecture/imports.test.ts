/**
 * The import graph looks inward only: core ← adapters ← lambdas ← cli, with cdk/ beside them (it reads
 * core's service spec and bundles lambdas/ by path, but nothing at run time imports cdk/). Every import of
 * every source file counts, type-only ones included: `from '…'` (import, import type, export … from) and
 * `import('…')` with a literal path.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUNTIME = ['core', 'adapters', 'lambdas', 'cli', 'bin'];

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|mts|mjs|js)$/.test(e.name) && !e.name.endsWith('.d.mts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** The specifiers a file imports: relative ones resolved to repository paths, packages as written. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [
    ...text.matchAll(/\bfrom\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)|^import\s+'([^']+)'/gm),
  ].map((m) => (m[1] ?? m[2] ?? m[3])!);
  return specs.map((s) => (s.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), s)) : s));
}

interface Edge {
  from: string;
  to: string;
}

const edges: Edge[] = [...RUNTIME, 'cdk', 'scripts'].flatMap((dir) =>
  sources(dir).flatMap((from) => importsOf(from).map((to) => ({ from, to }))),
);
const top = (path: string) => path.split('/')[0]!;
const violations = (fromDirs: string[], bad: (to: string) => boolean) =>
  edges.filter((e) => fromDirs.includes(top(e.from)) && bad(e.to)).map((e) => `${e.from} → ${e.to}`);

describe('the import graph', () => {
  it('is read from the sources (the scanner sees known edges, type-only ones included)', () => {
    const has = (from: string, to: string) => edges.some((e) => e.from === from && e.to === to);
    expect(has('lambdas/runtime.ts', 'adapters/aws/env.ts')).toBe(true);
    expect(has('lambdas/modules.ts', 'adapters/runner/handler-modules.ts')).toBe(true); // import type
    expect(has('cdk/sweep-stack.ts', 'core/service-spec.ts')).toBe(true);
    expect(has('adapters/runner/host.mjs', 'adapters/runner/lambda-context.mjs')).toBe(true);
    expect(edges.length).toBeGreaterThan(300);
  });

  it('core imports only core, and nothing from AWS, node:fs or the CLI', () => {
    const aws = /^(@aws-sdk\/|@aws-lambda-powertools\/|aws-lambda$|aws-cdk-lib|constructs$|cdk-nag$)/;
    expect(
      violations(
        ['core'],
        (to) => (to.includes('/') && RUNTIME.includes(top(to)) && top(to) !== 'core') || aws.test(to),
      ),
    ).toEqual([]);
    expect(violations(['core'], (to) => /^node:fs(\/|$)|^fs$|^commander$/.test(to))).toEqual([]);
  });

  it('adapters do not import lambdas, the CLI or cdk', () => {
    expect(violations(['adapters'], (to) => ['lambdas', 'cli', 'cdk', 'scripts'].includes(top(to)))).toEqual(
      [],
    );
  });

  it('lambdas do not import the CLI or cdk', () => {
    expect(violations(['lambdas'], (to) => ['cli', 'cdk', 'scripts'].includes(top(to)))).toEqual([]);
  });

  it('no runtime code imports cdk/ or the CDK libraries', () => {
    expect(
      violations(RUNTIME, (to) => top(to) === 'cdk' || /^(aws-cdk-lib|constructs$|cdk-nag$)/.test(to)),
    ).toEqual([]);
  });
});
