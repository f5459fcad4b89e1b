import type { TraceSummary } from '../parse/read-trace.js';
import { formatWarnings } from '../export/terminal/warnings.js';

/** What a command may touch of the outside world (tests pass their own). */
export interface CommandContext {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Progress reporting for long reads (only when stderr is a terminal). */
  readonly progress?: { update: (bytesRead: number, totalBytes: number | undefined) => void; stop: () => void };
}

/** Prints a trace's warnings on stderr. */
export function reportWarnings(context: CommandContext, summary: TraceSummary): void {
  for (const line of formatWarnings(summary.source, summary.warnings)) context.stderr.write(`${line}\n`);
}
