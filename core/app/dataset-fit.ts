/**
 * Whether a sweep's data set is there and its nets fit it, read from a store: the prepared version's
 * manifest gives the shape (`datasetShape`). Parsing checks the built-in data sets already (their shapes are
 * known); this is the check for a data set prepared from the user's own files, when the store is reachable.
 */
import type { Problem } from '../config.ts';
import { keys } from '../layout.ts';
import type { BlobStore } from '../ports.ts';
import {
  BUILTIN_DATASETS,
  checkNetFits,
  checkTaskFits,
  datasetShape,
  type ManifestShape,
  ProblemList,
  type Sweep,
  unknownDatasetText,
} from '../sweep/index.ts';
import { resolveDatasetVersion } from './datasets.ts';
import { getJson } from './json.ts';

/** The data set is not in the store: how to get it there (built in: prepare it; else from its files). */
export function notPreparedProblem(ds: Sweep['dataset'], where: string): Problem {
  const builtin = Object.keys(BUILTIN_DATASETS);
  const version = ds.version ? ` version ${ds.version}` : '';
  const message = builtin.includes(ds.name)
    ? `data set "${ds.name}"${version} is not prepared in ${where}; run "sweep data prepare --dataset ${ds.name}" for this backend first`
    : unknownDatasetText(ds.name, { ...(ds.version ? { version: ds.version } : {}), notIn: where });
  return {
    path: '$.dataset',
    message,
    expected: `${builtin.join(' | ')}, or a prepared data set`,
    found: `"${ds.name}"${version}`,
    severity: 'error',
  };
}

/**
 * Problems of the sweep's data set in `store` (none when it is prepared and every net fits it).
 * `where`: the store, for messages; `builtinsOnDemand`: a built-in data set may be missing (`run` and
 * `submit` prepare it first).
 */
export async function datasetProblems(
  store: BlobStore,
  sweep: Sweep,
  opts: { where?: string; builtinsOnDemand?: boolean } = {},
): Promise<Problem[]> {
  const version = await resolveDatasetVersion(store, sweep.dataset);
  if (!version && opts.builtinsOnDemand && sweep.dataset.name in BUILTIN_DATASETS) return [];
  if (!version) return [notPreparedProblem(sweep.dataset, opts.where ?? 'this store')];
  const manifest = await getJson<ManifestShape>(store, keys.manifest(sweep.dataset.name, version));
  const shape = manifest && datasetShape(sweep.dataset.name, manifest);
  if (!shape) return [];
  const p = new ProblemList();
  checkNetFits(p, sweep, shape);
  checkTaskFits(p, sweep, shape);
  return p.list;
}
