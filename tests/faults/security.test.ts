/**
 * Issue 6, security: ids are validated before they become keys (layout, message schemas, the handlers on
 * LocalStack, the stores), and no secrets live in the tracked source or reach the handlers' logs.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsBlobStore } from '../../adapters/store/fs.ts';
import { leaderboardCommand } from '../../cli/commands/leaderboard.ts';
import { reportCommand } from '../../cli/commands/report.ts';
import { statusCommand } from '../../cli/commands/status.ts';
import type { Out } from '../../cli/ui/errors.ts';
import { InvalidIdError, keys } from '../../core/layout.ts';
import { resultMessageSchema, submissionMessageSchema, trialMessageSchema } from '../../core/messages.ts';
import { ENV } from '../../core/service-spec.ts';
import { createHandler as aggregatorHandler } from '../../lambdas/aggregator.ts';
import { createHandler as dispatcherHandler } from '../../lambdas/dispatcher.ts';
import { createHandler as workerHandler } from '../../lambdas/worker.ts';
import { eventOf, lambdaContext, sqsRecord } from '../lambdas/sqs-pump.ts';
import { createFaultWorld, type FaultWorld, tinySweepText } from './world.ts';

const REPO = join(import.meta.dirname, '..', '..');

/** Ids that must never become part of a key. */
const BAD_IDS = [
  '',
  '.',
  '..',
  '../x',
  'x/..',
  'a/b',
  '/abs',
  '/etc/passwd',
  '%2e%2e',
  '%2e%2e%2fetc',
  '..%2f..%2fetc',
  'a..b',
  '.hidden',
  '-rf',
  '_x',
  'a\0b',
  'a\nb',
  'a b',
  'a\\b',
  '..\\..\\x',
  'C:\\x',
  '~root',
  'ａｂ', // full-width letters
  'x'.repeat(129),
  'x'.repeat(5000),
];
const GOOD_IDS = ['a', 'sweep-1', 'mnist_mini.v2', 'A9', 'x'.repeat(128)];

let w: FaultWorld;
beforeAll(async () => {
  w = await createFaultWorld('security');
}, 15 * 60_000);
afterAll(async () => {
  await w?.cleanup();
});

describe('ids are validated before they become keys', () => {
  it('core/layout refuses every bad id in every key and accepts good ones', () => {
    const builders: ((id: string) => string)[] = [
      (id) => keys.sweepFile(id),
      (id) => keys.sweepState(id),
      (id) => keys.result('ok', id),
      (id) => keys.result(id, 'ok'),
      (id) => keys.checkpoint('ok', id),
      (id) => keys.errors('ok', id),
      (id) => keys.rungRecord('ok', 0, id),
      (id) => keys.leaderboard(id, 'json'),
      (id) => keys.report(id),
      (id) => keys.manifest(id, 'v1'),
      (id) => keys.manifest('mnist', id),
    ];
    for (const id of BAD_IDS)
      for (const b of builders) expect(() => b(id), JSON.stringify(id)).toThrow(InvalidIdError);
    for (const id of GOOD_IDS) for (const b of builders) expect(b(id)).toContain(id);
  });

  it('the queue message schemas refuse ids that are not of the id alphabet', () => {
    for (const id of BAD_IDS.filter((x) => x !== 'a..b')) {
      expect(submissionMessageSchema.safeParse({ type: 'submit', sweep_id: id }).success).toBe(false);
      expect(resultMessageSchema.safeParse({ type: 'result', sweep_id: 'ok', trial_id: id }).success).toBe(
        false,
      );
      expect(
        trialMessageSchema.safeParse({
          type: 'trial',
          sweep_id: id,
          trial_id: 'ok',
          index: 0,
          config: {},
          dataset: { name: 'mnist-mini', version: 'v' },
        }).success,
      ).toBe(false);
    }
  });

  it('on LocalStack, a message with a bad id is a failed record in every handler and nothing is written or sent', async () => {
    // A real sweep exists, so a handler that ignored the id check would find something to write to.
    const id = await w.submit(tinySweepText('security', 1));
    await w.pump();
    const before = await w.store.list('');
    const version = await w.datasetVersion();
    const bad = ['../x', '..', 'a..b', '%2e%2e', `${id}/../x`, '/abs', 'a\\b', 'x'.repeat(200)];
    const trial = (sweepId: string, trialId: string) =>
      JSON.stringify({
        type: 'trial',
        sweep_id: sweepId,
        trial_id: trialId,
        index: 0,
        config: { layers: [784, 16, 10], epochs: 1 },
        dataset: { name: 'mnist-mini', version },
      });
    const bodies = {
      dispatcher: bad.map((b) => JSON.stringify({ type: 'submit', sweep_id: b })),
      worker: bad.flatMap((b) => [trial(b, 'ok'), trial(id, b)]),
      aggregator: bad.flatMap((b) => [
        JSON.stringify({ type: 'result', sweep_id: b, trial_id: 'ok' }),
        JSON.stringify({ type: 'result', sweep_id: id, trial_id: b }),
        trial(b, 'ok'), // a dead letter
      ]),
    };
    const handlers = {
      dispatcher: dispatcherHandler(() => w.deps()),
      worker: workerHandler(() => w.deps()),
      aggregator: aggregatorHandler(() => w.deps()),
    };
    let records = 0;
    for (const [name, list] of Object.entries(bodies) as [keyof typeof bodies, string[]][]) {
      const batch = name === 'aggregator' ? 10 : 1;
      for (let i = 0; i < list.length; i += batch) {
        const recs = list
          .slice(i, i + batch)
          .map((body, j) => sqsRecord({ id: `${name}-${i + j}`, body }, name));
        const out = await handlers[name](eventOf(recs), lambdaContext());
        expect(out.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
          recs.map((r) => r.messageId).sort(),
        );
        records += recs.length;
      }
    }
    const after = await w.store.list('');
    const trialsDepth = await w.trials.depth();
    const resultsDepth = await w.results.depth();
    console.log(
      `[faults] bad ids: records=${records} failed=${records} objects before=${before.length} after=${after.length} ` +
        `trials queue=${trialsDepth.visible} results queue=${resultsDepth.visible}`,
    );
    expect(after).toEqual(before);
    expect(trialsDepth).toEqual({ visible: 0, inFlight: 0 });
    expect(resultsDepth).toEqual({ visible: 0, inFlight: 0 });
  });

  it('the S3 store refuses traversal keys before any request', async () => {
    const before = await w.store.list('');
    for (const k of ['../x', 'a/../../x', '/etc/passwd', 'a//b', './x', 'a\0b', 'a\\..\\x', 'sweeps/']) {
      await expect(w.store.put(k, 'x'), k).rejects.toThrow(/invalid key/);
      await expect(w.store.get(k), k).rejects.toThrow(/invalid key/);
      await expect(w.store.delete(k), k).rejects.toThrow(/invalid key/);
    }
    expect(await w.store.list('')).toEqual(before);
  });

  it('FsBlobStore refuses keys that escape its root (nothing is written outside it)', async () => {
    const outer = mkdtempSync(join(tmpdir(), 'faults-fs-'));
    try {
      const store = new FsBlobStore(join(outer, 'root'));
      await store.put('sweeps/ok/sweep.json', '{}');
      const escapes = [
        '../escape',
        '../../escape',
        'a/../../escape',
        'sweeps/../../escape',
        '/tmp/escape',
        `${outer}/escape`,
        '..\\escape',
        'a\\..\\..\\escape',
        'a\0b',
        '.tmp/x',
        '.locks/x',
        '.',
        '..',
        'a//b',
        'x/',
      ];
      for (const k of escapes) {
        await expect(store.put(k, 'x'), JSON.stringify(k)).rejects.toThrow(/invalid key/);
        await expect(store.get(k), JSON.stringify(k)).rejects.toThrow(/invalid key/);
        await expect(store.delete(k), JSON.stringify(k)).rejects.toThrow(/invalid key/);
      }
      expect(await store.list('../')).toEqual([]);
      expect(await store.list('../../')).toEqual([]);
      expect(await store.list('')).toEqual(['sweeps/ok/sweep.json']);
      expect(readdirSync(outer)).toEqual(['root']);
    } finally {
      rmSync(outer, { recursive: true, force: true });
    }
  });
});

describe('the CLI commands that take a sweep id refuse bad ids with exit code 2', () => {
  it('status, leaderboard and report (in-process, every bad id): exit 2, the id named, nothing created', async () => {
    const outer = mkdtempSync(join(tmpdir(), 'faults-cli-'));
    try {
      const flags = { backend: 'local', storeDir: join(outer, 'store') };
      let codes = 0;
      for (const id of BAD_IDS) {
        const err: string[] = [];
        const out: Out = { stdout: () => undefined, stderr: (x) => err.push(x) };
        const got = [
          await statusCommand(id, flags, { out, tty: false }),
          await leaderboardCommand(id, flags, { out, tty: false }),
          await reportCommand(id, flags, { out }),
        ];
        expect(got, JSON.stringify(id)).toEqual([2, 2, 2]);
        expect(err.join('\n')).toMatch(/invalid sweep id/);
        codes += got.length;
      }
      console.log(`[faults] CLI bad ids: ${codes} command runs, all exit 2`);
      expect(
        readdirSync(outer, { recursive: true, encoding: 'utf8' }).filter((f) =>
          statSync(join(outer, f)).isFile(),
        ),
      ).toEqual([]);
    } finally {
      rmSync(outer, { recursive: true, force: true });
    }
  });

  it('the real `sweep` process exits 2 for status/leaderboard/report ../etc', async () => {
    const outer = mkdtempSync(join(tmpdir(), 'faults-cli-'));
    try {
      const run = (args: string[]) =>
        new Promise<{ code: number | null; stderr: string }>((resolve) => {
          execFile(
            process.execPath,
            [
              '--import',
              'tsx',
              join(REPO, 'cli', 'main.ts'),
              ...args,
              '--backend',
              'local',
              '--store-dir',
              join(outer, 'store'),
            ],
            { cwd: REPO, timeout: 60_000 },
            (e, _stdout, stderr) =>
              resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, stderr }),
          );
        });
      const runs = await Promise.all([
        run(['status', '../etc']),
        run(['leaderboard', '../etc', '--json']),
        run(['report', '%2e%2e']),
      ]);
      for (const r of runs) {
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toMatch(/invalid sweep id/);
      }
      expect(
        readdirSync(outer, { recursive: true, encoding: 'utf8' }).filter((f) =>
          statSync(join(outer, f)).isFile(),
        ),
      ).toEqual([]);
    } finally {
      rmSync(outer, { recursive: true, force: true });
    }
  });
});

describe('no secrets', () => {
  it("the repository's tracked source holds no AWS access keys or secret keys", () => {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: REPO, encoding: 'utf8' })
      .split('\0')
      .filter(Boolean);
    // Built from parts so this file does not match itself.
    const accessKey = new RegExp(`\\b(${'AK'}IA|${'AS'}IA)[0-9A-Z]{16}\\b`);
    const secretAssign = new RegExp(`${'aws_secret'}_access_key\\s*[=:]\\s*['"]?([A-Za-z0-9/+=]{20,})`, 'i');
    const hits: string[] = [];
    let scanned = 0;
    for (const f of files) {
      const p = join(REPO, f);
      let st: ReturnType<typeof statSync>;
      try {
        st = statSync(p);
      } catch {
        continue; // deleted in the working tree
      }
      if (!st.isFile() || st.size > 2_000_000) continue;
      const text = readFileSync(p, 'utf8');
      if (text.includes('\0')) continue; // binary
      scanned++;
      if (accessKey.test(text)) hits.push(`${f}: access key id`);
      const m = secretAssign.exec(text);
      if (m) hits.push(`${f}: secret access key ${m[1]!.slice(0, 4)}…`);
    }
    console.log(`[faults] secrets: tracked files scanned=${scanned} findings=${hits.length}`);
    expect(scanned).toBeGreaterThan(100);
    expect(hits).toEqual([]);
  });

  it("the handlers' structured logs of a whole run contain no credential values from the environment", async () => {
    await w.submitUnchecked(tinySweepText('secrets', 2, { layers: { values: ['784-16-10', '100-10'] } }));
    const secret = {
      AWS_ACCESS_KEY_ID: `faultkey${randomBytes(6).toString('hex')}`,
      AWS_SECRET_ACCESS_KEY: randomBytes(30).toString('base64'),
      AWS_SESSION_TOKEN: `tok${randomBytes(24).toString('hex')}`,
    };
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'env-handlers.ts')],
      {
        cwd: REPO,
        timeout: 120_000,
        maxBuffer: 64 * 1024 * 1024,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          [ENV.bucket]: w.res.bucket,
          [ENV.submissionsQueueUrl]: w.res.queueUrls.submissions,
          [ENV.trialsQueueUrls]: w.res.shardUrls.trials.join(','),
          [ENV.resultsQueueUrl]: w.res.queueUrls.results,
          AWS_ENDPOINT_URL: w.clients.endpoint,
          AWS_REGION: w.clients.region,
          POWERTOOLS_LOG_LEVEL: 'DEBUG',
          POWERTOOLS_LOGGER_LOG_EVENT: 'true',
          POWERTOOLS_DEV: 'false',
          ...secret,
        },
      },
    );
    const logs = `${stdout}\n${stderr}`;
    const lines = logs.split('\n').filter((l) => l.startsWith('{'));
    const messages = lines.map((l) => (JSON.parse(l) as { message?: string }).message);
    const leaked = Object.entries(secret).filter(([, v]) => logs.includes(v));
    console.log(
      `[faults] secrets in logs: log lines=${lines.length} leaked values=${leaked.length} (${stderr.split('\n').find((l) => l.startsWith('env-handlers done'))})`,
    );
    // The run did the real work (and logged its errors), so the logs had a chance to leak.
    expect(messages).toEqual(
      expect.arrayContaining([
        'sweep dispatched',
        'trial finished',
        'results aggregated',
        'trial attempt failed',
      ]),
    );
    expect(messages.some((m) => /does not match the message schema/.test(m ?? ''))).toBe(true);
    expect(leaked.map(([k]) => k)).toEqual([]);
  });
});
