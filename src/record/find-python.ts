import { spawnSync } from 'node:child_process';
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  openSync,
  readFileSync,
  readlinkSync,
  readSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { basename, delimiter, isAbsolute, join, resolve } from 'node:path';
import { ElfError, readStapsdtNotesFromFile, type StapsdtNote } from './elf-notes.js';
import { RecordError } from './record-error.js';

/** A CPython version, major and minor. */
export interface PythonVersion {
  readonly major: number;
  readonly minor: number;
}

/** The interpreter to trace and the file its markers are in. */
export interface MarkerTarget {
  /** The program as it will be started (found on PATH; a venv's symlink is kept, Python needs it). */
  readonly interpreter: string;
  /** The file holding the `python` markers: the interpreter itself, or the libpython it loads. */
  readonly markerFile: string;
  /** Its `python` provider markers. */
  readonly notes: readonly StapsdtNote[];
  /** Undefined when neither the file names nor asking the interpreter told. */
  readonly version: PythonVersion | undefined;
}

const NO_MARKERS_HELP =
  "pyflame record needs a CPython built --with-dtrace, such as Debian/Ubuntu's /usr/bin/python3.X (apt-get install -y python3); " +
  'python.org, pyenv and most docker "python:" images are built without markers (./configure --with-dtrace adds them). See docs/recording.md.';

/** Finds `program` as execvp would: a path with a slash as is (from `cwd`), else on PATH. */
export function resolveProgram(program: string, path: string | undefined, cwd: string): string {
  if (program === '') throw new RecordError('the command to record is empty');
  if (program.includes('/')) {
    const full = resolve(cwd, program);
    if (!existsSync(full)) throw new RecordError(`${program}: no such file`);
    return full;
  }
  for (const dir of (path ?? '').split(delimiter)) {
    const candidate = resolve(cwd, dir === '' ? '.' : dir, program);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new RecordError(`${program}: not found on PATH`);
}

/** The first bytes of a file (to tell an ELF binary from a script). */
function head(path: string, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    return buffer.subarray(0, readSync(fd, buffer, 0, length, 0));
  } finally {
    closeSync(fd);
  }
}

/** The `python` provider's notes of `file`; [] when it has none. */
function pythonNotes(file: string): StapsdtNote[] {
  try {
    return readStapsdtNotesFromFile(file).filter((note) => note.provider === 'python');
  } catch (error) {
    if (error instanceof ElfError) throw new RecordError(`${file} is not a usable ELF binary: ${error.message}`);
    throw error;
  }
}

/** `python3.11`, `libpython3.11.so.1.0`, `libpython3.12d.so` → 3.11 / 3.12. */
export function versionFromName(path: string): PythonVersion | undefined {
  const match = /python(\d+)\.(\d+)/.exec(basename(path));
  return match === null ? undefined : { major: Number(match[1]), minor: Number(match[2]) };
}

interface Asked {
  readonly version: PythonVersion | undefined;
  readonly mapped: string[];
}

/**
 * Runs the interpreter once to ask its version and which files it has mapped: the libpython the
 * dynamic loader really picked (RUNPATH, LD_LIBRARY_PATH, ld.so.cache), without re-implementing it.
 */
function askInterpreter(interpreter: string): Asked {
  const result = spawnSync(
    interpreter,
    ['-S', '-c', "import sys; print(*sys.version_info[:2]); print(open('/proc/self/maps').read())"],
    { encoding: 'utf8', timeout: 15000, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const lines = (result.status === 0 ? result.stdout : '').split('\n');
  const match = /^(\d+) (\d+)$/.exec(lines[0] ?? '');
  return {
    version: match === null ? undefined : { major: Number(match[1]), minor: Number(match[2]) },
    mapped: mappedFiles(lines.slice(1)),
  };
}

/** The distinct file paths of /proc/PID/maps lines. */
export function mappedFiles(lines: readonly string[]): string[] {
  const files = new Set<string>();
  for (const line of lines) {
    const path = /^\S+ \S+ \S+ \S+ \S+\s+(\/.*)$/.exec(line)?.[1];
    if (path !== undefined) files.add(path.replace(/ \(deleted\)$/, ''));
  }
  return [...files];
}

/** The first of `files` with python markers, the interpreter's own file first. */
function firstWithMarkers(files: readonly string[]): { file: string; notes: StapsdtNote[] } | undefined {
  for (const file of files) {
    const notes = pythonNotes(file);
    if (notes.length > 0) return { file, notes };
  }
  return undefined;
}

/** The interpreter a command line starts, and where its markers are. */
export function findPythonForCommand(
  program: string,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): MarkerTarget {
  const interpreter = resolveProgram(program, env.PATH, cwd);
  const real = realpathSync(interpreter);
  const start = head(real, 128);
  if (start.subarray(0, 2).toString('latin1') === '#!') {
    const shebang = start.toString('latin1').split('\n')[0];
    throw new RecordError(
      `${program} is a script (${interpreter}: "${shebang}"), not the interpreter: pyenv shims and wrappers are. ` +
        'bpftrace looks for the markers in the process it starts, so name the interpreter itself by its full path, e.g. /usr/bin/python3.11.',
    );
  }
  const own = pythonNotes(real);
  const asked = askInterpreter(interpreter);
  const libraries = asked.mapped.filter((file) => /libpython/.test(basename(file)) && file !== real);
  const found = own.length > 0 ? { file: real, notes: own } : firstWithMarkers(libraries);
  if (found === undefined) {
    const where = libraries.length > 0 ? `${real} and ${libraries.join(', ')} have` : `${real} has`;
    const notPython =
      asked.version === undefined
        ? ` (and it did not answer as a Python interpreter: ${program} -S -c 'import sys; ...' failed)`
        : '';
    throw new RecordError(
      `${where} no CPython static markers (no "python" notes in .note.stapsdt)${notPython}. ${NO_MARKERS_HELP}`,
    );
  }
  return {
    interpreter,
    markerFile: found.file,
    notes: found.notes,
    version: asked.version ?? versionFromName(found.file) ?? versionFromName(real),
  };
}

/** The interpreter process `pid` runs, and where its markers are (the file mapped in it). */
export function findPythonForPid(pid: number, proc = '/proc'): MarkerTarget {
  const dir = join(proc, String(pid));
  if (!existsSync(dir)) throw new RecordError(`--pid ${pid}: there is no process with that id`);
  let exe: string;
  let maps: string;
  try {
    exe = readlinkSync(join(dir, 'exe')).replace(/ \(deleted\)$/, '');
    maps = readFileSync(join(dir, 'maps'), 'utf8');
  } catch (error) {
    throw new RecordError(
      `--pid ${pid}: cannot read the process's executable and mappings (${(error as Error).message})`,
    );
  }
  const libraries = mappedFiles(maps.split('\n')).filter((file) => /libpython/.test(basename(file)));
  if (!/python/i.test(basename(exe)) && libraries.length === 0)
    throw new RecordError(
      `--pid ${pid}: the process runs ${exe}, which is not Python (no python in its name, no libpython loaded)`,
    );
  const found = firstWithMarkers(
    [exe, ...libraries.filter((file) => file !== exe)].filter((file) => isAbsolute(file) && existsSync(file)),
  );
  if (found === undefined)
    throw new RecordError(
      `--pid ${pid}: ${[exe, ...libraries].join(', ')} ${libraries.length > 0 ? 'have' : 'has'} no CPython static markers (no "python" notes in .note.stapsdt). ${NO_MARKERS_HELP}`,
    );
  const version = versionFromName(found.file) ?? versionFromName(exe) ?? askInterpreter(exe).version;
  return { interpreter: exe, markerFile: found.file, notes: found.notes, version };
}
