import { createReadStream, createWriteStream, rmSync, type WriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { Analysis } from '../analyze/analysis.js';
import { type SpeedscopeWritten, writeSpeedscope } from '../export/speedscope/speedscope.js';
import type { TimelineRecorder } from '../export/speedscope/timeline-recorder.js';

/**
 * How large a speedscope document may be. The app reads the whole file into one JavaScript string
 * before JSON.parse, and V8 strings stop at 2^29 - 24 UTF-16 units (a UTF-8 file has at least as
 * many bytes as units, so a file within the limit always fits). Far below that it is merely slow:
 * a 413 MB document took 73 s to load (docs/view.md).
 */
export interface ViewLimits {
  /** Larger documents are refused. */
  readonly refuseBytes: number;
  /** Larger documents are served with a warning that loading will be slow. */
  readonly warnBytes: number;
}

export const DEFAULT_VIEW_LIMITS: ViewLimits = { refuseBytes: 2 ** 29 - 24, warnBytes: 200_000_000 };

/** The document is over `limit` (`bytes` is its size, or the size reached when writing stopped). */
export class ProfileTooLargeError extends Error {
  override name = 'ProfileTooLargeError';
  constructor(
    readonly bytes: number,
    readonly limit: number,
    readonly complete: boolean,
  ) {
    super(`the speedscope document is ${complete ? '' : 'over '}${bytes} bytes, above the ${limit}-byte limit`);
  }
}

/** The speedscope document to serve: a file, with its size. */
export interface ProfileFile {
  readonly path: string;
  readonly bytes: number;
  /** For a document pyflame wrote from a trace: its size budget and what fitting it took. */
  readonly written?: SpeedscopeWritten;
  /** Removes the file if pyflame made it (a user's own file is left alone). */
  remove(): Promise<void>;
}

/** Files up to this size are parsed before serving, so a broken one is refused here, not in the browser. */
const VALIDATE_MAX_BYTES = 32 * 1024 * 1024;

/** A user's speedscope file, served as it is. */
export async function existingProfile(path: string, limits: ViewLimits): Promise<ProfileFile> {
  const { size } = await stat(path);
  if (size > limits.refuseBytes) throw new ProfileTooLargeError(size, limits.refuseBytes, true);
  await validate(path, size);
  return { path, bytes: size, remove: async () => {} };
}

/** A gzipped speedscope file, inflated into a temporary file (the app is served plain JSON). */
export async function inflatedProfile(path: string, limits: ViewLimits): Promise<ProfileFile> {
  const temp = await TempProfile.create(limits);
  try {
    await pipeline(createReadStream(path), createGunzip(), async (chunks: AsyncIterable<Buffer>) => {
      for await (const chunk of chunks) await temp.write(chunk);
    });
    const profile = await temp.finish();
    await validate(profile.path, profile.bytes);
    return profile;
  } catch (error) {
    await temp.remove();
    throw error;
  }
}

/** The speedscope document of an analysed trace, written in pieces into a temporary file. */
export async function analysisProfile(
  analysis: Analysis,
  timeline: TimelineRecorder,
  exporter: string,
  limits: ViewLimits,
  maxBytes?: number,
): Promise<ProfileFile> {
  const temp = await TempProfile.create(limits);
  try {
    const written = await writeSpeedscope(analysis, timeline, (piece) => temp.write(piece), exporter, { maxBytes });
    return { ...(await temp.finish()), written };
  } catch (error) {
    await temp.remove();
    throw error;
  }
}

/** Why a speedscope document cannot be loaded, or undefined when its shape is right. */
export function speedscopeProblem(text: string): string | undefined {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return `not valid JSON (${(error as Error).message})`;
  }
  const shape = document as { shared?: { frames?: unknown }; profiles?: unknown };
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return 'not a JSON object';
  if (!Array.isArray(shape.shared?.frames)) return 'no "shared": {"frames": [...]}';
  if (!Array.isArray(shape.profiles)) return 'no "profiles": [...]';
  if (shape.profiles.length === 0) return 'no profiles in "profiles"';
  return undefined;
}

/** Thrown for a speedscope file whose content cannot be loaded. */
export class BadProfileError extends Error {
  override name = 'BadProfileError';
}

async function validate(path: string, bytes: number): Promise<void> {
  if (bytes > VALIDATE_MAX_BYTES) return; // the browser reports what is wrong with a larger one
  const problem = speedscopeProblem(await readFile(path, 'utf8'));
  if (problem !== undefined) throw new BadProfileError(`a speedscope file, but ${problem}`);
}

/**
 * A temporary file in a folder of its own under the system's temp folder, counting bytes as they
 * are written and refusing to grow past the limit. Removed by remove(), or when the process exits
 * without calling it (an interrupt while the trace is still being analysed).
 */
class TempProfile {
  private bytes = 0;
  /** A write error, reported by the next write or by finish(). */
  private failure: Error | undefined;
  private constructor(
    private readonly dir: string,
    private readonly stream: WriteStream,
    private readonly limits: ViewLimits,
  ) {}

  private readonly removeAtExit = () => rmSync(this.dir, { recursive: true, force: true });

  static async create(limits: ViewLimits): Promise<TempProfile> {
    const dir = await mkdtemp(join(tmpdir(), 'pyflame-view-'));
    const stream = createWriteStream(join(dir, 'profile.speedscope.json'));
    await once(stream, 'open');
    const temp = new TempProfile(dir, stream, limits);
    stream.on('error', (error) => (temp.failure ??= error));
    process.once('exit', temp.removeAtExit);
    return temp;
  }

  get path(): string {
    return join(this.dir, 'profile.speedscope.json');
  }

  /** Takes text or bytes (a byte-producing writer works as well as a string one). */
  async write(piece: string | Uint8Array): Promise<void> {
    const bytes = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
    if (this.failure !== undefined) throw this.failure;
    this.bytes += bytes.byteLength;
    if (this.bytes > this.limits.refuseBytes)
      throw new ProfileTooLargeError(this.bytes, this.limits.refuseBytes, false);
    if (!this.stream.write(bytes)) await once(this.stream, 'drain');
  }

  async finish(): Promise<ProfileFile> {
    await new Promise<void>((resolve, reject) =>
      this.stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    return { path: this.path, bytes: this.bytes, remove: () => this.remove() };
  }

  async remove(): Promise<void> {
    this.stream.destroy();
    process.removeListener('exit', this.removeAtExit);
    // Writes still queued fail with ERR_STREAM_DESTROYED: the 'error' listener takes them.
    await rm(this.dir, { recursive: true, force: true });
  }
}
