/**
 * A sweep file's text → a JSON value: JSON or YAML (by extension, else sniffed), syntax errors at line:col;
 * and which numbers were written as floats (`1.0`, `1e-3`), which W&B's inference tells from integers.
 */
import YAML, { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { Problem } from '../../config.ts';
import { jsonErrorPosition } from '../util.ts';

function positionToLineCol(text: string, pos: number): { line: number; col: number } {
  let line = 1;
  let col = 1;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      col = 1;
    } else col++;
  }
  return { line, col };
}

const lineText = (text: string, line: number) =>
  `line ${line}: ${JSON.stringify((text.split('\n')[line - 1] ?? '').trim().slice(0, 60))}`;

function readJson(text: string): { ok: true; value: unknown } | { ok: false; problems: Problem[] } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    const msg = (e as Error).message.replace(/\s+/g, ' ');
    const m = /position (\d+)/.exec(msg);
    // V8 does not always give a position: then our own scan locates it.
    const pos = m ? Number(m[1]) : jsonErrorPosition(text);
    const where = pos !== undefined ? positionToLineCol(text, pos) : undefined;
    return {
      ok: false,
      problems: [
        {
          path: '$',
          message: `JSON syntax error${where ? ` at line ${where.line}, column ${where.col}` : ''}: ${msg.replace(/ in JSON at position \d+.*$/, '')}`,
          expected: 'valid JSON',
          found: where ? lineText(text, where.line) : 'invalid JSON',
          severity: 'error',
        },
      ],
    };
  }
}

function readYaml(text: string): { ok: true; value: unknown } | { ok: false; problems: Problem[] } {
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length === 0) return { ok: true, value: doc.toJS() };
  return {
    ok: false,
    problems: doc.errors.map((err) => {
      const lp = err.linePos?.[0];
      return {
        path: '$',
        message: `YAML syntax error${lp ? ` at line ${lp.line}, column ${lp.col}` : ''}: ${err.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`,
        expected: 'valid YAML',
        found: lp ? lineText(text, lp.line) : 'invalid YAML',
        severity: 'error' as const,
      };
    }),
  };
}

/** Whether a file is read as JSON: by its extension, else when its text starts with `{`. */
export function isJsonSource(text: string, filename: string | undefined): boolean {
  const ext = filename?.toLowerCase().match(/\.(json|ya?ml)$/)?.[1];
  return ext ? ext === 'json' : /^\s*\{/.test(text);
}

/** A number literal with a decimal point or an exponent: a float to Python's YAML and JSON readers. */
const FLOAT_LITERAL = /[.eE]/;

function collectFloats(node: unknown, path: string, out: Set<string>): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      collectFloats(pair.value, `${path}.${key}`, out);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      collectFloats(item, `${path}[${i}]`, out);
    });
  } else if (isScalar(node) && typeof node.value === 'number' && FLOAT_LITERAL.test(node.source ?? '')) {
    out.add(path);
  }
}

/**
 * The JSON paths (`$.parameters.dropout.max`) of the numbers written as floats. JSON is read by the YAML
 * parser here only for the literals' forms (JSON.parse keeps none); a text it cannot read yields none.
 */
export function floatLiterals(text: string): Set<string> {
  const out = new Set<string>();
  const doc = YAML.parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length === 0) collectFloats(doc.contents as Node | null, '$', out);
  return out;
}

export type Source = { ok: true; value: unknown; floats: Set<string> } | { ok: false; problems: Problem[] };

export function readSource(text: string, filename: string | undefined): Source {
  const r = isJsonSource(text, filename) ? readJson(text) : readYaml(text);
  return r.ok ? { ...r, floats: floatLiterals(text) } : r;
}
