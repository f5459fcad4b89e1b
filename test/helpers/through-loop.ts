import assert from 'node:assert/strict';
import { Diagnostics } from '../../src/model/diagnostics.js';
import { EventWriter } from '../../src/parse/event-writer.js';
import type { LineParser } from '../../src/parse/trace-format.js';

/** What reading a text through a parser's WebAssembly loop did. */
export interface ThroughLoop {
  /** The 1-based lines handed to the TypeScript `line()` (the loop stopped at them). */
  readonly seen: number[];
  /** The lines rejected (neither the loop nor `line()` took them). */
  readonly rejected: number[];
  /** Events written. */
  readonly events: number;
}

/**
 * Reads `text` through the `lines()` loop of the parser `create` makes, spying on its `line()`:
 * the fast-path tests (hyphenated probes, raw bpftrace, SystemTap) check which lines leave the loop.
 */
export function readThroughLoop(
  create: (writer: EventWriter, diagnostics: Diagnostics) => LineParser,
  text: string | Buffer,
  encoding: BufferEncoding = 'latin1',
): ThroughLoop {
  const writer = new EventWriter(() => {});
  const parser = create(writer, new Diagnostics());
  const seen: number[] = [];
  const read = parser.line.bind(parser);
  parser.line = (bytes, start, end, lineNo) => {
    seen.push(lineNo);
    return read(bytes, start, end, lineNo);
  };
  const bytes = typeof text === 'string' ? Buffer.from(text, encoding) : text;
  const rejected: number[] = [];
  assert.ok(parser.lines, 'the parser offers the WebAssembly loop');
  parser.lines(bytes, 0, bytes.length, 1, (_b, _s, _e, lineNo) => rejected.push(lineNo));
  return { seen, rejected, events: writer.events };
}
