import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import yargs from 'yargs';
import { parseThreadWanted } from '../src/cli/read-flags.js';
import { skipUnprintedHelpLayout } from '../src/cli/help-layout.js';
import type { Worker } from 'node:worker_threads';
import { readTrace } from '../src/parse/read-trace.js';
import { prestartParseThread, takePrestartedParseThread } from '../src/parse/threaded/prestart.js';
import { readTraceThreaded } from '../src/parse/threaded/read-trace-threaded.js';
import { THREAD_MIN_BYTES, worthAThread } from '../src/parse/threaded/thread-threshold.js';
import { FIXTURES, ROOT, SAMPLES } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir } from './helpers/scratch.js';

// Start-up (issue 16): a run loads and does only what it needs. What it costs in time is measured
// by bench/startup.mjs; these tests pin what is (not) loaded and that the paths give one result.

const scratch = scratchDir('startup');

/**
 * Node preloads this (NODE_OPTIONS=--require): it counts the worker threads started (and of them,
 * those started without their work, to wait for it: prestart.ts) and, at exit, lists them with
 * the CommonJS modules loaded. (Which of Node's own modules are loaded says
 * little: the bundle imports them all at its top, and they cost next to nothing.)
 */
const PRELOAD = join(scratch, 'list-modules.cjs');
writeFileSync(
  PRELOAD,
  `const threads = require('node:worker_threads');
let workers = 0;
let waiting = 0;
threads.Worker = class extends threads.Worker {
  constructor(...args) {
    super(...args);
    workers++;
    if (args[1]?.workerData === undefined) waiting++;
  }
};
process.on('exit', () => require('node:fs').writeFileSync(process.env.LIST_MODULES_TO, JSON.stringify({
  workers,
  waiting,
  commonjs: Object.keys(require.cache),
})));\n`,
);

/** Node loads this (NODE_OPTIONS=--import): a loader hook that lists the ES modules loaded. */
const HOOKS = join(scratch, 'list-es-modules.mjs');
writeFileSync(
  HOOKS,
  `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.LIST_MODULES_TO + '.esm', url + '\\n');
  return next(url, context);
}\n`,
);
const REGISTER = join(scratch, 'register-hooks.mjs');
writeFileSync(
  REGISTER,
  `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(HOOKS).href)});\n`,
);

let listed = 0;
async function modulesLoaded(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  options: { esm?: boolean } = {},
): Promise<{ workers: number; waiting: number; commonjs: string[]; esm: string[]; stdout: string }> {
  const to = join(scratch, `modules-${listed++}.json`);
  const result = await runCli(args, {
    env: {
      // The loader hook runs on a thread of its own: only where the ES modules are asked for.
      NODE_OPTIONS: `--require ${PRELOAD}${options.esm === true ? ` --import ${pathToFileURL(REGISTER).href}` : ''}`,
      LIST_MODULES_TO: to,
      ...env,
    },
  });
  assert.equal(result.code, 0, result.stderr);
  return {
    ...(JSON.parse(readFileSync(to, 'utf8')) as { workers: number; waiting: number; commonjs: string[] }),
    esm: options.esm === true ? readFileSync(`${to}.esm`, 'utf8').split('\n').filter(Boolean) : [],
    stdout: result.stdout,
  };
}

const SMALL = join(SAMPLES, 'call-stack.pyflame.txt');
const BUNDLE = join(ROOT, 'dist/src/cli-bundle/main.cjs');

/** bin/load-bundle.js: plain JavaScript beside the launcher, outside the compiled sources. */
interface Compiled {
  script: unknown;
  cache: 'used' | 'none' | 'rejected';
  userCache: string | undefined;
}
interface BundleLoader {
  CACHE_SUFFIX: string;
  compileBundle(path: string, options?: { useCache?: boolean; cacheDir?: string }): Compiled;
  runBundle(path: string, script: unknown): Record<string, unknown>;
  saveCache(compiled: Compiled, file: string): boolean;
  userCacheDir(env: NodeJS.ProcessEnv): string | undefined;
}
const { CACHE_SUFFIX, compileBundle, runBundle, saveCache, userCacheDir } = (await import(
  pathToFileURL(join(ROOT, 'bin/load-bundle.js')).href
)) as BundleLoader;

/**
 * A folder as deep in the checkout as the bundle's (so that a copy of it finds package.json and
 * node_modules from its place), removed after the tests.
 */
function bundleCopyDir(): string {
  const dir = mkdtempSync(join(ROOT, 'dist/src/code-cache-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('start-up: what a run loads', () => {
  it('analyze of a small trace starts no parsing thread and loads no progress bar nor CSV parser', async () => {
    const { workers, commonjs } = await modulesLoaded(['analyze', SMALL]);
    assert.equal(workers, 0, 'a parsing thread was started');
    assert.ok(!commonjs.some((path) => /[\\/]cli-progress[\\/]/.test(path)), 'cli-progress loaded');
    assert.ok(!commonjs.some((path) => /[\\/]csv-parse[\\/]/.test(path)), 'csv-parse loaded');
    assert.ok(!commonjs.some((path) => /[\\/]@duckdb[\\/]/.test(path)), 'DuckDB loaded');
  });

  it('loads DuckDB only for a Parquet output', async () => {
    const { commonjs } = await modulesLoaded(['analyze', SMALL, '--parquet', join(scratch, 'parquet-tables')]);
    assert.ok(
      commonjs.some((path) => /[\\/]@duckdb[\\/]node-api[\\/]/.test(path)),
      'DuckDB not loaded',
    );
    const csv = await modulesLoaded(['convert', SMALL, '--to', 'csv']);
    assert.ok(!csv.commonjs.some((path) => /[\\/]@duckdb[\\/]/.test(path)), 'DuckDB loaded by convert --to csv');
  });

  it('loads DuckDB for pyflame history, and diff (which will read a history one day) does not', async () => {
    const store = join(scratch, 'history-store');
    const added = await modulesLoaded(['history', 'add', SMALL, '--store', store]);
    assert.ok(
      added.commonjs.some((path) => /[\\/]@duckdb[\\/]node-api[\\/]/.test(path)),
      'DuckDB not loaded',
    );
    const diff = await modulesLoaded(['diff', SMALL, SMALL]);
    assert.ok(!diff.commonjs.some((path) => /[\\/]@duckdb[\\/]/.test(path)), 'DuckDB loaded by diff');
  });

  it('diff of small traces starts no parsing thread either (analyzeTrace decides, as for view)', async () => {
    assert.equal((await modulesLoaded(['diff', SMALL, SMALL])).workers, 0);
  });

  it('convert of a small trace starts no parsing thread; PYFLAME_THREADED=1 gives the same CSV on one', async () => {
    const inline = await modulesLoaded(['convert', SMALL, '--to', 'csv']);
    const threaded = await modulesLoaded(['convert', SMALL, '--to', 'csv'], { PYFLAME_THREADED: '1' });
    assert.equal(inline.workers, 0, 'a parsing thread was started');
    assert.equal(threaded.workers, 1, 'no parsing thread with PYFLAME_THREADED=1');
    assert.ok(inline.stdout.startsWith('ts_ns,'), inline.stdout.slice(0, 80));
    assert.equal(threaded.stdout, inline.stdout);
  });

  it('PYFLAME_THREADED=1 parses a small trace on the parsing thread, with the same report', async () => {
    const inline = await modulesLoaded(['analyze', SMALL]);
    const threaded = await modulesLoaded(['analyze', SMALL], { PYFLAME_THREADED: '1' });
    assert.equal(threaded.workers, 1, 'no parsing thread with PYFLAME_THREADED=1');
    assert.equal(threaded.stdout, inline.stdout);
  });

  it('bin/pyflame.js runs the bundle npm run build made, or the modules when tsc compiled them since', async () => {
    const modules = join(ROOT, 'dist/src/cli/main.js');
    const loader = join(ROOT, 'bin/load-bundle.js');
    let fresh = false;
    try {
      fresh = statSync(BUNDLE).mtimeMs >= statSync(modules).mtimeMs;
    } catch {
      // no bundle: a build without the bundling step
    }
    const { esm } = await modulesLoaded(['analyze', SMALL], {}, { esm: true });
    // The bundle is CommonJS compiled by bin/load-bundle.js: no ES module of pyflame's is loaded.
    const [used, unused] = fresh ? [loader, modules] : [modules, loader];
    assert.ok(esm.includes(pathToFileURL(used).href), `${used} not loaded`);
    assert.ok(!esm.includes(pathToFileURL(unused).href), `${unused} loaded`);
    if (fresh) assert.ok(esm.length < 10, `the bundled run loads ${esm.length} ES modules`);
  });

  it('the bundle makes string-width’s segmenter and emoji expression at first use, not at load', () => {
    // ~12 ms and ~20 ms at every start otherwise; scripts/bundle-cli.mjs leaves a string-width
    // it does not recognise as it is, so an update that loses the saving fails here.
    const bundle = readFileSync(BUNDLE, 'utf8');
    // (esbuild writes `new Intl.Segmenter()` without its parentheses; assert.ok: the bundle is too long to print.)
    assert.ok(/madeSegmenter\d*\s*\?\?=\s*new Intl\.Segmenter\b/.test(bundle), 'no segmenter made at first use');
    assert.ok(/madeRgiEmojiRegex\d*\s*\?\?=\s*new RegExp\(/.test(bundle), 'no emoji expression made at first use');
    assert.ok(!/=\s*new Intl\.Segmenter(\(\))?\s*[;,]/.test(bundle), 'a segmenter is made at load');
    assert.ok(!/rgiEmojiRegex\d*\s*=\s*(new RegExp|\/)/.test(bundle), 'the emoji expression is made at load');
  });

  it('npm run build leaves V8 a code cache of the bundle that this Node uses', () => {
    assert.equal(compileBundle(BUNDLE).cache, 'used');
    assert.equal(compileBundle(BUNDLE, { useCache: false }).cache, 'none');
  });

  it('a code cache made from another source, or one V8 refuses, is not used, and the bundle still runs', () => {
    const dir = bundleCopyDir();
    const copy = join(dir, 'main.cjs');
    const cache = readFileSync(BUNDLE + CACHE_SUFFIX);
    const source = readFileSync(BUNDLE, 'utf8');
    // The same length, which is all V8 itself checks of a source: only the digest tells them apart.
    const edited = source.replace('pyflame', 'pyflamE');
    assert.equal(edited.length, source.length);
    writeFileSync(copy, edited);
    writeFileSync(copy + CACHE_SUFFIX, cache);
    assert.equal(compileBundle(copy).cache, 'none');

    // The right digest, but bytes V8 cannot take (as from other V8 flags): V8 rejects them.
    writeFileSync(copy, source);
    const garbled = Buffer.from(cache);
    garbled.fill(0x5a, 32, 96);
    writeFileSync(copy + CACHE_SUFFIX, garbled);
    const compiled = compileBundle(copy);
    assert.equal(compiled.cache, 'rejected');
    assert.equal(typeof runBundle(copy, compiled.script).main, 'function');
  });

  it('without a build cache (the npm package), a run saves this Node’s in the user’s cache folder, and the next uses it', () => {
    const dir = bundleCopyDir();
    const copy = join(dir, 'main.cjs');
    writeFileSync(copy, readFileSync(BUNDLE));
    const cacheDir = join(dir, 'user-cache', 'pyflame');
    const first = compileBundle(copy, { cacheDir });
    assert.equal(first.cache, 'none');
    assert.ok(first.userCache?.startsWith(cacheDir), first.userCache);
    assert.equal(saveCache(first, first.userCache!), true);
    assert.deepEqual(readdirSync(cacheDir), [basename(first.userCache!)], 'no temporary file left');
    const second = compileBundle(copy, { cacheDir });
    assert.equal(second.cache, 'used');
    assert.equal(second.userCache, first.userCache);

    // A cache that cannot be written (a file where its folder would be) is no error and leaves nothing.
    const blocked = join(dir, 'blocked');
    writeFileSync(blocked, '');
    assert.equal(saveCache(first, join(blocked, 'pyflame', 'x.cache')), false);
    assert.equal(readFileSync(blocked, 'utf8'), '');
  });

  it('the user cache folder: $XDG_CACHE_HOME/pyflame, else ~/.cache/pyflame; PYFLAME_CODE_CACHE=0: none', () => {
    assert.equal(userCacheDir({ XDG_CACHE_HOME: '/var/cache/me' }), join('/var/cache/me', 'pyflame'));
    assert.equal(userCacheDir({}), join(homedir(), '.cache', 'pyflame'));
    // A relative $XDG_CACHE_HOME is to be ignored (the XDG spec).
    assert.equal(userCacheDir({ XDG_CACHE_HOME: 'relative' }), join(homedir(), '.cache', 'pyflame'));
    assert.equal(userCacheDir({ PYFLAME_CODE_CACHE: '0', XDG_CACHE_HOME: '/var/cache/me' }), undefined);
  });

  it('a CSV event log still reads (csv-parse loaded when needed)', async () => {
    const csv = join(FIXTURES, 'formats/csv');
    const file = join(csv, readdirSync(csv).find((name) => name.endsWith('.csv'))!);
    const { commonjs } = await modulesLoaded(['analyze', file, '--format', 'csv']);
    assert.ok(
      commonjs.some((path) => /[\\/]csv-parse[\\/]/.test(path)),
      'csv-parse not loaded for a CSV log',
    );
  });
});

describe('start-up: a command loads its own code only', () => {
  /** The ES modules of pyflame's compiled sources (not the bundle) that `main(args)` loads. */
  async function sourceModulesLoaded(args: readonly string[]): Promise<string[]> {
    const to = join(scratch, `source-modules-${listed++}.json`);
    const entry = join(scratch, 'run-main.mjs');
    writeFileSync(
      entry,
      `const { main } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/src/cli/main.js')).href)});\nprocess.exitCode = await main(process.argv.slice(2));\n`,
    );
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', pathToFileURL(REGISTER).href, entry, ...args], {
        cwd: ROOT,
        env: { ...process.env, LIST_MODULES_TO: to, NO_COLOR: '1' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
    assert.equal(result.code, 0, result.stderr);
    return readFileSync(`${to}.esm`, 'utf8').split('\n').filter(Boolean);
  }
  const mergeCode = (urls: readonly string[]) =>
    urls.filter((url) => /\/dist\/src\/(merge\/|cli\/commands\/merge\.js)/.test(url));

  it('analyze does not load the merge code; merge does', async () => {
    assert.deepEqual(mergeCode(await sourceModulesLoaded(['analyze', SMALL])), []);
    assert.ok(mergeCode(await sourceModulesLoaded(['merge', SMALL])).length >= 2);
  });
});

describe('start-up: the parsing thread only where it pays', () => {
  it('the small-file path and the parsing-thread path write the same bytes (every output, several traces)', async () => {
    for (const name of ['call-stack.pyflame.txt', 'threads.pyflame.txt', 'lost-events.bpftrace.txt']) {
      const outputs = async (threaded: '0' | '1') => {
        // Each run in a folder of its own: the outputs go to its out/.
        const cwd = scratchDir(`paths-${threaded}`);
        const result = await runCli(
          ['analyze', join(SAMPLES, name), '--json', '--folded', '--svg', '--speedscope', '--chart'],
          { cwd, env: { PYFLAME_THREADED: threaded } },
        );
        assert.equal(result.code, 0, result.stderr);
        const dir = join(cwd, 'out');
        const files = readdirSync(dir).sort();
        return {
          stdout: result.stdout,
          stderr: result.stderr,
          files: files.map((file) => readFileSync(join(dir, file))),
        };
      };
      const [inline, threaded] = [await outputs('0'), await outputs('1')];
      assert.equal(threaded.stdout, inline.stdout, name);
      assert.equal(threaded.stderr, inline.stderr, name);
      assert.equal(threaded.files.length, 5, name);
      assert.deepEqual(threaded.files, inline.files, name);
    }
  });

  it('a file of THREAD_MIN_BYTES gets the thread, a smaller one and stdin do not; gzip counts 8 times', async () => {
    const big = join(scratch, 'big.txt');
    writeFileSync(big, '');
    truncateSync(big, THREAD_MIN_BYTES); // sparse: no disk written
    assert.equal(await worthAThread(big), true);
    truncateSync(big, THREAD_MIN_BYTES - 1);
    assert.equal(await worthAThread(big), false);
    assert.equal(await worthAThread(SMALL), false);
    assert.equal(await worthAThread('-'), false);
    assert.equal(await worthAThread(join(scratch, 'not-there.txt')), false);
    const gz = join(scratch, 'big.txt.gz');
    writeFileSync(gz, gzipSync(Buffer.alloc(0)));
    truncateSync(gz, THREAD_MIN_BYTES / 8);
    assert.equal(await worthAThread(gz), true);
  });

  it('PYFLAME_THREADED: 1 forces the thread, 0 forbids it, anything else leaves it to the size', () => {
    assert.equal(parseThreadWanted('1'), true);
    assert.equal(parseThreadWanted('0'), false);
    assert.equal(parseThreadWanted(undefined), undefined);
    assert.equal(parseThreadWanted('yes'), undefined);
  });
});

describe('start-up: no help text laid out for a run', () => {
  const parser = (hooked: boolean) => {
    const instance = yargs(['run', 'x']).command(
      'run <what>',
      'a command',
      (y) => y.option('flag', { type: 'string', describe: 'a flag' }).example('$0 run x', 'an example'),
      () => {},
    );
    return hooked ? skipUnprintedHelpLayout(instance) : instance;
  };
  const cached = (instance: ReturnType<typeof parser>) =>
    (instance as unknown as { getInternalMethods(): { getUsageInstance(): { hasCachedHelpMessage(): boolean } } })
      .getInternalMethods()
      .getUsageInstance()
      .hasCachedHelpMessage();

  it('yargs lays out the help of a command it runs, unless told not to (the hook still takes on this yargs)', async () => {
    const plain = parser(false);
    await plain.parseAsync();
    assert.equal(cached(plain), true, 'yargs no longer caches help: skipUnprintedHelpLayout can go');
    const hooked = parser(true);
    await hooked.parseAsync();
    assert.equal(cached(hooked), false);
  });

  it('--help still prints the command help, examples and epilogue included', async () => {
    const result = await runCli(['analyze', '--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^pyflame analyze <traces\.\.>/);
    assert.match(result.stdout, /Examples:\n/);
    assert.match(result.stdout, /Formats read: /);
  });
});

describe('start-up: the parsing thread started ahead, while the command line loads', () => {
  const WORKER = new URL('../src/parse/threaded/parse-worker.js', import.meta.url);

  it('starts for analyze and convert of a trace worth a thread; not for other commands, small files, PYFLAME_THREADED=0', async () => {
    const big = join(scratch, 'prestart-big.txt');
    writeFileSync(big, '');
    truncateSync(big, THREAD_MIN_BYTES); // sparse: no disk written
    const started: Worker[] = [];
    const tried = async (argv: string[], env: NodeJS.ProcessEnv = {}) => {
      const did = await prestartParseThread(argv, WORKER, env);
      const worker = takePrestartedParseThread(WORKER);
      assert.equal(worker !== undefined, did, argv.join(' '));
      if (worker !== undefined) started.push(worker);
      return did;
    };
    try {
      assert.equal(await tried(['analyze', big]), true);
      assert.equal(await tried(['convert', '--to', 'csv', big]), true);
      assert.equal(await tried(['analyze', '--json', join(scratch, 'out.json'), big]), true);
      assert.equal(await tried(['analyze', SMALL]), false);
      assert.equal(await tried(['analyze', SMALL], { PYFLAME_THREADED: '1' }), true);
      assert.equal(await tried(['analyze', big], { PYFLAME_THREADED: '0' }), false);
      assert.equal(await tried(['diff', big, big]), false);
      assert.equal(await tried(['analyze', join(scratch, 'not-there.txt')], { PYFLAME_THREADED: '1' }), false);
      assert.equal(await tried(['analyze', scratch], { PYFLAME_THREADED: '1' }), false, 'a folder');
      // Taken once, and only for the same script.
      assert.equal(await prestartParseThread(['analyze', big], WORKER), true);
      assert.equal(takePrestartedParseThread(new URL('./other-worker.js', WORKER)), undefined);
      const worker = takePrestartedParseThread(WORKER);
      assert.ok(worker !== undefined);
      started.push(worker);
      assert.equal(takePrestartedParseThread(WORKER), undefined);
    } finally {
      for (const worker of started) void worker.terminate();
    }
  });

  it('readTraceThreaded takes the waiting thread and sends it its work: the same events as reading in line', async () => {
    assert.equal(await prestartParseThread(['analyze', SMALL], WORKER, { PYFLAME_THREADED: '1' }), true);
    const kinds = (read: typeof readTrace) => {
      const seen: number[] = [];
      return read(SMALL, { onBatch: (batch) => seen.push(...batch.kind.subarray(0, batch.length)) }).then(
        (summary) => ({ seen, events: summary.events, warnings: summary.warnings }),
      );
    };
    const threaded = await kinds(readTraceThreaded);
    assert.equal(takePrestartedParseThread(WORKER), undefined, 'the waiting thread was not taken');
    assert.deepEqual(threaded, await kinds(readTrace));
  });

  it('pyflame analyze uses the thread it started ahead (one thread in all), and a run that fails first ends at once', async () => {
    // PYFLAME_THREADED=1: a small trace gets the thread too, so no large file is needed.
    const { workers, waiting } = await modulesLoaded(['analyze', SMALL, '--json', join(scratch, 'prestart.json')], {
      PYFLAME_THREADED: '1',
    });
    assert.deepEqual({ workers, waiting }, { workers: 1, waiting: 1 });
    // A usage error: the thread waits for work that never comes, and keeps nothing alive.
    const refused = await runCli(['analyze', SMALL, '--bogus'], { env: { PYFLAME_THREADED: '1' } });
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /bogus/);
  });
});
