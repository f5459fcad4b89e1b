// Loads the command line's bundle (dist/src/cli-bundle/main.cjs) with V8's code cache.
//
// Why: start-up (issue 16). Compiling the ~700 KB bundle, and then each function of it that a run
// calls, was most of what a small `pyflame analyze` cost over `node -e 0`. `npm run build` runs
// the bundle once (scripts/cli-code-cache.mjs) and saves V8's compiled code beside it; a run
// hands that to V8 instead of compiling again. Node 20 caches no ES module, so the bundle is
// CommonJS compiled here as a vm.Script, the one kind of code V8 takes a cache for.
//
// V8 checks that a cache fits its version and flags, but knows a source only by its length: a
// cache file starts with the SHA-256 of the source it was made from and of the Node that made it,
// and is not used for another. The npm package ships no cache (it would fit only the packer's
// Node): where the build's cache is missing or does not fit, the first run saves one in the
// user's cache folder (~/.cache/pyflame, as Node's own compile cache keeps one in a cache folder),
// which later runs use. PYFLAME_CODE_CACHE=0 turns that off.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import vm from 'node:vm';

/** The build's cache: the bundle's path with this added. */
export const CACHE_SUFFIX = '.cache';
const DIGEST_BYTES = 32;

/**
 * Compiles the CommonJS bundle at `path` (not run yet) with the first cache that was made from
 * this very source by this Node: the build's (beside the bundle), else the one in `cacheDir`
 * (userCacheDir()). `cache` says what happened: 'used', 'none' (no cache for this source and
 * Node) or 'rejected' (V8 refused it: other V8 flags); `userCache` is where this Node's goes.
 */
export function compileBundle(path, { useCache = true, cacheDir } = {}) {
  const source = readFileSync(path, 'utf8');
  const digest = sourceDigest(source);
  const userCache =
    cacheDir === undefined ? undefined : join(cacheDir, `cli-${digest.toString('hex').slice(0, 32)}${CACHE_SUFFIX}`);
  const cachedData = useCache ? firstFitting([path + CACHE_SUFFIX, userCache], digest) : undefined;
  // On one line with the source's first: the bundle's line numbers stay right in stack traces.
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new vm.Script(wrapped, {
    filename: path,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const cache = cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used';
  return { script, digest, cache, userCache };
}

/** Runs a bundle compileBundle() made; returns its exports. */
export function runBundle(path, script) {
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(path), module, path, dirname(path));
  return module.exports;
}

/** What a cache file holds: the digest, then V8's code of every function of the bundle that has run so far. */
export function cacheBytes(compiled) {
  return Buffer.concat([compiled.digest, compiled.script.createCachedData()]);
}

/**
 * The folder where this machine keeps its caches of pyflame's bundle: $XDG_CACHE_HOME/pyflame or
 * ~/.cache/pyflame (a file per pyflame build and Node, named by their digest); undefined when
 * PYFLAME_CODE_CACHE=0 or there is no home folder.
 */
export function userCacheDir(env = process.env) {
  if (env.PYFLAME_CODE_CACHE === '0') return undefined;
  // The XDG spec: a relative $XDG_CACHE_HOME is to be ignored.
  if (env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME)) return join(env.XDG_CACHE_HOME, 'pyflame');
  try {
    return join(homedir(), '.cache', 'pyflame');
  } catch {
    return undefined;
  }
}

/**
 * Saves the code of what has run to `file` (a temporary file renamed into place: a run at the
 * same time reads the whole of one or none). Best effort: a cache that cannot be written only
 * means the next run compiles again; returns whether it was written.
 */
export function saveCache(compiled, file) {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(temporary, cacheBytes(compiled));
    renameSync(temporary, file);
    return true;
  } catch {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // nothing was made (no folder to make it in)
    }
    return false;
  }
}

/** The code of the first of `files` made from this source by this Node, if any. */
function firstFitting(files, digest) {
  for (const file of files) {
    if (file === undefined) continue;
    try {
      const bytes = readFileSync(file);
      if (bytes.subarray(0, DIGEST_BYTES).equals(digest)) return bytes.subarray(DIGEST_BYTES);
    } catch {
      // no such cache
    }
  }
  return undefined;
}

/** The source's SHA-256 with the Node that compiles it: a cache fits only both. */
function sourceDigest(source) {
  return createHash('sha256').update(`${process.version} ${process.arch}\n`).update(source).digest();
}
