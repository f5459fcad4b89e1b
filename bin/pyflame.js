#!/usr/bin/env node
// Launcher only: the command line lives in src/cli/main.ts. The Node version is checked before
// pyflame's modules are loaded: an older Node fails on their syntax with a raw SyntaxError.
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// ">=20.19" in package.json's "engines": the one place the version is written.
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const engines = pkg.engines.node;
const NEEDED = /(\d+)\.(\d+)/.exec(engines).slice(1, 3).map(Number);
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < NEEDED[0] || (major === NEEDED[0] && minor < NEEDED[1])) {
  process.stderr.write(
    `pyflame: error: pyflame needs Node.js ${NEEDED.join('.')} or newer (package.json "engines"); this is Node.js ${process.versions.node} (${process.execPath}). Install a newer Node.js, e.g. from nodejs.org or with nvm.\n`,
  );
  process.exit(2);
}
// `pyflame --version` alone needs nothing but package.json (CI scripts call it to check the install).
if (process.argv.length === 3 && process.argv[2] === '--version') {
  process.stdout.write(`${pkg.version}\n`);
  process.exit(0);
}
const { installInterruptCleanup, main, afterRun } = await commandLine();

/**
 * The command line's code: the bundle `npm run build` makes of it (scripts/bundle-cli.mjs: one
 * file, with V8's compiled code cached, starts much faster than ~150 modules; bin/load-bundle.js),
 * unless tsc has compiled the modules since (a build without the bundling step): then the
 * modules themselves, never a stale bundle. `afterRun` saves this Node's code cache where there
 * was none made from this bundle by this Node (the npm package ships none).
 */
async function commandLine() {
  const modules = new URL('../dist/src/cli/main.js', import.meta.url);
  const bundle = new URL('../dist/src/cli-bundle/main.cjs', import.meta.url);
  let fresh = false;
  try {
    fresh = statSync(bundle).mtimeMs >= statSync(modules).mtimeMs;
  } catch {
    // no bundle, or no modules: whichever is there
  }
  // A big trace's parsing thread starts now, while this thread loads the command line.
  const { prestartParseThread } = await import('../dist/src/parse/threaded/prestart.js');
  const worker = fresh ? '../dist/src/cli-bundle/parse-worker.js' : '../dist/src/parse/threaded/parse-worker.js';
  await prestartParseThread(process.argv.slice(2), new URL(worker, import.meta.url));
  if (!fresh) return import(modules.href);
  const { compileBundle, runBundle, saveCache, userCacheDir } = await import('./load-bundle.js');
  const path = fileURLToPath(bundle);
  const compiled = compileBundle(path, { cacheDir: userCacheDir() });
  const afterRun = () => {
    // Not over one V8 refused (other flags): two flag sets would replace each other's every run.
    if (compiled.cache === 'none' && compiled.userCache !== undefined) saveCache(compiled, compiled.userCache);
  };
  return { ...runBundle(path, compiled.script), afterRun };
}
installInterruptCleanup();
process.exitCode = await main(process.argv.slice(2));
afterRun?.();
