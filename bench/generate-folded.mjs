#!/usr/bin/env node
// bench/generate-folded.mjs - a deterministic folded-stacks file for benchmarking `pyflame flamegraph`.
//
//   node bench/generate-folded.mjs --out FILE [--stacks N (default 200000)] [--seed S (default 1)]
//        [--stats-json FILE] [--quiet]
//
// Same arguments -> same bytes (seeded mulberry32 PRNG). One line per stack, as flamegraph.pl's
// inputs look after collapsing a Python profile: `frame;frame;...;frame COUNT`, frames like
// `src/billing_12/db_models.py:encode_row:1399` (file:function:line), depth 2-40 (uniform),
// counts Pareto-distributed (most 1-5, a few thousands). With the default 200,000 stacks the file
// is ~200 MiB (~1 KB a line), the size the flamegraph.pl figures in
// /work/shared/reference/flamegraph-tools.md were measured on.
//
// Model: 320 files in 40 packages, 12 functions each (3,840 functions); every function calls 2-7
// others; a stack is a random walk down that call graph from one of 8 entry points, so stacks
// share prefixes as real ones do (a few million distinct paths, a few thousand distinct frames).

import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { mulberry32, readFlags } from './generate-trace.mjs';

export const FOLDED_GENERATOR_VERSION = 1;
export const DEFAULT_STACKS = 200000;

const USAGE = 'usage: node bench/generate-folded.mjs --out FILE [--stacks N] [--seed S] [--stats-json FILE] [--quiet]';

function parseArgs(argv) {
  const v = readFlags(
    argv,
    {
      out: { type: 'string' },
      stacks: { type: 'string' },
      seed: { type: 'string' },
      'stats-json': { type: 'string' },
      quiet: { type: 'boolean' },
    },
    die,
  );
  const o = {
    out: v.out ?? null,
    stacks: v.stacks === undefined ? DEFAULT_STACKS : Number(v.stacks),
    seed: v.seed === undefined ? 1 : Number(v.seed),
    statsJson: v['stats-json'] ?? null,
    quiet: v.quiet ?? false,
  };
  if (!o.out) die('--out is required');
  if (!Number.isInteger(o.stacks) || o.stacks < 1) die('--stacks must be a positive integer');
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff) die('--seed must be an integer 0..4294967295');
  return o;
}

function die(msg) {
  process.stderr.write(`generate-folded: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

const VERBS = [
  'encode',
  'decode',
  'load',
  'save',
  'fetch',
  'render',
  'parse',
  'validate',
  'dispatch',
  'handle',
  'compute',
  'merge',
];
const NOUNS = [
  'row',
  'batch',
  'request',
  'payload',
  'record',
  'invoice',
  'session',
  'token',
  'schema',
  'page',
  'index',
  'query',
];
const PACKAGES = ['billing', 'accounts', 'search', 'reports', 'storage', 'auth', 'api', 'db'];
const MODULES = ['db_models', 'views', 'serializers', 'handlers', 'utils', 'cache', 'service', 'client'];

/** The call graph: frames (labels) and each function's callees. */
function callGraph(random) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  const frames = [];
  for (let file = 0; file < 320; file++) {
    const path = `src/${PACKAGES[file % PACKAGES.length]}_${Math.floor(file / 8)}/${MODULES[Math.floor(random() * MODULES.length)]}_${file}.py`;
    for (let f = 0; f < 12; f++)
      frames.push(`${path}:${pick(VERBS)}_${pick(NOUNS)}_${f}:${1 + Math.floor(random() * 3000)}`);
  }
  const callees = frames.map(() =>
    Array.from({ length: 2 + Math.floor(random() * 6) }, () => Math.floor(random() * frames.length)),
  );
  return { frames, callees, entries: Array.from({ length: 8 }, () => Math.floor(random() * frames.length)) };
}

export function generateFolded(out, { stacks = DEFAULT_STACKS, seed = 1 } = {}) {
  const random = mulberry32(seed);
  const { frames, callees, entries } = callGraph(random);
  const fd = fs.openSync(out, 'w');
  let bytes = 0;
  let frameCount = 0;
  let countSum = 0;
  let pending = [];
  let pendingBytes = 0;
  const flush = () => {
    const buffer = Buffer.from(pending.join(''));
    fs.writeSync(fd, buffer);
    bytes += buffer.length;
    pending = [];
    pendingBytes = 0;
  };
  for (let s = 0; s < stacks; s++) {
    const depth = 2 + Math.floor(random() * 39);
    let fn = entries[Math.floor(random() * entries.length)];
    const path = [frames[fn]];
    for (let d = 1; d < depth; d++) {
      const next = callees[fn];
      fn = next[Math.floor(random() * next.length)];
      path.push(frames[fn]);
    }
    // Pareto (alpha 1.2): mostly small counts, a long tail.
    const count = Math.min(100000, Math.floor(1 / Math.pow(1 - random(), 1 / 1.2)));
    const line = `${path.join(';')} ${count}\n`;
    frameCount += depth;
    countSum += count;
    pending.push(line);
    pendingBytes += line.length;
    if (pendingBytes > 4 << 20) flush();
  }
  flush();
  fs.closeSync(fd);
  return { stacks, bytes, frames: frameCount, distinctFrames: frames.length, countSum };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const o = parseArgs(process.argv.slice(2));
  const started = process.hrtime.bigint();
  const stats = generateFolded(o.out, o);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (!o.quiet)
    process.stderr.write(
      `generate-folded: ${o.out}: ${stats.stacks} stacks, ${(stats.bytes / 1048576).toFixed(1)} MiB, ${stats.frames} frames, counts sum ${stats.countSum} (${seconds.toFixed(1)} s)\n`,
    );
  if (o.statsJson) fs.writeFileSync(o.statsJson, JSON.stringify({ ...stats, events: stats.stacks, seconds }) + '\n');
}
