/**
 * `sweep`: the command line. Registers every module in cli/commands/ (each exports
 * `register(program: Command)`), so a new command is one new file.
 *
 * Exit codes everywhere: 0 ok, 1 runtime failure, 2 invalid input (bad flags, unknown command, invalid
 * sweep file, unknown sweep id). `--json` on the commands that print results, for scripts.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';

const COMMANDS_DIR = fileURLToPath(new URL('./commands/', import.meta.url));

export async function buildProgram(): Promise<Command> {
  const program = new Command('sweep')
    .description(
      'Serverless hyperparameter sweeps for small neural networks: SQS + Lambda + S3 (or LocalStack, or this machine), a pure-TypeScript MLP, a leaderboard and an HTML report.',
    )
    .version('0.1.0', '-V, --version')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 runtime failure, 2 invalid input.\nQuick start: sweep run sweeps/quickstart.json',
    );
  const files = readdirSync(COMMANDS_DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
    .sort();
  for (const f of files) {
    const mod = (await import(pathToFileURL(`${COMMANDS_DIR}${f}`).href)) as {
      register?: (p: Command) => void;
    };
    if (typeof mod.register === 'function') mod.register(program);
  }
  // Subcommands created by register() inherit exitOverride; make sure nested ones do too.
  const walk = (c: Command) => {
    c.exitOverride();
    c.commands.forEach(walk);
  };
  walk(program);
  return program;
}

/** Runs the CLI; returns the exit code (also set on process.exitCode). */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  const program = await buildProgram();
  try {
    await program.parseAsync([...argv]);
  } catch (e) {
    if (e instanceof CommanderError) {
      const ok =
        e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help';
      process.exitCode = ok ? 0 : 2;
      return Number(process.exitCode);
    }
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
  return Number(process.exitCode ?? 0);
}

const invokedDirectly = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (invokedDirectly || process.env.SWEEP_CLI_MAIN === '1') {
  // `sweep leaderboard … | head`: a reader that closes the pipe early is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  await main();
}
