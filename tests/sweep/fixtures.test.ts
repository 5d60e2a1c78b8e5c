import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  expandTrials,
  parseSweep,
  parseSweepObject,
  problemLine,
  sweepFileSchema,
} from '../../core/sweep/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const BAD = join(here, '..', 'fixtures', 'bad-sweeps');
const GOOD = join(here, '..', 'fixtures', 'good-sweeps');
/** Per bad file: the path its error must name, or that path and the exact line `sweep validate` prints. */
const expected = JSON.parse(readFileSync(join(BAD, 'expected.json'), 'utf8')) as Record<
  string,
  string | { path: string; line: string }
>;
const pathOf = (e: string | { path: string }) => (typeof e === 'string' ? e : e.path);
const badFiles = readdirSync(BAD)
  .filter((f) => f !== 'expected.json')
  .sort();
const goodFiles = readdirSync(GOOD)
  .filter((f) => f !== 'expected.json')
  .sort();
/** Per good file: warnings and notices it must give, exactly as `sweep validate` prints them. */
const told = JSON.parse(readFileSync(join(GOOD, 'expected.json'), 'utf8')) as Record<string, string[]>;

describe('bad sweep corpus', () => {
  it('has at least 60 files, each paired with the path its error must name', () => {
    expect(badFiles.length).toBeGreaterThanOrEqual(60);
    expect(Object.keys(expected).sort()).toEqual(badFiles);
  });

  it.each(badFiles)('%s is rejected, naming its path', (f) => {
    const r = parseSweep(readFileSync(join(BAD, f), 'utf8'), { filename: f });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const errors = r.problems.filter((p) => p.severity === 'error');
    const want = expected[f]!;
    expect(errors.map((p) => p.path)).toContain(pathOf(want));
    if (typeof want === 'object') expect(errors.map(problemLine)).toContain(want.line);
    for (const p of errors) {
      expect(p.message.length).toBeGreaterThan(0);
      expect(p.expected, `${p.path} says what was expected`).toBeTruthy();
      expect(p.found, `${p.path} says what was found`).toBeTruthy();
    }
  });
});

describe('good sweep corpus', () => {
  it('covers ours (JSON + YAML) and W&B (JSON + YAML)', () => {
    const formats = goodFiles.map((f) => {
      const r = parseSweep(readFileSync(join(GOOD, f), 'utf8'), { filename: f });
      return r.ok ? `${r.value.source_format}:${f.endsWith('.json') ? 'json' : 'yaml'}` : 'invalid';
    });
    for (const want of ['native:json', 'native:yaml', 'wandb:json', 'wandb:yaml'])
      expect(formats).toContain(want);
  });

  it.each(goodFiles)(
    '%s parses, expands, and its normalised form re-parses to the same sweep and trials',
    (f) => {
      const r = parseSweep(readFileSync(join(GOOD, f), 'utf8'), { filename: f });
      if (!r.ok) throw new Error(r.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
      const trials = expandTrials(r.value);
      expect(trials.length).toBeGreaterThan(0);
      const again = parseSweepObject(JSON.parse(JSON.stringify(r.value)));
      if (!again.ok) throw new Error(again.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
      expect(again.value).toEqual(r.value);
      expect(expandTrials(again.value).map((t) => t.trial_id)).toEqual(trials.map((t) => t.trial_id));
    },
  );

  it.each(Object.keys(told))('%s tells the user what it read, exactly', (f) => {
    const r = parseSweep(readFileSync(join(GOOD, f), 'utf8'), { filename: f });
    if (!r.ok) throw new Error(r.problems.map(problemLine).join('\n'));
    const lines = r.warnings.map(problemLine);
    for (const line of told[f]!) expect(lines).toContain(line);
  });

  it('native JSON fixtures also satisfy the published zod schema (schema and parser agree)', () => {
    for (const f of goodFiles.filter((x) => x.startsWith('native') && x.endsWith('.json'))) {
      const obj = JSON.parse(readFileSync(join(GOOD, f), 'utf8')) as unknown;
      const r = sweepFileSchema.safeParse(obj);
      expect(r.success, `${f}: ${r.success ? '' : r.error.message}`).toBe(true);
    }
  });
});
