/** The JSON Schema of our sweep file, generated from the zod schema (`z.toJSONSchema`). */
import { z } from 'zod';
import { sweepFileSchema } from './schema.ts';

export function sweepSchemaJson(): string {
  const schema = z.toJSONSchema(sweepFileSchema, {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return `${JSON.stringify({ ...schema, $id: 'https://github.com/mlp-sweep/sweep.schema.json', title: 'Sweep file' }, null, 2)}\n`;
}
