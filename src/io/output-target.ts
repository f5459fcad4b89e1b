import { accessSync, constants, fstatSync, lstatSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * Where an output path really leads, decided before anything is written:
 * - `replace`: a regular file (or none yet) at `file`, the path with every symlink followed. It is
 *   written to a temporary file beside `file` and renamed over it, so a reader never sees half of it
 *   and the link, if the user gave one, stays a link.
 * - `in-place`: something that is not a regular file (/dev/null, a FIFO, a terminal, a pipe behind
 *   /dev/fd/N): opened and written as it is. Renaming over it would replace a device or a pipe with a
 *   plain file (as root, `-o /dev/null` would break /dev/null for the whole machine).
 * - `stdout`: the path is this process's own stdout (/dev/stdout, /proc/self/fd/1, or the file stdout
 *   is redirected to): written through stdout, never renamed under the shell's feet.
 */
export type OutputTarget =
  | { readonly kind: 'stdout' }
  | { readonly kind: 'replace'; readonly path: string; readonly file: string; readonly existing?: Stats }
  | { readonly kind: 'in-place'; readonly path: string; readonly what: string; readonly fd?: number };

/** A file's identity, to tell when two paths (links, hard links, /dev/fd/N) are one file. */
export interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
}

/** An output path that cannot be written, said in words (exit 2 before any work is done). */
export class OutputPathError extends Error {
  override name = 'OutputPathError';
}

/** Symlinks followed at most this many times (Linux's own limit is 40). */
const MAX_LINKS = 40;

const sameFile = (a: FileIdentity, b: FileIdentity) => a.dev === b.dev && a.ino === b.ino;

/** What kind of file `stats` is, in words. */
export function fileKind(stats: Stats): string {
  if (stats.isFile()) return 'regular file';
  if (stats.isDirectory()) return 'directory';
  if (stats.isCharacterDevice()) return 'character device';
  if (stats.isBlockDevice()) return 'block device';
  if (stats.isFIFO()) return 'FIFO (named pipe)';
  if (stats.isSocket()) return 'socket';
  return 'special file';
}

/** The identity of an open descriptor (stdin, stdout), or undefined when it has none. */
export function descriptorIdentity(fd: number): (FileIdentity & { readonly stats: Stats }) | undefined {
  try {
    const stats = fstatSync(fd);
    return { dev: stats.dev, ino: stats.ino, stats };
  } catch {
    return undefined;
  }
}

/** The identity of the file at `path` (links followed), or undefined when there is none. */
export function pathIdentity(path: string): FileIdentity | undefined {
  try {
    const stats = statSync(path);
    return { dev: stats.dev, ino: stats.ino };
  } catch {
    return undefined;
  }
}

/**
 * Decides how `path` is written (see {@link OutputTarget}). `stdoutIdentity` is the file behind
 * this process's stdout, when the output would go to the real stdout. Throws
 * {@link OutputPathError} for a directory, a path under a file, a dangling or looping link, or a
 * place that cannot be written.
 */
export function resolveOutputTarget(path: string, stdoutIdentity?: FileIdentity): OutputTarget {
  const descriptor = openDescriptor(path);
  if (descriptor !== undefined) {
    if (stdoutIdentity !== undefined && sameFile(descriptor.stats, stdoutIdentity)) return { kind: 'stdout' };
    // A socket (what a program's extra stdio often is) cannot be opened by name: written by number.
    if (!descriptor.stats.isFile() && !descriptor.stats.isDirectory())
      return { kind: 'in-place', path, what: fileKind(descriptor.stats), fd: descriptor.fd };
  }
  let followed: Stats | undefined;
  try {
    followed = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new OutputPathError(`${path}: too many levels of symbolic links`);
    if (code === 'ENOTDIR') throw new OutputPathError(`${path}: a part of this path is a file, not a folder`);
    if (code === 'EACCES') throw new OutputPathError(`${path}: permission denied`);
    if (code !== 'ENOENT') throw error;
  }
  if (followed !== undefined) {
    if (stdoutIdentity !== undefined && sameFile(followed, stdoutIdentity) && !followed.isDirectory())
      return { kind: 'stdout' };
    if (followed.isDirectory()) throw new OutputPathError(`${path} is a folder; give a file name inside it`);
    if (!followed.isFile()) {
      // /proc/self/fd/N of a pipe is a link to "pipe:[...]", not a path: open it as given.
      checkWritable(path, path);
      return { kind: 'in-place', path, what: fileKind(followed) };
    }
  }
  const file = followLinks(path);
  checkWritable(path, nearestExisting(dirname(file)));
  return { kind: 'replace', path, file, existing: followed };
}

/** `/dev/fd/N`, `/proc/self/fd/N`, `/dev/stdout`, `/dev/stderr`: this process's open descriptor N. */
function openDescriptor(path: string): { fd: number; stats: Stats } | undefined {
  const named = /^\/dev\/(stdout|stderr)$/.exec(path);
  const numbered = /^\/(?:dev|proc\/self)\/fd\/(\d{1,9})$/.exec(path);
  const fd = named !== null ? (named[1] === 'stdout' ? 1 : 2) : numbered !== null ? Number(numbered[1]) : undefined;
  if (fd === undefined) return undefined;
  const identity = descriptorIdentity(fd);
  return identity === undefined ? undefined : { fd, stats: identity.stats };
}

/**
 * The path with every symlink followed, also when the last link dangles (a link to a file not
 * written yet: the file is created where the link points, and the link is kept).
 */
function followLinks(path: string): string {
  let current = resolve(path);
  for (let hops = 0; hops <= MAX_LINKS; hops++) {
    let stats: Stats;
    try {
      stats = lstatSync(current);
    } catch {
      // Nothing here yet: the real folder it will be created in, and its name.
      const folder = nearestExisting(dirname(current));
      const rest = dirname(current).slice(folder.length);
      return join(realpathSync(folder), rest, basename(current));
    }
    if (!stats.isSymbolicLink()) return join(realpathSync(dirname(current)), basename(current));
    current = resolve(dirname(current), readlinkSync(current));
  }
  throw new OutputPathError(`${path}: too many levels of symbolic links`);
}

/** The closest folder of `dir` (itself included) that exists; a file on the way is an error. */
function nearestExisting(dir: string): string {
  let current = resolve(dir);
  for (;;) {
    let stats: Stats | undefined;
    try {
      stats = statSync(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOTDIR')
        throw new OutputPathError(`${dir}: a part of this path is a file, not a folder`);
    }
    if (stats !== undefined) {
      if (!stats.isDirectory())
        throw new OutputPathError(`${current} is a ${fileKind(stats)}, not a folder: cannot write inside it`);
      return current;
    }
    const parent = dirname(current);
    if (parent === current) return current;
    current = parent;
  }
}

function checkWritable(given: string, place: string): void {
  try {
    accessSync(place, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EROFS'
        ? 'it is on a read-only file system'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : (code ?? 'not writable');
    throw new OutputPathError(`cannot write ${given}: ${place === given ? '' : `${place}: `}${why}`);
  }
}

/** One output a command is about to write: the flag that names it and where it goes. */
export interface PlannedOutput {
  /** How the user named it, for messages: `--json`, `-o`. */
  readonly flag: string;
  /** A path, or `-` for stdout. */
  readonly path: string;
}

/**
 * Checks every output of a run before the long work starts: each can be written, none is one of the
 * inputs (by device and inode, so through links and hard links too), no two are the same file, and
 * at most one goes to stdout. Character devices (/dev/null) may take several outputs.
 */
export function checkOutputs(
  outputs: readonly PlannedOutput[],
  inputs: readonly string[],
  options: { stdoutIdentity?: FileIdentity; stdinIdentity?: FileIdentity } = {},
): OutputTarget[] {
  const inputIds = inputs.flatMap((input) => {
    const id = input === '-' ? options.stdinIdentity : pathIdentity(input);
    return id === undefined ? [] : [{ input: input === '-' ? 'stdin' : input, id }];
  });
  const taken: { flag: string; path: string; id?: FileIdentity; file?: string; device: boolean }[] = [];
  const targets: OutputTarget[] = [];
  for (const output of outputs) {
    const target = output.path === '-' ? ({ kind: 'stdout' } as const) : resolveNamed(output, options.stdoutIdentity);
    const named = `${output.flag} ${output.path}`;
    if (target.kind === 'stdout') {
      const other = taken.find((entry) => entry.path === '-');
      if (other !== undefined)
        throw new OutputPathError(
          `${other.flag} and ${output.flag} would both write to stdout; send one of them to a file`,
        );
      taken.push({ flag: output.flag, path: '-', device: false });
      targets.push(target);
      continue;
    }
    const id = pathIdentity(output.path);
    if (id !== undefined) {
      const input = inputIds.find((entry) => sameFile(entry.id, id));
      if (input !== undefined)
        throw new OutputPathError(
          `${named} is the input ${input.input}: pyflame never writes over what it reads; choose another output path`,
        );
    }
    const device = target.kind === 'in-place' && target.what === 'character device';
    const file = target.kind === 'replace' ? target.file : undefined;
    const clash = taken.find(
      (entry) =>
        (id !== undefined && entry.id !== undefined && sameFile(entry.id, id) && !(device && entry.device)) ||
        (file !== undefined && entry.file === file),
    );
    if (clash !== undefined)
      throw new OutputPathError(
        `${clash.flag} ${clash.path} and ${named} are the same file; give each output its own path`,
      );
    taken.push({ flag: output.flag, path: output.path, id, file, device });
    targets.push(target);
  }
  return targets;
}

/** resolveOutputTarget, its complaint naming the flag: `--json /tmp is a folder; ...`. */
function resolveNamed(output: PlannedOutput, stdoutIdentity: FileIdentity | undefined): OutputTarget {
  try {
    return resolveOutputTarget(output.path, stdoutIdentity);
  } catch (error) {
    if (!(error instanceof OutputPathError)) throw error;
    throw new OutputPathError(
      error.message.startsWith(output.path) ? `${output.flag} ${error.message}` : `${output.flag}: ${error.message}`,
    );
  }
}
