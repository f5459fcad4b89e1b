import { TextDecoder } from 'node:util';

/**
 * What speedscope and editors write besides plain UTF-8: a UTF-8 byte order mark (dropped), and
 * UTF-16 with a byte order mark (Windows tools; re-encoded as UTF-8 so the byte-level reader
 * stays the one reader). Without a mark, the bytes are UTF-8 as they are.
 */
export type TextEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be';

function encodingOf(head: Buffer): TextEncoding {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8-bom';
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return 'utf-8';
}

/**
 * The chunks as UTF-8, the byte order mark dropped; `found` learns the encoding once the first
 * bytes are seen. The first three bytes are gathered first (chunks may be a byte each).
 */
export async function* asUtf8(
  chunks: AsyncIterable<Buffer>,
  found: (encoding: TextEncoding) => void,
): AsyncGenerator<Buffer> {
  let head: Buffer | undefined = Buffer.alloc(0);
  let decoder: TextDecoder | undefined;
  for await (const chunk of chunks) {
    let bytes = chunk;
    if (head !== undefined) {
      head = Buffer.concat([head, chunk]);
      if (head.length < 3) continue;
      bytes = head;
      head = undefined;
      const encoding = encodingOf(bytes);
      found(encoding);
      if (encoding === 'utf-8-bom') bytes = bytes.subarray(3);
      if (encoding === 'utf-16le' || encoding === 'utf-16be') {
        // fatal: false: an unpaired surrogate becomes U+FFFD, like invalid UTF-8 elsewhere.
        decoder = new TextDecoder(encoding, { fatal: false, ignoreBOM: false });
      }
    }
    if (decoder !== undefined) {
      const text = decoder.decode(bytes, { stream: true });
      if (text !== '') yield Buffer.from(text, 'utf8');
    } else if (bytes.length > 0) {
      yield bytes;
    }
  }
  if (head !== undefined) {
    // Fewer than three bytes in all.
    const encoding = encodingOf(head);
    found(encoding);
    if (encoding === 'utf-16le' || encoding === 'utf-16be') {
      decoder = new TextDecoder(encoding, { fatal: false, ignoreBOM: false });
      const text = decoder.decode(head);
      if (text !== '') yield Buffer.from(text, 'utf8');
    } else if (head.length > 0) {
      yield head;
    }
    return;
  }
  if (decoder !== undefined) {
    const rest = decoder.decode();
    if (rest !== '') yield Buffer.from(rest, 'utf8');
  }
}
