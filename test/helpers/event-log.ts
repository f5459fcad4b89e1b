import { convertTrace } from '../../src/convert.js';
import type { TextOutput } from '../../src/io/output.js';
import type { ReadTraceOptions, TraceSummary } from '../../src/parse/read-trace.js';

/** An in-memory TextOutput. */
export function memoryOutput(): TextOutput & { text(): string } {
  const parts: string[] = [];
  return {
    path: '<memory>',
    write: (text: string) => void parts.push(text),
    drain: async () => {},
    commit: async () => {},
    abort: async () => {},
    text: () => parts.join(''),
  };
}

/** A trace's normalized event log as CSV text, with its summary. */
export async function eventLogCsv(
  path: string,
  options: Omit<ReadTraceOptions, 'onBatch'> = {},
): Promise<{ csv: string; summary: TraceSummary }> {
  const output = memoryOutput();
  const summary = await convertTrace(path, output, { ...options, to: 'csv' });
  return { csv: output.text(), summary };
}

/** The warnings of a summary as stable text for golden files. */
export function warningsText(summary: TraceSummary): string {
  const lines = [`format: ${summary.format}`, `events: ${summary.events}`, `lines: ${summary.lines}`];
  for (const w of summary.warnings)
    lines.push(`warning ${w.code}: ${w.count} ${w.unit} at lines [${w.lines.join(', ')}]: ${w.message}`);
  return `${lines.join('\n')}\n`;
}
