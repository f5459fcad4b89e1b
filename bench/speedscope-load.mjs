#!/usr/bin/env node
// bench/speedscope-load.mjs - does the speedscope file of a 5 M-event trace load in the real app?
//
//   node bench/speedscope-load.mjs [--events N (default 5000000)] [--timeout-s S (default 600)]
//        [--trace FILE] [--out FILE] [--speedscope-max-mb N]
//
// --trace: an existing trace instead of the generated one (e.g. a 1.2 GB one whose file would be
// over the app's limit); --out: where the speedscope file goes (default: beside the trace);
// --speedscope-max-mb: passed on to pyflame (its size budget; 0: every call).
//
// Generates (once; reused while the file exists) a pyflame trace of at least N events with
// bench/generate-trace.mjs, writes its speedscope file with `pyflame analyze --speedscope`, then
// serves the speedscope app shipped in node_modules/speedscope on 127.0.0.1 and opens the file in
// Debian's headless chromium (/usr/bin/chromium, driven by playwright-core; nothing downloaded).
// Reports the file size, the time to write it, the time until the app shows the first profile,
// and the page's JS heap; writes a screenshot next to the file. Exit 1 if the app fails to load it.

import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DATA = path.join(ROOT, 'bench', 'data');
const APP = path.join(ROOT, 'node_modules', 'speedscope', 'dist', 'release');

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const text = (name) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const events = flag('--events', 5_000_000);
const maxMb = text('--speedscope-max-mb');
const timeoutMs = flag('--timeout-s', 600) * 1000;

fs.mkdirSync(DATA, { recursive: true });
const trace = text('--trace') ?? path.join(DATA, `bench-${events}ev.pyflame.txt`);
const profile = text('--out') ?? trace.replace(/(\.pyflame)?\.txt$/, '') + '.speedscope.json';
if (!fs.existsSync(trace)) {
  console.error(`generating ${path.relative(ROOT, trace)} (>= ${events} events)...`);
  execFileSync(
    process.execPath,
    [
      path.join(ROOT, 'bench', 'generate-trace.mjs'),
      '--format',
      'pyflame',
      '--out',
      trace,
      '--size-mb',
      '1',
      '--min-events',
      String(events),
      '--quiet',
    ],
    { stdio: 'inherit' },
  );
}

const writeStart = performance.now();
const run = spawnSync(
  process.execPath,
  [
    path.join(ROOT, 'bin', 'pyflame.js'),
    'analyze',
    trace,
    `--speedscope=${profile}`,
    ...(maxMb === undefined ? [] : ['--speedscope-max-mb', maxMb]),
  ],
  { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' },
);
process.stderr.write(run.stderr);
if (run.status !== 0) throw new Error(`pyflame analyze --speedscope exited ${run.status}`);
// What pyflame said it left out to fit the budget (none: the file has every call).
const reduced = /^pyflame: warning: .*speedscope file with every call.*$/m.exec(run.stderr)?.[0] ?? null;
const writeSeconds = (performance.now() - writeStart) / 1000;
const bytes = fs.statSync(profile).size;

const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.css': 'text/css',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};
const server = http.createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
  const file =
    url === '/profile.json' ? profile : path.join(APP, path.normalize(url).replace(/^\/+/, '') || 'index.html');
  if (!file.startsWith(APP) && file !== profile) return void response.writeHead(404).end();
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) return void response.writeHead(404).end();
  response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
  fs.createReadStream(file).pipe(response);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--js-flags=--max-old-space-size=8192'],
});
let failed = false;
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const loadStart = performance.now();
  await page.goto(`${base}/index.html#profileURL=${encodeURIComponent(`${base}/profile.json`)}`);
  // The toolbar shows "name (1/N)" once the profiles are imported and drawn.
  await page
    .getByText(/\(1\/\d+\)/)
    .first()
    .or(page.getByText('Something went wrong'))
    .waitFor({ timeout: timeoutMs });
  const loadSeconds = (performance.now() - loadStart) / 1000;
  const body = await page.locator('body').innerText();
  const heapMB = await page.evaluate(() => (performance.memory ? performance.memory.usedJSHeapSize / 1048576 : NaN));
  const screenshot = profile.replace(/\.json$/, '.png');
  await page.screenshot({ path: screenshot });
  failed = /Something went wrong/.test(body) || errors.length > 0;
  const toolbar = /[^\n]*\(1\/\d+\)[^\n]*/.exec(body)?.[0] ?? '';
  const result = JSON.stringify({
    events: text('--trace') === undefined ? events : undefined,
    profileMB: +(bytes / 1048576).toFixed(1),
    writeSeconds: +writeSeconds.toFixed(1),
    loadSeconds: +loadSeconds.toFixed(1),
    pageHeapMB: +heapMB.toFixed(0),
    toolbar,
    errors,
    screenshot: path.relative(ROOT, screenshot),
    loaded: !failed,
    reduced,
  });
  console.log(result);
  // For bench/run.mjs, which collects each script's --json.
  if (text('--json') !== undefined) fs.writeFileSync(text('--json'), `${result}\n`);
} finally {
  await browser.close();
  server.close();
}
process.exit(failed ? 1 : 0);
