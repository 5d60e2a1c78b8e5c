/** Reading a sweep's derived outputs (leaderboard, report) from a store, and printing them. */
import { keys } from '../../core/layout.ts';
import type { BlobStore } from '../../core/ports.ts';
import type { LeaderboardFormat } from '../../core/report/format.ts';
import { formatLeaderboard, type Leaderboard } from '../../core/report/index.ts';

export async function readLeaderboard(store: BlobStore, sweepId: string): Promise<Leaderboard | undefined> {
  const obj = await store.get(keys.leaderboard(sweepId, 'json'));
  if (!obj) return undefined;
  const { based_on: _ignored, ...lb } = JSON.parse(new TextDecoder().decode(obj.body)) as Leaderboard & {
    based_on?: number;
  };
  return lb;
}

export function renderLeaderboard(
  lb: Leaderboard,
  format: LeaderboardFormat,
  opts: { top?: number; color?: boolean } = {},
): string {
  return formatLeaderboard(lb, format, opts);
}
