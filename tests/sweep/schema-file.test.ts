import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TRIAL_CONFIG_KEYS } from '../../core/config.ts';
import { sweepSchemaJson } from '../../core/sweep/json-schema.ts';
import { DISTRIBUTIONS } from '../../core/sweep/types.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('sweep.schema.json', () => {
  it('is committed up to date with the zod schema (regenerate: node --import tsx scripts/gen-sweep-schema.ts)', () => {
    expect(readFileSync(join(root, 'sweep.schema.json'), 'utf8')).toBe(sweepSchemaJson());
  });

  it('offers every trial key and every distribution for completion', () => {
    const s = JSON.parse(sweepSchemaJson()) as {
      properties: { parameters: { properties: Record<string, unknown> }; method: { enum: string[] } };
      $defs: Record<string, unknown>;
    };
    expect(Object.keys(s.properties.parameters.properties).sort()).toEqual([...TRIAL_CONFIG_KEYS].sort());
    for (const d of DISTRIBUTIONS) expect(s.$defs).toHaveProperty(`param_${d}`);
    expect(s.properties.method.enum).toEqual(['grid', 'random']);
  });
});
