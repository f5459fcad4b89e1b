import { describeFsError } from '../../io/fs-errors.js';
import { stat } from 'node:fs/promises';
import type { Argv } from 'yargs';
import { analyzeTrace } from '../../analyze/analyze.js';
import { TimelineRecorder } from '../../export/speedscope/timeline-recorder.js';
import { TraceInputError } from '../../model/diagnostics.js';
import { formatNames } from '../../parse/registry.js';
import { openInBrowser } from '../../view/open-browser.js';
import {
  analysisProfile,
  BadProfileError,
  DEFAULT_VIEW_LIMITS,
  existingProfile,
  inflatedProfile,
  ProfileTooLargeError,
  type ProfileFile,
  type ViewLimits,
} from '../../view/profile-file.js';
import { serveSpeedscope } from '../../view/serve-speedscope.js';
import { sniffViewInput } from '../../view/speedscope-file.js';
import { VERSION } from '../../version.js';
import type { CommandContext } from '../command-context.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { FILTER_FLAGS, filterFlags, filtersFrom, type FilterArgs } from '../filter-flags.js';
import { readOptionFlags, readOptionsFrom, tracePath } from '../read-flags.js';
import { formatWarnings } from '../../export/terminal/warnings.js';
import { terminalText } from '../../text/untrusted.js';
import { speedscopeReductionWarning } from '../../export/speedscope/size-budget.js';
import { SPEEDSCOPE_MAX_MB_FLAG, speedscopeMaxBytes, speedscopeMaxMbOption } from '../outputs/analyze-outputs.js';

export interface ViewArgs extends FilterArgs {
  input?: string;
  format?: string;
  'reorder-window'?: number;
  port: number;
  open: boolean;
  once: boolean;
  'speedscope-max-mb': number;
}

export const viewCommand = {
  command: 'view <input>',
  describe: 'Open a trace or a speedscope file in speedscope, offline: served on 127.0.0.1 to your browser',
  builder: (yargs: Argv) =>
    filterFlags(readOptionFlags(yargs))
      .positional('input', {
        type: 'string',
        describe: 'a trace (any format; .gz accepted; - for stdin) or a speedscope file (.json or .json.gz)',
      })
      .option('port', { type: 'number', default: 0, describe: 'port on 127.0.0.1 (default: a free one)' })
      .option('open', { type: 'boolean', default: true, describe: 'open the browser (--no-open: only print the URL)' })
      .option('once', {
        type: 'boolean',
        default: false,
        describe: 'stop once the profile has been fetched (the page keeps working)',
      })
      .option(SPEEDSCOPE_MAX_MB_FLAG, speedscopeMaxMbOption)
      .example('$0 view trace.txt', 'analyze the trace and show its timelines in speedscope')
      .example('$0 view out/trace.speedscope.json.gz', 'show an existing speedscope file')
      .example('$0 view trace.txt --tid 4242 --from 2s --to 3s', 'a slice of one thread (smaller, faster to load)')
      .example('$0 view trace.txt --no-open', 'print the URL only (a remote shell: forward the port)')
      .epilog(
        `Serves until Ctrl-C. Formats read: ${formatNames().join(', ')}, and speedscope files. See docs/view.md.`,
      ),
  async run(args: ViewArgs, context: CommandContext): Promise<number> {
    const input = tracePath(args.input);
    if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535)
      throw new UsageError(`--port takes a port number from 0 to 65535; got ${String(args.port)}`);
    const limits = viewLimits();
    speedscopeMaxBytes(args['speedscope-max-mb']); // a usage error before the trace is read
    const profile = await prepareProfile(input, args, context, limits);
    const sizeNote = formatBytes(profile.bytes);
    if (profile.bytes > limits.warnBytes)
      context.stderr.write(
        `pyflame: warning: ${terminalText(`${input}: the speedscope document is ${sizeNote}; speedscope will take a long time to load it (a 413 MB one took over a minute). ${NARROW_HINT(input)}`)}\n`,
      );
    try {
      const server = await serveSpeedscope({ profile, port: args.port }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE')
          throw new UsageError(
            `--port ${args.port}: that port on 127.0.0.1 is already in use; pick another or leave --port out`,
          );
        throw error;
      });
      context.stdout.write(`${server.url}\n`);
      context.stderr.write(
        `pyflame: serving ${input === '-' ? 'stdin' : terminalText(input)} (speedscope document: ${sizeNote}) to speedscope on 127.0.0.1:${server.port}; ${args.once ? 'stops once the profile is fetched' : 'Ctrl-C to stop'}\n`,
      );
      if (args.open) openInBrowser(server.url, (message) => context.stderr.write(`pyflame: warning: ${message}\n`));
      await untilStopped(args.once ? server.profileServed : undefined);
      await server.close();
    } finally {
      await profile.remove();
    }
    return ExitCode.Ok;
  },
};

const NARROW_HINT = (input: string) =>
  `Narrow it with --tid, --pid, --from/--to or --focus, or draw a flame graph instead: pyflame analyze ${input} --svg`;

/** The speedscope document for the input: the file itself, its inflated copy, or the trace's analysis. */
async function prepareProfile(
  input: string,
  args: ViewArgs,
  context: CommandContext,
  limits: ViewLimits,
): Promise<ProfileFile> {
  let regularFile = false;
  if (input !== '-') {
    try {
      const stats = await stat(input);
      if (stats.isDirectory()) throw new TraceInputError(input, undefined, 'a folder, not a file');
      regularFile = stats.isFile();
    } catch (error) {
      if (error instanceof TraceInputError) throw error;
      throw new TraceInputError(input, undefined, `cannot read: ${describeFsError(error)}`);
    }
  }
  // --format names a trace format: the file is read as a trace whatever it looks like. A pipe
  // (`<(zcat ...)`) cannot be read twice, so it is not sniffed: it must be a trace.
  const kind = !regularFile || args.format !== undefined ? 'trace' : await sniffViewInput(input);
  try {
    if (kind === 'other-json')
      throw new TraceInputError(
        input,
        undefined,
        'JSON, but not a speedscope file (expected an object with "$schema": "https://www.speedscope.app/file-format-schema.json", or "shared" and "profiles") and not a trace format pyflame reads',
      );
    if (kind !== 'trace') {
      const given = FILTER_FLAGS.filter((flag) => args[flag] !== undefined);
      if (given.length > 0)
        throw new UsageError(
          `${input} is a speedscope file already: --${given.join(', --')} filter traces only (view the trace they came from instead)`,
        );
      return kind === 'speedscope' ? await existingProfile(input, limits) : await inflatedProfile(input, limits);
    }
    const { filters } = filtersFrom(args);
    const timeline = new TimelineRecorder();
    try {
      const readOptions = readOptionsFrom(args, context);
      const analysis = await analyzeTrace(input, {
        ...readOptions,
        stdin: input === '-' ? readOptions.stdin : undefined,
        filters,
        timeline,
      });
      for (const line of formatWarnings(analysis.source.path, analysis.warnings)) context.stderr.write(`${line}\n`);
      const profile = await analysisProfile(
        analysis,
        timeline,
        `pyflame@${VERSION}`,
        limits,
        speedscopeMaxBytes(args['speedscope-max-mb']),
      );
      const reduced = profile.written && speedscopeReductionWarning(profile.written, `--${SPEEDSCOPE_MAX_MB_FLAG}`);
      if (reduced) context.stderr.write(`pyflame: warning: ${terminalText(`${input}: ${reduced}`)}\n`);
      return profile;
    } finally {
      // A long trace's timeline may be in a temporary file: given back whatever happened.
      timeline.dispose();
    }
  } catch (error) {
    if (error instanceof ProfileTooLargeError) {
      const size = error.complete ? `is ${formatBytes(error.bytes)}, over` : 'would be over';
      throw new TraceInputError(
        input,
        undefined,
        `the speedscope document ${size} the ${formatBytes(error.limit)} a browser can load (speedscope reads it as one string). ${NARROW_HINT(input)}`,
      );
    }
    if (error instanceof BadProfileError) throw new TraceInputError(input, undefined, error.message);
    if (
      (error as NodeJS.ErrnoException).code === 'Z_DATA_ERROR' ||
      (error as NodeJS.ErrnoException).code === 'Z_BUF_ERROR'
    )
      throw new TraceInputError(input, undefined, `corrupt gzip data: ${(error as Error).message}`);
    throw error;
  }
}

/**
 * The size limits: speedscope's (DEFAULT_VIEW_LIMITS), or smaller ones from
 * PYFLAME_VIEW_REFUSE_BYTES / PYFLAME_VIEW_WARN_BYTES, which exist so tests need no 512 MB file.
 */
function viewLimits(env: NodeJS.ProcessEnv = process.env): ViewLimits {
  const read = (name: string, fallback: number): number => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    const bytes = Number(value);
    if (!Number.isInteger(bytes) || bytes < 0)
      throw new UsageError(`${name} takes a whole number of bytes; got ${value}`);
    return Math.min(bytes, fallback);
  };
  return {
    refuseBytes: read('PYFLAME_VIEW_REFUSE_BYTES', DEFAULT_VIEW_LIMITS.refuseBytes),
    warnBytes: read('PYFLAME_VIEW_WARN_BYTES', DEFAULT_VIEW_LIMITS.warnBytes),
  };
}

/** Resolves on Ctrl-C or SIGTERM (serving is the command's normal end: exit 0), or when `done` does. */
function untilStopped(done: Promise<void> | undefined): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    void done?.then(stop);
  });
}

/** Bytes below 1 MiB (the sizes small test limits produce), MiB with one decimal above. */
function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${bytes} bytes`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
