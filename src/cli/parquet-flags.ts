import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Options } from 'yargs';
import type { RunLabel } from '../export/parquet/analysis-tables.js';
import { OutputPathError } from '../io/output-target.js';
import { UsageError } from './exit-codes.js';
import { onlyOnce } from './shared-flags.js';

/** A label's key: a word that reads as a column name in any SQL engine (commit, branch, host.name). */
const LABEL_KEY = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

export const parquetOption: Options = {
  type: 'string',
  describe: 'write the analysis as Parquet tables (runs, functions, call_paths, gc_*, ...) into folder DIR',
};

/** Not an array option: that would take the traces after it as labels; given twice, yargs makes an array. */
export const labelOption: Options = {
  type: 'string',
  describe: 'with --parquet: a label of the run, key=value (commit=abc123, branch=main, host=...); repeatable',
};

/** --label key=value ... as labels, or a usage error naming the bad one. */
export function labelsFrom(values: readonly string[] | string | undefined, parquet: string | undefined): RunLabel[] {
  const given = values === undefined ? [] : Array.isArray(values) ? values : [values];
  if (given.length > 0 && parquet === undefined)
    throw new UsageError("--label labels the Parquet tables' run: give --parquet DIR with it");
  return parseLabels(given);
}

/** key=value texts as labels, or a usage error naming the bad one (or a key given twice). */
export function parseLabels(given: readonly string[]): RunLabel[] {
  const labels: RunLabel[] = [];
  for (const text of given) {
    const at = String(text).indexOf('=');
    const key = at < 0 ? '' : String(text).slice(0, at);
    if (at < 0 || !LABEL_KEY.test(key))
      throw new UsageError(
        `--label ${String(text)}: expected key=value, the key a word of letters, digits, _ . - (e.g. --label commit=abc123)`,
      );
    if (labels.some((label) => label.key === key)) throw new UsageError(`--label ${key} is given more than once`);
    labels.push({ key, value: String(text).slice(at + 1) });
  }
  return labels;
}

/**
 * The --parquet folder, checked before any trace is read: it is a folder (or can be made as one)
 * and can be written. Throws OutputPathError (exit 2) otherwise.
 */
export function parquetDirFrom(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  onlyOnce('parquet', value);
  const dir = String(value);
  if (dir === '' || dir === '-')
    throw new UsageError('--parquet takes a folder to write the tables into (Parquet is not written to stdout)');
  let existing = resolve(dir);
  for (;;) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(existing).isDirectory();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && dirname(existing) !== existing) {
        existing = dirname(existing);
        continue;
      }
      if (code === 'ENOTDIR')
        throw new OutputPathError(`--parquet ${dir}: a part of this path is a file, not a folder`);
      throw new OutputPathError(`--parquet ${dir}: ${(error as Error).message}`);
    }
    if (!isDirectory)
      throw new OutputPathError(
        existing === resolve(dir)
          ? `--parquet ${dir} is a file; give a folder (the tables are one file each)`
          : `--parquet ${dir}: a part of this path is a file, not a folder`,
      );
    try {
      accessSync(existing, constants.W_OK | constants.X_OK);
    } catch {
      throw new OutputPathError(`--parquet ${dir}: permission denied (${existing} cannot be written)`);
    }
    return dir;
  }
}
