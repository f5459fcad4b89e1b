// What a file holds, judged from its first bytes: used where one command accepts several kinds
// of input (a trace, gzip, a saved JSON result, a speedscope file).

/** The first two bytes of every gzip stream (RFC 1952). */
const GZIP_MAGIC: readonly [number, number] = [0x1f, 0x8b];

/** Whether `bytes` starts a gzip stream. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

/** Whether text (its start, with any BOM and leading white space) opens a JSON object or array. */
export function looksLikeJson(head: string): boolean {
  const start = head.replace(/^\uFEFF?\s*/, '');
  return start.startsWith('{') || start.startsWith('[');
}
