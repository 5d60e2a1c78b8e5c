/** A sweep file's text → a JSON value: JSON or YAML (by extension, else sniffed), syntax errors at line:col. */
import YAML from 'yaml';
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

export function readSource(
  text: string,
  filename: string | undefined,
): { ok: true; value: unknown } | { ok: false; problems: Problem[] } {
  return isJsonSource(text, filename) ? readJson(text) : readYaml(text);
}
