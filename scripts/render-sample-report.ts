/**
 * Render a report from a synthetic sweep, for looking at:
 *   node --import tsx scripts/render-sample-report.ts [trials=120] [out=test-artifacts/sample-report.html]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadMnistMini } from '../adapters/data/mnist-mini.ts';
import { buildLeaderboard, datasetPreview, formatLeaderboard, renderReport } from '../core/report/index.ts';
import { syntheticSweep } from '../tests/report/synthetic.ts';

const trials = Number(process.argv[2] ?? 120);
const out = process.argv[3] ?? 'test-artifacts/sample-report.html';
const ds = loadMnistMini();
const { sweep, results } = syntheticSweep({ trials, dataset: ds });
const t = performance.now();
const html = await renderReport({ sweep, results, dataset: datasetPreview(ds) });
const ms = performance.now() - t;
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, html);
process.stdout.write(
  formatLeaderboard(buildLeaderboard(sweep, results), 'table', { top: 10, color: process.stdout.isTTY }),
);
process.stderr.write(
  `${out}: ${trials} trials, ${(html.length / 1e6).toFixed(2)} MB, rendered in ${ms.toFixed(0)} ms\n`,
);
