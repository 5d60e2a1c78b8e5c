/** A sweep given as a parsed JSON/YAML value → the normalised `Sweep`, every problem reported at once. */
import type { Parsed } from '../../config.ts';
import { ProblemList } from '../problems.ts';
import { DEFAULT_RANDOM_TRIALS, GRID_DISTRIBUTIONS } from '../schema.ts';
import type { Sweep } from '../types.ts';
import { describe, isRecord } from '../util.ts';
import { type Budgets, parseBudgets, parsePrice } from './budgets.ts';
import { checkNetFits, datasetShape, parseDataset } from './dataset.ts';
import { parseEarlyTerminate } from './early-terminate.ts';
import { checkExpansion } from './expansion.ts';
import { parseMetric } from './metric.ts';
import { parseParameters } from './parameters.ts';
import { didYouMean, readEnum, readNumber } from './read.ts';
import { checkTaskFits } from './task.ts';
import { WANDB_IGNORED, WANDB_ONLY } from './wandb.ts';

export interface ParseOptions {
  /** The file's name: the default sweep name, and JSON vs YAML. */
  filename?: string;
  /** JSON paths of the numbers written as floats (`1.0`), from the source text (source.ts). */
  floats?: ReadonlySet<string>;
  /**
   * Check the nets against a built-in data set's shape (default true). Off where a stored sweep is read
   * back: one stored before the check existed still loads, and its misfit trials fail one by one.
   */
  checkNetFit?: boolean;
}

const NATIVE_KEYS = [
  '$schema',
  'name',
  'dataset',
  'metric',
  'method',
  'seed',
  'parameters',
  'max_trials',
  'max_concurrency',
  'max_cost_usd',
  'max_minutes',
  'early_terminate',
  'price',
  'source_format',
] as const;

function formatOf(p: ProblemList, obj: Record<string, unknown>): Sweep['source_format'] {
  const explicit = obj.source_format;
  if (explicit === 'native' || explicit === 'wandb') return explicit;
  if (explicit !== undefined) readEnum(p, explicit, '$.source_format', ['native', 'wandb'] as const);
  return Object.keys(obj).some((k) => WANDB_ONLY.includes(k)) || obj.method === 'bayes' ? 'wandb' : 'native';
}

/** A whole sweep under one key (`sweep: {method: …, parameters: …}`): true when reported. */
function nestedSweep(p: ProblemList, obj: Record<string, unknown>): boolean {
  if ('method' in obj || 'parameters' in obj) return false;
  const wrapper = Object.entries(obj).find(([, v]) => isRecord(v) && ('method' in v || 'parameters' in v));
  if (!wrapper) return false;
  const [k, v] = wrapper as [string, Record<string, unknown>];
  p.error(
    `$.${k}`,
    `the sweep config seems nested under "${k}:": move its keys (${Object.keys(v).join(', ')}) to the top level`,
    'method, parameters, … at the top level',
    `them under "${k}"`,
  );
  return true;
}

/** Unknown top-level keys are errors; W&B's keys that do not apply here are warned about. */
function checkTopKeys(p: ProblemList, obj: Record<string, unknown>): void {
  const known = [...NATIVE_KEYS, ...WANDB_ONLY];
  for (const k of Object.keys(obj)) {
    if ((NATIVE_KEYS as readonly string[]).includes(k) || k === 'run_cap') continue;
    if ((WANDB_IGNORED as readonly string[]).includes(k)) p.warn(`$.${k}`, `W&B key "${k}" is ignored here`);
    else
      p.error(
        `$.${k}`,
        `unknown key "${k}"${didYouMean(k, known)}`,
        NATIVE_KEYS.filter((x) => x !== '$schema').join(' | '),
        `"${k}"`,
      );
  }
}

function parseName(p: ProblemList, obj: Record<string, unknown>, filename: string | undefined): string {
  const fromFile = filename
    ? (filename.split(/[\\/]/).pop() ?? 'sweep').replace(/\.(json|ya?ml)$/i, '')
    : 'sweep';
  if (!('name' in obj)) return fromFile;
  if (typeof obj.name === 'string' && obj.name.length > 0 && obj.name.length <= 200) return obj.name;
  p.error('$.name', 'expected a non-empty string of at most 200 characters', 'string', describe(obj.name));
  return fromFile;
}

function parseMethod(p: ProblemList, obj: Record<string, unknown>): Sweep['method'] | undefined {
  if (!('method' in obj)) {
    p.error('$.method', 'method is required', 'grid | random', 'nothing');
    return undefined;
  }
  if (obj.method === 'bayes') {
    p.warn('$.method', 'W&B "bayes" is not implemented here: running random search over the same space');
    return 'random';
  }
  return readEnum(p, obj.method, '$.method', ['grid', 'random'] as const);
}

/** A grid needs discrete parameters; a random search without a number of trials runs the default number. */
function checkMethod(
  p: ProblemList,
  method: Sweep['method'] | undefined,
  parameters: Sweep['parameters'],
  paths: Record<string, string>,
  budgets: Budgets,
  obj: Record<string, unknown>,
): void {
  if (method === 'grid') {
    for (const [k, s] of Object.entries(parameters)) {
      if (GRID_DISTRIBUTIONS.has(s.distribution)) continue;
      p.error(
        `${paths[k]}.distribution`,
        'grid search needs discrete parameters',
        'value | values | int_uniform | q_uniform',
        `distribution ${s.distribution}`,
      );
    }
  } else if (method === 'random' && !('max_trials' in obj) && !('run_cap' in obj)) {
    budgets.max_trials = DEFAULT_RANDOM_TRIALS;
    p.notice(
      '$.max_trials',
      `no max_trials (W&B: run_cap): this ${obj.method} search runs the default ${DEFAULT_RANDOM_TRIALS} trials; set max_trials in the file, or pass --max-trials N`,
    );
  }
}

/** Validate (and normalise) a sweep given as a parsed JSON/YAML value. */
export function parseSweepObject(obj: unknown, opts: ParseOptions = {}): Parsed<Sweep> {
  const p = new ProblemList();
  if (!isRecord(obj)) {
    p.error('$', 'expected a sweep object at the top level', 'object', describe(obj));
    return { ok: false, problems: p.list };
  }
  if (nestedSweep(p, obj)) return { ok: false, problems: p.list };
  const format = formatOf(p, obj);
  checkTopKeys(p, obj);
  const name = parseName(p, obj, opts.filename);
  const dataset = parseDataset(p, obj.dataset);
  const metric = parseMetric(p, obj.metric, format);
  const method = parseMethod(p, obj);
  const seed = 'seed' in obj ? readNumber(p, obj.seed, '$.seed', { int: true, min: 0, max: 2 ** 32 - 1 }) : 0;
  const budgets = parseBudgets(p, obj);
  const early = 'early_terminate' in obj ? parseEarlyTerminate(p, obj.early_terminate) : undefined;
  const price = 'price' in obj ? parsePrice(p, obj.price) : undefined;
  const { parameters, paths, written } = parseParameters(p, obj, opts.floats ?? new Set());
  checkMethod(p, method, parameters, paths, budgets, obj);
  const shape = dataset && datasetShape(dataset.name);
  if (shape && opts.checkNetFit !== false && (parameters.layers || !written.has('layers')))
    checkNetFits(p, { parameters, dataset }, shape, paths.layers);
  if (shape && metric && opts.checkNetFit !== false && (parameters.loss || !written.has('loss')))
    checkTaskFits(p, { parameters, dataset, metric }, shape, paths);
  if (early && metric?.name === 'test_accuracy')
    p.warn('$.early_terminate', 'test accuracy exists only at the end: rungs compare val_accuracy');

  if (p.errorCount > 0 || !dataset || !metric || !method || seed === undefined)
    return { ok: false, problems: p.list };
  const sweep: Sweep = { name, dataset, metric, method, seed, parameters, source_format: format, ...budgets };
  if (early) sweep.early_terminate = early;
  if (price) sweep.price = price;
  if (!checkExpansion(p, sweep, paths)) return { ok: false, problems: p.list };
  return { ok: true, value: sweep, warnings: p.list };
}
