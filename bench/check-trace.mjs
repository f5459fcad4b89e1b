#!/usr/bin/env node
// bench/check-trace.mjs - validates a trace written by generate-trace.mjs (independent of src/).
//
//   node bench/check-trace.mjs FILE [--format pyflame|dtrace]
//
// Checks, per thread: every function__return matches the innermost open function__entry
// (same file and function), nothing left open at the end, timestamps strictly increasing;
// globally: timestamps non-decreasing (lines in global time order); gc__start/gc__done paired;
// import__find__load__start/done nested; dtrace: indent == nesting depth.
// Prints a JSON summary; exits 1 on the first violation.

import fs from 'node:fs';
import readline from 'node:readline';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node bench/check-trace.mjs FILE [--format pyflame|dtrace]\n');
  process.exit(2);
}
let format = process.argv.indexOf('--format') > 0 ? process.argv[process.argv.indexOf('--format') + 1] : null;

const threads = new Map();
const stacks = new Set();
let lineNo = 0,
  events = 0,
  lastTs = -1,
  maxDepth = 0,
  entryEqReturnLine = 0;
const kinds = {};
function fail(msg) {
  process.stderr.write(`check-trace: ${file}:${lineNo}: ${msg}\n`);
  process.exit(1);
}
function thread(key) {
  let t = threads.get(key);
  if (!t) threads.set(key, (t = { stack: [], lines: [], ts: -1, events: 0, gc: false, imports: [] }));
  return t;
}

const rl = readline.createInterface({
  input: fs.createReadStream(file, { encoding: 'latin1', highWaterMark: 1 << 20 }),
  crlfDelay: Infinity,
});
for await (const line of rl) {
  lineNo++;
  if (lineNo === 1 && format === null)
    format = line.startsWith('# pyflame-trace') || line.split('\t').length >= 5 ? 'pyflame' : 'dtrace';
  if (line.startsWith('#')) continue;
  let ts,
    key,
    kind,
    name,
    lno,
    depthSeen = -1;
  if (format === 'pyflame') {
    const f = line.split('\t');
    ts = Number(f[0]);
    key = `${f[1]}/${f[2]}`;
    kind = f[3];
    if (kind === 'function__entry' || kind === 'function__return') {
      name = `${f[4]}:${f[5]}`;
      lno = f[6];
      if (f.length !== 7) fail('bad field count');
    } else name = f.slice(4).join('\t');
  } else {
    const m = /^(\d+)\t( function-entry|function-return):( *)([^:]*):([^:]*):(\d+)$/.exec(line);
    if (!m) fail(`bad dtrace line: ${JSON.stringify(line)}`);
    ts = Number(m[1]);
    key = 'main';
    kind = m[2].trim() === 'function-entry' ? 'function__entry' : 'function__return';
    depthSeen = m[3].length;
    name = `${m[4]}:${m[5]}`;
    lno = m[6];
  }
  if (!Number.isSafeInteger(ts)) fail('bad timestamp');
  if (ts < lastTs) fail(`global time goes back: ${ts} < ${lastTs}`);
  lastTs = ts;
  const t = thread(key);
  if (ts <= t.ts) fail(`thread ${key}: time not increasing: ${ts} <= ${t.ts}`);
  t.ts = ts;
  t.events++;
  events++;
  kinds[kind] = (kinds[kind] || 0) + 1;
  switch (kind) {
    case 'function__entry':
      if (depthSeen >= 0 && depthSeen !== t.stack.length) fail(`indent ${depthSeen} != depth ${t.stack.length}`);
      t.stack.push(name);
      t.lines.push(lno);
      if (t.stack.length > maxDepth) maxDepth = t.stack.length;
      stacks.add(t.stack.join(';'));
      break;
    case 'function__return': {
      const top = t.stack.pop();
      const el = t.lines.pop();
      if (top !== name) fail(`thread ${key}: return from ${name} but innermost open frame is ${top}`);
      if (depthSeen >= 0 && depthSeen !== t.stack.length) fail(`indent ${depthSeen} != depth ${t.stack.length}`);
      if (el === lno) entryEqReturnLine++;
      break;
    }
    case 'gc__start':
      if (t.gc) fail('nested gc__start');
      t.gc = true;
      break;
    case 'gc__done':
      if (!t.gc) fail('gc__done without gc__start');
      t.gc = false;
      break;
    case 'import__find__load__start':
      t.imports.push(name);
      break;
    case 'import__find__load__done': {
      const top = t.imports.pop();
      if (`${top}` !== name.split('\t')[0]) fail(`import done ${name} does not match start ${top}`);
      break;
    }
    default:
      fail(`unknown event ${kind}`);
  }
}
for (const [key, t] of threads) {
  if (t.stack.length) fail(`thread ${key}: ${t.stack.length} frames still open at end of file`);
  if (t.gc || t.imports.length) fail(`thread ${key}: unfinished gc/import at end of file`);
}
process.stdout.write(
  JSON.stringify({
    file,
    format,
    ok: true,
    bytes: fs.statSync(file).size,
    lines: lineNo,
    events,
    kinds,
    threads: Object.fromEntries([...threads].map(([k, t]) => [k, t.events])),
    distinctStacks: stacks.size,
    maxDepth,
    returnsOnEntryLine: entryEqReturnLine,
  }) + '\n',
);
