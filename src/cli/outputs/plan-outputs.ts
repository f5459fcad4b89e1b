import type { CommandContext } from '../command-context.js';
import {
  beginStreamed,
  beginText,
  checkDestinations,
  destination,
  type Destination,
  type Finishing,
} from '../destination.js';
import { UsageError } from '../exit-codes.js';
import type { OutputSpec, OutputTable } from './output-spec.js';

/** Where a table's outputs go for each input, as the command line asks. */
export interface PlannedOutputs<Input, Need extends string> {
  /** Where `spec`'s document for `input` goes (`none`: not asked for). */
  to(spec: OutputSpec<Input, Need>, input: string): Destination;
  /** The outputs asked for `input` that need `need`, in the table's order. */
  needing(need: Need, input: string): OutputSpec<Input, Need>[];
  /**
   * Checks every destination before the long work starts (see checkDestinations): each can be
   * written, none is an input, no two are one file, at most one document goes to stdout. Says
   * whether one does (the terminal report then stays off stdout).
   */
  check(context: CommandContext): { toStdout: boolean };
  /**
   * Writes every document asked for `input`, in the table's order. On a failure, the documents
   * made are still finished; the first error (in that order) is thrown.
   */
  write(input: string, document: Input, context: CommandContext): Promise<void>;
}

/**
 * Reads each output flag of `table` from `args` (a usage error for a flag given twice, a path for
 * several inputs, two inputs sharing a default file, or stdout where an output cannot go). Each of
 * `inputs` gets its own documents, named after it; `reads` is every file the run reads, none of
 * which an output may be (diff's documents are HEAD's, and BASE is read too).
 */
export function planOutputs<Input, Need extends string>(
  table: OutputTable<Input, Need>,
  args: object,
  inputs: readonly string[],
  { reads = inputs }: { reads?: readonly string[] } = {},
): PlannedOutputs<Input, Need> {
  const routes = new Map(
    table.outputs.map((spec) => {
      const value = (args as Record<string, unknown>)[spec.flag] as string | undefined;
      if (value === '-' && !spec.stdout) throw new UsageError(`--${spec.flag} cannot write to stdout; give it a path`);
      return [spec, destination(spec.flag, value, inputs, spec.suffix, { command: table.command })] as const;
    }),
  );
  const to = (spec: OutputSpec<Input, Need>, input: string): Destination =>
    routes.get(spec)?.(input) ?? { kind: 'none' };
  return {
    to,
    needing: (need, input) =>
      table.outputs.filter((spec) => spec.needs.includes(need) && to(spec, input).kind !== 'none'),
    check: (context) =>
      checkDestinations(
        inputs.flatMap((input) => table.outputs.map((spec) => ({ flag: `--${spec.flag}`, to: to(spec, input) }))),
        reads,
        context,
      ),
    async write(input, document, context) {
      // Made one after the other; while one is made, the one before is finished (its last bytes
      // written by the kernel, renamed over an old file), and they are finished and said in order.
      const finishing: Finishing[] = [];
      let madeFailure: { error: unknown } | undefined;
      try {
        for (const spec of table.outputs) {
          const dest = to(spec, input);
          if (dest.kind === 'none') continue;
          const { write } = spec;
          finishing.push(
            'text' in write
              ? await beginText(dest, () => write.text(document), context)
              : await beginStreamed(dest, (chunk) => write.stream(document, chunk), context),
          );
        }
      } catch (error) {
        madeFailure = { error };
      }
      // Every document before a failed one is finished; the failures come in the table's order.
      let failure: { error: unknown } | undefined;
      for (const finish of finishing) {
        try {
          await finish();
        } catch (error) {
          failure ??= { error };
        }
      }
      failure ??= madeFailure;
      if (failure !== undefined) throw failure.error;
    },
  };
}
