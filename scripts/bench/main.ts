/**
 * `npm run bench -- <suite> [--json] [suite options]`: runs one benchmark suite from scripts/bench/<suite>.ts.
 * Each suite prints one JSON line per figure (with --json) and reports ratios against its peers, which run
 * side by side in the same process/run.
 */
const SUITES = [
  'core',
  'data',
  'orchestration',
  'memory',
  'scale',
  'bundles',
  'dashboard',
  'search',
  'tabular',
] as const;

const [suite, ...rest] = process.argv.slice(2);
if (!suite || !(SUITES as readonly string[]).includes(suite)) {
  console.error(`usage: npm run bench -- <${SUITES.join('|')}> [--json] [options]`);
  process.exit(2);
}
const mod = (await import(`./${suite}.ts`)) as { default: (args: string[]) => Promise<void> };
await mod.default(rest);
