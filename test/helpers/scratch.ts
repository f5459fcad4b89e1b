import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temporary folder for one test file's generated inputs. */
export function scratchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `pyflame-${prefix}-`));
}

let counter = 0;

/** Writes `content` to a new file (unique name) in `dir` and returns its path. */
export function writeScratch(dir: string, content: string | Buffer, name = 'trace.txt'): string {
  const path = join(dir, `${counter++}-${name}`);
  writeFileSync(path, content);
  return path;
}
