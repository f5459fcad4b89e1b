// Memory flat in trace size (issue 16): peak RSS, wall time and throughput of `pyflame analyze`
// on 1x, 4x (and, opt-in, 16x) the benchmark trace, for `--json` alone and for every output
// together (--json --svg --folded --speedscope --chart --html). Peak RSS is /usr/bin/time's %M
// (the whole process: the parsing thread and everything native included).
//
//   node bench/memory-scale.mjs [--base-mb N (MiB, default 447)] [--multiples 1,4 (default; 1,4,16
//        for the long run)] [--format pyflame|dtrace] [--dir DIR (traces; default
//        $TMPDIR/pyflame-memory-scale)] [--json FILE] [--check] [--limit-mb N (default 400)]
//        [--clean (remove the generated traces at the end)]
//
// Traces are made by bench/generate-trace.mjs (same seed, so the same trace for the same size) and
// reused when already in --dir; outputs go to a temporary folder removed after each run.
// --check exits 1 if any run's peak RSS is over --limit-mb. Needs `npm run build` first.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFlags } from './generate-trace.mjs';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const USAGE =
  'usage: node bench/memory-scale.mjs [--base-mb N] [--multiples 1,4,16] [--format pyflame|dtrace] [--dir DIR] [--json FILE] [--check] [--limit-mb N] [--clean]';

const die = (message) => {
  process.stderr.write(`memory-scale: ${message}\n${USAGE}\n`);
  process.exit(2);
};
const flags = readFlags(
  process.argv.slice(2),
  {
    'base-mb': { type: 'string', default: '447' },
    multiples: { type: 'string', default: '1,4' },
    format: { type: 'string', default: 'pyflame' },
    dir: { type: 'string', default: path.join(os.tmpdir(), 'pyflame-memory-scale') },
    json: { type: 'string' },
    check: { type: 'boolean', default: false },
    'limit-mb': { type: 'string', default: '400' },
    clean: { type: 'boolean', default: false },
  },
  die,
);
const baseMb = Number(flags['base-mb']);
if (!(baseMb > 0)) die('--base-mb must be a positive number');
const multiples = flags.multiples.split(',').map(Number);
if (multiples.some((m) => !(m > 0))) die('--multiples must be positive numbers separated by commas');
if (flags.format !== 'pyflame' && flags.format !== 'dtrace') die('--format must be pyflame or dtrace');
const limitMb = Number(flags['limit-mb']);
if (!(limitMb > 0)) die('--limit-mb must be a positive number');
if (!fs.existsSync('/usr/bin/time')) die('needs /usr/bin/time (GNU time) for the peak RSS');
const cli = path.join(ROOT, 'bin/pyflame.js');
if (!fs.existsSync(path.join(ROOT, 'dist/src/cli/main.js'))) die('build first: npm run build');

fs.mkdirSync(flags.dir, { recursive: true });
const generated = [];

/** The trace of `multiple` x the base size, made unless already there. */
function traceOf(multiple) {
  const sizeMb = Math.round(baseMb * multiple);
  const file = path.join(flags.dir, `${flags.format}-${sizeMb}mb.txt`);
  if (fs.existsSync(file) && fs.statSync(file).size >= sizeMb * 1048576) return file;
  process.stderr.write(`memory-scale: generating ${file} (${sizeMb} MiB)\n`);
  const made = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'bench/generate-trace.mjs'),
      '--format',
      flags.format,
      '--out',
      file,
      '--size-mb',
      String(sizeMb),
      '--quiet',
    ],
    { stdio: 'inherit' },
  );
  if (made.status !== 0) die(`generating ${file} failed`);
  generated.push(file);
  return file;
}

/** One `pyflame analyze` run under /usr/bin/time: peak RSS (MB) and wall time (s). */
function measure(trace, outputs) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'pyflame-memory-out-'));
  try {
    const args = outputs.flatMap(([flag, suffix]) => [`--${flag}`, path.join(out, `trace${suffix}`)]);
    const run = spawnSync('/usr/bin/time', ['-f', '%M %e', process.execPath, cli, 'analyze', trace, ...args], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (run.status !== 0) die(`pyflame analyze ${trace} failed:\n${run.stderr}`);
    const last = run.stderr.trim().split('\n').pop() ?? '';
    const [kb, seconds] = last.split(' ').map(Number);
    return { rssMB: kb / 1024, seconds };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

const JSON_ONLY = [['json', '.json']];
const ALL = [
  ['json', '.json'],
  ['svg', '.svg'],
  ['folded', '.folded'],
  ['speedscope', '.speedscope.json'],
  ['chart', '.chart.svg'],
  ['html', '.html'],
];

const rows = [];
for (const multiple of multiples) {
  const trace = traceOf(multiple);
  const bytes = fs.statSync(trace).size;
  for (const [name, outputs] of [
    ['--json', JSON_ONLY],
    ['all outputs', ALL],
  ]) {
    const { rssMB, seconds } = measure(trace, outputs);
    const row = { multiple, traceMB: bytes / 1e6, outputs: name, rssMB, seconds, mbPerSecond: bytes / 1e6 / seconds };
    rows.push(row);
    process.stderr.write(
      `memory-scale: ${multiple}x ${name}: ${rssMB.toFixed(0)} MB peak RSS, ${seconds.toFixed(1)} s\n`,
    );
  }
}

const pad = (text, width) => String(text).padStart(width);
const lines = [
  `pyflame analyze, ${flags.format} format, base ${baseMb} MiB; peak RSS limit ${limitMb} MB`,
  `${'size'.padEnd(6)} ${pad('trace MB', 9)} ${'outputs'.padEnd(12)} ${pad('peak RSS MB', 12)} ${pad('wall s', 8)} ${pad('MB/s', 7)}`,
  ...rows.map(
    (row) =>
      `${`${row.multiple}x`.padEnd(6)} ${pad(row.traceMB.toFixed(0), 9)} ${row.outputs.padEnd(12)} ${pad(row.rssMB.toFixed(0), 12)} ${pad(row.seconds.toFixed(1), 8)} ${pad(row.mbPerSecond.toFixed(1), 7)}`,
  ),
];
console.log(lines.join('\n'));
if (flags.json !== undefined)
  fs.writeFileSync(
    flags.json,
    `${JSON.stringify({ format: flags.format, baseMb, limitMb, host: os.cpus()[0]?.model, rows }, null, 2)}\n`,
  );
if (flags.clean) for (const file of generated) fs.rmSync(file, { force: true });
const over = rows.filter((row) => row.rssMB > limitMb);
if (flags.check && over.length > 0) {
  for (const row of over)
    process.stderr.write(
      `memory-scale: ${row.multiple}x ${row.outputs}: ${row.rssMB.toFixed(0)} MB, over ${limitMb} MB\n`,
    );
  process.exit(1);
}
