#!/usr/bin/env node
// bench/svg-open.mjs - how long does headless Chromium take to open pyflame's flame-graph SVG,
// against flamegraph.pl's for the same folded file at the same level of detail? (issue 16)
//
//   node bench/svg-open.mjs [--stacks N (default 200000)] [--seed S (default 1)] [--rounds R (default 5)]
//        [--flamegraph-pl PATH] [--json FILE] [--check]
//
// 1. Makes (once; reused while it exists) bench/data/bench-<N>stacks.folded with
//    bench/generate-folded.mjs.
// 2. Renders pyflame's SVG with the real CLI at flamegraph.pl's default detail:
//    `node bin/pyflame.js flamegraph FILE --svg OUT --minwidth P` where P = 0.1 px of flamegraph.pl's
//    1180-pixel drawing area (its default --width 1200 less 2 x 10 px padding) as a percentage,
//    0.0084746 %: the same cut-off time as flamegraph.pl's default `--minwidth 0.1`.
// 3. Renders flamegraph.pl's SVG with its defaults (`perl flamegraph.pl FILE`), found at
//    --flamegraph-pl PATH, else $FLAMEGRAPH_PL, else /work/tools/flamegraph.pl; reused while it is
//    newer than both the folded file and flamegraph.pl. Without flamegraph.pl the comparison is
//    skipped (said so on stderr and in the JSON) and only pyflame's SVG is timed.
// 4. Opens each SVG from file:// in Debian's headless Chromium (/usr/bin/chromium driven by
//    playwright-core; nothing is downloaded), each time in a fresh browser context, and times from
//    navigation start to the load event plus two animation frames (so the first frame after load
//    is drawn). Rounds interleave the two SVGs (the order alternates each round); the figures are
//    medians, with the ratio pyflame / flamegraph.pl. Beside the wall time, the CPU time Chromium's
//    processes (all descendants of this one, from /proc) spent over the same span: on a shared,
//    busy machine the wall time swings with the load, the CPU time much less.
//
// --check exits 1 when pyflame's median is slower than flamegraph.pl's (ratio > 1) or an SVG fails
// to open; without flamegraph.pl it only checks that pyflame's SVG opens.

import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { readFlags } from './generate-trace.mjs';
import { median } from './bench-tools.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DATA = path.join(ROOT, 'bench', 'data');
const CHROMIUM = '/usr/bin/chromium';
const DEFAULT_FLAMEGRAPH_PL = '/work/tools/flamegraph.pl';
/** flamegraph.pl's defaults: --width 1200 with 10 px of padding each side, --minwidth 0.1 (pixels). */
const FG_DRAWN_PX = 1200 - 2 * 10;
const FG_MINWIDTH_PX = 0.1;
const MIN_WIDTH_PERCENT = ((FG_MINWIDTH_PX / FG_DRAWN_PX) * 100).toFixed(7);

const USAGE =
  'usage: node bench/svg-open.mjs [--stacks N] [--seed S] [--rounds R] [--flamegraph-pl PATH] [--json FILE] [--check]';

function die(message) {
  process.stderr.write(`svg-open: ${message}\n${USAGE}\n`);
  process.exit(2);
}

const v = readFlags(
  process.argv.slice(2),
  {
    stacks: { type: 'string' },
    seed: { type: 'string' },
    rounds: { type: 'string' },
    'flamegraph-pl': { type: 'string' },
    json: { type: 'string' },
    check: { type: 'boolean' },
  },
  die,
);
const stacks = v.stacks === undefined ? 200000 : Number(v.stacks);
const seed = v.seed === undefined ? 1 : Number(v.seed);
const rounds = v.rounds === undefined ? 5 : Number(v.rounds);
if (!Number.isInteger(stacks) || stacks < 1) die('--stacks must be a positive integer');
if (!Number.isInteger(seed) || seed < 0) die('--seed must be a non-negative integer');
if (!Number.isInteger(rounds) || rounds < 1) die('--rounds must be a positive integer');
const flamegraphPl = v['flamegraph-pl'] ?? process.env.FLAMEGRAPH_PL ?? DEFAULT_FLAMEGRAPH_PL;
const haveFlamegraphPl = fs.existsSync(flamegraphPl);

const CLOCK_TICKS = 100; // USER_HZ: /proc's utime and stime are in 1/100 s on Linux

/** CPU ticks (user + system) of each live descendant of this process by pid, or null without /proc. */
function descendantsCpu() {
  let entries;
  try {
    entries = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  const parent = new Map();
  const ticks = new Map();
  for (const pid of entries) {
    let stat;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // The command name (field 2) may hold spaces: the fields after it start past its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    parent.set(Number(pid), Number(fields[1]));
    ticks.set(Number(pid), Number(fields[11]) + Number(fields[12]));
  }
  const mine = new Map();
  for (const [pid, own] of ticks) {
    for (let up = parent.get(pid); up !== undefined && up > 1; up = parent.get(up)) {
      if (up === process.pid) {
        mine.set(pid, own);
        break;
      }
    }
  }
  return mine;
}

/**
 * CPU seconds spent between two descendantsCpu() readings by the processes alive at the second:
 * a process that ended meanwhile (the previous page's renderer) would otherwise subtract its
 * whole life; one that started meanwhile (the new page's renderer) counts from zero.
 */
function cpuSecondsBetween(start, end) {
  if (start === null || end === null) return null;
  let ticks = 0;
  for (const [pid, now] of end) ticks += now - (start.get(pid) ?? 0);
  return ticks / CLOCK_TICKS;
}

const log = (line) => process.stderr.write(`${line}\n`);
const mib = (bytes) => bytes / 1048576;

fs.mkdirSync(DATA, { recursive: true });
const folded = path.join(DATA, `bench-${stacks}stacks${seed === 1 ? '' : `-seed${seed}`}.folded`);
if (!fs.existsSync(folded)) {
  log(`generating ${path.relative(ROOT, folded)} (${stacks} stacks)...`);
  execFileSync(
    process.execPath,
    [
      path.join(ROOT, 'bench', 'generate-folded.mjs'),
      '--out',
      folded,
      '--stacks',
      String(stacks),
      '--seed',
      String(seed),
      '--quiet',
    ],
    { stdio: 'inherit' },
  );
}
const base = folded.replace(/\.folded$/, '');

// pyflame's SVG: always rendered afresh (it is what is being measured).
const pyflameSvg = `${base}.pyflame.svg`;
const renderStart = performance.now();
const render = spawnSync(
  process.execPath,
  [path.join(ROOT, 'bin', 'pyflame.js'), 'flamegraph', folded, '--svg', pyflameSvg, '--minwidth', MIN_WIDTH_PERCENT],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
if (render.status !== 0) die(`pyflame flamegraph exited ${render.status}`);
const pyflameRenderS = (performance.now() - renderStart) / 1000;

// flamegraph.pl's SVG: its defaults; reused while newer than its inputs (it takes tens of seconds).
const fgSvg = `${base}.flamegraph-pl.svg`;
let fgRenderS = null;
if (haveFlamegraphPl) {
  const mtime = (file) => fs.statSync(file).mtimeMs;
  const fresh = fs.existsSync(fgSvg) && mtime(fgSvg) > mtime(folded) && mtime(fgSvg) > mtime(flamegraphPl);
  if (!fresh) {
    log(`rendering ${path.relative(ROOT, fgSvg)} with ${flamegraphPl} (tens of seconds)...`);
    const start = performance.now();
    const out = fs.openSync(`${fgSvg}.tmp`, 'w');
    const run = spawnSync('/usr/bin/perl', [flamegraphPl, folded], { stdio: ['ignore', out, 'inherit'] });
    fs.closeSync(out);
    if (run.status !== 0) die(`${flamegraphPl} exited ${run.status}`);
    fs.renameSync(`${fgSvg}.tmp`, fgSvg);
    fgRenderS = (performance.now() - start) / 1000;
  }
} else {
  log(
    `note: flamegraph.pl not found at ${flamegraphPl} (give --flamegraph-pl PATH or FLAMEGRAPH_PL): ` +
      'the comparison is skipped, only pyflame’s SVG is timed',
  );
}

/** Frames drawn: pyflame's <g class="pf-f">, flamegraph.pl's <g> inside <g id="frames">. */
function countFrames(file, kind) {
  const text = fs.readFileSync(file, 'utf8');
  const pattern = kind === 'pyflame' ? /<g class="pf-f"/g : /<g\s*>\s*<title>/g;
  return (text.match(pattern) ?? []).length;
}

const svgs = [{ name: 'pyflame', file: pyflameSvg }];
if (haveFlamegraphPl) svgs.push({ name: 'flamegraph.pl', file: fgSvg });
for (const svg of svgs) {
  svg.bytes = fs.statSync(svg.file).size;
  svg.frames = countFrames(svg.file, svg.name);
  svg.titles = (fs.readFileSync(svg.file, 'utf8').match(/<title>/g) ?? []).length;
  svg.seconds = [];
  svg.cpuSeconds = [];
  log(`${svg.name}: ${path.relative(ROOT, svg.file)}, ${mib(svg.bytes).toFixed(2)} MiB, ${svg.frames} frames`);
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
let failed = null;
try {
  /** Wall and Chromium CPU seconds from navigation to load plus two animation frames, in a fresh context. */
  async function openOnce(file) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    try {
      const cpuStart = descendantsCpu();
      const start = performance.now();
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 600_000 });
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      const seconds = (performance.now() - start) / 1000;
      const cpu = cpuSecondsBetween(cpuStart, descendantsCpu());
      if (errors.length > 0) throw new Error(`page error: ${errors[0]}`);
      return { seconds, cpu };
    } finally {
      await context.close();
    }
  }
  // One unmeasured warm-up (Chromium's first page pays for starting its renderer).
  await openOnce(svgs[0].file);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? svgs : [...svgs].reverse();
    for (const svg of order) {
      const { seconds, cpu } = await openOnce(svg.file);
      svg.seconds.push(seconds);
      if (cpu !== null) svg.cpuSeconds.push(cpu);
      log(`round ${round + 1}/${rounds}: ${svg.name} ${seconds.toFixed(2)} s (CPU ${cpu?.toFixed(2) ?? '?'} s)`);
    }
  }
} catch (error) {
  failed = String(error);
  log(`svg-open: ${failed}`);
} finally {
  await browser.close();
}

const [py, fg] = svgs;
const ratio = fg === undefined || failed !== null ? null : median(py.seconds) / median(fg.seconds);
const cpuRatio =
  fg === undefined || failed !== null || py.cpuSeconds.length === 0 || fg.cpuSeconds.length === 0
    ? null
    : median(py.cpuSeconds) / median(fg.cpuSeconds);
const rows = svgs.map((svg) => ({
  name: svg.name,
  file: path.relative(ROOT, svg.file),
  mib: Number(mib(svg.bytes).toFixed(3)),
  frames: svg.frames,
  titles: svg.titles,
  secondsEach: svg.seconds.map((s) => Number(s.toFixed(3))),
  medianSeconds: svg.seconds.length === 0 ? null : Number(median(svg.seconds).toFixed(3)),
  cpuSecondsEach: svg.cpuSeconds.map((s) => Number(s.toFixed(3))),
  medianCpuSeconds: svg.cpuSeconds.length === 0 ? null : Number(median(svg.cpuSeconds).toFixed(3)),
}));
console.log(`SVG open time in headless Chromium, ${rounds} interleaved rounds, ${stacks} stacks (seed ${seed})`);
console.log(`pyflame --minwidth ${MIN_WIDTH_PERCENT} (% = flamegraph.pl's default 0.1 px of ${FG_DRAWN_PX} px)`);
console.log('| SVG | MiB | frames | <title>s | median open s (wall) | median Chromium CPU s |');
console.log('|---|---|---|---|---|---|');
for (const row of rows)
  console.log(
    `| ${row.name} | ${row.mib.toFixed(2)} | ${row.frames.toLocaleString('en-US')} | ${row.titles.toLocaleString('en-US')} | ${row.medianSeconds?.toFixed(2) ?? '-'} | ${row.medianCpuSeconds?.toFixed(2) ?? '-'} |`,
  );
if (ratio !== null) console.log(`ratio pyflame / flamegraph.pl: ${ratio.toFixed(2)} wall (target <= 1.00)`);
if (cpuRatio !== null) console.log(`ratio pyflame / flamegraph.pl: ${cpuRatio.toFixed(2)} Chromium CPU`);
else if (fg === undefined) console.log('flamegraph.pl not found: no comparison');

if (v.json !== undefined) {
  const report = {
    stacks,
    seed,
    rounds,
    minWidthPercent: Number(MIN_WIDTH_PERCENT),
    pyflameRenderSeconds: Number(pyflameRenderS.toFixed(3)),
    flamegraphPl: haveFlamegraphPl ? flamegraphPl : null,
    flamegraphPlRenderSeconds: fgRenderS === null ? null : Number(fgRenderS.toFixed(3)),
    comparison: haveFlamegraphPl ? 'done' : 'skipped: flamegraph.pl not found',
    svgs: rows,
    ratio: ratio === null ? null : Number(ratio.toFixed(3)),
    cpuRatio: cpuRatio === null ? null : Number(cpuRatio.toFixed(3)),
    error: failed,
  };
  fs.writeFileSync(v.json, `${JSON.stringify(report, null, 2)}\n`);
}

if (v.check) {
  if (failed !== null) process.exit(1);
  if (ratio !== null && ratio > 1) {
    log(`svg-open: target missed: pyflame's SVG opens ${ratio.toFixed(2)}x as slowly as flamegraph.pl's`);
    process.exit(1);
  }
}
