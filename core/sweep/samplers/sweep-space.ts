/**
 * Production's search space: a point becomes a trial by validating it as a trial config (parseTrialConfig,
 * every key not in the point takes its default); the trial's id is the content hash of that config.
 */
import { canonicalJson, sha256Hex } from '../../canonical.ts';
import { parseTrialConfig, TRIAL_DEFAULTS, type TrialConfig, trialConfigSchema } from '../../config.ts';
import type { TrialSpec } from '../types.ts';
import type { CompiledParam, InvalidPoint, Point, SearchSpace } from './space.ts';

/** Content hash of a fully defaulted config: `t-` + 12 hex chars of sha256(canonical JSON, sorted keys). */
export function trialId(config: TrialConfig): string {
  return `t-${sha256Hex(canonicalJson(config)).slice(0, 12)}`;
}

/** The default trial config, as a record (what an unswept key or an inactive parameter takes). */
export function trialDefaults(): Readonly<Record<string, unknown>> {
  return TRIAL_DEFAULTS;
}

/** The trial a point stands for, or why it is not one (the first problem, with the key it names). */
export function trialOf(point: Point, index: number): TrialSpec | InvalidPoint {
  const r = parseTrialConfig(point);
  if (!r.ok) {
    const first = r.problems[0]!;
    const key = first.path.replace(/^\$\./, '').split(/[.[]/)[0];
    return { invalid: true, key, message: first.message };
  }
  return { trial_id: trialId(r.value), index, config: r.value };
}

const shape = trialConfigSchema.shape as Record<
  string,
  { safeParse(v: unknown): { success: boolean; data?: unknown } }
>;

/** Canonical JSON of a value in its trial-config form ("784-10" and [784, 10] are one value). */
function configValueKey(key: string, value: unknown): string {
  const r = shape[key]?.safeParse(value);
  return canonicalJson(r?.success ? r.data : value);
}

/** The space of a compiled sweep's parameters (`order` from compileParams). */
export function configSpace(order: readonly CompiledParam[]): SearchSpace<TrialSpec> {
  const dflt = trialDefaults();
  return { params: order, fallback: (k) => dflt[k], trial: trialOf, valueKey: configValueKey };
}
