import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { isGzip, looksLikeJson } from '../text/sniff.js';

/** What `pyflame view` was given, judged by content (never by name). */
export type ViewInputKind = 'speedscope' | 'speedscope-gz' | 'other-json' | 'trace';

/** Enough of a file's start to see its first keys (exporters write "$schema" first). */
const HEAD_BYTES = 64 * 1024;
const SPEEDSCOPE_SCHEMA = 'https://www.speedscope.app/file-format-schema.json';

/**
 * Looks at the start of a file (inflated when it starts with the gzip magic): a JSON object
 * naming speedscope's "$schema", or one with "shared" and "profiles" keys, is a speedscope
 * document; any other JSON (an object or array) is `other-json`, which no trace format is;
 * everything else is left to the trace readers, which say what is wrong with it.
 */
export async function sniffViewInput(path: string): Promise<ViewInputKind> {
  const gzipped = await startsWithGzipMagic(path);
  const head = (gzipped ? await inflatedHead(path) : await rawHead(path)).replace(/^\uFEFF/, '').trimStart();
  if (!looksLikeJson(head)) return 'trace';
  if (
    head.startsWith('{') &&
    (schemaNamesSpeedscope(head) || (/"shared"\s*:/.test(head) && /"profiles"\s*:/.test(head)))
  )
    return gzipped ? 'speedscope-gz' : 'speedscope';
  // A gzipped JSON that is not speedscope may still be a gzipped trace that starts with "[" (no
  // format does today); the trace readers decide.
  return gzipped ? 'trace' : 'other-json';
}

function schemaNamesSpeedscope(head: string): boolean {
  const match = /"\$schema"\s*:\s*"([^"]*)"/.exec(head);
  return match !== null && match[1] === SPEEDSCOPE_SCHEMA;
}

async function startsWithGzipMagic(path: string): Promise<boolean> {
  const bytes = await readStart(path, 2);
  return isGzip(bytes);
}

async function rawHead(path: string): Promise<string> {
  return (await readStart(path, HEAD_BYTES)).toString('utf8');
}

async function readStart(path: string, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The first HEAD_BYTES of the inflated content (damage past them is found when inflating all). */
async function inflatedHead(path: string): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  const gunzip = createGunzip();
  const source = createReadStream(path);
  source.pipe(gunzip);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= HEAD_BYTES) break;
    }
  } catch {
    // Corrupt gzip: whatever was inflated decides; the full read reports the damage.
  } finally {
    source.destroy();
    gunzip.destroy();
  }
  return Buffer.concat(chunks).subarray(0, HEAD_BYTES).toString('utf8');
}
