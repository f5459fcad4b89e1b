#!/usr/bin/env node
// bench/record-overhead.mjs - what recording costs a Python program (issue 12, section 3).
//
//   node bench/record-overhead.mjs [--quick] [--runs N] [--scale F] [--only PROG[,PROG]]
//                                  [--python PATH[,PATH]] [--no-bpftrace] [--json FILE] [--check]
//
//   --quick        smoke test: one interpreter per recorder family (the newest 3.12+, and
//                  /usr/bin/python3.11 or else the newest 3.8-3.11), 1 run, programs at --scale 0.25
//   --runs N       run each mode N times (default 3); the table shows the median and the minimum
//   --scale F      multiply the programs' sizes (default 1; --quick 0.25)
//   --only         only these programs (names in PROGRAMS below)
//   --python       these interpreters instead of the default list (INTERPRETERS below)
//   --no-bpftrace  leave out the bpftrace recordings
//   --json FILE    where to write the figures (default out/bench-record-overhead.json)
//   --check        exit with status 1 when a target is missed (default: report only)
//   --markdown FILE  run nothing: print the table of docs/benchmarks.md from FILE (a JSON written before)
//
// For each interpreter found and each program, side by side in one run (the modes of one
// repetition run one after another, so a slower moment of this shared machine hits them alike):
//   untraced    python PROG ARGS
//   cProfile    python -m cProfile -o /dev/null PROG ARGS   (also for `-m module`: cProfile takes -m since 3.7)
//   in-process  python recorder/pyflame_recorder.py -o SCRATCH -- PROG ARGS   (the python process alone)
//   bpftrace    node bin/pyflame.js record --via markers -o SCRATCH -- /usr/bin/python3.11 PROG ARGS
//               (only /usr/bin/python3.11, as root, with bpftrace on PATH: the one interpreter here
//               built with the markers; the whole command is timed: node, bpftrace attaching its
//               probes, the program, bpftrace writing the trace)
// and, once per program and interpreter and untimed, `node bin/pyflame.js record --via inprocess`
// to count the events the recorder writes (its `pyflame: wrote FILE: N events` line: this does
// not depend on the recorder's file format).
//
// Figures: wall time from spawn to exit. µs/event = (in-process median - untraced median) / events.
// The bpftrace program time is the span from the first to the last event of its trace (the
// program as it ran under bpftrace, without node's and bpftrace's start and finish).
// speedup = bpftrace wall / in-process wall; speedup(program) = that span / in-process wall.
// Targets (issue 12): at most 0.5 µs per event on 3.12+, 1 µs on 3.8-3.11; the in-process run at
// least 10 times faster than the bpftrace recording of the same program.
//
// Inputs (a generated JSON file, a slice of argparse.py for tokenize) and scratch traces live in
// bench/data/record-overhead/ (git-ignored).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { bpftraceAvailable, failure as failureOf, MARKERS_PYTHON, median } from './bench-tools.mjs';
import { readFlags } from './generate-trace.mjs';
import { hostInfo } from './host-info.mjs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, '..');
const PROGRAMS_DIR = path.join(BENCH_DIR, 'programs');
const WORK_DIR = path.join(BENCH_DIR, 'data', 'record-overhead');
const RECORDER = path.join(ROOT, 'recorder', 'pyflame_recorder.py');
const PYFLAME = path.join(ROOT, 'bin', 'pyflame.js');
const DEFAULT_JSON = path.join(ROOT, 'out', 'bench-record-overhead.json');
const TIME_BIN = '/usr/bin/time';
/** The interpreter built with the markers (Debian's); the only one bpftrace can record calls of. */
/** A run taking longer than this is stopped (SIGTERM) and reported as failed: the script stays bounded. */
const RUN_TIMEOUT_MS = 120_000;

const INTERPRETERS = [
  '/root/.pyenv/versions/3.8.18/bin/python3',
  '/root/.pyenv/versions/3.9.18/bin/python3',
  '/root/.pyenv/versions/3.10.13/bin/python3',
  '/root/.pyenv/versions/3.11.7/bin/python3',
  '/root/.pyenv/versions/3.12.1/bin/python3',
  '/root/.pyenv/versions/3.13.0/bin/python3',
  MARKERS_PYTHON,
];

const TARGET_US_PER_EVENT = { '3.12+': 0.5, '3.8-3.11': 1.0 };
const TARGET_SPEEDUP = 10;

// Sizes at --scale 1: each program writes about 85,000-170,000 events, so the in-process runs take
// 0.3-1 s with the text recorder and the bpftrace recordings 4-8 s each.
const PROGRAMS = [
  {
    name: 'calls',
    description: 'a tiny function called in a loop (bench/programs/calls.py)',
    args: (scale) => [path.join(PROGRAMS_DIR, 'calls.py'), String(Math.max(1, Math.round(75_000 * scale)))],
  },
  {
    name: 'json.tool',
    description: '-m json.tool on a generated JSON file (400 records at scale 1)',
    args: (scale) => ['-m', 'json.tool', jsonInput(Math.max(1, Math.round(400 * scale)))],
  },
  {
    name: 'tokenize',
    description:
      '-m tokenize on argparse.py from a stdlib (whole at scale 1; cut at a top-level def, or repeated, otherwise)',
    args: (scale) => ['-m', 'tokenize', tokenizeInput(scale)],
  },
  {
    name: 'fib',
    description: 'recursive fib(22) at scale 1, 57,313 calls (bench/programs/fib.py)',
    // fib(n) makes ~phi^n calls: the scale moves n by log_phi(scale).
    args: (scale) => [
      path.join(PROGRAMS_DIR, 'fib.py'),
      String(Math.max(2, Math.round(22 + Math.log(scale) / Math.log((1 + Math.sqrt(5)) / 2)))),
    ],
  },
  {
    name: 'asyncio',
    description: 'asyncio.gather of 1,000 tasks at scale 1, each awaiting 5 times (bench/programs/asyncio_tasks.py)',
    args: (scale) => [path.join(PROGRAMS_DIR, 'asyncio_tasks.py'), String(Math.max(1, Math.round(1000 * scale)))],
  },
  {
    name: 'thread-pool',
    description: 'ThreadPoolExecutor(4).map over 1,500 jobs at scale 1 (bench/programs/thread_pool.py)',
    args: (scale) => [path.join(PROGRAMS_DIR, 'thread_pool.py'), String(Math.max(1, Math.round(1500 * scale)))],
  },
];

// ---- options ---------------------------------------------------------------------------------

const USAGE =
  'usage: node bench/record-overhead.mjs [--quick] [--runs N] [--scale F] [--only PROG[,PROG]] [--python PATH[,PATH]] [--no-bpftrace] [--json FILE] [--check]';

function die(msg) {
  process.stderr.write(`record-overhead: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

const log = (msg) => process.stderr.write(`record-overhead: ${msg}\n`);

function parseArgs(argv) {
  const v = readFlags(
    argv,
    {
      quick: { type: 'boolean' },
      runs: { type: 'string' },
      scale: { type: 'string' },
      only: { type: 'string', multiple: true },
      python: { type: 'string', multiple: true },
      'no-bpftrace': { type: 'boolean' },
      json: { type: 'string' },
      check: { type: 'boolean' },
      markdown: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    die,
  );
  if (v.help) {
    process.stdout.write(USAGE + '\n');
    process.exit(0);
  }
  const list = (xs) => (xs === undefined ? null : xs.flatMap((x) => x.split(',').filter(Boolean)));
  const o = {
    quick: v.quick ?? false,
    runs: v.runs === undefined ? (v.quick ? 1 : 3) : Number(v.runs),
    scale: v.scale === undefined ? (v.quick ? 0.25 : 1) : Number(v.scale),
    only: list(v.only),
    python: list(v.python),
    bpftrace: !v['no-bpftrace'],
    json: path.resolve(v.json ?? DEFAULT_JSON),
    check: v.check ?? false,
    markdown: v.markdown ?? null,
  };
  if (!Number.isInteger(o.runs) || o.runs < 1) die('--runs must be a positive integer');
  if (!(o.scale > 0 && o.scale <= 100)) die('--scale must be a number above 0, at most 100');
  if (o.only) {
    const names = new Set(PROGRAMS.map((p) => p.name));
    for (const n of o.only) if (!names.has(n)) die(`unknown program ${n} (have: ${[...names].join(', ')})`);
  }
  return o;
}

// ---- inputs ----------------------------------------------------------------------------------

/** A deterministic JSON document of `records` records (compact; json.tool re-indents it). */
function jsonInput(records) {
  const file = path.join(WORK_DIR, `records-${records}.json`);
  if (fs.existsSync(file)) return file;
  const doc = { records: [] };
  for (let i = 0; i < records; i++)
    doc.records.push({
      id: i,
      name: `item-${i}`,
      tags: [`t${i % 7}`, `u${i % 5}`],
      score: ((i * 37) % 1000) / 10,
      ok: i % 3 === 0,
      child: { a: i, b: null },
    });
  writeAtomically(file, JSON.stringify(doc));
  return file;
}

/** The stdlib file tokenize reads: argparse.py (2,600 lines), from the first stdlib that has it,
 * so every interpreter reads the same bytes. Chosen once per run. */
let argparseSource = null;
function argparseFile() {
  if (argparseSource) return argparseSource;
  const candidates = [
    '/usr/lib/python3.11/argparse.py',
    ...INTERPRETERS.map((p) => {
      const m = /versions\/(\d+)\.(\d+)\.\d+\/bin\/python3$/.exec(p);
      return m ? path.join(p, '..', '..', 'lib', `python${m[1]}.${m[2]}`, 'argparse.py') : null;
    }).filter(Boolean),
  ];
  argparseSource = candidates.find((f) => fs.existsSync(f)) ?? null;
  if (!argparseSource)
    throw new Error(`no argparse.py found for the tokenize program (looked at ${candidates.join(', ')})`);
  return argparseSource;
}

/** argparse.py at `scale`: whole copies, then the start of one more cut just before a top-level
 * `def`/`class` (never inside a string there), so tokenize reads valid source. */
function tokenizeInput(scale) {
  const source = argparseFile();
  if (scale === 1) return source;
  const file = path.join(WORK_DIR, `argparse-x${scale}.py`);
  if (fs.existsSync(file)) return file;
  const text = fs.readFileSync(source, 'utf8');
  const lines = text.split('\n');
  const whole = Math.floor(scale);
  const wantLines = Math.round((scale - whole) * lines.length);
  let cut = 0;
  for (let i = 0; i < lines.length && i <= wantLines; i++) if (/^(def|class) /.test(lines[i])) cut = i;
  if (whole === 0 && cut === 0) cut = lines.findIndex((l) => /^(def|class) /.test(l)) + 1;
  const part = lines.slice(0, cut).join('\n') + '\n';
  writeAtomically(file, text.repeat(whole) + (cut ? part : ''));
  return file;
}

function writeAtomically(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

// ---- running ---------------------------------------------------------------------------------

let haveTime = null;

/** Runs a command (stdout discarded, stderr kept) and measures its wall time from spawn to exit;
 * with /usr/bin/time also its user + system CPU time (of it and the children it waited for). */
function run(cmd, args) {
  haveTime ??= fs.existsSync(TIME_BIN);
  const timeFile = path.join(WORK_DIR, `time.tmp-${process.pid}`);
  const [file, argv] = haveTime ? [TIME_BIN, ['-o', timeFile, '-f', '%U %S', cmd, ...args]] : [cmd, args];
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(file, argv, {
      cwd: WORK_DIR,
      stdio: ['ignore', 'ignore', 'pipe'],
      // pyflame record's calibration (issue 13) is not what this benchmark times.
      env: { ...process.env, PYTHONHASHSEED: '0', PYFLAME_CALIBRATE: '0' },
    });
    const err = [];
    child.stderr.on('data', (d) => err.push(d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
    }, RUN_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: -1, signal: null, stderr: String(e), wall: 0, cpu: null, timedOut });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      let cpu = null;
      if (haveTime) {
        try {
          const m = /([\d.]+) ([\d.]+)\s*$/.exec(fs.readFileSync(timeFile, 'utf8'));
          if (m) cpu = Number(m[1]) + Number(m[2]);
        } catch {
          /* no figures: the time program failed */
        }
        fs.rmSync(timeFile, { force: true });
      }
      let stderr = Buffer.concat(err).toString('utf8');
      // /usr/bin/time reports a failed command on stderr too
      stderr = stderr.replace(/^Command (exited with non-zero status \d+|terminated by signal \d+)\n/m, '');
      resolve({ code, signal, stderr, wall, cpu, timedOut });
    });
  });
}

const failure = (r) => failureOf(r, RUN_TIMEOUT_MS);

/** The program's own time, which the bench/programs scripts print around their work. */
const ownElapsed = (stderr) => {
  const m = /^pyflame-bench-elapsed ([\d.]+)$/m.exec(stderr);
  return m ? Number(m[1]) : null;
};

/** `pyflame: wrote FILE: N events (...)`: what a `pyflame record` wrote. */
const wroteEvents = (stderr) => {
  const m = /^pyflame: wrote .*: (\d+) events\b/m.exec(stderr);
  return m ? Number(m[1]) : null;
};

/** First to last timestamp of a pyflame-format trace: how long the program ran while recorded. */
function traceSpanSeconds(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'latin1');
  } catch {
    return null;
  }
  let first = null;
  let last = null;
  for (const line of text.split('\n')) {
    const m = /^(\d+)\t/.exec(line);
    if (!m) continue;
    const t = BigInt(m[1]);
    if (first === null || t < first) first = t;
    if (last === null || t > last) last = t;
  }
  return first === null ? null : Number(last - first) / 1e9;
}

async function pythonInfo(py) {
  if (!fs.existsSync(py)) return { skip: 'not installed (no such file)' };
  const r = await run(py, ['-c', 'import sys; sys.stderr.write("%d.%d.%d" % sys.version_info[:3])']);
  if (r.code !== 0) return { skip: `does not run: ${failure(r)}` };
  const version = r.stderr.trim();
  const [major, minor] = version.split('.').map(Number);
  if (major !== 3 || minor < 8) return { skip: `CPython ${version}: the recorder needs 3.8 or later` };
  return { version, family: minor >= 12 ? '3.12+' : '3.8-3.11' };
}

async function choosePythons(opts) {
  const found = [];
  for (const py of opts.python ?? INTERPRETERS) {
    const info = await pythonInfo(py);
    if (info.skip) log(`skipping ${py}: ${info.skip}`);
    else found.push({ path: py, ...info, label: py === MARKERS_PYTHON ? `${info.version} debian` : info.version });
  }
  if (!opts.quick || opts.python) return found;
  // one per recorder family: the newest 3.12+, and the markers' interpreter (or the newest 3.8-3.11)
  const newest = (xs) => xs.slice().sort((a, b) => cmpVersion(b.version, a.version))[0];
  const modern = newest(found.filter((p) => p.family === '3.12+'));
  const old = found.find((p) => p.path === MARKERS_PYTHON) ?? newest(found.filter((p) => p.family === '3.8-3.11'));
  return [modern, old].filter(Boolean);
}

function cmpVersion(a, b) {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

// ---- measuring one program on one interpreter -------------------------------------------------

/**
 * The recorder's fixed cost on one interpreter: an empty script under the recorder less under
 * plain python (median of the runs): start-up (its imports, compiling it) and the end of the
 * spool. Reported apart, and taken out of the per-event figure's second column.
 */
const startupCache = new Map();
async function recorderStartup(py, opts) {
  if (startupCache.has(py.path)) return startupCache.get(py.path);
  const empty = path.join(PROGRAMS_DIR, 'empty.py');
  const scratch = path.join(WORK_DIR, `startup.tmp-${process.pid}.spool`);
  const plain = [];
  const traced = [];
  for (let i = 0; i < Math.max(5, opts.runs); i++) {
    plain.push((await run(py.path, [empty])).wall);
    traced.push((await run(py.path, [RECORDER, '-o', scratch, '--', empty])).wall);
  }
  fs.rmSync(scratch, { force: true });
  const startup = Math.max(0, median(traced) - median(plain));
  startupCache.set(py.path, startup);
  return startup;
}

async function measure(py, prog, opts, withBpftrace) {
  const progArgs = prog.args(opts.scale);
  const scratch = path.join(WORK_DIR, `trace.tmp-${process.pid}.txt`);
  const res = {
    program: prog.name,
    python: py.label,
    pythonPath: py.path,
    version: py.version,
    family: py.family,
    args: progArgs.map((a) => (path.isAbsolute(a) ? path.relative(ROOT, a) || a : a)),
    events: null,
    modes: {},
    notes: [],
  };

  // Untimed: how many events the in-process recorder writes for this program (and warms the caches).
  const count = await run(process.execPath, [
    PYFLAME,
    'record',
    '--via',
    'inprocess',
    '-o',
    scratch,
    '--',
    py.path,
    ...progArgs,
  ]);
  fs.rmSync(scratch, { force: true });
  res.events = count.code === 0 ? wroteEvents(count.stderr) : null;
  if (res.events === null) res.notes.push(`event count failed: ${failure(count) ?? 'no "wrote ... N events" line'}`);

  const modes = {
    untraced: () => [py.path, progArgs],
    cProfile: () => [py.path, ['-m', 'cProfile', '-o', '/dev/null', ...progArgs]],
    inprocess: () => [py.path, [RECORDER, '-o', scratch, '--', ...progArgs]],
  };
  if (withBpftrace)
    modes.bpftrace = () => [
      process.execPath,
      [PYFLAME, 'record', '--via', 'markers', '-o', scratch, '--', py.path, ...progArgs],
    ];
  for (const m of Object.keys(modes)) res.modes[m] = { runs: [], error: null };

  for (let i = 0; i < opts.runs; i++) {
    for (const [m, make] of Object.entries(modes)) {
      const slot = res.modes[m];
      if (slot.error) continue; // failed once: the mode is reported failed, not retried
      const [cmd, args] = make();
      const r = await run(cmd, args);
      const why = failure(r);
      const one = { wall: r.wall, cpu: r.cpu, programElapsed: ownElapsed(r.stderr) };
      if (m === 'bpftrace') {
        one.events = wroteEvents(r.stderr);
        one.traceSpan = traceSpanSeconds(scratch);
      }
      fs.rmSync(scratch, { force: true });
      if (why) {
        slot.error = why;
        res.notes.push(`${m} failed: ${why}`);
      } else slot.runs.push(one);
    }
  }
  res.startupSeconds = await recorderStartup(py, opts);
  return summarize(res);
}

const min = (xs) => (xs.length ? Math.min(...xs) : null);
const values = (runs, k) => runs.map((r) => r[k]).filter((x) => typeof x === 'number');

function summarize(res) {
  for (const slot of Object.values(res.modes)) {
    const ok = slot.error ? [] : slot.runs;
    slot.wallMedian = median(values(ok, 'wall'));
    slot.wallMin = min(values(ok, 'wall'));
    slot.cpuMedian = median(values(ok, 'cpu'));
    slot.programElapsedMedian = median(values(ok, 'programElapsed'));
    if ('traceSpan' in (ok[0] ?? {})) {
      slot.traceSpanMedian = median(values(ok, 'traceSpan'));
      slot.events = ok.length ? ok[ok.length - 1].events : null;
    }
  }
  const u = res.modes.untraced;
  const ip = res.modes.inprocess;
  const perEvent = (a, b) => (a !== null && b !== null && res.events ? ((a - b) / res.events) * 1e6 : null);
  res.usPerEvent = perEvent(ip.wallMedian, u.wallMedian);
  res.usPerEventFromMins = perEvent(ip.wallMin, u.wallMin);
  res.usPerEventCpu = perEvent(ip.cpuMedian, u.cpuMedian);
  // Without the recorder's fixed start-up and end cost (measured on an empty script).
  res.usPerEventNet =
    res.usPerEvent === null || res.startupSeconds == null
      ? null
      : res.usPerEvent - (res.startupSeconds / res.events) * 1e6;
  // cProfile on the same events, for comparison (it counts the same calls)
  res.usPerEventCProfile = perEvent(res.modes.cProfile.wallMedian, u.wallMedian);
  res.targetUsPerEvent = TARGET_US_PER_EVENT[res.family];
  // Judged per event: without the fixed start-up cost, which no number of events changes.
  res.perEventMet = res.usPerEventNet == null ? null : res.usPerEventNet <= res.targetUsPerEvent;
  const bt = res.modes.bpftrace;
  if (bt && ip.wallMedian) {
    res.speedupVsBpftrace = bt.wallMedian === null ? null : bt.wallMedian / ip.wallMedian;
    res.speedupVsBpftraceProgram = bt.traceSpanMedian == null ? null : bt.traceSpanMedian / ip.wallMedian;
    res.speedupMet = res.speedupVsBpftrace === null ? null : res.speedupVsBpftrace >= TARGET_SPEEDUP;
  }
  return res;
}

// ---- output ----------------------------------------------------------------------------------

function secs(slot) {
  if (!slot) return '-';
  if (slot.error || slot.wallMedian === null) return 'FAILED';
  return slot.runs.length > 1
    ? `${slot.wallMedian.toFixed(3)} (${slot.wallMin.toFixed(3)})`
    : slot.wallMedian.toFixed(3);
}

function printTable(results, opts) {
  const head = [
    'program',
    'python',
    'events',
    'untraced s',
    'cProfile s',
    'in-process s',
    'µs/event',
    'µs/ev cpu',
    'start-up ms',
    'µs/ev net',
    'target',
    'bpftrace s',
    'bpftrace prog s',
    'speedup',
    'speedup (prog)',
  ];
  const rows = results.map((r) => {
    const bt = r.modes.bpftrace;
    return [
      r.program,
      r.python,
      r.events === null ? '?' : r.events.toLocaleString('en-US'),
      secs(r.modes.untraced),
      secs(r.modes.cProfile),
      secs(r.modes.inprocess),
      r.usPerEvent === null ? '?' : r.usPerEvent.toFixed(2),
      r.usPerEventCpu === null ? '-' : r.usPerEventCpu.toFixed(2),
      r.startupSeconds == null ? '-' : (r.startupSeconds * 1000).toFixed(0),
      r.usPerEventNet == null ? '-' : r.usPerEventNet.toFixed(2),
      r.perEventMet === null ? '?' : `${r.perEventMet ? 'yes' : 'NO'} (<= ${r.targetUsPerEvent})`,
      secs(bt),
      bt?.traceSpanMedian == null ? '-' : bt.traceSpanMedian.toFixed(3),
      r.speedupVsBpftrace == null ? '-' : `${r.speedupVsBpftrace.toFixed(1)}x ${r.speedupMet ? 'yes' : 'NO'}`,
      r.speedupVsBpftraceProgram == null ? '-' : `${r.speedupVsBpftraceProgram.toFixed(1)}x`,
    ];
  });
  // Without any bpftrace recording its four columns would be empty.
  const columns = results.some((r) => r.modes.bpftrace) ? head.length : head.length - 4;
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    cells
      .slice(0, columns)
      .map((c, i) => (i < 2 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i])))
      .join('  ');
  const out = [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  for (const r of results) for (const n of r.notes) out.push(`note: ${r.program} on ${r.python}: ${n}`);
  out.push(
    `Seconds: wall time from spawn to exit, ${opts.runs > 1 ? `median (minimum) of ${opts.runs} runs` : '1 run'}; programs at scale ${opts.scale}.`,
    'events: what the in-process recorder writes (pyflame record --via inprocess). µs/event: (in-process - untraced) / events,',
    'from the medians; µs/ev cpu: the same from user + system CPU time (/usr/bin/time, 10 ms resolution), which a busy',
    'machine inflates less. start-up ms: the recorder on an empty script less plain python (its imports, compiling it, the',
    "spool's end: paid once per run); µs/ev net: µs/event without it. target (on µs/ev net): issue 12, 0.5 µs on 3.12+,",
    '1 µs on 3.8-3.11. bpftrace s: the whole',
    '`pyflame record --via markers` run (node, bpftrace attaching and draining, the program); bpftrace prog s: first to last',
    'event of its trace. speedup: bpftrace s / in-process s (target >= 10x); speedup (prog): bpftrace prog s / in-process s.',
  );
  process.stdout.write(out.join('\n') + '\n');
}

/** The table of docs/benchmarks.md ("Recording overhead"), from a JSON this script wrote. */
function markdownTable(doc) {
  const f = (x, digits) => (x == null ? '-' : x.toFixed(digits));
  const lines = [
    '| program | python | events | untraced s | cProfile s | cProfile µs/event | in-process s | µs/event | µs/event (CPU) | start-up ms | **µs/event net** | bpftrace s | bpftrace program s | speedup: whole (program) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of doc.results) {
    const m = r.modes;
    const bt = m.bpftrace;
    lines.push(
      `| ${r.program} | ${r.python} | ${r.events?.toLocaleString('en-US') ?? '?'} | ${f(m.untraced.wallMedian, 3)} | ${f(m.cProfile.wallMedian, 3)} | ${f(r.usPerEventCProfile, 2)} | ${f(m.inprocess.wallMedian, 3)} | ${f(r.usPerEvent, 2)} | ${f(r.usPerEventCpu, 2)} | ${r.startupSeconds == null ? '-' : f(r.startupSeconds * 1000, 0)} | **${f(r.usPerEventNet, 2)}** | ${bt ? f(bt.wallMedian, 3) : '-'} | ${bt ? f(bt.traceSpanMedian, 3) : '-'} | ${r.speedupVsBpftrace == null ? '-' : `${f(r.speedupVsBpftrace, 1)}x (${f(r.speedupVsBpftraceProgram, 1)}x)`} |`,
    );
  }
  return lines.join('\n') + '\n';
}

// ---- main ------------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.markdown) {
    process.stdout.write(markdownTable(JSON.parse(fs.readFileSync(opts.markdown, 'utf8'))));
    return;
  }
  const started = process.hrtime.bigint();
  fs.mkdirSync(WORK_DIR, { recursive: true });
  if (!fs.existsSync(path.join(ROOT, 'dist', 'src', 'cli', 'main.js')))
    die('dist/ is missing: build pyflame first (npx tsc -p tsconfig.json && npm run build:wasm, or npm run build)');

  const pythons = await choosePythons(opts);
  if (!pythons.length) die('no interpreter to measure');
  let bpf = { ok: false, why: '--no-bpftrace' };
  if (opts.bpftrace) bpf = bpftraceAvailable();
  if (!bpf.ok) log(`bpftrace recordings left out: ${bpf.why}`);
  else if (!pythons.some((p) => p.path === MARKERS_PYTHON))
    log(`bpftrace recordings left out: ${MARKERS_PYTHON} is not among the interpreters measured`);

  const programs = PROGRAMS.filter((p) => !opts.only || opts.only.includes(p.name));
  const results = [];
  for (const prog of programs) {
    for (const py of pythons) {
      const withBpftrace = bpf.ok && py.path === MARKERS_PYTHON;
      log(`${prog.name} on ${py.label}${withBpftrace ? ' (with bpftrace)' : ''} ...`);
      results.push(await measure(py, prog, opts, withBpftrace));
    }
  }

  printTable(results, opts);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const doc = {
    date: new Date().toISOString(),
    host: hostInfo(),
    options: { quick: opts.quick, runs: opts.runs, scale: opts.scale, only: opts.only, bpftrace: bpf.ok },
    bpftrace: bpf.ok ? { path: bpf.bpftrace } : { skipped: bpf.why },
    tokenizeSource: programs.some((p) => p.name === 'tokenize') ? argparseFile() : null,
    programs: programs.map((p) => ({ name: p.name, description: p.description })),
    pythons: pythons.map((p) => ({ label: p.label, path: p.path, version: p.version, family: p.family })),
    targets: { usPerEvent: TARGET_US_PER_EVENT, speedupVsBpftrace: TARGET_SPEEDUP },
    units: {
      seconds: 'wall-clock seconds from spawn to exit',
      usPerEvent: '(in-process median - untraced median) / events, microseconds',
      startupSeconds: 'the recorder on an empty script less plain python, median of at least 5 runs',
      usPerEventNet: 'usPerEvent less startupSeconds / events',
    },
    scriptSeconds: seconds,
    results,
  };
  writeAtomically(opts.json, JSON.stringify(doc, null, 2) + '\n');
  log(`wrote ${path.relative(process.cwd(), opts.json) || opts.json} (whole run: ${seconds.toFixed(1)} s)`);

  const missed = results.some((r) => r.perEventMet === false || r.speedupMet === false);
  const failed = results.some((r) => Object.values(r.modes).some((m) => m.error) || r.events === null);
  process.exitCode = failed ? 1 : opts.check && missed ? 1 : 0;
}

main().catch((e) => {
  process.stderr.write(`record-overhead: ${e.stack || e}\n`);
  process.exit(1);
});
