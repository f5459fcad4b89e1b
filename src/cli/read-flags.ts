import type { Argv } from 'yargs';
import { DEFAULT_REORDER_WINDOW } from '../parse/reorder.js';
import { formatNames } from '../parse/registry.js';
import type { ReadTraceOptions } from '../parse/read-trace.js';
import type { CommandContext } from './command-context.js';
import { UsageError } from './exit-codes.js';
import { spillBudgetBytes } from '../analyze/spill-budget.js';

/** The flags every command that reads traces shares. */
export function readOptionFlags<T>(yargs: Argv<T>) {
  return yargs
    .option('format', { type: 'string', choices: formatNames(), describe: 'input format (default: detected)' })
    .option('reorder-window', {
      type: 'number',
      describe: `events held to restore timestamp order (default ${DEFAULT_REORDER_WINDOW})`,
    });
}

export function readOptionsFrom(
  args: { format?: string; 'reorder-window'?: number },
  context: CommandContext,
): ReadTraceOptions & { readonly parseThread?: boolean } {
  const window = args['reorder-window'];
  if (window !== undefined && (!Number.isInteger(window) || window < 0))
    throw new UsageError('--reorder-window takes a whole number of events (0 or more)');
  // Checked before the work starts (the analysis reads it at its first event).
  try {
    spillBudgetBytes();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return {
    format: args.format,
    reorderWindow: window,
    stdin: context.stdin,
    onProgress: context.progress?.update,
    parseThread: parseThreadWanted(process.env.PYFLAME_THREADED),
  };
}

/**
 * PYFLAME_THREADED=1 parses every trace file on a second thread, =0 none; unset (or anything
 * else), a file big enough for the thread to pay (analyzeTrace's default). For tests and
 * measurements: the results are the same either way.
 */
export function parseThreadWanted(value: string | undefined): boolean | undefined {
  return value === '1' ? true : value === '0' ? false : undefined;
}

/**
 * The trace path as given. yargs turns a lone "-" into an empty string; no file has an empty
 * name, so the empty string means stdin too.
 */
export function tracePath(arg: string | undefined): string {
  return arg === undefined || arg === '' ? '-' : arg;
}
