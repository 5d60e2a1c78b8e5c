/**
 * One Node.js major everywhere: the Lambda runtime of the three functions, the bundles' esbuild target,
 * package.json engines, .nvmrc (which .ci/run provisions), and @types/node — and it is the newest Node.js
 * runtime that the installed aws-cdk-lib offers for Lambda.
 */
import { readFileSync } from 'node:fs';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { BUNDLE_TARGET, NODE_MAJOR, NODE_RUNTIME } from '../../cdk/constructs/sweep-function.ts';
import { resources, synth } from './helpers.ts';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};

describe('one Node.js major', () => {
  it('.nvmrc, engines, @types/node, the runtime and the esbuild target name the same major', () => {
    const major = Number(read('.nvmrc').trim());
    expect(major).toBe(NODE_MAJOR);
    expect(pkg.engines.node).toBe(`${major}.x`);
    expect(pkg.devDependencies['@types/node']).toMatch(new RegExp(`^\\^${major}\\.`));
    expect(NODE_RUNTIME.name).toBe(`nodejs${major}.x`);
    expect(BUNDLE_TARGET).toBe(`node${major}`);
  });

  it('every function of the synthesized stack runs on that runtime', () => {
    const fns = Object.values(resources(synth().template, 'AWS::Lambda::Function'));
    expect(fns).toHaveLength(3);
    for (const f of fns) expect(f.Properties?.Runtime).toBe(NODE_RUNTIME.name);
  });

  it('it is the newest Node.js runtime aws-cdk-lib offers for Lambda', () => {
    const majors = Object.keys(Runtime)
      .map((k) => /^NODEJS_(\d+)_X$/.exec(k)?.[1])
      .filter((m): m is string => m !== undefined)
      .map(Number);
    expect(Math.max(...majors)).toBe(NODE_MAJOR);
  });

  it('.ci/run provisions the major of .nvmrc', () => {
    const ci = read('.ci/run');
    expect(ci).toContain('<.nvmrc');
    expect(ci).toMatch(/npm pack --silent "node-linux-\$\{node_arch\}@\$\{node_major\}"/);
  });
});
