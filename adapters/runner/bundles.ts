/**
 * The deployable artifacts, for the local runner (`--bundled`), the bundle tests and the bundle bench: the
 * three functions' assets exactly as `cdk synth` writes them (esbuild bundles, `index.mjs` + whatever else
 * the bundling puts beside it), found through the synthesized template, and copied whole into a directory
 * with no node_modules above it, so nothing but the asset can satisfy an import.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { DEFAULT_STACK_NAME } from '../../core/service-spec.ts';
import { FUNCTION_ROLES, type FunctionRole } from './container.ts';
import type { HandlerModules } from './handler-modules.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export class BundlesUnavailableError extends Error {
  override readonly name = 'BundlesUnavailableError';
}

/** One function of a synthesized stack: its asset directory and its environment as the template has it. */
export interface SynthesizedFunction {
  role: FunctionRole;
  logicalId: string;
  assetDir: string;
  /** Values are strings, or CloudFormation expressions (`{ Ref }`, `{ 'Fn::Join' }`) to resolve. */
  environment: Record<string, unknown>;
  runtime: string;
}

interface TemplateResource {
  Type: string;
  Metadata?: Record<string, unknown>;
  Properties?: { Environment?: { Variables?: Record<string, unknown> }; Runtime?: string };
}

/** `npx cdk synth` of this repository into `outDir` (offline: no credentials, no Docker). */
export async function synthesize(outDir: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    await promisify(execFile)('npx', ['cdk', 'synth', '--quiet', '--no-notices', '-o', outDir], {
      cwd: REPO_ROOT,
      env: { ...env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
      timeout: 600_000,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new BundlesUnavailableError(`cdk synth failed: ${(err.stderr || err.message).trim().slice(-2000)}`);
  }
}

/** The three functions of the synthesized stack in `cdkOut` (by their construct path: <stack>/<Role>/Function). */
export function synthesizedFunctions(cdkOut: string, stackName = DEFAULT_STACK_NAME): SynthesizedFunction[] {
  const file = join(cdkOut, `${stackName}.template.json`);
  if (!existsSync(file)) {
    throw new BundlesUnavailableError(`no ${file}: synthesize first (npx cdk synth -o ${cdkOut})`);
  }
  const template = JSON.parse(readFileSync(file, 'utf8')) as { Resources: Record<string, TemplateResource> };
  const found = Object.entries(template.Resources).flatMap(([logicalId, r]) => {
    if (r.Type !== 'AWS::Lambda::Function') return [];
    const path = String(r.Metadata?.['aws:cdk:path'] ?? '').split('/');
    const role = path[1]?.toLowerCase() as FunctionRole;
    const asset = r.Metadata?.['aws:asset:path'];
    if (!FUNCTION_ROLES.includes(role) || path[2] !== 'Function' || typeof asset !== 'string') return [];
    return [
      {
        role,
        logicalId,
        assetDir: join(cdkOut, asset),
        environment: r.Properties?.Environment?.Variables ?? {},
        runtime: String(r.Properties?.Runtime),
      },
    ];
  });
  const missing = FUNCTION_ROLES.filter((role) => !found.some((f) => f.role === role));
  if (missing.length > 0) {
    throw new BundlesUnavailableError(`${file} has no bundled function for ${missing.join(', ')}`);
  }
  return found;
}

/** True when `dir` or a directory above it holds node_modules. */
export function hasNodeModulesAbove(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, 'node_modules'))) return true;
    if (d === parse(d).root) return false;
  }
}

/**
 * Copies each function's whole asset directory to `<dest>/<role>/` (default: a fresh directory under the
 * system temp dir) and returns them as the runner's handler modules (`<role>/index.mjs`).
 */
export function isolateBundles(
  fns: readonly SynthesizedFunction[],
  dest: string = mkdtempSync(join(tmpdir(), 'sweep-bundles-')),
): HandlerModules {
  if (hasNodeModulesAbove(dest)) {
    throw new BundlesUnavailableError(
      `${dest} has node_modules above it: the bundles could import from there`,
    );
  }
  const urls = {} as Record<FunctionRole, string>;
  for (const f of fns) {
    const dir = join(dest, f.role);
    cpSync(f.assetDir, dir, { recursive: true });
    const entry = join(dir, 'index.mjs');
    if (!existsSync(entry)) throw new BundlesUnavailableError(`${f.assetDir} has no index.mjs`);
    urls[f.role] = pathToFileURL(entry).href;
  }
  return { kind: 'bundles', urls };
}

/** Bytes of every file under `dir`. */
export function directoryBytes(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .reduce((n, e) => n + statSync(join(e.parentPath, e.name)).size, 0);
}

/**
 * The bundles to run: those of an existing synth output (`cdkOut`), else a fresh `cdk synth` of this
 * checkout; either way copied whole to a directory of their own. `dispose` removes what this created.
 */
export async function prepareBundles(
  o: { cdkOut?: string; log?: (s: string) => void } = {},
): Promise<{ modules: HandlerModules; dispose: () => void }> {
  const created: string[] = [];
  const dispose = () => {
    for (const d of created) rmSync(d, { recursive: true, force: true });
  };
  try {
    let cdkOut = o.cdkOut;
    if (!cdkOut) {
      cdkOut = mkdtempSync(join(tmpdir(), 'sweep-synth-'));
      created.push(cdkOut);
      o.log?.(`synthesizing the stack (cdk synth) to bundle the handlers into ${cdkOut}…`);
      await synthesize(cdkOut);
    }
    const modules = isolateBundles(synthesizedFunctions(cdkOut));
    const dir = dirname(dirname(fileURLToPath(modules.urls.worker)));
    created.push(dir);
    o.log?.(`running the bundles of ${cdkOut}, copied to ${dir}`);
    return { modules, dispose };
  } catch (e) {
    dispose();
    throw e;
  }
}
