#!/usr/bin/env node
// bench/startup.mjs - what starting pyflame costs (issue 16): wall time of whole processes.
//
//   node bench/startup.mjs [--rounds N (default 20)] [--trace FILE] [--baseline DIR] [--json FILE] [--check]
//
// Each round spawns, one after the other: `node -e 0` (the floor: Node itself), `pyflame
// --version`, `pyflame analyze TRACE` (report to /dev/null), `analyze TRACE --json DIR/x.json`
// and `analyze TRACE --svg DIR/x.svg`. The cases are interleaved round by round so that a busy
// spell of a shared machine lands on all of them alike; per case it prints the median wall time
// and the median of the per-round differences over `node -e 0` (the figure the targets are
// about: what pyflame adds to starting Node), against the targets of issue 16. On Linux it also
// prints each case's mean CPU time (user + system, all threads, from the kernel's count of this
// process's waited-for children, in 10 ms ticks): on a shared machine whose load stretches wall
// times, the CPU time still says what a run costs.
//   --baseline  also time the same pyflame commands of another built checkout (DIR/bin/pyflame.js),
//               interleaved in the same rounds: before/after figures under the same load
//   --json   also write the results to FILE
//   --check  exit with status 1 when a target is missed (default: report only)

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostInfo } from './host-info.mjs';
import { median } from './bench-tools.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'pyflame.js');
const USAGE = 'usage: node bench/startup.mjs [--rounds N] [--trace FILE] [--baseline DIR] [--json FILE] [--check]';

/** Issue 16's targets: milliseconds over `node -e 0` (median of the per-round differences). */
const TARGETS_MS = { version: 40, analyze: 120 };

function options(argv) {
  const opts = { rounds: 20, trace: 'sample-traces/call-stack.pyflame.txt', baseline: null, json: null, check: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value\n${USAGE}`);
      return argv[++i];
    };
    if (arg === '--rounds') opts.rounds = Number(value());
    else if (arg === '--trace') opts.trace = value();
    else if (arg === '--baseline') opts.baseline = value();
    else if (arg === '--json') opts.json = value();
    else if (arg === '--check') opts.check = true;
    else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  if (!Number.isInteger(opts.rounds) || opts.rounds < 1)
    throw new Error(`--rounds needs a whole number >= 1\n${USAGE}`);
  return opts;
}

/** CPU ms used by this process's children that have ended (Linux: /proc/self/stat cutime + cstime); null elsewhere. */
function childrenCpuMs() {
  try {
    // The fields after the command name (which may hold spaces), which ends at the last ')'.
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // cutime and cstime are fields 16 and 17 (1-based, counting pid and comm): 14 and 15 here.
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** Linux's USER_HZ, what /proc counts times in (100 on every common architecture). */
const CLOCK_TICKS = 100;

/** Runs one process to its end; resolves to its wall time and CPU time in ms (stdout discarded, stderr kept for errors). */
function timed(args) {
  return new Promise((resolve, reject) => {
    const cpuBefore = childrenCpuMs();
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const cpuAfter = childrenCpuMs();
      if (code !== 0) reject(new Error(`node ${args.join(' ')}: ${signal ?? `exit ${code}`}\n${stderr}`));
      else resolve({ ms, cpuMs: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore });
    });
  });
}

/** The pyflame commands timed, run by the launcher `bin`; `label` prefixes their names. */
function pyflameCases(bin, dir, trace, label) {
  return [
    { name: `${label}version`, command: 'pyflame --version', args: [bin, '--version'], target: TARGETS_MS.version },
    {
      name: `${label}analyze`,
      command: 'pyflame analyze TRACE',
      args: [bin, 'analyze', trace],
      target: TARGETS_MS.analyze,
    },
    {
      name: `${label}analyze --json`,
      command: 'pyflame analyze TRACE --json OUT',
      args: [bin, 'analyze', trace, '--json', path.join(dir, 'out.json')],
    },
    {
      name: `${label}analyze --svg`,
      command: 'pyflame analyze TRACE --svg OUT',
      args: [bin, 'analyze', trace, '--svg', path.join(dir, 'out.svg')],
    },
  ];
}

async function main() {
  const opts = options(process.argv.slice(2));
  const trace = path.resolve(ROOT, opts.trace);
  for (const root of [ROOT, opts.baseline ?? ROOT]) {
    if (!fs.existsSync(path.join(root, 'dist', 'src', 'cli', 'main.js')))
      throw new Error(`${root}/dist is missing: run npm run build there first`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pyflame-startup-'));
  const cases = [{ name: 'node -e 0', args: ['-e', '0'] }, ...pyflameCases(BIN, dir, trace, '')];
  if (opts.baseline !== null) {
    const bin = path.join(path.resolve(opts.baseline), 'bin', 'pyflame.js');
    cases.push(...pyflameCases(bin, dir, trace, 'before: ').map((c) => ({ ...c, baseline: true })));
  }
  const times = cases.map(() => []);
  const cpu = cases.map(() => []);
  try {
    // One unmeasured round first: the files are then in the page cache for every measured one.
    for (const c of cases) await timed(c.args);
    for (let round = 0; round < opts.rounds; round++) {
      for (const [i, c] of cases.entries()) {
        const { ms, cpuMs } = await timed(c.args);
        times[i].push(ms);
        cpu[i].push(cpuMs);
      }
      process.stderr.write(`\rround ${round + 1}/${opts.rounds}`);
    }
    process.stderr.write('\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }

  const floor = times[0];
  const mean = (values) => (values.includes(null) ? null : values.reduce((a, b) => a + b, 0) / values.length);
  const results = cases.map((c, i) => {
    const over = i === 0 ? null : median(times[i].map((ms, round) => ms - floor[round]));
    const cpuMean = mean(cpu[i]);
    const cpuFloor = mean(cpu[0]);
    return {
      name: c.name,
      command: c.command ?? `node ${c.args.join(' ')}`,
      launcher: c.args[0].endsWith('pyflame.js') ? c.args[0] : null,
      medianMs: median(times[i]),
      minMs: Math.min(...times[i]),
      maxMs: Math.max(...times[i]),
      overNodeMs: over,
      targetOverNodeMs: c.target ?? null,
      met: c.target === undefined ? null : over <= c.target,
      cpuMeanMs: cpuMean,
      cpuOverNodeMs: i === 0 || cpuMean === null ? null : cpuMean - cpuFloor,
    };
  });

  const load = os.loadavg().map((x) => x.toFixed(2));
  console.log(`startup: ${opts.rounds} rounds, trace ${path.relative(ROOT, trace)}, load average ${load.join(' ')}`);
  const width = Math.max(...results.map((r) => r.name.length)) + 2;
  console.log(
    `${'case'.padEnd(width)}${'median ms'.padStart(11)}${'min'.padStart(8)}${'max'.padStart(8)}${'over node'.padStart(11)}${'cpu ms'.padStart(9)}${'over'.padStart(8)}   target (wall, over node)`,
  );
  const cpuText = (value, sign = '') => (value === null ? '' : `${value >= 0 ? sign : ''}${value.toFixed(0)}`);
  for (const r of results) {
    const verdict = r.met === null ? '' : `<= ${r.targetOverNodeMs} ms ${r.met ? 'met' : 'MISSED'}`;
    console.log(
      `${r.name.padEnd(width)}${r.medianMs.toFixed(1).padStart(11)}${r.minMs.toFixed(1).padStart(8)}${r.maxMs.toFixed(1).padStart(8)}${(r.overNodeMs === null ? '' : `+${r.overNodeMs.toFixed(1)}`).padStart(11)}${cpuText(r.cpuMeanMs).padStart(9)}${cpuText(r.cpuOverNodeMs, '+').padStart(8)}   ${verdict}`,
    );
  }

  if (opts.json) {
    const doc = {
      date: new Date().toISOString(),
      host: hostInfo(),
      options: { rounds: opts.rounds, trace: path.relative(ROOT, trace), baseline: opts.baseline },
      units: {
        ms: 'wall-clock milliseconds from spawn to exit',
        overNodeMs: 'median of per-round differences',
        cpuMeanMs: 'mean CPU time (user + system, all threads), Linux only, 10 ms resolution per run',
      },
      targets: TARGETS_MS,
      cases: results,
      samplesMs: Object.fromEntries(cases.map((c, i) => [c.name, times[i].map((ms) => Math.round(ms * 10) / 10)])),
      cpuSamplesMs: Object.fromEntries(cases.map((c, i) => [c.name, cpu[i]])),
    };
    fs.mkdirSync(path.dirname(path.resolve(opts.json)), { recursive: true });
    fs.writeFileSync(opts.json, `${JSON.stringify(doc, null, 2)}\n`);
    console.error(`wrote ${opts.json}`);
  }
  // The baseline's rows are for comparison: --check judges this checkout's.
  const missed = results.some((r, i) => r.met === false && cases[i].baseline !== true);
  process.exitCode = opts.check && missed ? 1 : 0;
}

main().catch((error) => {
  console.error(`startup: ${error.message}`);
  process.exitCode = 2;
});
