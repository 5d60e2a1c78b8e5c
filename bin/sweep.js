#!/usr/bin/env node
// The `sweep` command: registers tsx (the sources are TypeScript, run as they are) and starts the CLI.
import { register } from 'tsx/esm/api';

register();
process.env.SWEEP_CLI_MAIN = '1';
await import('../cli/main.ts');
