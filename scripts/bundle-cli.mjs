// Bundles the command line (dist/src/cli/main.js, compiled by tsc, and the packages it imports)
// into one CommonJS file, dist/src/cli-bundle/main.cjs, which bin/pyflame.js runs with V8's code
// cache (bin/load-bundle.js; made by scripts/cli-code-cache.mjs, run at the end), and the parsing
// thread's entry (dist/src/parse/threaded/parse-worker.js) into dist/src/cli-bundle/parse-worker.js,
// which the bundled reader starts. Run by `npm run build`.
//
// Why: start-up (issue 16). Loading ~150 small ES modules one by one (resolve, read, compile,
// link each; yargs alone is ~45) was a large part of what a small `pyflame analyze` cost; one
// file loads much faster (docs/benchmarks.md, "Start-up (issue 16)"). What a run needs only
// sometimes (a command, an exporter, the parsing thread) still runs only when needed: esbuild
// keeps each such module's code in a function called at its import(). One file rather than
// chunks (esbuild's splitting made ~30 for an analyze run): measured faster, although esbuild
// hoists every import of Node's own modules to the top of the file.
//
// What finds files next to its own module (import.meta.url, in the CommonJS bundle the bundle's own
// URL) still does from dist/src/cli-bundle/, which is as deep as dist/src/<dir>/: ../wasm/,
// ../browser/, ../../../recorder/ and ./parse-worker.js resolve as before. Two exceptions, handled
// here:
// - version.js reads ../../package.json from dist/src/: the bundled copy reads ../../../package.json.
// - yargs finds its locale files (and the program's package.json) from its own file's place:
//   the bundled copy is told where the installed yargs is.
// And one saving: string-width (three copies, yargs' and its packages') makes an Intl.Segmenter
// when loaded, ~12 ms for the first, and string-width 8 compiles an emoji expression, ~20 ms; a
// run that prints no help never measures a string with them. The bundled copies make them at
// their first use instead (LAZY_IN_STRING_WIDTH).
// csv-parse is loaded with require() when a CSV log is read (csv-event-log.ts): not bundled.
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist/src');
const OUT = join(DIST, 'cli-bundle');

/** version.js finds package.json from dist/src/: the bundled copy, one folder deeper. */
const VERSION_MODULE = /[\\/]dist[\\/]src[\\/]version\.js$/;
const VERSION_SELF = "new URL('../../package.json', import.meta.url)";
const VERSION_BUNDLED = "new URL('../../../package.json', import.meta.url)";

/** yargs' platform shim names its own place so: replaced by the installed shim's path. */
const YARGS_SHIM = /[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/;
const YARGS_SELF = 'const __dirname = fileURLToPath(import.meta.url);';
const YARGS_INSTALLED =
  "const __dirname = join(dirname(createRequire(import.meta.url).resolve('yargs/package.json')), 'lib', 'platform-shims', 'esm.mjs');";

/**
 * What string-width makes when it loads, replaced by what makes it at first use: its
 * Intl.Segmenter (~12 ms for the first) and, in string-width 8, its RGI_Emoji regular expression
 * (~20 ms to compile). A run that prints no help never measures a string with them.
 */
const STRING_WIDTH = /[\\/]string-width[\\/]index\.js$/;
const LAZY_IN_STRING_WIDTH = [
  {
    name: 'segmenter',
    method: 'segment',
    eager: 'const segmenter = new Intl.Segmenter();',
    lazy: 'let madeSegmenter;\nconst segmenter = { segment: (text) => (madeSegmenter ??= new Intl.Segmenter()).segment(text) };',
  },
  {
    name: 'rgiEmojiRegex',
    method: 'test',
    eager: 'const rgiEmojiRegex = /^\\p{RGI_Emoji}$/v;',
    lazy: "let madeRgiEmojiRegex;\nconst rgiEmojiRegex = { test: (text) => (madeRgiEmojiRegex ??= new RegExp('^\\\\p{RGI_Emoji}$', 'v')).test(text) };",
  },
];

rmSync(OUT, { recursive: true, force: true });
const common = {
  absWorkingDir: ROOT,
  outdir: OUT,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minifyWhitespace: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [
    {
      name: 'pyflame-cli',
      setup(esbuild) {
        esbuild.onLoad({ filter: VERSION_MODULE }, (args) => {
          const source = readFileSync(args.path, 'utf8');
          if (!source.includes(VERSION_SELF))
            throw new Error(`${args.path}: no "${VERSION_SELF}" to replace: see scripts/bundle-cli.mjs`);
          return { contents: source.replace(VERSION_SELF, VERSION_BUNDLED), loader: 'js' };
        });
        esbuild.onLoad({ filter: YARGS_SHIM }, (args) => {
          const source = readFileSync(args.path, 'utf8');
          // Another yargs: fail the build rather than ship a yargs that finds no locale files.
          if (!source.includes(YARGS_SELF) || !/\bdirname\b/.test(source) || !/\bjoin\b/.test(source))
            throw new Error(`${args.path}: no "${YARGS_SELF}" to replace: see scripts/bundle-cli.mjs`);
          return { contents: source.replace(YARGS_SELF, YARGS_INSTALLED), loader: 'js' };
        });
        esbuild.onLoad({ filter: STRING_WIDTH }, (args) => {
          const source = readFileSync(args.path, 'utf8');
          // Another string-width: what it does not have as expected is bundled as it is (this is a
          // saving, not a fix). Each value must be used only as value.method(...), comments aside.
          // (A function gives the replacement: its text has a `$`, which replace() would read.)
          const code = source.replace(/\/\/.*$/gm, '');
          let contents = source;
          for (const { name, method, eager, lazy } of LAZY_IN_STRING_WIDTH) {
            const uses = code.match(new RegExp(`\\b${name}\\b`, 'g'))?.length ?? 0;
            const calls = code.match(new RegExp(`\\b${name}\\.${method}\\(`, 'g'))?.length ?? 0;
            if (code.includes(eager) && uses === calls + 1) contents = contents.replace(eager, () => lazy);
          }
          return contents === source ? undefined : { contents, loader: 'js' };
        });
      },
    },
  ],
};
// CommonJS, which V8 caches the compiled code of (bin/load-bundle.js); import.meta.url becomes the
// bundle's own URL.
await build({
  ...common,
  entryPoints: { main: join(DIST, 'cli/main.js') },
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  define: { 'import.meta.url': 'bundleUrl' },
  banner: { js: 'const bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
});
// The parsing thread's entry stays an ES module: a Worker starts it from its URL.
await build({ ...common, entryPoints: { 'parse-worker': join(DIST, 'parse/threaded/parse-worker.js') } });
execFileSync(process.execPath, [join(ROOT, 'scripts/cli-code-cache.mjs')], { stdio: 'inherit' });
