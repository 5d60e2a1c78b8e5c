/**
 * `sweep data prepare --from <file> --dataset <name> --label <column> …`: a table of the user's own as a
 * data set (adapters/data/tabular/prepare.ts). The options, their checks, and what is printed: what was
 * read, the task and why, every notice (dropped columns, imputed values, one-hot), the input width after
 * one-hot and the outputs, the split; with --json, one line that starts
 * `{"dataset","version","task","inputs","outputs",…`.
 */
import type { Command } from 'commander';
import { CSV_ENCODINGS, type CsvEncoding } from '../../adapters/data/tabular/csv.ts';
import { prepareTableFiles } from '../../adapters/data/tabular/prepare.ts';
import type { Task } from '../../core/data/tabular/label.ts';
import {
  DEFAULT_MAX_CATEGORIES,
  DEFAULT_MIN_CATEGORY_ROWS,
  DEFAULT_TEST_SPLIT,
} from '../../core/data/tabular/prepare.ts';
import { assertId } from '../../core/layout.ts';
import type { BlobStore } from '../../core/ports.ts';
import { DEFAULT_WORKER_MEMORY_MB } from '../../core/service-spec.ts';
import { positiveInt, UsageError } from '../ui/errors.ts';

const TASKS: readonly Task[] = ['classification', 'regression'];

export function addTableOptions(cmd: Command): Command {
  return cmd
    .option(
      '--from <file>',
      'a table of your own: .csv/.tsv, .parquet, .npy or .npz (needs --dataset and --label)',
    )
    .option(
      '--label <column>',
      'the label: a column name; for .npy a column index (-1: the last); for .npz an array name',
    )
    .option('--task <task>', `${TASKS.join('|')} (default: inferred from the label, and said)`)
    .option('--test <file>', 'the test rows in their own file (same columns)')
    .option(
      '--test-split <fraction>',
      `share of the rows held out for test without --test (default ${DEFAULT_TEST_SPLIT})`,
    )
    .option('--seed <n>', 'seed of the train/test split', '0')
    .option('--categorical <columns>', 'comma-separated columns to one-hot even though they hold numbers')
    .option('--drop <columns>', 'comma-separated columns to leave out')
    .option(
      '--max-categories <n>',
      'one-hot inputs per categorical column at most',
      String(DEFAULT_MAX_CATEGORIES),
    )
    .option(
      '--min-category-rows <n>',
      'rarer categories are pooled into (other)',
      String(DEFAULT_MIN_CATEGORY_ROWS),
    )
    .option('--features <array>', '.npz: the features array (default: the only array besides the label)')
    .option('--encoding <name>', `CSV text encoding: ${CSV_ENCODINGS.join('|')}`, 'auto')
    .option('--delimiter <char>', 'CSV delimiter (default: sniffed from the header; "tab" for a tab)')
    .option(
      '--worker-memory-mb <mb>',
      'memory of the workers that will train on it (the table may take half)',
      String(DEFAULT_WORKER_MEMORY_MB),
    );
}

interface TableFlags {
  dataset: string;
  from: string;
  label?: string;
  task?: string;
  test?: string;
  testSplit?: string;
  seed: string;
  categorical?: string;
  drop?: string;
  maxCategories: string;
  minCategoryRows: string;
  features?: string;
  encoding: string;
  delimiter?: string;
  workerMemoryMb: string;
  shardSize?: string;
  verify?: boolean;
  backend: string;
}

/** Prepares the table into `store`; prints the summary (and notices on stderr). */
export async function prepareTableCommand(
  o: TableFlags,
  datasetGiven: boolean,
  openStore: () => Promise<BlobStore>,
  json: boolean,
): Promise<void> {
  const options = tableOptions(o, datasetGiven);
  const store = await openStore();
  const r = await prepareTableFiles(store, options);
  const m = r.manifest;
  const count = (entries: { count: number }[]) => entries.reduce((s, e) => s + e.count, 0);
  const summary = {
    dataset: m.name,
    version: m.version,
    task: m.task,
    inputs: m.inputs,
    outputs: m.outputs,
    ok: true,
    task_reason: r.prepared.task.reason,
    train: count(m.train),
    test: count(m.test),
    skipped: r.skipped,
    written: r.written,
    shards: m.train.length + m.test.length,
    bytes: [...m.train, ...m.test].reduce((s, e) => s + e.bytes, 0),
    ...(m.label.task === 'classification' ? { classes: m.label.classes } : {}),
    dropped: m.dropped,
    notices: r.prepared.notices,
    backend: o.backend,
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return;
  }
  const say = (s: string) => process.stdout.write(`${s}\n`);
  const t = r.tables.train;
  say(`read ${t.file}: ${t.rows} rows × ${t.columns.length} columns, ${t.format}`);
  if (r.tables.test) say(`read ${r.tables.test.file}: ${r.tables.test.rows} rows (the test rows)`);
  say(`task: ${m.task}: ${r.prepared.task.reason}${options.task ? '' : ' (--task to override)'}`);
  for (const n of r.prepared.notices) process.stderr.write(`notice: ${n}\n`);
  const outputs =
    m.label.task === 'classification'
      ? `${m.outputs} classes (${m.label.classes.slice(0, 10).join(', ')}${m.outputs > 10 ? ', …' : ''})`
      : `1 (the target ${JSON.stringify(m.label.column)}, standardised for training: mean ${m.label.mean.toPrecision(6)}, std ${m.label.std.toPrecision(6)})`;
  say(`inputs: ${m.inputs} (after one-hot); outputs: ${outputs}`);
  const held =
    m.options.test === 'file'
      ? 'from the test file'
      : `${m.options.test * 100}% held out, seed ${m.options.seed}${m.task === 'classification' ? ', stratified' : ''}`;
  say(`split: ${summary.train} train / ${summary.test} test (${held})`);
  const what = `${m.name}@${m.version} (${summary.shards} shards, ${(summary.bytes / 1e6).toFixed(1)} MB)`;
  say(
    r.skipped
      ? `${what} is already prepared in the ${o.backend} store; nothing to do`
      : `prepared ${what} in the ${o.backend} store: ${r.written} objects written`,
  );
  const task =
    m.task === 'regression'
      ? ', "loss": mse or huber, "metric": val_rmse, val_mae, val_r2 or val_loss'
      : ', "metric": val_accuracy, test_accuracy or val_loss';
  say(
    `use it in a sweep as  "dataset": { "name": "${m.name}", "version": "${m.version}" }  with layers "${m.inputs}-…-${m.outputs}"${task}`,
  );
}

function tableOptions(o: TableFlags, datasetGiven: boolean) {
  if (!datasetGiven)
    throw new UsageError('--from needs --dataset <name>: the name the data set gets in the store');
  try {
    assertId('dataset', o.dataset);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (!o.label) throw new UsageError('--from needs --label <column>: the column to predict');
  if (o.task !== undefined && !(TASKS as readonly string[]).includes(o.task)) {
    throw new UsageError(`--task must be ${TASKS.join(' or ')}, got ${JSON.stringify(o.task)}`);
  }
  if (o.test && o.testSplit !== undefined)
    throw new UsageError('give --test <file> or --test-split, not both');
  const testSplit = o.testSplit === undefined ? undefined : Number(o.testSplit);
  if (testSplit !== undefined && !(testSplit > 0 && testSplit < 1)) {
    throw new UsageError(
      `--test-split must be a fraction between 0 and 1 (e.g. 0.2), got ${JSON.stringify(o.testSplit)}`,
    );
  }
  const seed = Number(o.seed);
  if (!Number.isInteger(seed) || seed < 0)
    throw new UsageError(`--seed must be an integer ≥ 0, got ${JSON.stringify(o.seed)}`);
  if (!(CSV_ENCODINGS as readonly string[]).includes(o.encoding)) {
    throw new UsageError(
      `--encoding must be one of ${CSV_ENCODINGS.join(', ')}, got ${JSON.stringify(o.encoding)}`,
    );
  }
  const delimiter = o.delimiter === 'tab' || o.delimiter === '\\t' ? '\t' : o.delimiter;
  if (delimiter !== undefined && delimiter.length !== 1) {
    throw new UsageError(`--delimiter must be one character (or "tab"), got ${JSON.stringify(o.delimiter)}`);
  }
  const workerMemoryMb = positiveInt('--worker-memory-mb', o.workerMemoryMb)!;
  if (workerMemoryMb < 128 || workerMemoryMb > 10_240) {
    throw new UsageError(`--worker-memory-mb must be within Lambda's 128 … 10240, got ${workerMemoryMb}`);
  }
  const list = (v: string | undefined) =>
    v
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '')
      : [];
  const shardSize = positiveInt('--shard-size', o.shardSize);
  return {
    name: o.dataset,
    from: o.from,
    label: o.label,
    ...(o.task ? { task: o.task as Task } : {}),
    ...(o.test ? { test: o.test } : {}),
    ...(testSplit !== undefined ? { testSplit } : {}),
    seed,
    categorical: list(o.categorical),
    drop: list(o.drop),
    maxCategories: positiveInt('--max-categories', o.maxCategories)!,
    minCategoryRows: positiveInt('--min-category-rows', o.minCategoryRows)!,
    ...(o.features ? { features: o.features } : {}),
    encoding: o.encoding as CsvEncoding,
    ...(delimiter ? { delimiter } : {}),
    workerMemoryMb,
    ...(shardSize ? { shardSize } : {}),
    verify: Boolean(o.verify),
  };
}
