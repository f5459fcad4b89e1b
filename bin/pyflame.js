#!/usr/bin/env node
// Launcher only: the command line lives in src/cli/main.ts.
import { installInterruptCleanup, main } from '../dist/src/cli/main.js';

installInterruptCleanup();
process.exitCode = await main(process.argv.slice(2));
