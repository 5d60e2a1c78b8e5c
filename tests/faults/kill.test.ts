/**
 * Workers SIGKILLed at seeded points of a 40-trial sweep on LocalStack, under the real local runner
 * (adapters/runner/processes.ts: function instances as child processes running lambdas/*.ts with deps from
 * the environment, restarted when they die).
 *
 * Kill points are exact: a probe preloaded into the worker children (fixtures/s3-probe.mjs) reports each
 * S3 call to this test's loopback server and waits for its answer, and the test SIGKILLs the worker by pid
 * (one of the runner's pids()) at the planned point: during the data set load (manifest read), mid-epoch
 * (a seeded delay after the checkpoint read that precedes training), or while writing (before a
 * checkpoint / the weights / the result land, or right after the result landed and before the worker
 * could announce it).
 * Figures: trials lost, duplicate leaderboard rows, kills done; every trial `completed` or `failed` with a
 * reason, and the sweep finishes.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBackend } from '../../adapters/backend.ts';
import { ProcessRunner } from '../../adapters/runner/processes.ts';
import { keys } from '../../core/layout.ts';
import { Xoshiro128ss } from '../../core/nn/prng.ts';
import { MAX_RECEIVE_COUNT } from '../../core/service-spec.ts';
import { TrialState } from '../../core/trial-state.ts';
import { SOURCE_HANDLERS } from '../../lambdas/modules.ts';
import {
  createFaultWorld,
  FAULT_WORKER_TIMEOUT_S,
  type FaultWorld,
  readOutcome,
  type SweepOutcome,
  tinySweepText,
} from './world.ts';

const KILLS = 10;
const TRIALS = 40;
const SEED = 0x5eed;

type Phase = 'load' | 'mid-epoch' | 'write-checkpoint' | 'write-weights' | 'write-result' | 'after-result';
const PHASES: readonly Phase[] = [
  'load',
  'mid-epoch',
  'write-checkpoint',
  'write-weights',
  'write-result',
  'after-result',
];

interface ProbeEvent {
  id: number;
  pid: number;
  op: string;
  key: string;
  phase: 'before' | 'after';
}

/** The kill plan's seeded draws in [0, 1) (the project's one PRNG, core/nn/prng.ts). */
function prng(seed: number): () => number {
  const generator = new Xoshiro128ss(seed);
  return () => generator.nextFloat();
}

function matches(phase: Phase, e: ProbeEvent): boolean {
  switch (phase) {
    case 'load':
      return e.op === 'GetObject' && e.key.endsWith('/manifest.json') && e.phase === 'before';
    case 'mid-epoch':
      return e.op === 'GetObject' && e.key.endsWith('/checkpoint.bin') && e.phase === 'after';
    case 'write-checkpoint':
      return e.op === 'PutObject' && e.key.endsWith('/checkpoint.bin') && e.phase === 'before';
    case 'write-weights':
      return e.op === 'PutObject' && e.key.endsWith('/weights.safetensors') && e.phase === 'before';
    case 'write-result':
      return e.op === 'PutObject' && e.key.endsWith('/result.json') && e.phase === 'before';
    case 'after-result':
      return e.op === 'PutObject' && e.key.endsWith('/result.json') && e.phase === 'after';
  }
}

let w: FaultWorld;
let server: Server;
let port = 0;
const sockets = new Set<Socket>();
let onEvent: (e: ProbeEvent, reply: () => void) => void = (_e, reply) => reply();

beforeAll(async () => {
  w = await createFaultWorld('kill');
  server = createServer((s) => {
    sockets.add(s);
    s.setNoDelay(true);
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const e = JSON.parse(buf.slice(0, i)) as ProbeEvent;
        buf = buf.slice(i + 1);
        onEvent(e, () => {
          if (!s.destroyed) s.write(`${e.id}\n`);
        });
      }
    });
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
}, 15 * 60_000);

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server?.close(() => r()));
  await w?.cleanup();
});

/** A ProcessRunner on this world's LocalStack resources (not started); `env` is added to the handlers'. */
async function runnerOn(o: {
  workers: number;
  memoryMb?: number;
  env?: Record<string, string>;
}): Promise<ProcessRunner> {
  const backend = await openBackend('localstack', {
    endpoint: w.clients.endpoint,
    prefix: w.prefix,
    workerTimeoutSeconds: FAULT_WORKER_TIMEOUT_S,
  });
  return new ProcessRunner({
    backend,
    modules: SOURCE_HANDLERS,
    ...(o.env ? { env: o.env } : {}),
    workers: o.workers,
    workerTimeoutSeconds: FAULT_WORKER_TIMEOUT_S,
    ...(o.memoryMb !== undefined ? { memoryMb: o.memoryMb } : {}),
  });
}

/** Polls the sweep's outcome until its state says finished (fails after `timeoutMs`). */
async function finished(id: string, trials: number, timeoutMs: number, everyMs = 500): Promise<SweepOutcome> {
  const deadline = Date.now() + timeoutMs;
  let out = await readOutcome(w.store, id);
  while (!out.state?.finished) {
    if (Date.now() > deadline) throw new Error(`sweep not finished: ${out.results.size}/${trials} results`);
    await new Promise((r) => setTimeout(r, everyMs));
    out = await readOutcome(w.store, id);
  }
  return out;
}

describe('faults on LocalStack: workers SIGKILLed under the local runner', () => {
  it(`${KILLS} kills in a ${TRIALS}-trial sweep: 0 lost, 0 duplicate rows, every trial terminal, the sweep finishes`, async () => {
    const rand = prng(SEED);
    // Every phase once, the rest drawn; in a seeded order.
    const phases = Array.from({ length: KILLS }, (_, i) =>
      i < PHASES.length ? PHASES[i]! : PHASES[Math.floor(rand() * PHASES.length)]!,
    );
    for (let i = phases.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [phases[i], phases[j]] = [phases[j]!, phases[i]!];
    }
    const plan = phases.map((phase) => {
      return {
        phase,
        /** Matching events let through before this kill (a load happens once per new process: none). */
        skip: phase === 'load' ? 0 : Math.floor(rand() * 3),
        /** Mid-epoch: ms after training started. */
        delayMs: 20 + Math.floor(rand() * 100),
      };
    });
    console.log(`[faults] kill plan (seed ${SEED}): ${plan.map((p) => p.phase).join(', ')}`);
    const probe = pathToFileURL(join(import.meta.dirname, 'fixtures', 's3-probe.mjs')).href;
    const runner = await runnerOn({
      workers: 2,
      env: {
        FAULT_PROBE_PORT: String(port),
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${probe}`.trim(),
      },
    });

    const done: { phase: Phase; trial: string; pid: number }[] = [];
    const workerPids = () =>
      new Set(
        Object.entries(runner.pids())
          .filter(([name]) => name.startsWith('worker-'))
          .map(([, pid]) => pid),
      );
    let busy = false; // one kill at a time: the next is armed once the previous has happened
    /** The trial each worker process is on (its first S3 call of an invocation reads the trial's result key). */
    const trialOfPid = new Map<number, string>();
    // Kills are armed in plan order, but an event may fire any planned kill not yet done (the first whose
    // phase it matches): the dispatcher sends the longest trials first, so e.g. checkpoint writes (2-epoch
    // trials) all happen early in the sweep and a strictly sequential plan could wait for them in vain.
    const pending = new Set(plan.map((_, i) => i));
    onEvent = (e, reply) => {
      const trial = /\/trials\/([^/]+)\//.exec(e.key)?.[1];
      if (trial) trialOfPid.set(e.pid, trial);
      if (busy || !workerPids().has(e.pid)) return reply();
      const i = [...pending].find((k) => matches(plan[k]!.phase, e));
      const next = i === undefined ? undefined : plan[i];
      if (i === undefined || !next) return reply();
      if (next.skip > 0) {
        next.skip--;
        return reply();
      }
      busy = true;
      pending.delete(i);
      const kill = () => {
        process.kill(e.pid, 'SIGKILL');
        done.push({ phase: next.phase, trial: trialOfPid.get(e.pid) ?? '(none)', pid: e.pid });
        busy = false;
      };
      if (next.phase === 'mid-epoch') {
        reply();
        setTimeout(kill, next.delayMs);
      } else kill(); // no reply: the process dies waiting, before (or right after) its S3 call
    };

    await runner.start();
    try {
      // Half the trials train 2 epochs: with a 1 s function timeout, the second epoch is a continuation
      // (checkpoint written, message re-sent), so kills also hit checkpoint writes and resumed training.
      const id = await w.submit(tinySweepText('kill', TRIALS / 2, { epochs: { values: [1, 2] } }));
      let out = await finished(id, TRIALS, 200_000, 1000);
      // Read everything again now that it is finished (the listing above may predate the last result).
      out = await readOutcome(w.store, id);
      // A kill can land on a redundant attempt after the sweep finished; its replacement follows shortly.
      for (let i = 0; i < 100 && runner.activity().restarts < done.length; i++)
        await new Promise((r) => setTimeout(r, 100));
      const rows = out.leaderboard?.rows ?? [];
      const distinct = new Set(rows.map((r) => r.trial_id));
      const results = [...out.results.values()];
      const lost = TRIALS - results.length;
      const byPhase = PHASES.map((p) => `${p}=${done.filter((d) => d.phase === p).length}`).join(' ');
      console.log(
        `[faults] kills: kills done=${done.length} (${byPhase}) restarts=${runner.activity().restarts} ` +
          `trials=${TRIALS} lost=${lost} leaderboard rows=${rows.length} duplicate rows=${rows.length - distinct.size} ` +
          `states=${JSON.stringify(out.state?.totals.by_state)}`,
      );
      console.log(`[faults] kills at: ${done.map((d) => `${d.phase}:${d.trial}`).join(' ')}`);
      for (const r of results.filter((x) => x.state !== TrialState.Completed))
        console.log(`[faults] kills: ${r.trial_id} ${r.state}: ${r.reason}`);
      expect(done).toHaveLength(KILLS);
      expect(runner.activity().restarts).toBeGreaterThanOrEqual(KILLS);
      expect(lost).toBe(0);
      expect(rows.length - distinct.size).toBe(0);
      expect(rows).toHaveLength(TRIALS);
      expect(Object.keys(out.aggregate?.results ?? {})).toHaveLength(TRIALS);
      for (const r of results) {
        expect([TrialState.Completed, TrialState.Failed]).toContain(r.state);
        if (r.state !== TrialState.Failed) continue;
        expect(r.reason).toMatch(/dead-letter queue.*worker killed/);
        // Only a trial killed on every one of its maxReceiveCount deliveries may give up.
        expect(done.filter((d) => d.trial === r.trial_id).length).toBeGreaterThanOrEqual(MAX_RECEIVE_COUNT);
      }
      expect(out.state?.totals.terminal).toBe(TRIALS);
      expect(results.filter((r) => r.state === TrialState.Completed).length).toBeGreaterThanOrEqual(
        TRIALS - KILLS,
      );
    } finally {
      onEvent = (_e, reply) => reply();
      await runner.stop(10_000);
    }
  });
});

describe('the local runner replaces what dies', () => {
  it('a replacement killed before it is ready is replaced again, and the run goes on', async () => {
    const runner = await runnerOn({ workers: 1 });
    await runner.start();
    const pidOf = () => runner.pids()['worker-0'];
    const changed = async (from: number | undefined) => {
      for (let i = 0; i < 300 && pidOf() === from; i++) await new Promise((r) => setTimeout(r, 20));
      expect(pidOf()).not.toBe(from);
      return pidOf();
    };
    try {
      const first = pidOf();
      process.kill(first!, 'SIGKILL');
      const second = await changed(first);
      process.kill(second!, 'SIGKILL'); // still importing its modules: not ready yet
      const third = await changed(second);
      expect(runner.activity().restarts).toBe(2);
      // The third instance works: a sweep runs to the end on it.
      const id = await w.submit(tinySweepText('replaced', 1));
      const out = await finished(id, 1, 90_000);
      expect(pidOf()).toBe(third);
      expect([...out.results.values()].every((r) => r.state === TrialState.Completed)).toBe(true);
    } finally {
      await runner.stop(10_000);
    }
  });
});

describe('resource bounds under the local runner', () => {
  it('a trial needing more memory than the worker function has is refused before training (memory from the Lambda context)', async () => {
    const runner = await runnerOn({ workers: 1, memoryMb: 128 });
    await runner.start();
    try {
      const id = await w.submit(
        tinySweepText('memory-runner', 1, { layers: { values: ['784-16-10', '784-2048-2048-10'] } }),
      );
      const out = await finished(id, 2, 90_000);
      const big = [...out.results.values()].find((r) => r.config.layers[1] === 2048);
      const small = [...out.results.values()].find((r) => r.config.layers[1] === 16);
      console.log(`[faults] memory (runner, 128 MB): ${big?.state}: ${big?.reason}`);
      expect(big?.state).toBe(TrialState.Failed);
      expect(big?.reason).toMatch(/needs about \d+ MB but the worker has 128 MB.*refused before training/);
      expect(big?.epochs_run).toBe(0);
      expect(await w.store.get(keys.checkpoint(id, big!.trial_id))).toBeUndefined();
      expect(small?.state).toBe(TrialState.Completed);
      expect(small?.memory_mb).toBe(128);
    } finally {
      await runner.stop(10_000);
    }
  });
});
