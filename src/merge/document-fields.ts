import { TraceInputError } from '../model/diagnostics.js';

export type Json = Record<string, unknown>;

/**
 * Checked reads of one `--json` document's fields: each wrong or missing field stops the merge
 * with a message naming the file and the field.
 */
export class DocumentFields {
  constructor(readonly path: string) {}

  fail = (problem: string): never => {
    throw new TraceInputError(this.path, undefined, `not a usable pyflame analyze --json document: ${problem}`);
  };

  object(value: unknown, where: string): Json {
    return isObject(value) ? value : this.fail(`${where} should be an object`);
  }

  array(value: unknown, where: string): unknown[] {
    return Array.isArray(value) ? value : this.fail(`${where} should be an array`);
  }

  string(value: unknown, where: string): string {
    return typeof value === 'string' ? value : this.fail(`${where} should be a string`);
  }

  number(value: unknown, where: string): number {
    return typeof value === 'number' && Number.isFinite(value) ? value : this.fail(`${where} should be a number`);
  }

  count(value: unknown, where: string): number {
    return Number.isSafeInteger(value) && (value as number) >= 0
      ? (value as number)
      : this.fail(`${where} should be a whole number`);
  }

  /** A number, or null (a figure the run does not have). */
  nullableNumber(value: unknown, where: string): number | null {
    return value === null || value === undefined ? null : this.number(value, where);
  }

  /** An id (pid, tid): an integer or null (unknown). */
  id(value: unknown, where: string): number | null {
    return value === null || value === undefined
      ? null
      : Number.isSafeInteger(value)
        ? (value as number)
        : this.fail(`${where} should be an integer or null`);
  }
}

export const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Adds up figures that a run may lack (null): the sum, or null once any run lacks it. */
export const addNullable = (sum: number | null, value: number | null): number | null =>
  sum === null || value === null ? null : sum + value;
