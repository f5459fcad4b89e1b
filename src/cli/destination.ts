import { openOutput, type TextOutput } from '../io/output.js';
import { outputName } from '../io/output-name.js';
import { checkOutputs, descriptorIdentity, type PlannedOutput } from '../io/output-target.js';

export { outputName };
import type { CommandContext } from './command-context.js';
import { UsageError } from './exit-codes.js';
import { onlyOnce } from './shared-flags.js';
import { terminalText } from '../text/untrusted.js';

/** Where one kind of output goes: nowhere, stdout, or a file. */
export type Destination = { kind: 'none' } | { kind: 'stdout' } | { kind: 'file'; path: string };

/**
 * Where an output flag (`--svg [PATH]`) sends each input's document: nowhere when the flag is
 * absent, stdout for `-`, PATH (one input only), or `out/<name><suffix>` without a value. Two
 * inputs that would share a file are a usage error.
 */
export function destination(
  flag: string,
  value: string | undefined,
  inputs: readonly string[],
  suffix: string,
  {
    nameOf = outputName,
    noun = 'traces',
    command = 'analyze',
  }: { nameOf?: (path: string) => string; noun?: string; command?: string } = {},
): (input: string) => Destination {
  if (value === undefined) return () => ({ kind: 'none' });
  onlyOnce(flag, value);
  if (value === '-') return () => ({ kind: 'stdout' });
  if (value !== '') {
    if (inputs.length > 1)
      throw new UsageError(
        `--${flag} ${value}: one output path for ${inputs.length} ${noun}; give --${flag} without a path (one file each under out/) or --${flag} - (stdout)`,
      );
    return () => ({ kind: 'file', path: value });
  }
  const byPath = new Map<string, string>();
  for (const input of inputs) {
    const path = `out/${nameOf(input)}${suffix}`;
    const other = byPath.get(path);
    if (other !== undefined && other !== input)
      throw new UsageError(
        `--${flag}: ${other} and ${input} would both be written to ${path}; ${command} them in separate runs or give --${flag} a path`,
      );
    byPath.set(path, input);
  }
  return (input) => ({ kind: 'file', path: `out/${nameOf(input)}${suffix}` });
}

/**
 * Checks, before any work, every output a run will write (see {@link checkOutputs}): each can be
 * written, none is an input, no two are one file, one document at most on stdout. Throws
 * OutputPathError, which the CLI reports with exit 2. Says whether a document goes to stdout.
 */
export function checkDestinations(
  outputs: readonly { flag: string; to: Destination }[],
  inputs: readonly string[],
  context: CommandContext,
): { toStdout: boolean } {
  const planned: PlannedOutput[] = [];
  for (const { flag, to } of outputs) {
    if (to.kind === 'none') continue;
    // One flag's documents for several traces follow each other on stdout (a stream of JSON texts).
    if (to.kind === 'stdout' && planned.some((entry) => entry.flag === flag && entry.path === '-')) continue;
    planned.push({ flag, path: to.kind === 'stdout' ? '-' : to.path });
  }
  const targets = checkOutputs(planned, inputs, {
    stdoutIdentity: context.stdout === process.stdout ? descriptorIdentity(1) : undefined,
    stdinIdentity: context.stdin === process.stdin ? descriptorIdentity(0) : undefined,
  });
  // --json /dev/stdout is stdout too: the report then stays off it, as for --json -.
  return { toStdout: targets.some((target) => target.kind === 'stdout') };
}

/** `pyflame: wrote PATH` on stderr, the path made safe for the terminal. */
export function sayWrote(context: CommandContext, path: string, detail = ''): void {
  context.stderr.write(`pyflame: wrote ${terminalText(path)}${detail}\n`);
}

/**
 * What finishes a document already handed to its destination: waits for its last bytes to be
 * written and the file to be renamed into place (started at once, going on meanwhile), then says
 * so on stderr for a file. Throws what went wrong, the temporary file removed.
 */
export type Finishing = () => Promise<void>;

/**
 * Writes a text document atomically to its destination; says so on stderr for a file. `text` is
 * called only when there is somewhere to write (it may load its exporter first).
 */
export async function writeText(
  dest: Destination,
  text: () => string | Promise<string>,
  context: CommandContext,
): Promise<void> {
  await (await beginText(dest, text, context))();
}

/** writeText, returning once the document is handed to its destination: the rest is the Finishing's. */
export async function beginText(
  dest: Destination,
  text: () => string | Promise<string>,
  context: CommandContext,
): Promise<Finishing> {
  if (dest.kind === 'none') return async () => {};
  const output = await openOutput(dest.kind === 'stdout' ? '-' : dest.path, context.stdout);
  try {
    output.write(await text());
  } catch (error) {
    await output.abort();
    throw error;
  }
  return finishing(output, dest, context);
}

/**
 * Writes a document produced in pieces (never one string for the whole of it), gzip-compressed
 * when the path ends in .gz. `produce`'s write resolves once the destination has taken the piece:
 * its buffer may then be filled again.
 */
export async function writeStreamed(
  dest: Destination,
  produce: (write: (chunk: string | Uint8Array) => Promise<void>) => Promise<void>,
  context: CommandContext,
): Promise<void> {
  await (await beginStreamed(dest, produce, context))();
}

/** writeStreamed, returning once every piece is handed to the destination: the rest is the Finishing's. */
export async function beginStreamed(
  dest: Destination,
  produce: (write: (chunk: string | Uint8Array) => Promise<void>) => Promise<void>,
  context: CommandContext,
): Promise<Finishing> {
  if (dest.kind === 'none') return async () => {};
  const output = await openOutput(dest.kind === 'stdout' ? '-' : dest.path, context.stdout, {
    gzip: dest.kind === 'file' && dest.path.endsWith('.gz'),
  });
  try {
    // Each piece is waited for until the destination has taken it: a producer may fill it again.
    await produce((text) => output.writeAndWait(text));
  } catch (error) {
    await output.abort();
    throw error;
  }
  return finishing(output, dest, context);
}

function finishing(output: TextOutput, dest: Destination, context: CommandContext): Finishing {
  // Started now: its failure is kept (never an unhandled rejection) for the Finishing to throw.
  const committed = output.commit().then(
    () => undefined,
    (error: unknown) => ({ error }),
  );
  return async () => {
    const failed = await committed;
    if (failed !== undefined) {
      await output.abort();
      throw failed.error;
    }
    if (dest.kind === 'file') sayWrote(context, dest.path);
  };
}
