#!/usr/bin/env node
// bench/history.mjs - a function's trend over a history of many runs (issue 17: under a second
// for 1,000 runs).
//
//   node bench/history.mjs [--runs N (default 1000)] [--rounds R (default 5)] [--dir DIR] [--json FILE] [--check]
//
// Writes a history of N generated runs (the three sample traces' tables in turn, each run with its
// own run id, commit label and times: test/helpers/history-runs.ts) into DIR (default
// bench/data/history-N, rewritten each time), then times R rounds of:
//   query  in this process: open the store's views and answer functionTrend(--by commit)
//   cli    the whole command `pyflame history trend FUNCTION --by commit --store DIR` (Node's
//          start-up, DuckDB's loading and the query), wall time of the process
// and prints the median of each. --check: exit 1 when the command's median is a second or more.
// Needs `npm run build` first.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './bench-tools.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = 'usage: node bench/history.mjs [--runs N] [--rounds R] [--dir DIR] [--json FILE] [--check]';
const dist = (file) => import(pathToFileURL(path.join(ROOT, 'dist', file)).href);

function options(argv) {
  const opts = { runs: 1000, rounds: 5, dir: null, json: null, check: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value\n${USAGE}`);
      return argv[++i];
    };
    if (arg === '--runs') opts.runs = Number(value());
    else if (arg === '--rounds') opts.rounds = Number(value());
    else if (arg === '--dir') opts.dir = value();
    else if (arg === '--json') opts.json = value();
    else if (arg === '--check') opts.check = true;
    else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  for (const key of ['runs', 'rounds'])
    if (!Number.isInteger(opts[key]) || opts[key] < 1) throw new Error(`--${key} needs a whole number >= 1\n${USAGE}`);
  opts.dir ??= path.join(ROOT, 'bench', 'data', `history-${opts.runs}`);
  return opts;
}

function wallOf(args) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'pyflame.js'), ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`pyflame ${args.join(' ')}: exit ${code}\n${stderr}`));
      else resolve(Number(process.hrtime.bigint() - start) / 1e6);
    });
  });
}

const o = options(process.argv.slice(2));
const { analyzeTrace } = await dist('src/analyze/analyze.js');
const { runRows } = await dist('src/export/parquet/analysis-tables.js');
const { writeSyntheticHistory } = await dist('test/helpers/history-runs.js');
const { openHistory } = await dist('src/history/history-db.js');
const { functionTrend } = await dist('src/history/trend.js');

const traces = ['call-stack.pyflame.txt', 'recursion.pyflame.txt', 'threads.pyflame.txt'];
const analyses = [];
for (const name of traces) analyses.push(await analyzeTrace(path.join(ROOT, 'sample-traces', name)));
fs.rmSync(o.dir, { recursive: true, force: true });
const writeStart = performance.now();
await writeSyntheticHistory(
  o.dir,
  analyses.map((analysis) => runRows({ analysis, labels: [] }).rows),
  o.runs,
);
const writeMs = performance.now() - writeStart;
const target = analyses[0].functions[0];
const choice = { name: target.name, file: target.file };

const query = [];
const cli = [];
for (let round = 0; round < o.rounds; round++) {
  const start = performance.now();
  const engine = await openHistory(o.dir);
  try {
    const trend = await functionTrend(engine, choice, { by: 'commit' });
    if (trend.points.length !== o.runs) throw new Error(`expected ${o.runs} points, got ${trend.points.length}`);
  } finally {
    engine.close();
  }
  query.push(performance.now() - start);
  cli.push(await wallOf(['history', 'trend', `${target.file}:${target.name}`, '--by', 'commit', '--store', o.dir]));
}
const result = {
  runs: o.runs,
  rounds: o.rounds,
  function: target.name,
  generateMs: Math.round(writeMs),
  queryMedianMs: Math.round(median(query)),
  cliMedianMs: Math.round(median(cli)),
};
console.log(`history of ${o.runs} runs (written in ${result.generateMs} ms), trend of ${target.name} --by commit:`);
console.log(
  `  query (open views + trend, in process)  median ${result.queryMedianMs} ms  (${query.map(Math.round).join(', ')})`,
);
console.log(
  `  pyflame history trend (whole process)   median ${result.cliMedianMs} ms  (${cli.map(Math.round).join(', ')})`,
);
console.log(`  target: under 1000 ms  ${result.cliMedianMs < 1000 ? 'met' : 'MISSED'}`);
if (o.json !== null) fs.writeFileSync(o.json, `${JSON.stringify(result, null, 2)}\n`);
if (o.check && result.cliMedianMs >= 1000) process.exitCode = 1;
