/**
 * `npm run bench -- bundles [--json] [--cdk-out dir] [--runs 5]`
 *
 * What `cdk deploy` ships, per function: the bundle `cdk synth` writes (a fresh synth of this checkout, or
 * --cdk-out), its size (index.mjs, and the whole asset with its source map), what it is made of (bytes by
 * package, from an esbuild metafile built with the stack's own options: BUNDLE_OPTIONS), and its cold
 * import time — a fresh plain `node` process importing it from a directory with no node_modules above
 * (median of --runs). Peer, side by side in the same run: a fresh process importing the TypeScript source
 * through tsx (what the tests ran before). One JSON line per function with the ratio bundle / source.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import {
  directoryBytes,
  isolateBundles,
  synthesize,
  synthesizedFunctions,
} from '../../adapters/runner/bundles.ts';
import type { FunctionRole } from '../../adapters/runner/container.ts';
import { TSX_EXEC_ARGV } from '../../adapters/runner/ts-worker.ts';
import { BUNDLE_OPTIONS } from '../../cdk/constructs/sweep-function.ts';
import { SOURCE_HANDLERS } from '../../lambdas/modules.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function opt(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const r1 = (x: number) => Math.round(x * 10) / 10;

/** Median ms for a fresh `node` (with `execArgv`) to import the module at `url` and find its handler. */
export function coldImportMs(url: string, execArgv: readonly string[], runs: number, cwd: string): number {
  const probe =
    `const t = performance.now(); const m = await import(${JSON.stringify(url)});` +
    'if (typeof m.handler !== "function") throw new Error("no handler"); console.log(performance.now() - t);';
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const p = spawnSync(process.execPath, [...execArgv, '--input-type=module', '-e', probe], {
      cwd,
      encoding: 'utf8',
      // What a function has before its first event: a region, and no credentials needed to import.
      env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', POWERTOOLS_DEV: 'false' },
    });
    if (p.status !== 0) throw new Error(`import of ${url} failed: ${p.stderr}`);
    times.push(Number(p.stdout.trim().split('\n').at(-1)));
  }
  return median(times);
}

/** The family a package is counted in: the AWS SDK with its smithy runtime, vega with the d3 it brings. */
const family = (pkg: string) =>
  /^@(aws-sdk|smithy|aws-crypto)\//.test(pkg)
    ? 'aws-sdk'
    : /^(vega|d3-)/.test(pkg)
      ? 'vega+d3'
      : pkg.startsWith('@aws-lambda-powertools/')
        ? 'powertools'
        : pkg;

/** Bytes in the bundle by package family (node_modules/<pkg>, `ours` for the repository's code), largest first. */
async function composition(role: FunctionRole): Promise<[string, number][]> {
  const out = await build({
    ...BUNDLE_OPTIONS,
    mainFields: [...BUNDLE_OPTIONS.mainFields],
    banner: { js: BUNDLE_OPTIONS.banner },
    entryPoints: [join(ROOT, 'lambdas', `${role}.ts`)],
    bundle: true,
    write: false,
    metafile: true,
    outfile: join(tmpdir(), `${role}.mjs`),
    logLevel: 'error',
  });
  const byPackage = new Map<string, number>();
  for (const o of Object.values(out.metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(o.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const pkg = m ? family(m[1]!) : 'ours';
      byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytesInOutput);
    }
  }
  return [...byPackage].sort((a, b) => b[1] - a[1]);
}

export default async function main(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const runs = Number(opt(args, 'runs') ?? 5);
  const given = opt(args, 'cdk-out');
  const work = mkdtempSync(join(tmpdir(), 'bench-bundles-'));
  try {
    let cdkOut = given;
    let synthS: number | undefined;
    if (!cdkOut) {
      cdkOut = join(work, 'cdk.out');
      const t = performance.now();
      await synthesize(cdkOut);
      synthS = (performance.now() - t) / 1000;
    }
    const fns = synthesizedFunctions(cdkOut);
    const modules = isolateBundles(fns, join(work, 'bundles'));
    const load = loadavg()[0]!;
    for (const f of fns) {
      const url = modules.urls[f.role];
      const dir = dirname(fileURLToPath(url));
      const bundleMs = coldImportMs(url, [], runs, dir);
      const sourceMs = coldImportMs(SOURCE_HANDLERS.urls[f.role], TSX_EXEC_ARGV, runs, ROOT);
      const parts = await composition(f.role);
      const total = parts.reduce((n, [, b]) => n + b, 0);
      const line = {
        suite: 'bundles',
        function: f.role,
        index_mjs_bytes: statSync(fileURLToPath(url)).size,
        asset_bytes: directoryBytes(dir),
        top_packages: parts.slice(0, 4).map(([pkg, b]) => ({ pkg, bytes: b, share: r1((100 * b) / total) })),
        cold_import_ms: r1(bundleMs),
        peer_sources_tsx_cold_import_ms: r1(sourceMs),
        ratio_bundle_over_sources: Math.round((bundleMs / sourceMs) * 100) / 100,
        runs,
        node: process.version,
        ...(synthS !== undefined ? { synth_s: r1(synthS) } : { cdk_out: cdkOut }),
        cpus: cpus().length,
        load1: Math.round(load * 100) / 100,
      };
      if (json) console.log(JSON.stringify(line));
      else {
        const mix = line.top_packages.map((p) => `${p.pkg} ${p.share} %`).join(', ');
        console.log(
          `${f.role}: index.mjs ${(line.index_mjs_bytes / 1e6).toFixed(2)} MB (${mix}); cold import ${line.cold_import_ms} ms, sources via tsx ${line.peer_sources_tsx_cold_import_ms} ms (×${line.ratio_bundle_over_sources})`,
        );
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
