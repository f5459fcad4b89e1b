import { open } from 'node:fs/promises';

const NEWLINE = 10;
const CHUNK = 1 << 20;

/** Where a file's lines end: just after its last newline, and its size (a cut last line lies between). */
export interface LineExtent {
  endOfLastLine: number;
  size: number;
}

/**
 * Calls `onLine` for every newline-ended line of the file at `path`, read in 1 MiB chunks (traces
 * are big): the line is bytes[start, end), without its newline, at file offset `offset`.
 */
export async function forEachFileLine(
  path: string,
  onLine: (bytes: Buffer, start: number, end: number, offset: number) => void,
): Promise<LineExtent> {
  const extent: LineExtent = { endOfLastLine: 0, size: 0 };
  const file = await open(path, 'r');
  try {
    let carry = Buffer.alloc(0);
    let carryStart = 0; // file offset of carry[0]
    const buffer = Buffer.alloc(CHUNK);
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) break;
      const bytes =
        carry.length === 0 ? buffer.subarray(0, bytesRead) : Buffer.concat([carry, buffer.subarray(0, bytesRead)]);
      let start = 0;
      for (let nl = bytes.indexOf(NEWLINE, start); nl >= 0; nl = bytes.indexOf(NEWLINE, start)) {
        onLine(bytes, start, nl, carryStart + start);
        start = nl + 1;
      }
      extent.endOfLastLine = carryStart + start;
      carry = Buffer.from(bytes.subarray(start));
      carryStart += start;
      extent.size = carryStart + carry.length;
    }
  } finally {
    await file.close();
  }
  return extent;
}
