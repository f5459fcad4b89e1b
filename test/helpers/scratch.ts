import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/**
 * A fresh temporary folder for one test file's generated inputs and outputs, removed when the
 * test process exits (each test file runs in its own process). PYFLAME_KEEP_SCRATCH=1 keeps them
 * to look at, e.g. the browser tests' screenshots.
 */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `pyflame-${prefix}-`));
  if (made.push(dir) === 1 && process.env.PYFLAME_KEEP_SCRATCH !== '1') {
    process.once('exit', () => {
      for (const folder of made) rmSync(folder, { recursive: true, force: true });
    });
  }
  return dir;
}

let counter = 0;

/** Writes `content` to a new file (unique name) in `dir` and returns its path. */
export function writeScratch(dir: string, content: string | Buffer, name = 'trace.txt'): string {
  const path = join(dir, `${counter++}-${name}`);
  writeFileSync(path, content);
  return path;
}
