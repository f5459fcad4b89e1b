#!/usr/bin/env node
// bench/throughput.mjs - pyflame's speed side by side with anchors, in the same run (issue 16).
//
//   node bench/throughput.mjs [--size-mb N] [--rounds N] [--only analyze-json,all-outputs,...]
//                             [--json FILE] [--check]
//
// On two generated traces (pyflame's format and the CPython docs' call_stack.d layout, --size-mb
// MiB each, default 447 as in the issue; cached in bench/data/), every round runs each tool once,
// in turn, so that a busy machine slows all of them alike:
//   wc            `wc -l FILE` (reading the bytes, nothing else)
//   mawk-fold     bench/anchors/fold-*.awk: self time per stack, a one-screen mawk script
//   naive-node    bench/anchors/naive-self-time.mjs: self time per function, a plain Node loop
//   analyze-json  `pyflame analyze FILE --json OUT`
//   all-outputs   `pyflame analyze FILE --json --svg --folded --speedscope --chart --html` into a
//                 temporary folder
// Each is timed by /usr/bin/time (wall, user + system CPU, peak RSS). The table gives medians;
// MB/s is the file's MiB over the median wall time (MB = MiB throughout). Targets (issue 16):
// analyze --json at least 300 MB/s, at least 2x naive-node's and 3x mawk-fold's MB/s in the same
// run; all outputs at least 150 MB/s. --check exits 1 when one is missed.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFlags } from './generate-trace.mjs';
import { hostInfo } from './host-info.mjs';
import { median } from './bench-tools.mjs';

const MiB = 1048576;
const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, '..');
const DATA_DIR = path.join(BENCH_DIR, 'data');
const CLI = path.join(ROOT, 'bin', 'pyflame.js');
const TARGETS = { analyzeMBps: 300, overNaive: 2, overMawk: 3, allOutputsMBps: 150 };

const die = (msg) => {
  process.stderr.write(`throughput: ${msg}\n`);
  process.exit(2);
};
const flags = readFlags(
  process.argv.slice(2),
  {
    'size-mb': { type: 'string' },
    rounds: { type: 'string' },
    only: { type: 'string' },
    json: { type: 'string' },
    check: { type: 'boolean' },
  },
  die,
);
const sizeMb = Number(flags['size-mb'] ?? 447);
const rounds = Number(flags.rounds ?? 3);
if (!(sizeMb > 0) || !(rounds >= 1)) die('--size-mb and --rounds must be positive numbers');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pyflame-throughput-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

const TOOLS = [
  { name: 'wc', argv: (file) => ['wc', '-l', file] },
  {
    name: 'mawk-fold',
    argv: (file, format) => ['mawk', '-f', path.join(BENCH_DIR, 'anchors', `fold-${format}.awk`), file],
  },
  {
    name: 'naive-node',
    argv: (file) => [process.execPath, path.join(BENCH_DIR, 'anchors', 'naive-self-time.mjs'), file],
  },
  {
    name: 'analyze-json',
    argv: (file) => [process.execPath, CLI, 'analyze', file, `--json=${path.join(tmp, 'a.json')}`],
  },
  {
    name: 'all-outputs',
    argv: (file) => {
      const out = (ext) => path.join(tmp, `all.${ext}`);
      return [
        process.execPath,
        CLI,
        'analyze',
        file,
        `--json=${out('json')}`,
        `--svg=${out('svg')}`,
        `--folded=${out('folded')}`,
        `--speedscope=${out('speedscope.json')}`,
        `--chart=${out('chart.svg')}`,
        `--html=${out('html')}`,
      ];
    },
  },
];
const only = flags.only?.split(',');
const tools = only === undefined ? TOOLS : TOOLS.filter((t) => only.includes(t.name) || ['wc'].includes(t.name));

/** Runs argv under /usr/bin/time; resolves to { wall, cpu, rssMB } (stdout discarded). */
function timed(argv) {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '%e %U %S %M', ...argv], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = stderr.trim().split('\n').at(-1);
      const [wall, user, sys, rssKB] = last.split(' ').map(Number);
      if (code !== 0 || !Number.isFinite(wall)) reject(new Error(`${argv.join(' ')} failed (${code}): ${stderr}`));
      else resolve({ wall, cpu: user + sys, rssMB: rssKB / 1024 });
    });
  });
}

/** The generated trace of `format` at --size-mb, made once into bench/data/. */
async function input(format) {
  // The same files as bench/convert-csv.mjs's (generated the same way).
  const file = path.join(DATA_DIR, `bench-${sizeMb}mb.${format}.txt`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(DATA_DIR, { recursive: true });
    process.stderr.write(`throughput: generating ${file}\n`);
    const gen = [
      path.join(BENCH_DIR, 'generate-trace.mjs'),
      '--format',
      format,
      '--out',
      file,
      '--size-mb',
      String(sizeMb),
      '--quiet',
    ];
    await timed([process.execPath, ...gen]);
  }
  return file;
}

const results = [];
for (const format of ['pyflame', 'dtrace']) {
  const file = await input(format);
  const mib = fs.statSync(file).size / MiB;
  const runs = new Map(tools.map((t) => [t.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const tool of tools) {
      const run = await timed(tool.argv(file, format));
      runs.get(tool.name).push(run);
      process.stderr.write(`throughput: ${format} round ${round + 1} ${tool.name} ${run.wall.toFixed(2)} s\n`);
    }
  }
  for (const tool of tools) {
    const list = runs.get(tool.name);
    const wall = median(list.map((r) => r.wall));
    results.push({
      format,
      tool: tool.name,
      mib,
      wall,
      cpu: median(list.map((r) => r.cpu)),
      mbps: mib / wall,
      cpuMBps: mib / median(list.map((r) => r.cpu)),
      rssMB: Math.max(...list.map((r) => r.rssMB)),
    });
  }
}

const rowOf = (format, tool) => results.find((r) => r.format === format && r.tool === tool);
const verdicts = [];
for (const format of ['pyflame', 'dtrace']) {
  const analyze = rowOf(format, 'analyze-json');
  if (analyze !== undefined) {
    verdicts.push([`${format}: analyze --json ≥ ${TARGETS.analyzeMBps} MB/s`, analyze.mbps >= TARGETS.analyzeMBps]);
    const naive = rowOf(format, 'naive-node');
    if (naive !== undefined)
      verdicts.push([
        `${format}: analyze --json ≥ ${TARGETS.overNaive}x naive-node`,
        analyze.mbps >= TARGETS.overNaive * naive.mbps,
      ]);
    const mawk = rowOf(format, 'mawk-fold');
    if (mawk !== undefined)
      verdicts.push([
        `${format}: analyze --json ≥ ${TARGETS.overMawk}x mawk-fold`,
        analyze.mbps >= TARGETS.overMawk * mawk.mbps,
      ]);
  }
  const all = rowOf(format, 'all-outputs');
  if (all !== undefined)
    verdicts.push([`${format}: all outputs ≥ ${TARGETS.allOutputsMBps} MB/s`, all.mbps >= TARGETS.allOutputsMBps]);
}

const fixed = (n, d = 2) => n.toFixed(d);
const host = hostInfo();
console.log(
  `\n${host.cpus} x ${host.cpuModel}, Node ${host.node}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; median of ${rounds} rounds\n`,
);
console.log('| trace | tool | MiB | wall s | MB/s | CPU s | MB/s of CPU | peak RSS MB |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of results)
  console.log(
    `| ${r.format} | ${r.tool} | ${fixed(r.mib, 1)} | ${fixed(r.wall)} | ${fixed(r.mbps, 1)} | ${fixed(r.cpu)} | ${fixed(r.cpuMBps, 1)} | ${fixed(r.rssMB, 1)} |`,
  );
console.log('');
for (const [what, met] of verdicts) console.log(`${met ? 'met   ' : 'MISSED'} ${what}`);
if (flags.json)
  fs.writeFileSync(
    flags.json,
    `${JSON.stringify({ host: hostInfo(), rounds, targets: TARGETS, results, verdicts }, null, 2)}\n`,
  );
if (flags.check && verdicts.some(([, met]) => !met)) process.exitCode = 1;
