import type { Argv } from 'yargs';

/** The part of yargs' internal usage object this module touches (yargs 18). */
interface UsageInstance {
  cacheHelpMessage?: () => void;
}

/**
 * Stops yargs from laying out a command's help text after starting its handler. yargs does that
 * on every run of a command (so that a later showHelp() shows that command's help), and it is
 * the dearest thing it does: every option and example measured and wrapped, ~30 ms of every run
 * for text that pyflame never prints (it never calls showHelp(); --help and -h lay it out afresh,
 * as does anything else that asks for it). The hook is yargs' internal API: where it is missing
 * (another yargs), nothing changes but the time; test/attack-startup checks it takes.
 */
export function skipUnprintedHelpLayout(parser: Argv): Argv {
  const internal = (parser as unknown as { getInternalMethods?: () => { getUsageInstance?: () => UsageInstance } })
    .getInternalMethods;
  const usage = typeof internal === 'function' ? internal.call(parser).getUsageInstance?.() : undefined;
  if (typeof usage?.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
  return parser;
}
