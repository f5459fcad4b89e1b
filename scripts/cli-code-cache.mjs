// Makes the command line bundle's code cache (dist/src/cli-bundle/main.cjs.cache), which
// bin/pyflame.js hands to V8 so that a run does not compile the bundle again (bin/load-bundle.js
// says why). Run by scripts/bundle-cli.mjs, in a process of its own.
//
// V8 caches the code of the functions that have run: so the bundle runs here what a typical run
// does, `analyze` of a shipped sample with its report and the common outputs (written to a
// temporary folder, removed after). A function that did not run here is compiled when first
// called, as without a cache. The cache fits only the Node (V8 version and flags) that made it:
// another Node compiles from the source, as before (`npm run build` makes a new cache).
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CACHE_SUFFIX, cacheBytes, compileBundle, runBundle } from '../bin/load-bundle.js';

const ROOT = join(fileURLToPath(import.meta.url), '../..');
const BUNDLE = join(ROOT, 'dist/src/cli-bundle/main.cjs');
const SAMPLE = join(ROOT, 'sample-traces/call-stack.pyflame.txt');

const scratch = mkdtempSync(join(tmpdir(), 'pyflame-code-cache-'));
try {
  const compiled = compileBundle(BUNDLE, { useCache: false });
  const { main } = runBundle(BUNDLE, compiled.script);
  const out = (name) => join(scratch, name);
  const args = ['analyze', SAMPLE, '--json', out('a.json'), '--svg', out('a.svg'), '--folded', out('a.folded')];
  args.push('--speedscope', out('a.speedscope.json'));
  // What the run prints would go to the build's output: kept, and shown only if it fails.
  const printed = [];
  const { stdout, stderr } = process;
  const [writeOut, writeErr] = [stdout.write, stderr.write];
  stdout.write = stderr.write = (chunk, encoding, done) => {
    printed.push(String(chunk));
    (typeof encoding === 'function' ? encoding : done)?.();
    return true;
  };
  let code;
  try {
    code = await main(args);
  } finally {
    [stdout.write, stderr.write] = [writeOut, writeErr];
  }
  if (code !== 0) throw new Error(`pyflame ${args.join(' ')} exited ${code}: no code cache made\n${printed.join('')}`);
  const temporary = `${BUNDLE}${CACHE_SUFFIX}.tmp`;
  writeFileSync(temporary, cacheBytes(compiled));
  renameSync(temporary, BUNDLE + CACHE_SUFFIX);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
