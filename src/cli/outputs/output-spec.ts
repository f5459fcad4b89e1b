import type { Argv, Options } from 'yargs';

/**
 * How an output's document is made, loading its exporter only then (start-up is most of a small
 * run): all at once as one string, or in pieces (never one string for the whole of it; a path
 * ending in .gz is then compressed). A piece's `write` resolves once the destination has taken
 * it: its buffer may then be filled again.
 */
export type OutputWriter<Input> =
  | { readonly text: (input: Input) => Promise<string> }
  | { readonly stream: (input: Input, write: (chunk: string | Uint8Array) => Promise<void>) => Promise<void> };

/**
 * One document a command writes on request, beside its terminal report. Its flag always takes an
 * optional path: `--svg PATH` writes PATH, `--svg` alone `out/<name><suffix>`, and `--svg -`
 * stdout when `stdout` allows it.
 */
export interface OutputSpec<Input, Need extends string = never> {
  /** The flag without its dashes: `svg`. */
  readonly flag: string;
  /** What it writes, the start of the flag's help (`write an interactive SVG flame graph (...)`); where it goes is added from the rest of the entry. */
  readonly describe: string;
  /** The default file's ending, after the input's name: `.chart.svg` (out/trace.chart.svg). */
  readonly suffix: string;
  /** May the document go to stdout (`-`)? At most one document of a run goes there. */
  readonly stdout: boolean;
  /** What this output needs that the command makes only on demand (a timeline of calls, call paths). */
  readonly needs: readonly Need[];
  /** Flags that only shape this output (--weight for --folded), declared right after its flag. */
  readonly options?: Readonly<Record<string, Options>>;
  readonly write: OutputWriter<Input>;
}

/** A command's outputs, in the order of its help, of the checks of their paths and of writing. */
export interface OutputTable<Input, Need extends string = never> {
  /** The command, for messages (`analyze them in separate runs`). */
  readonly command: string;
  /** What `<name>` is in the help's `out/<name>.svg`: the input's name without its extensions. */
  readonly nameWord: string;
  readonly outputs: readonly OutputSpec<Input, Need>[];
}

/** The help of an output's flag: what it writes, then where, from its suffix and writer. */
export function describeOutput(table: { readonly nameWord: string }, spec: OutputSpec<never, string>): string {
  const compresses = 'stream' in spec.write ? ' (.gz compresses)' : '';
  const stdout = spec.stdout ? ', to stdout with -' : '';
  return `${spec.describe}: to PATH${compresses}, to out/<${table.nameWord}>${spec.suffix} without one${stdout}`;
}

/** `--json, --svg and --html`: the flags of a table, for help texts. */
export function listFlags(table: { readonly outputs: readonly { readonly flag: string }[] }): string {
  const flags = table.outputs.map((spec) => `--${spec.flag}`);
  return flags.length < 2 ? flags.join('') : `${flags.slice(0, -1).join(', ')} and ${flags.at(-1)}`;
}

/** Declares a table's output flags on a command, each followed by the flags that shape it only. */
export function declareOutputFlags<T>(yargs: Argv<T>, table: OutputTable<never, string>): Argv<T> {
  let declared = yargs;
  for (const spec of table.outputs) {
    declared = declared.option(spec.flag, { type: 'string', describe: describeOutput(table, spec) }) as Argv<T>;
    for (const [name, option] of Object.entries(spec.options ?? {}))
      declared = declared.option(name, option) as Argv<T>;
  }
  return declared;
}
