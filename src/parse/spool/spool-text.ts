import { TraceInputError } from '../../model/diagnostics.js';
import { SPOOL_MAGIC, SpoolDecoder, SpoolError, type SpoolEnd } from './spool-decoder.js';

/** Whether the input starts as a spool of the in-process recorder does. */
export function isSpool(bytes: Uint8Array): boolean {
  if (bytes.length < SPOOL_MAGIC.length) return false;
  for (let i = 0; i < SPOOL_MAGIC.length; i++) if (bytes[i] !== SPOOL_MAGIC.charCodeAt(i)) return false;
  return true;
}

/**
 * A spool's bytes as pyflame's text format (a header line, the events, and an end line saying
 * whether the spool was complete), so that every reader takes a spool as it takes a text trace.
 * What was wrong with the spool is given to `onEnd`, for the reader's warnings.
 */
export async function* spoolAsText(
  source: AsyncIterable<Buffer>,
  name: string,
  onEnd: (end: SpoolEnd) => void,
): AsyncGenerator<Buffer> {
  const decoder = new SpoolDecoder(name, { lines: false });
  let headerWritten = false;
  try {
    for await (const chunk of source) {
      decoder.push(chunk);
      const text = decoder.takeText();
      if (!headerWritten && decoder.headerRead) {
        headerWritten = true;
        yield Buffer.from(`${decoder.traceHeader()}\n`, 'latin1');
      }
      if (text.length > 0) yield text;
    }
  } catch (error) {
    if (error instanceof SpoolError) throw new TraceInputError(name, 1, `not a pyflame spool: ${error.why}`);
    throw error;
  }
  const end = decoder.finish();
  onEnd(end);
  yield Buffer.from(endLine(end), 'latin1');
}

/** The `# pyflame-end` line of a decoded spool (a comment to the text format's reader). */
export function endLine(end: SpoolEnd): string {
  return end.complete
    ? `# pyflame-end result=complete events=${end.events} lost=0 recorder=inprocess end=${end.how ?? 'exit'}\n`
    : `# pyflame-end result=incomplete events=${end.events} lost=unknown recorder=inprocess reason=${end.how === undefined ? 'no-end-chunk' : 'damaged'}\n`;
}

/** A whole spool in memory as the text format, at once (for small spools: tests, tools). */
export function spoolToText(bytes: Buffer, name: string): { text: string; end: SpoolEnd } {
  const decoder = new SpoolDecoder(name, { lines: false });
  try {
    decoder.push(bytes);
  } catch (error) {
    if (error instanceof SpoolError) throw new TraceInputError(name, 1, `not a pyflame spool: ${error.why}`);
    throw error;
  }
  const body = decoder.takeText().toString('latin1');
  const end = decoder.finish();
  const header = decoder.headerRead ? `${decoder.traceHeader()}\n` : '';
  return { text: `${header}${body}${endLine(end)}`, end };
}
