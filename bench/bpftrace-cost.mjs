#!/usr/bin/env node
// bench/bpftrace-cost.mjs - what one event of the bpftrace recording costs (issue 13 §3), in
// bytes of trace and µs of the traced program, for variants of the bpftrace program that
// `pyflame record` generates (src/record/probe-set.ts), on a call-heavy program.
//
//   npm run build && node bench/bpftrace-cost.mjs [--runs N] [--fib N] [--only V[,V]] [--json FILE]
//
// Needs root, bpftrace and /usr/bin/python3.11 (Debian's, with the markers). Not run by npm test.
//
// Each run: bench/programs/fib.py N under `bpftrace -q -o TRACE -e PROGRAM python3.11 -c ...`,
// exactly as pyflame record runs it (BPFTRACE_STRLEN=152, BPFTRACE_PERF_RB_PAGES=1024), and once
// untraced; the variants of one repetition run one after another. fib.py prints the time of
// fib(N) alone (perf_counter around it), so node's and bpftrace's start and finish are not in it.
// fib(N) makes C calls, each an entry, a return and one `line` firing (its one line):
//   µs/event  = (traced median - untraced median) / (2 C)           per written event (entry/return)
//   µs/firing = (traced median - untraced median) / (3 C)           per probe firing (line included)
// each from the program's CPU time (process_time: the handlers run in its context, as system
// time; what a loaded machine inflates least) and from its wall time (perf_counter).
//   bytes/event = the trace's Python event lines' bytes / their number (whole trace, start-up
//                 included; the scheduler's sched-out/in lines, which vary with the load, left out)
//
// Variants (the first two are what pyflame record wrote before and after issue 13):
//   before       the silent line probe has an always-false predicate (/0/); no u= field
//   u            the silent line counts its firings per thread; every event ends with u=N (now)
//   u-nonzero    as u, but u=N printed only when N > 0 (if/else in every probe)
//   u-zero       as u, but the count set to 0 after an event instead of deleted
//   short        as u, but shorter lines: probe names E/R (not function__entry/__return), no pid
//                (a measurement only: no parser reads it)
//   no-count     as u, without the per-probe count() maps (a measurement only: finish-trace needs them)
//   ids          as u, but a function's file and name printed once (a `code` line keyed by the
//                markers' two string pointers), then only the pointers (a measurement only: a
//                pointer freed and reused by another string would be read as the old name)
//   no-print     as u, entry/return print nothing (a floor: what printing costs at most)

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, '..');
const PYTHON = '/usr/bin/python3.11';
const WORK = path.join(BENCH_DIR, 'data', 'bpftrace-cost');
/**
 * bench/programs/fib.py's fib, timed by CPU time too: the probes' handlers run in the program's
 * own context (its system time), and CPU time is what a busy shared machine inflates least.
 */
const FIB = path.join(WORK, 'fib_cpu.py');
const FIB_SOURCE = `import sys, time
sys.path.insert(0, ${JSON.stringify(path.join(BENCH_DIR, 'programs'))})
from fib import fib
n = int(sys.argv[1])
c0, t0 = time.process_time(), time.perf_counter()
fib(n)
c1, t1 = time.process_time(), time.perf_counter()
sys.stderr.write("pyflame-bench-elapsed %.6f cpu %.6f\\n" % (t1 - t0, c1 - c0))
`;

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    fib: { type: 'string', default: '20' },
    only: { type: 'string' },
    json: { type: 'string', default: path.join(ROOT, 'out', 'bench-bpftrace-cost.json') },
  },
});
const runs = Number(values.runs);
const n = Number(values.fib);

const { chooseProbeSet } = await import(path.join(ROOT, 'dist/src/record/probe-set.js'));
const { readStapsdtNotesFromFile } = await import(path.join(ROOT, 'dist/src/record/elf-notes.js'));
const { STRLEN, DEFAULT_PERF_RB_PAGES } = await import(path.join(ROOT, 'dist/src/record/run-bpftrace.js'));

/** What pyflame record runs for a -c command on 3.11 (exit status and scheduler switches included). */
const now = chooseProbeSet(readStapsdtNotesFromFile(PYTHON), { major: 3, minor: 11 }, false, 'cpid', 'cpid').program;
const U_FIELD = /\\tu=%d(\\n", [^;]*), @pyflame_unwritten\[tid\]\);\n\tdelete\(@pyflame_unwritten\[tid\]\);/g;

const VARIANTS = {
  before: now
    .replace(
      'usdt:$1:python:line\n{\n\t@pyflame_unwritten[tid]++;\n}',
      'usdt:$1:python:line /0/\n{\n\t@line = count();\n}',
    )
    .replace(U_FIELD, '$1);')
    .replace('\tclear(@pyflame_unwritten);\n', ''),
  u: now,
  'u-nonzero': now.replace(
    /\tprintf\("([^"]*)\\tu=%d\\n", ([^;]*), @pyflame_unwritten\[tid\]\);\n\tdelete\(@pyflame_unwritten\[tid\]\);/g,
    (_, format, args) =>
      `\t$u = @pyflame_unwritten[tid];\n\tif ($u) {\n\t\tprintf("${format}\\tu=%d\\n", ${args}, $u);\n\t\tdelete(@pyflame_unwritten[tid]);\n\t} else {\n\t\tprintf("${format}\\n", ${args});\n\t}`,
  ),
  'u-zero': now.replaceAll('\tdelete(@pyflame_unwritten[tid]);', '\t@pyflame_unwritten[tid] = 0;'),
  short: now
    .replaceAll('%llu\\t%d\\t%d\\tfunction__entry\\t', '%llu\\t%d\\tE\\t')
    .replaceAll('%llu\\t%d\\t%d\\tfunction__return\\t', '%llu\\t%d\\tR\\t')
    .replace(/(E\\t[^"]*", nsecs), pid, tid/, '$1, tid')
    .replace(/(R\\t[^"]*", nsecs), pid, tid/, '$1, tid'),
  'no-count': now.replace(
    /\t@(function__entry|function__return|gc__start|gc__done|import__\w+|audit) = count\(\);\n/g,
    '',
  ),
  // Each function's strings once, then its markers' two pointers as its id (a measurement only: a
  // pointer freed and reused by another name would be read as the old one).
  ids: now
    .replace(
      /\tprintf\("%llu\\t%d\\t%d\\t(function__entry|function__return)\\t%s\\t%s\\t%d\\tu=%d\\n", nsecs, pid, tid, str\(arg0\), str\(arg1\), \(int32\)arg2, @pyflame_unwritten\[tid\]\);/g,
      (_, probe) =>
        `\tif (!@pyflame_code[arg0, arg1]) {\n\t\t@pyflame_code[arg0, arg1] = 1;\n\t\tprintf("%llu\\t%d\\t%d\\tcode\\t%lx\\t%lx\\t%s\\t%s\\n", nsecs, pid, tid, arg0, arg1, str(arg0), str(arg1));\n\t}\n\tprintf("%llu\\t%d\\t%d\\t${probe === 'function__entry' ? 'E' : 'R'}\\t%lx\\t%lx\\t%d\\tu=%d\\n", nsecs, pid, tid, arg0, arg1, (int32)arg2, @pyflame_unwritten[tid]);`,
    )
    .replace('\tclear(@pyflame_unwritten);\n', '\tclear(@pyflame_unwritten);\n\tclear(@pyflame_code);\n'),
  'no-print': now.replace(
    /(usdt:\$1:python:function__(?:entry|return)\n\{\n\t@\w+ = count\(\);\n)\tprintf\([^;]*\);\n\tdelete\(@pyflame_unwritten\[tid\]\);/g,
    '$1\tdelete(@pyflame_unwritten[tid]);',
  ),
};
const chosen = values.only ? values.only.split(',') : Object.keys(VARIANTS);
for (const name of chosen) if (!(name in VARIANTS)) throw new Error(`unknown variant ${name}`);

/** fib(n)'s calls: fib(k) makes 2 fib(k+1) - 1. */
function fibCalls(k) {
  let [a, b] = [0, 1];
  for (let i = 0; i < k + 1; i++) [a, b] = [b, a + b];
  return 2 * a - 1;
}

function run(command, args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const elapsed = /pyflame-bench-elapsed ([\d.]+) cpu ([\d.]+)/.exec(stderr);
      if (code !== 0 || elapsed === null) reject(new Error(`${command} exited ${code}: ${stderr.slice(-2000)}`));
      else resolve({ wall: Number(elapsed[1]), cpu: Number(elapsed[2]) });
    });
  });
}

/** The Python event lines of a trace (`code` definitions included) and their bytes (newline included). */
function traceSize(file) {
  let events = 0;
  let bytes = 0;
  for (const line of fs.readFileSync(file, 'latin1').split('\n')) {
    // The scheduler's lines vary with the machine's load, not with the program: left out.
    if (!/^\d/.test(line) || /\tsched-(?:in|out)\b/.test(line)) continue;
    events++;
    bytes += line.length + 1;
  }
  return { events, bytes };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

fs.mkdirSync(WORK, { recursive: true });
fs.writeFileSync(FIB, FIB_SOURCE);
const times = { untraced: [] };
const sizes = {};
for (const name of chosen) {
  times[name] = [];
  fs.writeFileSync(path.join(WORK, `${name}.bt`), VARIANTS[name]);
}
for (let r = 0; r < runs; r++) {
  times.untraced.push(await run(PYTHON, [FIB, String(n)]));
  for (const name of chosen) {
    const trace = path.join(WORK, `${name}.trace.txt`);
    const measured = await run(
      'bpftrace',
      ['-q', '-o', trace, '-c', `${PYTHON} ${FIB} ${n}`, path.join(WORK, `${name}.bt`), PYTHON],
      { BPFTRACE_STRLEN: String(STRLEN), BPFTRACE_PERF_RB_PAGES: String(DEFAULT_PERF_RB_PAGES) },
    );
    times[name].push(measured);
    sizes[name] = traceSize(trace);
    const lost = /^Lost \d+ events/m.test(fs.readFileSync(trace, 'latin1'));
    if (lost) console.error(`warning: ${name} run ${r + 1} lost events`);
  }
  process.stderr.write(`run ${r + 1}/${runs} done\n`);
}

const calls = fibCalls(n);
const untraced = {
  wall: median(times.untraced.map((t) => t.wall)),
  cpu: median(times.untraced.map((t) => t.cpu)),
};
const rows = chosen.map((name) => {
  const wall = median(times[name].map((t) => t.wall));
  const cpu = median(times[name].map((t) => t.cpu));
  return {
    variant: name,
    wallSeconds: wall,
    cpuSeconds: cpu,
    usPerEventWall: ((wall - untraced.wall) * 1e6) / (2 * calls),
    usPerEventCpu: ((cpu - untraced.cpu) * 1e6) / (2 * calls),
    usPerFiringCpu: ((cpu - untraced.cpu) * 1e6) / (3 * calls),
    bytesPerEvent: sizes[name].bytes / sizes[name].events,
    runs: times[name],
  };
});
fs.mkdirSync(path.dirname(values.json), { recursive: true });
fs.writeFileSync(
  values.json,
  `${JSON.stringify({ n, calls, runs, untraced, untracedRuns: times.untraced, rows }, null, 2)}\n`,
);
console.log(
  `fib(${n}): ${calls} calls; untraced ${(untraced.wall * 1e3).toFixed(1)} ms wall, ${(untraced.cpu * 1e3).toFixed(1)} ms CPU (medians of ${runs})`,
);
console.log(
  '| variant | fib traced: wall ms | CPU ms | µs per written event (CPU) | (wall) | µs per probe firing (CPU) | bytes per event |',
);
console.log('|---|---|---|---|---|---|---|');
for (const row of rows)
  console.log(
    `| ${row.variant} | ${(row.wallSeconds * 1e3).toFixed(0)} | ${(row.cpuSeconds * 1e3).toFixed(0)} | ${row.usPerEventCpu.toFixed(2)} | ${row.usPerEventWall.toFixed(2)} | ${row.usPerFiringCpu.toFixed(2)} | ${row.bytesPerEvent.toFixed(1)} |`,
  );
