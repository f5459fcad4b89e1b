// Loads the command line's bundle (dist/src/cli-bundle/main.cjs) with V8's code cache.
//
// Why: start-up (issue 16). Compiling the ~700 KB bundle, and then each function of it that a run
// calls, was most of what a small `pyflame analyze` cost over `node -e 0`. `npm run build` runs
// the bundle once (scripts/cli-code-cache.mjs) and saves V8's compiled code beside it; a run
// hands that to V8 instead of compiling again. Node 20 caches no ES module, so the bundle is
// CommonJS compiled here as a vm.Script, the one kind of code V8 takes a cache for.
//
// V8 checks that a cache fits its version and flags, but knows a source only by its length: the
// cache file starts with the SHA-256 of the source it was made from, and is not used for another.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import vm from 'node:vm';

/** The cache's file: the bundle's path with this added. */
export const CACHE_SUFFIX = '.cache';
const DIGEST_BYTES = 32;

/**
 * Compiles the CommonJS bundle at `path` (not run yet), with its cache when there is one made
 * from this very source that this Node accepts. `cache` says which: 'used', 'none' (no file),
 * 'other-source' or 'rejected' (by V8: another Node or other flags).
 */
export function compileBundle(path, { useCache = true } = {}) {
  const source = readFileSync(path, 'utf8');
  const digest = sourceDigest(source);
  let cachedData;
  let cache = 'none';
  if (useCache) {
    try {
      const file = readFileSync(path + CACHE_SUFFIX);
      if (file.subarray(0, DIGEST_BYTES).equals(digest)) cachedData = file.subarray(DIGEST_BYTES);
      else cache = 'other-source';
    } catch {
      // no cache: compiled from the source alone
    }
  }
  // On one line with the source's first: the bundle's line numbers stay right in stack traces.
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new vm.Script(wrapped, {
    filename: path,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (cachedData !== undefined) cache = script.cachedDataRejected ? 'rejected' : 'used';
  return { script, digest, cache };
}

/** Runs a bundle compileBundle() made; returns its exports. */
export function runBundle(path, script) {
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(path), module, path, dirname(path));
  return module.exports;
}

/** What to write to path + CACHE_SUFFIX: the source's digest, then V8's code of what has run so far. */
export function cacheBytes(compiled) {
  return Buffer.concat([compiled.digest, compiled.script.createCachedData()]);
}

function sourceDigest(source) {
  return createHash('sha256').update(source).digest();
}
