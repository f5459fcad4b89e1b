import { findPythonForCommand } from './find-python.js';
import { checkPlatform, checkRoot, findBpftrace } from './preflight.js';
import { RecordError } from './record-error.js';

/** How a command is recorded: bpftrace on the interpreter's markers, or the in-process recorder. */
export type RecordWay = 'markers' | 'inprocess';

/**
 * Why the markers cannot record `command` with function calls here, or undefined when they can:
 * Linux, root, bpftrace on PATH, and an interpreter whose markers include function entry (the
 * 3.11-and-older builds made --with-dtrace; 3.12-3.14 dropped the function markers).
 */
export function markersUnusable(command: readonly string[], env: NodeJS.ProcessEnv = process.env): string | undefined {
  try {
    checkPlatform();
    checkRoot();
    findBpftrace(env.PATH);
    const python = findPythonForCommand(command[0] ?? '', env);
    if (!python.notes.some((note) => note.name === 'function__entry')) {
      const version =
        python.version === undefined ? 'this CPython' : `CPython ${python.version.major}.${python.version.minor}`;
      return `${version} (${python.interpreter}) has no function markers`;
    }
    return undefined;
  } catch (error) {
    if (error instanceof RecordError) return error.message;
    throw error;
  }
}
