import { RecordError } from './record-error.js';

/** `python [interpreter options] script args` / `... -m module args`, split where the program starts. */
export interface PythonCommand {
  readonly interpreter: string;
  /** The interpreter's own options (-X importtime, -u, -O ...): they stay before the recorder. */
  readonly options: readonly string[];
  /** `script.py args...` or `-m module args...`. */
  readonly program: readonly string[];
}

/** Options of `python` that take the next argument as their value. */
const WITH_VALUE = new Set(['-X', '-W', '--check-hash-based-pycs']);

/**
 * Splits a python command line for the in-process recorder, which runs a script or a module:
 * `-c code` and standard input are refused (the recorder needs a program to start itself).
 */
export function splitPythonCommand(command: readonly string[]): PythonCommand {
  const interpreter = command[0];
  if (interpreter === undefined)
    throw new RecordError('name the program to record after --, e.g. pyflame record -- python3 script.py');
  for (let index = 1; index < command.length; index++) {
    const arg = command[index]!;
    if (arg === '-m') {
      if (command[index + 1] === undefined) throw new RecordError(`${interpreter} -m: name the module to run`);
      return { interpreter, options: command.slice(1, index), program: command.slice(index) };
    }
    if (arg === '-c' || arg === '-')
      throw new RecordError(
        `the in-process recorder runs a script or -m module; ${arg === '-c' ? '-c code' : 'a program on standard input'} cannot be recorded this way: put it in a file`,
      );
    if (WITH_VALUE.has(arg)) index++;
    else if (arg.startsWith('-m') && arg.length > 2)
      return {
        interpreter,
        options: command.slice(1, index),
        program: ['-m', arg.slice(2), ...command.slice(index + 1)],
      };
    else if (!arg.startsWith('-'))
      return { interpreter, options: command.slice(1, index), program: command.slice(index) };
  }
  throw new RecordError(
    `${interpreter}: no script or -m module to run in the command; the in-process recorder records a program, not an interactive interpreter`,
  );
}
