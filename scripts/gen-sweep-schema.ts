/**
 * Generates sweep.schema.json (editor completion for sweep files) from the zod schema of core/sweep.
 *   node --import tsx scripts/gen-sweep-schema.ts           writes sweep.schema.json
 *   node --import tsx scripts/gen-sweep-schema.ts --check   exits 1 if the committed file is stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sweepSchemaJson } from '../core/sweep/json-schema.ts';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'sweep.schema.json');
const text = sweepSchemaJson();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(out, 'utf8');
  } catch {}
  if (current !== text) {
    console.error('sweep.schema.json is stale: run node --import tsx scripts/gen-sweep-schema.ts');
    process.exitCode = 1;
  }
} else {
  writeFileSync(out, text);
  console.log(`wrote ${out}`);
}
