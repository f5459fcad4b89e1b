import { convertTrace } from '../../src/convert.js';
import type { TextOutput } from '../../src/io/output.js';
import type { ReadTraceOptions, TraceSummary } from '../../src/parse/read-trace.js';

/** An in-memory TextOutput (text and bytes, as the writers give them; read back as UTF-8). */
export function memoryOutput(): TextOutput & { text(): string } {
  const parts: Buffer[] = [];
  // Copied: a writer may fill its buffer again once write returns (writeAndWait's promise).
  const write = (piece: string | Uint8Array) =>
    void parts.push(typeof piece === 'string' ? Buffer.from(piece) : Buffer.from(piece));
  return {
    path: '<memory>',
    write,
    writeAndWait: async (piece: string | Uint8Array) => write(piece),
    drain: async () => {},
    commit: async () => {},
    abort: async () => {},
    text: () => Buffer.concat(parts).toString(),
  };
}

/** A trace's normalized event log as CSV text, with its summary. */
export async function eventLogCsv(
  path: string,
  options: Omit<ReadTraceOptions, 'onBatch'> & { parseThread?: boolean } = {},
): Promise<{ csv: string; summary: TraceSummary }> {
  const output = memoryOutput();
  // Parsed on this thread unless asked: a worker per call would slow the many small conversions
  // of the tests (test/attack-convert-bytes.test.ts compares the two).
  const summary = await convertTrace(path, output, { parseThread: false, ...options, to: 'csv' });
  return { csv: output.text(), summary };
}

/** The warnings of a summary as stable text for golden files. */
export function warningsText(summary: TraceSummary): string {
  const lines = [`format: ${summary.format}`, `events: ${summary.events}`, `lines: ${summary.lines}`];
  for (const w of summary.warnings)
    lines.push(`warning ${w.code}: ${w.count} ${w.unit} at lines [${w.lines.join(', ')}]: ${w.message}`);
  return `${lines.join('\n')}\n`;
}
