/**
 * Tabular HPO benchmarks (../shared/hpo-tables/README.md): a table file, its search space as our sweep
 * parameter specs, and the truth (mean over repetitions) of every configuration.
 *
 * The space converts as: a list of numbers → ordered `values` (TPE models it on its rank), anything else →
 * categorical `values`. A point's trial id is the table key: the concatenated index of each parameter's
 * value, in the order of `space`.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { canonicalJson } from '../../../core/canonical.ts';
import type { CompiledParam, Point, SearchSpace } from '../../../core/sweep/samplers/index.ts';

export interface TableFile {
  name: string;
  objective: { metric: string; goal: 'maximize' | 'minimize' };
  space: Record<string, unknown[]>;
  table: Record<string, Record<string, number[]>>;
}

export interface Table {
  name: string;
  goal: 'maximize' | 'minimize';
  metric: string;
  space: Record<string, unknown[]>;
  /** key → the metric of each repetition, and its runtime. */
  rows: Map<string, { values: number[]; times: number[]; truth: number }>;
  /** Best truth over all keys. */
  optimum: number;
}

export function loadTable(file: string): Table {
  const raw = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as TableFile;
  return tableOf(raw, file);
}

/** Checks a parsed table file and computes its truths; errors name the file and the field. */
export function tableOf(raw: TableFile, source = 'table'): Table {
  const { metric, goal } = raw.objective ?? {};
  if (typeof metric !== 'string' || (goal !== 'maximize' && goal !== 'minimize'))
    throw new Error(
      `${source}: $.objective must be {metric, goal: maximize|minimize}, found ${canonicalJson(raw.objective)}`,
    );
  const rows: Table['rows'] = new Map();
  let optimum = goal === 'maximize' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  for (const [key, row] of Object.entries(raw.table)) {
    const values = row[metric];
    const times = row.train_time;
    if (!values?.length || times?.length !== values.length)
      throw new Error(`${source}: $.table["${key}"] needs ${metric} and train_time arrays of one length`);
    const truth = values.reduce((a, b) => a + b, 0) / values.length;
    rows.set(key, { values, times, truth });
    optimum = goal === 'maximize' ? Math.max(optimum, truth) : Math.min(optimum, truth);
  }
  return { name: raw.name, goal, metric, space: raw.space, rows, optimum };
}

/** The table's space as our parameter specs: numeric lists ordered, the rest categorical. */
export function tableParams(t: Pick<Table, 'space'>): CompiledParam[] {
  return Object.entries(t.space).map(([key, values]) => ({
    key,
    spec: { distribution: 'categorical', values },
    path: `$.space.${key}`,
    when: [],
  }));
}

/** A configuration of a table: its key and its parameter values. */
export interface TableTrial {
  trial_id: string;
  params: Point;
}

/** The search space over a table: a point's trial id is its table key. */
export function tableSpace(t: Table): SearchSpace<TableTrial> {
  const params = tableParams(t);
  const index = params.map((p) => new Map(t.space[p.key]!.map((v, i) => [canonicalJson(v), i])));
  return {
    params,
    fallback: () => undefined,
    valueKey: (_k, v) => canonicalJson(v),
    trial: (point) => {
      let key = '';
      for (let i = 0; i < params.length; i++) {
        const at = index[i]!.get(canonicalJson(point[params[i]!.key]));
        if (at === undefined)
          return { invalid: true, key: params[i]!.key, message: 'not a value of the table' };
        key += String(at);
      }
      return t.rows.has(key)
        ? { trial_id: key, params: point }
        : { invalid: true, key: undefined, message: `no row ${key}` };
    },
  };
}
