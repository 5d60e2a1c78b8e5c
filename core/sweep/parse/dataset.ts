/**
 * `dataset`: a data set's name (and version), as an id that can become a store key; and whether the net
 * fits it. A data set's shape (inputs per sample, classes) comes from one place, `datasetShape`: the built-in
 * table, or a prepared set's manifest (image size and classes, or its own `inputs`/`outputs` when it has
 * them).
 */
import { ID_RULE, isId, TRIAL_DEFAULTS } from '../../config.ts';
import type { ProblemList } from '../problems.ts';
import type { ParamSpec, Sweep } from '../types.ts';
import { describe, isRecord, suggest } from '../util.ts';
import { checkFields } from './read.ts';

export interface DatasetShape {
  /** Inputs per sample (an image's pixel count; a table's width after one-hot). */
  inputs: number;
  /** Classes (output units); 1 for a regression. */
  outputs: number;
  /** A table's task (absent: classification). */
  task?: 'classification' | 'regression';
  /** A table prepared from the user's file (absent: images). */
  table?: boolean;
}

const DIGITS: DatasetShape = { inputs: 28 * 28, outputs: 10 };
/** The data sets `sweep run` / `sweep data prepare` know by name (adapters/data/sources.ts), by shape. */
export const BUILTIN_DATASETS: Readonly<Record<string, DatasetShape>> = {
  mnist: DIGITS,
  'fashion-mnist': DIGITS,
  kmnist: DIGITS,
  qmnist: DIGITS,
  'mnist-mini': DIGITS,
};

/**
 * What to do about a data set that is not built in (nor, with `notIn`, prepared there): the built-in names,
 * a near one, and the two ways to prepare another. The one text `validate`, `run` and `data prepare` give.
 */
export function unknownDatasetText(name: string, opts: { version?: string; notIn?: string } = {}): string {
  const builtin = Object.keys(BUILTIN_DATASETS);
  const near = suggest(name, builtin);
  const version = opts.version ? ` version ${opts.version}` : '';
  return (
    `data set "${name}"${version} is not built in${near ? ` (did you mean "${near}"?)` : ''}` +
    `${opts.notIn ? ` and not prepared in ${opts.notIn}` : ''}: built in are ${builtin.join(', ')}; ` +
    `prepare another from its IDX files with "sweep data prepare --dataset ${name} --data-dir <dir>", ` +
    `or from a table with "sweep data prepare --dataset ${name} --from <file.csv|.parquet|.npy|.npz> --label <column>"`
  );
}

/** What a manifest says of a data set's shape. */
export interface ManifestShape {
  kind?: string;
  rows?: number;
  cols?: number;
  classes?: number;
  inputs?: number;
  outputs?: number;
  task?: 'classification' | 'regression';
}

/** A data set's shape: from its manifest when given, else the built-in table (undefined: unknown). */
export function datasetShape(name: string, manifest?: ManifestShape): DatasetShape | undefined {
  if (!manifest) return BUILTIN_DATASETS[name];
  const inputs =
    manifest.inputs ?? (manifest.rows && manifest.cols ? manifest.rows * manifest.cols : undefined);
  const outputs = manifest.outputs ?? manifest.classes;
  if (!inputs || !outputs) return undefined;
  return {
    inputs,
    outputs,
    ...(manifest.task === 'regression' ? { task: 'regression' as const } : {}),
    ...(manifest.kind === 'table' ? { table: true } : {}),
  };
}

export function parseDataset(p: ProblemList, raw: unknown): Sweep['dataset'] | undefined {
  const path = '$.dataset';
  if (raw === undefined) return { name: 'mnist' };
  const idCheck = (v: unknown, at: string): string | undefined => {
    if (isId(v)) return v;
    p.error(at, `expected an id: ${ID_RULE}`, 'id', describe(v));
    return undefined;
  };
  if (typeof raw === 'string') {
    const n = idCheck(raw, path);
    return n ? { name: n } : undefined;
  }
  if (!isRecord(raw)) {
    p.error(path, 'expected {"name": …, "version": …} or a name', 'object | string', describe(raw));
    return undefined;
  }
  checkFields(p, raw, path, ['name', 'version']);
  const name = idCheck(raw.name, `${path}.name`);
  const version = 'version' in raw ? idCheck(raw.version, `${path}.version`) : undefined;
  if (!name) return undefined;
  return version ? { name, version } : { name };
}

/**
 * The values a spec of a categorical key can give, with the path of each (`given` false: the key is not
 * swept and its default applies, at the parameter's path).
 */
export function valueChoices(
  key: keyof typeof TRIAL_DEFAULTS,
  spec: ParamSpec | undefined,
  path: string,
): { value: unknown; path: string; given: boolean }[] {
  if (!spec) return [{ value: TRIAL_DEFAULTS[key], path, given: false }];
  if (spec.distribution === 'constant') return [{ value: spec.value, path: `${path}.value`, given: true }];
  if (spec.distribution === 'categorical' || spec.distribution === 'categorical_w_probabilities')
    return spec.values.map((value, i) => ({ value, path: `${path}.values[${i}]`, given: true }));
  return [];
}

/** The `layers` values a spec can give, with the path of each (the default when `layers` is not swept). */
function layerChoices(spec: ParamSpec | undefined, path: string): { layers: number[]; path: string }[] {
  return valueChoices('layers', spec, path).map((c) => ({
    layers: [...(c.value as number[])],
    path: c.path,
  }));
}

/** Every net the sweep can build takes the data set's inputs and gives one output per class. */
export function checkNetFits(
  p: ProblemList,
  sweep: Pick<Sweep, 'parameters' | 'dataset'>,
  shape: DatasetShape,
  layersPath = '$.parameters.layers',
): void {
  const ds = sweep.dataset.name;
  const spec = sweep.parameters.layers;
  for (const { layers, path } of layerChoices(spec, layersPath)) {
    const inputs = layers[0]!;
    const outputs = layers[layers.length - 1]!;
    if (inputs === shape.inputs && outputs === shape.outputs) continue;
    const what = spec
      ? `layers ${layers.join('-')}`
      : `layers is not given, and its default ${layers.join('-')}`;
    const why = [
      inputs !== shape.inputs
        ? `the input layer has ${inputs} units but ${ds} has ${shape.inputs} inputs`
        : '',
      outputs !== shape.outputs
        ? `the output layer has ${outputs} units but ${ds} ${shape.task === 'regression' ? 'is a regression (1 output)' : `has ${shape.outputs} classes`}`
        : '',
    ]
      .filter(Boolean)
      .join(', and ');
    p.error(
      path,
      `${what} does not fit data set ${ds}: ${why}`,
      `${shape.inputs}-…-${shape.outputs}`,
      layers.join('-'),
    );
  }
}
