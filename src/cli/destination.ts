import { openOutput } from '../io/output.js';
import { outputName } from '../io/output-name.js';

export { outputName };
import type { CommandContext } from './command-context.js';
import { UsageError } from './exit-codes.js';

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
  { nameOf = outputName, noun = 'traces', command = 'analyze' }: { nameOf?: (path: string) => string; noun?: string; command?: string } = {},
): (input: string) => Destination {
  if (value === undefined) return () => ({ kind: 'none' });
  if (Array.isArray(value)) throw new UsageError(`--${flag} is given more than once`);
  if (value === '-') return () => ({ kind: 'stdout' });
  if (value !== '') {
    if (inputs.length > 1) throw new UsageError(`--${flag} ${value}: one output path for ${inputs.length} ${noun}; give --${flag} without a path (one file each under out/) or --${flag} - (stdout)`);
    return () => ({ kind: 'file', path: value });
  }
  const byPath = new Map<string, string>();
  for (const input of inputs) {
    const path = `out/${nameOf(input)}${suffix}`;
    const other = byPath.get(path);
    if (other !== undefined && other !== input) throw new UsageError(`--${flag}: ${other} and ${input} would both be written to ${path}; ${command} them in separate runs or give --${flag} a path`);
    byPath.set(path, input);
  }
  return (input) => ({ kind: 'file', path: `out/${nameOf(input)}${suffix}` });
}

/** Writes a text document atomically to its destination; says so on stderr for a file. */
export async function writeText(dest: Destination, text: () => string, context: CommandContext): Promise<void> {
  if (dest.kind === 'none') return;
  const output = await openOutput(dest.kind === 'stdout' ? '-' : dest.path, context.stdout);
  try {
    output.write(text());
    await output.commit();
  } catch (error) {
    await output.abort();
    throw error;
  }
  if (dest.kind === 'file') context.stderr.write(`pyflame: wrote ${dest.path}\n`);
}
