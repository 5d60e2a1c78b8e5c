/** Small terminal tables (cli-table3): trial counts by state. */
import Table from 'cli-table3';

export function countsTable(counts: Record<string, number>, opts: { color?: boolean } = {}): string {
  const t = new Table({
    head: ['state', 'trials'],
    style: { head: opts.color ? ['cyan'] : [], border: opts.color ? ['grey'] : [] },
    colAligns: ['left', 'right'],
  });
  for (const [state, n] of Object.entries(counts)) t.push([state, String(n)]);
  return t.toString();
}
