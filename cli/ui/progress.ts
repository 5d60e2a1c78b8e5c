/**
 * Live progress of a sweep: a cli-progress bar on a TTY (trials done/total, running, failed, ETA, best so
 * far), plain lines otherwise (one per change, so logs and CI stay readable).
 */
import { SingleBar } from 'cli-progress';
import type { SweepProgress } from '../../adapters/runner/sweep-run.ts';

export function formatEta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Remaining time from the average pace so far (undefined until a trial is done). */
export function etaSeconds(s: SweepProgress): number | undefined {
  if (s.done === 0) return undefined;
  return ((s.elapsedMs / 1000) * (s.total - s.done)) / s.done;
}

export function bestText(s: SweepProgress): string {
  return s.best ? `${s.best.metric} ${s.best.value.toFixed(4)} (${s.best.trial_id})` : '-';
}

export function progressLine(s: SweepProgress): string {
  return `[${s.done}/${s.total}] running ${s.running}, failed ${s.failed}, eta ${formatEta(etaSeconds(s))}, best ${bestText(s)}`;
}

export class ProgressView {
  private bar: SingleBar | undefined;
  private last = '';

  constructor(
    private readonly o: { tty: boolean; write: (line: string) => void; stream?: NodeJS.WriteStream },
  ) {}

  update(s: SweepProgress): void {
    if (this.o.tty) {
      const payload = {
        running: s.running,
        failed: s.failed,
        best: bestText(s),
        eta_text: formatEta(etaSeconds(s)),
      };
      if (!this.bar) {
        this.bar = new SingleBar({
          format:
            ' {bar} {value}/{total} trials | running {running} | failed {failed} | ETA {eta_text} | best {best}',
          barCompleteChar: '█',
          barIncompleteChar: '░',
          hideCursor: true,
          clearOnComplete: false,
          stopOnComplete: false,
          ...(this.o.stream ? { stream: this.o.stream } : {}),
        });
        this.bar.start(Math.max(1, s.total), s.done, payload);
      } else {
        this.bar.setTotal(Math.max(1, s.total));
        this.bar.update(s.done, payload);
      }
      return;
    }
    const key = `${s.done}/${s.total}/${s.running}/${s.failed}/${s.best?.trial_id ?? ''}`;
    if (key === this.last) return;
    this.last = key;
    this.o.write(progressLine(s));
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
