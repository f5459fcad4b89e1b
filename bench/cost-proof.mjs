#!/usr/bin/env node
// bench/cost-proof.mjs - do pyflame's times describe the program, not the probes? (issue 13 §4)
//
//   node bench/cost-proof.mjs [--runs K] [--record-runs R] [--scale F] [--bpftrace-scale F] [--only PROG[,PROG]]
//                             [--python PATH[,PATH]] [--no-bpftrace] [--json FILE|-] [--check]
//
//   --runs K            untraced runs per program and interpreter (default 5); medians are compared
//   --record-runs R     recordings per program and recorder (default 1); the one whose trace lasted
//                       the median time is compared (the machine is shared: single runs vary)
//   --scale F           size of the programs for the in-process recordings (default 1: each
//                       program's untraced run takes about 0.2-1 s)
//   --bpftrace-scale F  size for the bpftrace recordings (default 0.05: a probe hit costs ~8 µs and
//                       3.11 needs its line probe attached, so the programs are made small)
//   --only PROG         only these programs (names in PROGRAMS below)
//   --python PATH       interpreters for the in-process recorder (default: the newest pyenv 3.12.x
//                       and 3.11.x in ~/.pyenv/versions)
//   --no-bpftrace       leave out the bpftrace recordings
//   --json FILE         also write every figure as JSON to FILE (`-`: the JSON on stdout instead of
//                       the tables)
//   --check             exit with status 1 when a target is missed (default: report only)
//   --pyflame FILE      record and analyze with this bin/pyflame.js (default: this checkout's)
//   --markdown FILE     run nothing: print the tables from FILE (a JSON written by --json before)
//
// For each program (bench/programs/proof/*.py) and each recorder with its interpreter:
//   1. untraced: K runs (half before the recordings of 2., half after) of `python PROG SCALE` with PYFLAME_PROOF_OUT=FILE: the program times its
//      own functions (perf_counter_ns around each call, see proof_common.py) and writes their
//      inclusive totals, self times where known and call counts; the median of the K runs per
//      function, and of the process's wall time and the script's own span;
//   2. traced: R (default 1) `pyflame record --via inprocess|markers -o TRACE -- python PROG SCALE` (timed
//      from spawn to exit) and `pyflame analyze TRACE --json -`;
//   3. compared, side by side: the run (trace duration against the untraced process's wall time
//      for bpftrace, whose trace covers the whole process, and against the script's own span for
//      the in-process recorder, whose trace starts with the script), and every function with at
//      least 5% of the untraced script's span: corrected self and total ± their stated error
//      against untraced, inside the error or not, call counts.
// Targets (issue 13 §4), PASS/FAIL per program and recorder and in a summary:
//   uncertainty  the untraced value inside the stated ± for the run and every such function (its
//                total, and its self where known exactly: a derived self is shown, not judged)
//   ranking      among functions measured confidently (error below half the value) whose untraced
//                self time is known exactly (leaves: self = total), the hottest 3 by corrected self
//                time are the untraced hottest, in the same order: every pair of them that the
//                untraced runs settle (one's min above the other's max; shown `>`, else `≈`),
//                with one of the pair in the untraced top 3, comes out in that order traced
//   run ±15%     in-process only: the corrected run within ±15% of the untraced one
//   mean≥10µs ±25%  in-process only: every such function whose untraced mean call is at least 10 µs,
//                self (where known) and total within ±25%
//   calls exact  every such function called as many times traced as untraced
//
// Until the recorders state their cost (the `# pyflame-cost` line, issue 13 design §A) analyze
// gives the times as recorded with errors of 0 (and an analyze before design §C has no
// selfNsError at all): the script compares those, says so, and the targets FAIL honestly.
// Traces and the untraced runs' figures live in bench/data/cost-proof/ (git-ignored).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bpftraceAvailable, failure as failureOf, MARKERS_PYTHON, median } from './bench-tools.mjs';
import { readFlags } from './generate-trace.mjs';
import { hostInfo } from './host-info.mjs';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, '..');
const PROGRAMS_DIR = path.join(BENCH_DIR, 'programs', 'proof');
const WORK_DIR = path.join(BENCH_DIR, 'data', 'cost-proof');
/** The pyflame that records and analyzes (--pyflame: another checkout's bin/pyflame.js, e.g. a branch's). */
let PYFLAME = path.join(ROOT, 'bin', 'pyflame.js');
/** The interpreter built with the markers (Debian's): the only one bpftrace can record calls of. */
const RUN_TIMEOUT_MS = 180_000;

/**
 * The names of the `pyflame analyze --json` fields this script reads: the one place to change
 * when the analysis document's names change (src/export/analysis-json.ts). A corrected field that
 * is absent falls back as the comment says.
 */
const FIELDS = {
  fn: {
    name: 'name',
    file: 'file',
    calls: 'calls',
    self: 'selfNs', // corrected when the trace states its cost (as recorded before issue 13 §C)
    total: 'totalNs',
    selfRaw: 'selfNsRaw', // absent: = selfNs
    totalRaw: 'totalNsRaw', // absent: = totalNs
    selfError: 'selfNsError', // absent: 0
    totalError: 'totalNsError', // absent: 0
  },
  run: {
    object: 'trace', // the run's figures live in doc.trace
    duration: 'durationNs',
    durationRaw: 'durationNsRaw', // absent: = durationNs
    durationError: 'durationNsError', // absent: 0
    recordingCost: 'recordingCost', // null or absent: the trace states no cost, nothing was taken out
  },
};
const COST_LINE = '# pyflame-cost';

const SHARE = 0.05; // functions with at least this share of the untraced span are compared
const RUN_TOLERANCE = 0.15;
const FUNCTION_TOLERANCE = 0.25;
const MEAN_CALL_NS = 10_000;
const RANKING_TOP = 3;

const PROGRAMS = [
  { name: 'c-calls', file: 'c_calls.py', what: 'sha256, zlib.compress, sorted(): one C call each' },
  { name: 'line-loops', file: 'line_loops.py', what: 'pure-Python while loops, no calls inside' },
  { name: 'recursion', file: 'recursion.py', what: 'fib and hanoi: ~1.5 M tiny recursive calls' },
  { name: 'imports', file: 'imports.py', what: '40 standard-library modules imported' },
  { name: 'gc', file: 'gc_heavy.py', what: 'cyclic garbage, a large live graph, gc.collect()' },
  { name: 'threads', file: 'threads.py', what: '4 threads: a GIL-bound loop and sha256 (GIL released)' },
];

// ---- options ---------------------------------------------------------------------------------

const USAGE =
  'usage: node bench/cost-proof.mjs [--runs K] [--record-runs R] [--scale F] [--bpftrace-scale F] [--only PROG[,PROG]] [--python PATH[,PATH]] [--no-bpftrace] [--json FILE|-] [--check] [--pyflame FILE] [--markdown FILE]';

function die(msg) {
  process.stderr.write(`cost-proof: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

const log = (msg) => process.stderr.write(`cost-proof: ${msg}\n`);

function parseArgs(argv) {
  const v = readFlags(
    argv,
    {
      runs: { type: 'string' },
      'record-runs': { type: 'string' },
      scale: { type: 'string' },
      'bpftrace-scale': { type: 'string' },
      only: { type: 'string', multiple: true },
      python: { type: 'string', multiple: true },
      'no-bpftrace': { type: 'boolean' },
      json: { type: 'string' },
      check: { type: 'boolean' },
      pyflame: { type: 'string' },
      markdown: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    die,
  );
  if (v.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const list = (xs) => (xs === undefined ? null : xs.flatMap((x) => x.split(',').filter(Boolean)));
  const o = {
    runs: v.runs === undefined ? 5 : Number(v.runs),
    recordRuns: v['record-runs'] === undefined ? 1 : Number(v['record-runs']),
    scale: v.scale === undefined ? 1 : Number(v.scale),
    bpftraceScale: v['bpftrace-scale'] === undefined ? 0.05 : Number(v['bpftrace-scale']),
    only: list(v.only),
    python: list(v.python),
    bpftrace: !v['no-bpftrace'],
    json: v.json ?? null,
    check: v.check ?? false,
    pyflame: v.pyflame === undefined ? null : path.resolve(v.pyflame),
    markdown: v.markdown ?? null,
  };
  if (!Number.isInteger(o.runs) || o.runs < 1) die('--runs must be a positive integer');
  if (!Number.isInteger(o.recordRuns) || o.recordRuns < 1) die('--record-runs must be a positive integer');
  for (const [flag, x] of [
    ['--scale', o.scale],
    ['--bpftrace-scale', o.bpftraceScale],
  ])
    if (!(x > 0 && x <= 10)) die(`${flag} must be a number above 0, at most 10`);
  if (o.only) {
    const names = new Set(PROGRAMS.map((p) => p.name));
    for (const n of o.only) if (!names.has(n)) die(`unknown program ${n} (have: ${[...names].join(', ')})`);
  }
  return o;
}

// ---- interpreters and recorders --------------------------------------------------------------

/** The newest pyenv 3.12.x and 3.11.x: the in-process recorder's two ways (sys.monitoring, sys.setprofile). */
function defaultPythons() {
  const dir = path.join(os.homedir(), '.pyenv', 'versions');
  let names = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const out = [];
  for (const minor of [12, 11]) {
    const best = names
      .map((n) => /^3\.(\d+)\.(\d+)$/.exec(n))
      .filter((m) => m && Number(m[1]) === minor)
      .sort((a, b) => Number(b[2]) - Number(a[2]))[0];
    if (best) out.push(path.join(dir, best[0], 'bin', 'python3'));
  }
  return out;
}

// ---- running ---------------------------------------------------------------------------------

/** Runs a command; wall time from spawn to exit; stdout kept when asked. */
function run(cmd, args, { env = {}, keepStdout = false } = {}) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, {
      cwd: WORK_DIR,
      stdio: ['ignore', keepStdout ? 'pipe' : 'ignore', 'pipe'],
      env: { ...withoutProofOut(process.env), PYTHONHASHSEED: '0', ...env },
    });
    const out = [];
    const err = [];
    child.stdout?.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
    }, RUN_TIMEOUT_MS);
    const done = (code, signal, extra = '') => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        timedOut,
        wallNs: Number(process.hrtime.bigint() - t0),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + extra,
      });
    };
    child.on('error', (e) => done(-1, null, String(e)));
    child.on('close', (code, signal) => done(code, signal));
  });
}

/** The traced runs must not time themselves: never pass our own PYFLAME_PROOF_OUT on. */
function withoutProofOut(env) {
  const copy = { ...env };
  delete copy.PYFLAME_PROOF_OUT;
  return copy;
}

const failure = (r) => failureOf(r, RUN_TIMEOUT_MS);

const fnKey = (name, file) => `${name}\u0000${file}`;

/**
 * K untraced runs of a program, each timing its own functions: medians per function. `between`
 * (the recordings) runs after half of them, so that a change of this shared machine's load
 * during the measurement hits both sides alike.
 */
async function untraced(lane, prog, runs, wallFromPlainRuns, between) {
  const out = path.join(WORK_DIR, `untraced-${process.pid}.json`);
  const docs = [];
  const walls = [];
  const args = [path.join(PROGRAMS_DIR, prog.file), String(lane.scale)];
  let betweenResult = null;
  for (let i = 0; i <= runs; i++) {
    if (i === Math.floor(runs / 2)) {
      betweenResult = await between();
      if (betweenResult.error) return betweenResult;
    }
    if (i === runs) break;
    fs.rmSync(out, { force: true });
    const r = await run(lane.python, args, { env: { PYFLAME_PROOF_OUT: out } });
    const why = failure(r);
    if (why) return { error: `untraced run failed: ${why}` };
    docs.push(JSON.parse(fs.readFileSync(out, 'utf8')));
    walls.push(r.wallNs);
    if (wallFromPlainRuns) {
      // The process's wall time is compared with a trace of the whole process: time it as the
      // traced one runs, without the measuring (its gc callback, writing the JSON at the end).
      const plain = await run(lane.python, args);
      const whyPlain = failure(plain);
      if (whyPlain) return { error: `untraced run failed: ${whyPlain}` };
      walls[walls.length - 1] = plain.wallNs;
    }
  }
  fs.rmSync(out, { force: true });
  const functions = new Map();
  const callsDiffer = [];
  for (const doc of docs)
    for (const f of doc.functions) {
      const k = fnKey(f.name, f.file);
      let e = functions.get(k);
      if (!e)
        functions.set(k, (e = { name: f.name, file: f.file, calls: f.calls, selfHow: f.selfHow, self: [], total: [] }));
      if (e.calls !== f.calls) callsDiffer.push(f.name);
      e.total.push(f.totalNs);
      e.self.push(f.selfNs);
    }
  return {
    between: betweenResult,
    python: docs[0].python,
    wallNs: median(walls),
    wallRangeNs: [Math.min(...walls), Math.max(...walls)],
    spanNs: median(docs.map((d) => d.runNs)),
    spanRangeNs: [Math.min(...docs.map((d) => d.runNs)), Math.max(...docs.map((d) => d.runNs))],
    gc: {
      collections: median(docs.map((d) => d.gc.collections)),
      pauseNs: median(docs.map((d) => d.gc.pauseNs)),
      byGeneration: [0, 1, 2].map((g) => median(docs.map((d) => d.gc.byGeneration[g]))),
    },
    callsDiffer,
    functions: [...functions.values()].map((e) => ({
      name: e.name,
      file: e.file,
      calls: e.calls,
      selfHow: e.selfHow,
      totalNs: median(e.total),
      totalRangeNs: [Math.min(...e.total), Math.max(...e.total)],
      selfNs: e.selfHow ? median(e.self) : null,
    })),
  };
}

/**
 * R recordings and their analyses; the one whose trace lasted the median time (as recorded) is
 * compared (its figures belong together: the corrected times, their errors and counts).
 */
async function tracedMedian(lane, prog, recordRuns) {
  const recs = [];
  for (let i = 0; i < recordRuns; i++) {
    const rec = await traced(lane, prog, recordRuns > 1 ? `-${i}` : '');
    if (rec.error) return rec;
    recs.push(rec);
  }
  const rawDuration = (r) => {
    const o = r.doc[FIELDS.run.object];
    return typeof o?.[FIELDS.run.durationRaw] === 'number' ? o[FIELDS.run.durationRaw] : o?.[FIELDS.run.duration];
  };
  recs.sort((a, b) => rawDuration(a) - rawDuration(b));
  const chosen = recs[(recs.length - 1) >> 1];
  return { ...chosen, recordings: recs.length, tracedWallsNs: recs.map((r) => r.wallNs) };
}

/** One recording and its analysis. */
async function traced(lane, prog, suffix) {
  const trace = path.join(WORK_DIR, `${prog.name}-${lane.id}${suffix}.pyflame.txt`);
  fs.rmSync(trace, { force: true });
  const rec = await run(process.execPath, [
    PYFLAME,
    'record',
    '--via',
    lane.recorder === 'bpftrace' ? 'markers' : 'inprocess',
    '-o',
    trace,
    '--',
    lane.python,
    path.join(PROGRAMS_DIR, prog.file),
    String(lane.scale),
  ]);
  const why = failure(rec);
  if (why) return { error: `pyflame record failed: ${why}` };
  const head = fs.readFileSync(trace, 'latin1').slice(0, 64 * 1024);
  const costLine = head.split('\n').find((l) => l.startsWith(COST_LINE)) ?? null;
  const an = await run(process.execPath, [PYFLAME, 'analyze', trace, '--json', '-'], { keepStdout: true });
  const whyAn = failure(an);
  if (whyAn) return { error: `pyflame analyze failed: ${whyAn}` };
  return { wallNs: rec.wallNs, trace, costLine, doc: JSON.parse(an.stdout), analyzeWallNs: an.wallNs };
}

// ---- comparing -------------------------------------------------------------------------------

/** A corrected figure with its raw value and error, from an object of the analysis document. */
function figure(obj, field, rawField, errorField) {
  const value = obj?.[field];
  if (typeof value !== 'number') return null;
  return {
    value,
    raw: typeof obj[rawField] === 'number' ? obj[rawField] : value,
    error: typeof obj[errorField] === 'number' ? obj[errorField] : 0,
  };
}

/** One compared quantity: untraced u against a traced figure f. */
/**
 * One compared quantity: untraced u (its runs' min-max `range`) against a traced figure f.
 * `inside` is the target; `insideWithNoise` (information only) widens the stated error by half the
 * untraced runs' range: on a shared machine the program's own run-to-run spread, which the
 * recording's stated uncertainty does not (and cannot) include, can exceed it.
 */
function compare(u, f, range) {
  if (u == null || f == null) return null;
  const delta = f.value - u;
  const noise = range ? (range[1] - range[0]) / 2 : 0;
  return {
    untracedNs: u,
    rawNs: f.raw,
    correctedNs: f.value,
    errorNs: f.error,
    deviation: u === 0 ? null : delta / u,
    inside: Math.abs(delta) <= f.error,
    insideWithNoise: Math.abs(delta) <= f.error + noise,
  };
}

function analyse(lane, prog, base, rec) {
  const F = FIELDS.fn;
  const doc = rec.doc;
  // Corrected: analyze read a stated cost and took it out; else its times are as recorded.
  const corrected = doc[FIELDS.run.object]?.[FIELDS.run.recordingCost] != null;
  const hasErrorFields = doc.functions.some((f) => typeof f[F.selfError] === 'number');
  const byKey = new Map();
  for (const f of doc.functions) byKey.set(fnKey(f[F.name], f[F.file]), f);
  const scriptFile = path.join(PROGRAMS_DIR, prog.file);

  const runObj = doc[FIELDS.run.object];
  const runFig = figure(runObj, FIELDS.run.duration, FIELDS.run.durationRaw, FIELDS.run.durationError);
  // bpftrace's trace holds the whole process (start-up too); the in-process one starts with the script.
  const runRef = lane.recorder === 'bpftrace' ? base.wallNs : base.spanNs;
  const runRow = compare(runRef, runFig, lane.recorder === 'bpftrace' ? base.wallRangeNs : base.spanRangeNs);

  // The script's <module> is the program's own span, whatever the recorder.
  const rows = [];
  const moduleFn = byKey.get(fnKey('<module>', scriptFile));
  const candidates = [
    { name: '<module>', file: scriptFile, calls: 1, selfHow: null, totalNs: base.spanNs, selfNs: null },
    ...base.functions,
  ];
  for (const u of candidates) {
    if (u.totalNs < SHARE * base.spanNs) continue;
    const t = u.name === '<module>' ? moduleFn : byKey.get(fnKey(u.name, u.file));
    const row = {
      name: u.name,
      selfHow: u.selfHow,
      untracedCalls: u.calls,
      tracedCalls: t ? t[F.calls] : null,
      meanCallNs: u.totalNs / u.calls,
      // Self is judged only where the untraced run knows it exactly (a leaf: self = total). A
      // derived self (total less the timed callees) carries the timing wraps' cost and frame
      // teardown landing on either side of a return: shown, not judged.
      self:
        t && u.selfNs != null
          ? compare(u.selfNs, figure(t, F.self, F.selfRaw, F.selfError), u.selfHow === 'leaf' ? u.totalRangeNs : null)
          : null,
      total: t ? compare(u.totalNs, figure(t, F.total, F.totalRaw, F.totalError), u.totalRangeNs) : null,
      missing: !t,
      // The untraced runs' min-max (a leaf's self is its total): ranking only trusts an untraced
      // order the runs agree on.
      untracedRangeNs: u.totalRangeNs ?? null,
    };
    row.callsEqual = row.tracedCalls === row.untracedCalls;
    row.judgeSelf = row.self != null && u.selfHow === 'leaf';
    row.insideAll = !row.missing && row.total.inside && (!row.judgeSelf || row.self.inside);
    rows.push(row);
  }

  // Ranking: functions whose untraced self is known and whose corrected self is confident.
  const rankable = rows.filter(
    (r) => r.judgeSelf && r.self.correctedNs > 0 && r.self.errorNs < 0.5 * r.self.correctedNs,
  );
  const byUntraced = [...rankable].sort((a, b) => b.self.untracedNs - a.self.untracedNs);
  const top = new Set(byUntraced.slice(0, RANKING_TOP));
  // a is hotter than b untraced in every run: their min-max ranges do not overlap.
  const surelyHotter = (a, b) => a.untracedRangeNs[0] > b.untracedRangeNs[1];
  // The untraced top 3, with ≈ between neighbours whose runs overlap (an order the runs do not settle).
  const untracedOrder = byUntraced
    .slice(0, RANKING_TOP)
    .map((r, i, xs) => (i === 0 ? r.name : `${surelyHotter(xs[i - 1], r) ? '>' : '≈'} ${r.name}`));
  const tracedOrder = [...rankable]
    .sort((a, b) => b.self.correctedNs - a.self.correctedNs)
    .slice(0, RANKING_TOP)
    .map((r) => r.name);
  // The target: every pair the untraced runs settle (one surely hotter), with one of them in the
  // untraced top 3, comes out in the same order traced.
  // null (n/a) when there is no such pair: no function with an exactly known self time, or the
  // untraced runs do not settle any order (a vacuous PASS would claim what was not shown).
  const settled = rankable.flatMap((a) =>
    rankable.filter((b) => surelyHotter(a, b) && (top.has(a) || top.has(b))).map((b) => [a, b]),
  );
  const rankingHolds = settled.length === 0 ? null : settled.every(([a, b]) => a.self.correctedNs > b.self.correctedNs);
  // What the report would call hot: the trace's own hottest by corrected self time, confident ones.
  const traceTop = doc.functions
    .filter((f) => f[F.self] > 0 && (f[F.selfError] ?? 0) < 0.5 * f[F.self])
    .sort((a, b) => b[F.self] - a[F.self])
    .slice(0, RANKING_TOP)
    .map((f) => ({ name: f[F.name], file: f[F.file], selfNs: f[F.self], errorNs: f[F.selfError] ?? 0 }));

  const inprocess = lane.recorder === 'inprocess';
  const meanRows = rows.filter((r) => r.meanCallNs >= MEAN_CALL_NS && !r.missing);
  const within = (c, tol) => c != null && c.deviation != null && Math.abs(c.deviation) <= tol;
  const targets = {
    uncertainty: runRow?.inside === true && rows.every((r) => r.insideAll),
    ranking: rankingHolds,
    runWithin15: inprocess ? within(runRow, RUN_TOLERANCE) : null,
    meanCallWithin25: inprocess
      ? meanRows.every(
          (r) => within(r.total, FUNCTION_TOLERANCE) && (!r.judgeSelf || within(r.self, FUNCTION_TOLERANCE)),
        )
      : null,
    callsExact: rows.every((r) => r.callsEqual),
    // Information, not an issue target: the uncertainty target with the untraced runs' spread added.
    uncertaintyWithNoise:
      runRow?.insideWithNoise === true &&
      rows.every((r) => !r.missing && r.total.insideWithNoise && (!r.judgeSelf || r.self.insideWithNoise)),
  };
  const gcPauses = doc.gc?.pauses?.length ?? null;
  return {
    program: prog.name,
    corrected,
    hasErrorFields,
    costLine: rec.costLine,
    untracedWallNs: base.wallNs,
    untracedWallRangeNs: base.wallRangeNs,
    untracedSpanNs: base.spanNs,
    untracedSpanRangeNs: base.spanRangeNs,
    tracedWallNs: rec.wallNs,
    run: runRow,
    runReference: lane.recorder === 'bpftrace' ? 'untraced process wall time' : "untraced script's own span",
    functions: rows,
    ranking: { untraced: untracedOrder, traced: tracedOrder },
    traceTop,
    gc: {
      untraced: base.gc,
      traced: {
        pauses: gcPauses,
        pauseNs: doc.gc?.totalPauseNs ?? null,
        byGeneration: [0, 1, 2].map((g) => doc.gc?.byGeneration?.find((b) => b.generation === g)?.count ?? 0),
      },
    },
    untracedCallsDiffer: base.callsDiffer,
    targets,
  };
}

// ---- output ----------------------------------------------------------------------------------

const ms = (ns) => (ns == null ? '-' : (ns / 1e6).toFixed(ns < 1e7 ? 2 : 1));
const s = (ns) => (ns == null ? '-' : (ns / 1e9).toFixed(3));
const pct = (x) => (x == null ? '-' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(0)}%`);
/** The target's verdict, and whether the untraced runs' own spread would cover the difference. */
const inside = (c) => (c == null ? '-' : c.inside ? 'yes' : c.insideWithNoise ? '**no** (noise: yes)' : '**no**');
const pf = (b) => (b == null ? 'n/a' : b ? 'PASS' : '**FAIL**');
const pm = (c) => (c == null ? '-' : `${ms(c.correctedNs)} ± ${ms(c.errorNs)}`);

/** How much the untraced runs themselves varied: the reference's min-max range. */
function spread(r) {
  const [lo, hi] = r.runReference.startsWith('untraced process') ? r.untracedWallRangeNs : r.untracedSpanRangeNs;
  return `untraced ${ms(lo)}-${ms(hi)}`;
}

/** A name as markdown code (`<module>` would otherwise be taken for an HTML tag); backticks dropped. */
const code = (name) => `\`${String(name).replace(/[`|]/g, '')}\``;

/** Rows of the target tables that are information, not issue 13's targets (--check ignores them). */
const INFO_ONLY = new Set(['uncertaintyWithNoise']);

const TARGET_NAMES = {
  uncertainty: 'untraced inside ±',
  ranking: `hottest ${RANKING_TOP} in order`,
  runWithin15: 'run ±15% (in-process)',
  meanCallWithin25: 'mean call ≥10 µs: ±25% (in-process)',
  callsExact: 'call counts exact',
  uncertaintyWithNoise: "(info) inside ± widened by the untraced runs' spread",
};

function laneTable(lane, results) {
  const out = [];
  out.push(`### ${lane.label}`, '');
  if (lane.skip) {
    out.push(`skipped: ${lane.skip}`, '');
    return out;
  }
  const anyCorrected = results.some((r) => r.corrected);
  const costLines = results.filter((r) => r.costLine).length;
  out.push(
    `Programs at scale ${lane.scale}; untraced: median of the runs. Traces with a \`${COST_LINE}\` line: ${costLines} of ${results.length}. ` +
      (anyCorrected
        ? `analyze took the stated cost out of ${results.filter((r) => r.corrected).length} of ${results.length} (trace.${FIELDS.run.recordingCost} set).`
        : `analyze gave **raw times** (no stated cost${results.some((r) => r.hasErrorFields) ? '' : '; no selfNsError in its JSON'}): compared with errors of 0.`),
    '',
    '| program | function | calls untraced / traced | untraced self ms | untraced total ms | raw self ms | raw total ms | corrected self ms ± err | Δ self | inside | corrected total ms ± err | Δ total | inside | mean call µs |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const r of results) {
    if (r.error) {
      out.push(`| ${r.program} | **failed**: ${r.error.replace(/\|/g, '/')} |||||||||||||`);
      continue;
    }
    const run = r.run;
    out.push(
      `| **${r.program}** | (run: ${r.runReference}, ${spread(r)}; traced wall ${s(r.tracedWallNs)} s) | - | - | ${ms(run?.untracedNs)} | - | ${ms(run?.rawNs)} | - | - | - | ${pm(run)} | ${pct(run?.deviation)} | ${inside(run)} | - |`,
    );
    for (const f of r.functions) {
      const calls = f.missing
        ? `${f.untracedCalls} / **not in trace**`
        : f.callsEqual
          ? `${f.untracedCalls} = ${f.tracedCalls}`
          : `${f.untracedCalls} / **${f.tracedCalls}**`;
      out.push(
        `| | ${code(f.name)}${f.selfHow === 'derived' ? ' (self derived: not judged)' : ''} | ${calls} | ${ms(f.self?.untracedNs)} | ${ms(f.total?.untracedNs)} | ${ms(f.self?.rawNs)} | ${ms(f.total?.rawNs)} | ${pm(f.self)} | ${pct(f.self?.deviation)} | ${inside(f.self)} | ${pm(f.total)} | ${pct(f.total?.deviation)} | ${inside(f.total)} | ${(f.meanCallNs / 1e3).toFixed(f.meanCallNs < 1e4 ? 2 : 0)} |`,
      );
    }
  }
  out.push('');
  out.push(
    `| program | ${Object.values(TARGET_NAMES).join(' | ')} | hottest by self: untraced / traced | trace's own top ${RANKING_TOP} by self | GC collections by generation 0+1+2 (pause) untraced / traced |`,
  );
  out.push(
    `|---|${Object.keys(TARGET_NAMES)
      .map(() => '---')
      .join('|')}|---|---|---|`,
  );
  for (const r of results) {
    if (r.error) continue;
    const t = r.targets;
    out.push(
      `| ${r.program} | ${Object.keys(TARGET_NAMES)
        .map((k) => pf(t[k]))
        .join(
          ' | ',
        )} | ${r.ranking.untraced.join(' ') || '-'} / ${r.ranking.traced.join(' > ') || '-'} | ${r.traceTop.map((f) => `${code(f.name)} ${ms(f.selfNs)}`).join(', ')} | ${r.gc.untraced.byGeneration.join('+')} (${ms(r.gc.untraced.pauseNs)} ms) / ${r.gc.traced.byGeneration.join('+')} (${ms(r.gc.traced.pauseNs)} ms) |`,
    );
  }
  out.push('');
  return out;
}

function summary(lanes) {
  const out = [
    '### Summary',
    '',
    `| target | ${lanes
      .filter((l) => !l.skip)
      .map((l) => l.label)
      .join(' | ')} |`,
  ];
  out.push(
    `|---|${lanes
      .filter((l) => !l.skip)
      .map(() => '---')
      .join('|')}|`,
  );
  for (const [k, label] of Object.entries(TARGET_NAMES)) {
    const cells = lanes
      .filter((l) => !l.skip)
      .map((l) => {
        const done = l.results.filter((r) => !r.error);
        const applicable = done.filter((r) => r.targets[k] != null);
        if (!applicable.length) return 'n/a';
        const passed = applicable.filter((r) => r.targets[k]).length;
        const na = done.length - applicable.length;
        return `${passed === applicable.length ? 'PASS' : '**FAIL**'} ${passed}/${applicable.length}${na ? ` (${na} n/a)` : ''}`;
      });
    out.push(`| ${label} | ${cells.join(' | ')} |`);
  }
  const failed = lanes.flatMap((l) => l.results.filter((r) => r.error).map((r) => `${l.label} ${r.program}`));
  if (failed.length) out.push('', `Failed runs: ${failed.join(', ')}`);
  out.push('');
  return out;
}

/** The tables (markdown), from the document this script writes with --json. */
function render(doc) {
  const o = doc.options;
  const text = [
    `## Cost proof (issue 13 §4), ${doc.date}`,
    '',
    `pyflame: ${path.relative(ROOT, o.pyflame) || o.pyflame}. Load average (1, 5, 15 min) at the start ${doc.loadAverage.start.map((x) => x.toFixed(1)).join(', ')}, at the end ${doc.loadAverage.end.map((x) => x.toFixed(1)).join(', ')} (${doc.host?.cpus ?? os.cpus().length} CPUs).`,
    '',
    `Untraced runs per program: ${o.runs} (half before the recording${o.recordRuns > 1 ? `s (${o.recordRuns}, the median one compared)` : ''}, half after). Functions compared: at least ${doc.targets.share * 100}% of the untraced script's span. Δ: (corrected − untraced) / untraced. inside: |corrected − untraced| ≤ err. ms unless said.`,
    '',
    ...doc.lanes.flatMap((l) => laneTable(l, l.results)),
    ...summary(doc.lanes),
    `(whole run: ${doc.scriptSeconds.toFixed(0)} s)`,
  ];
  return `${text.join('\n')}\n`;
}

// ---- main ------------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.markdown) {
    process.stdout.write(render(JSON.parse(fs.readFileSync(opts.markdown, 'utf8'))));
    return;
  }
  const started = process.hrtime.bigint();
  const loadAtStart = os.loadavg();
  if (opts.pyflame) {
    if (!fs.existsSync(opts.pyflame)) die(`--pyflame ${opts.pyflame}: no such file`);
    PYFLAME = opts.pyflame;
  } else if (!fs.existsSync(path.join(ROOT, 'dist', 'src', 'cli', 'main.js')))
    die('dist/ is missing: build pyflame first (npx tsc -p tsconfig.json && npm run build:wasm, or npm run build)');
  fs.mkdirSync(WORK_DIR, { recursive: true });

  const lanes = [];
  for (const py of opts.python ?? defaultPythons()) {
    const id = `inprocess-${path.basename(path.dirname(path.dirname(py))) || 'python'}-${lanes.length}`;
    const lane = { id, recorder: 'inprocess', python: py, scale: opts.scale, label: `in-process, ${py}` };
    if (!fs.existsSync(py)) lane.skip = 'no such interpreter';
    lanes.push(lane);
  }
  if (!lanes.length) log('no interpreter for the in-process recorder (give --python)');
  const bpf = opts.bpftrace ? bpftraceAvailable() : { ok: false, why: '--no-bpftrace' };
  lanes.push({
    id: 'bpftrace',
    recorder: 'bpftrace',
    python: MARKERS_PYTHON,
    scale: opts.bpftraceScale,
    label: `bpftrace (markers), ${MARKERS_PYTHON}`,
    ...(bpf.ok ? {} : { skip: bpf.why }),
  });
  for (const l of lanes) if (l.skip) log(`${l.label}: skipped: ${l.skip}`);

  const programs = PROGRAMS.filter((p) => !opts.only || opts.only.includes(p.name));
  for (const lane of lanes) {
    lane.results = [];
    if (lane.skip) continue;
    for (const prog of programs) {
      log(`${lane.label}: ${prog.name}: ${opts.runs} untraced runs around ${opts.recordRuns} recording(s) ...`);
      const base = await untraced(lane, prog, opts.runs, lane.recorder === 'bpftrace', () =>
        tracedMedian(lane, prog, opts.recordRuns),
      );
      if (base.error) {
        lane.results.push({ program: prog.name, error: base.error });
        continue;
      }
      lane.pythonVersion = base.python;
      lane.results.push(analyse(lane, prog, base, base.between));
    }
  }

  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const doc = {
    date: new Date().toISOString(),
    host: hostInfo(),
    options: {
      runs: opts.runs,
      scale: opts.scale,
      bpftraceScale: opts.bpftraceScale,
      only: opts.only,
      pyflame: PYFLAME,
    },
    loadAverage: { start: loadAtStart, end: os.loadavg() },
    fields: FIELDS,
    targets: {
      share: SHARE,
      runTolerance: RUN_TOLERANCE,
      functionTolerance: FUNCTION_TOLERANCE,
      meanCallNs: MEAN_CALL_NS,
      rankingTop: RANKING_TOP,
    },
    programs: programs.map((p) => ({ name: p.name, file: `bench/programs/proof/${p.file}`, what: p.what })),
    lanes: lanes.map(({ results, ...l }) => ({ ...l, results })),
    scriptSeconds: seconds,
  };
  if (opts.json && opts.json !== '-') {
    fs.mkdirSync(path.dirname(path.resolve(opts.json)), { recursive: true });
    fs.writeFileSync(opts.json, `${JSON.stringify(doc, null, 2)}\n`);
  }
  if (opts.json === '-') process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  else process.stdout.write(render(doc));
  log(`whole run: ${seconds.toFixed(1)} s`);

  const failed = lanes.some((l) => l.results.some((r) => r.error));
  const missed = lanes.some((l) =>
    l.results.some((r) => !r.error && Object.entries(r.targets).some(([k, t]) => t === false && !INFO_ONLY.has(k))),
  );
  process.exitCode = failed ? 1 : opts.check && missed ? 1 : 0;
}

main().catch((e) => {
  process.stderr.write(`cost-proof: ${e.stack || e}\n`);
  process.exit(1);
});
