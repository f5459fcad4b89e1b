import yargs, { type Argv } from 'yargs';
import { TraceInputError } from '../model/diagnostics.js';
import { OutputWriteError, removePendingTemporaryFiles } from '../io/output.js';
import { OutputPathError } from '../io/output-target.js';
import { describeFsError } from '../io/fs-errors.js';
import { runInterruptHooks } from './interrupt.js';
import { skipUnprintedHelpLayout } from './help-layout.js';
import { closeSpillFiles } from '../io/spill-file.js';
import type { CommandContext } from './command-context.js';
import { ExitCode, UsageError } from './exit-codes.js';
import { OUTPUT_FLAGS } from './outputs/output-flags.js';
import { terminalText } from '../text/untrusted.js';
import { VERSION } from '../version.js';

/** What a command module exports: its yargs definition and the function that runs it. */
interface CommandModule {
  readonly command: string;
  readonly describe: string;
  readonly builder: (yargs: Argv) => Argv;
  run(args: never, context: CommandContext): Promise<number>;
}

/**
 * Every command, a module each turning flags into library calls, loaded only when needed: a run
 * loads its own command's module (and what that imports), so start-up does not pay for the others.
 */
const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  analyze: async () => (await import('./commands/analyze.js')).analyzeCommand as CommandModule,
  convert: async () => (await import('./commands/convert.js')).convertCommand as CommandModule,
  diff: async () => (await import('./commands/diff.js')).diffCommand as CommandModule,
  flamegraph: async () => (await import('./commands/flamegraph.js')).flamegraphCommand as CommandModule,
  history: async () => (await import('./commands/history.js')).historyCommand as CommandModule,
  merge: async () => (await import('./commands/merge.js')).mergeCommand as CommandModule,
  record: async () => (await import('./commands/record.js')).recordCommand as CommandModule,
  view: async () => (await import('./commands/view.js')).viewCommand as CommandModule,
};

/** The modules a command line needs: its command's, or all of them (help, completion, a typo). */
async function commandsFor(argv: readonly string[]): Promise<CommandModule[]> {
  const name = argv.find((arg) => !arg.startsWith('-'));
  const completing = argv.some((arg) => arg === '--get-yargs-completions');
  if (name !== undefined && !completing && Object.hasOwn(COMMANDS, name)) return [await COMMANDS[name]!()];
  return Promise.all(Object.values(COMMANDS).map((load) => load()));
}

/**
 * A lone `-` (stdin or stdout) as it travels through yargs, which otherwise drops it from variadic
 * positionals (`analyze - b.txt`) and reads `--json -` as `--json` without a value. No argument
 * can contain a NUL, so this token cannot clash with a real one; it is turned back into `-`
 * before any command sees its arguments.
 */
const DASH = '\u0000-';
const restoreDash = (value: unknown): unknown =>
  value === DASH ? '-' : Array.isArray(value) ? value.map(restoreDash) : value;

/**
 * Runs the pyflame command line and resolves to the exit status. Only here are errors turned into
 * exit codes: 0 ok, 1 regression (diff), 2 usage or unreadable input.
 */
export async function main(argv: readonly string[], context: CommandContext = defaultContext()): Promise<number> {
  let exitCode: number = ExitCode.Ok;
  const commands = await commandsFor(argv);
  const parser = yargs(argv.map((arg) => (arg === '-' ? DASH : arg)))
    .scriptName('pyflame')
    .usage(
      '$0 <command> [options]\n\nOffline analyzer and flame-graph generator for CPython DTrace / SystemTap / bpftrace traces.',
    )
    .strict()
    .demandCommand(1, 'Name a command (see pyflame --help).')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version(VERSION)
    .completion('completion', 'Print a bash/zsh completion script: pyflame completion >> ~/.bashrc (or ~/.zshrc)')
    .example(
      '$0 analyze trace.txt --svg --html',
      'the report, an interactive flame graph and a one-page HTML report in out/',
    )
    .example('$0 view trace.txt', 'timelines per thread in the speedscope app, offline')
    .example("$0 diff base.json head.txt --fail-on 'calls>0' --fail-on 'self>10%'", 'CI: exit 1 when HEAD regressed')
    .example('$0 flamegraph perf.folded --svg', "another tool's folded stacks as pyflame's flame graph")
    .example("$0 merge 'runs/*.json' --json all.json --svg", 'many runs added up into one result and flame graph')
    .epilog(
      'Exit status: 0 done, 1 a diff rule fired, 2 bad usage or unreadable input. Documentation: docs/index.md (in the package: node_modules/pyflame/docs/).',
    )
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .middleware((args) => {
      for (const key of Object.keys(args)) args[key] = restoreDash(args[key]);
    }, true)
    .fail((message, error) => {
      if (error) throw error;
      let text = message.replaceAll(DASH, '-');
      const suggestion = suggestFlags(text, argv, commands);
      if (suggestion !== undefined) text += `\n${suggestion}`;
      // `analyze --svg trace.txt`: the output flag took the trace as its path.
      if (/^Not enough non-option arguments/.test(text) && argv.some((arg) => OUTPUT_FLAGS.has(arg))) {
        text +=
          '\nAn output flag such as --svg takes the word after it as its path: put output flags after the traces, or write --svg=PATH.';
      }
      throw new UsageError(text);
    });
  skipUnprintedHelpLayout(parser);
  for (const command of commands) {
    parser.command(command.command, command.describe, command.builder as never, async (args) => {
      exitCode = await command.run(args as never, context);
    });
  }
  // yargs' completion command prints its script even for --help: give the help instead.
  if (argv[0] === 'completion' && argv.some((arg) => arg === '--help' || arg === '-h')) {
    context.stdout.write(
      'pyflame completion\n\nPrint a bash/zsh completion script for pyflame:\n  pyflame completion >> ~/.bashrc   (or ~/.zshrc)\nthen open a new shell: pyflame <TAB> completes commands and flags.\n',
    );
    return ExitCode.Ok;
  }
  try {
    await parser.parseAsync();
    return exitCode;
  } catch (error) {
    return reportError(error, context);
  }
}

/**
 * `Did you mean --json?` for each unknown flag of `Unknown argument(s): jsn` that is close to one
 * the command has (at most two edits away, or a prefix of one).
 */
function suggestFlags(
  message: string,
  argv: readonly string[],
  commands: readonly CommandModule[],
): string | undefined {
  const unknown = /^Unknown arguments?: (.+)$/m.exec(message);
  if (unknown === null) return undefined;
  const name = argv.find((arg) => !arg.startsWith('-'));
  const command = commands.find((entry) => entry.command.split(' ')[0] === name);
  if (command === undefined) return undefined;
  const known = Object.keys(
    (command.builder(yargs([])) as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions().key,
  ).filter((key) => key.length > 1);
  // yargs names a kebab-case flag twice (fail-onn, failOnn): keep the spelling that was typed.
  const named = unknown[1].split(', ');
  const kebab = (flag: string) => flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const flags = named.filter((flag) => kebab(flag) === flag || !named.includes(kebab(flag)));
  const lines = flags.flatMap((flag) => {
    const best = closest(flag, known);
    return best === undefined ? [] : [`Did you mean --${best} (for ${flag.length > 1 ? '--' : '-'}${flag})?`];
  });
  return lines.length === 0 ? undefined : lines.join('\n');
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = candidate.startsWith(word) && word.length >= 3 ? 1 : editDistance(word, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

/** Levenshtein distance (short flag names: the quadratic table is nothing). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

function reportError(error: unknown, context: CommandContext): number {
  // The reader of stdout went away (| head): what it wanted, it got.
  if ((error as NodeJS.ErrnoException | undefined)?.code === 'EPIPE') return ExitCode.Ok;
  if (
    error instanceof TraceInputError ||
    error instanceof UsageError ||
    error instanceof OutputPathError ||
    error instanceof OutputWriteError
  ) {
    const lines = error.message.split('\n').map((line) => terminalText(line));
    context.stderr.write(`pyflame: error: ${lines.join('\n')}\n`);
    if (error instanceof UsageError) context.stderr.write('Run pyflame --help for usage.\n');
    return ExitCode.Error;
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') {
    const where = (error as NodeJS.ErrnoException).path;
    context.stderr.write(
      `pyflame: error: ${terminalText(where === undefined ? describeFsError(error) : `${where}: ${describeFsError(error)}`)}\n`,
    );
    return ExitCode.Error;
  }
  // A bug in pyflame: say so, with what a bug report needs, and never exit 1 (a diff's regression).
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  context.stderr.write(
    `pyflame: internal error (please report it with the command line): ${terminalText(detail.split('\n')[0])}\n${detail.split('\n').slice(1).map(terminalText).join('\n')}\n`,
  );
  return ExitCode.Error;
}

function defaultContext(): CommandContext {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
}

/**
 * On SIGINT, SIGTERM or SIGHUP: stop at once, say so, remove uncommitted temporary outputs and exit
 * 128 + the signal's number. A crash (an exception nobody caught) removes them too and exits 2,
 * never 1 (a diff's regression).
 */
export function installInterruptCleanup(): void {
  const numbers: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };
  const cleanup = (signal: NodeJS.Signals) => {
    // A command listening too ends on the signal itself (view stops serving, record stops bpftrace).
    if (process.listenerCount(signal) > 1) return;
    runInterruptHooks();
    removePendingTemporaryFiles();
    closeSpillFiles();
    process.stderr.write(`\npyflame: interrupted (${signal}); no output was left half written\n`);
    process.exit(128 + (numbers[signal] ?? 0));
  };
  for (const signal of Object.keys(numbers) as NodeJS.Signals[]) process.on(signal, cleanup);
  process.on('uncaughtException', (error) => {
    runInterruptHooks();
    removePendingTemporaryFiles();
    closeSpillFiles();
    process.exitCode = reportError(error, defaultContext());
    process.exit();
  });
}
