/** `dataset`: a prepared data set's name (and version), as an id that can become a store key. */
import { ID_RULE, isId } from '../../config.ts';
import type { ProblemList } from '../problems.ts';
import type { Sweep } from '../types.ts';
import { describe, isRecord } from '../util.ts';
import { checkFields } from './read.ts';

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
