/**
 * `sweep export <sweep-id> [--trial <id> | --best] --format onnx|safetensors [--out file] [--backend …]`:
 * a trial's trained model as a file other tools open. ONNX (opset 13): raw pixels 0–255 in as float
 * [N, pixels], the data set's normalisation as the first nodes, softmax probabilities out. safetensors:
 * the weights as stored. Without --trial, the best-ranked trial that has weights (--best).
 *
 * Exit codes: 0 ok, 1 runtime failure, 2 invalid input (bad id, no such sweep or trial, no weights, flags).
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  bestTrialWithWeights,
  EXPORT_FORMATS,
  type ExportFormat,
  ExportNotFoundError,
  exportTrialModel,
} from '../../core/export/trial-model.ts';
import { assertId } from '../../core/layout.ts';
import { addBackendOptions, type BackendFlags, openFromFlags } from '../ui/backend.ts';
import { EXIT, type Out, processOut, reportError, UsageError } from '../ui/errors.ts';

interface ExportFlags extends BackendFlags {
  trial?: string;
  best?: boolean;
  format?: string;
  out?: string;
  json?: boolean;
}

function formatOf(v: string | undefined): ExportFormat {
  if (v === undefined) throw new UsageError(`--format is required: one of ${EXPORT_FORMATS.join(', ')}`);
  if (!(EXPORT_FORMATS as readonly string[]).includes(v))
    throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}, got ${JSON.stringify(v)}`);
  return v as ExportFormat;
}

export async function exportCommand(id: string, flags: ExportFlags, io: { out: Out }): Promise<number> {
  const { out } = io;
  try {
    const format = formatOf(flags.format);
    if (flags.trial !== undefined && flags.best)
      throw new UsageError('choose one of --trial <id> and --best (the default)');
    assertId('sweep', id);
    if (flags.trial !== undefined) assertId('trial', flags.trial);
    const b = await openFromFlags(flags);
    const trial = flags.trial ?? (await bestTrialWithWeights(b.store, id));
    if (!trial) throw new UsageError(`sweep ${id} has no trial with weights yet (see: sweep status ${id})`);
    const model = await exportTrialModel(b.store, id, trial, format);
    const path = resolve(flags.out ?? model.filename);
    await writeFile(path, model.bytes);
    if (flags.json)
      out.stdout(
        JSON.stringify({ ok: true, sweep_id: id, trial_id: trial, format, path, bytes: model.bytes.length }),
      );
    else out.stdout(path);
    return EXIT.ok;
  } catch (e) {
    const err = e instanceof ExportNotFoundError ? new UsageError(e.message) : e;
    return reportError(err, out, Boolean(flags.json));
  }
}

export function register(program: Command): void {
  addBackendOptions(
    program
      .command('export')
      .description("a trial's trained model as ONNX (raw pixels in, probabilities out) or safetensors")
      .argument('<sweep-id>', 'sweep id')
      .option('--trial <id>', 'the trial to export')
      .option('--best', 'the best-ranked trial with weights (the default)')
      .option('--format <format>', `${EXPORT_FORMATS.join(' | ')}`)
      .option('--out <file>', 'write here (default ./<sweep>-<trial>.<format>)')
      .option('--json', 'print one JSON line'),
  )
    .addHelpText('after', '\nExit codes: 0 ok, 1 runtime failure, 2 invalid input (bad id, no such trial).')
    .action(async (id: string, flags: ExportFlags) => {
      process.exitCode = await exportCommand(id, flags, { out: processOut });
    });
}
