// Anchor for bench/throughput.mjs: the loop a person would write in plain Node in an afternoon:
// stream the file, split lines and fields, keep a stack per thread, add each call's self time to
// its function. Both layouts (pyflame's TSV and the docs' call_stack.d); no damage handling.
import fs from 'node:fs';

const file = process.argv[2];
const self = new Map();
const stacks = new Map();
let rest = '';
let dtrace;
function line(text) {
  if (text === '' || text[0] === '#') return;
  let ts;
  let tid;
  let probe;
  let key;
  if (dtrace === undefined) dtrace = text.split('\t').length === 2;
  if (dtrace) {
    const m = /^(\d+)\t\s*(function-entry|function-return):\s*(.*):(-?\d+)$/.exec(text);
    if (m === null) return;
    ts = Number(m[1]);
    tid = 0;
    probe = m[2] === 'function-entry' ? 1 : 2;
    key = m[3];
  } else {
    const f = text.split('\t');
    ts = Number(f[0]);
    tid = f[2];
    probe =
      f[3] === 'function__entry' || f[3] === 'function-entry'
        ? 1
        : f[3] === 'function__return' || f[3] === 'function-return'
          ? 2
          : 0;
    key = `${f[4]}:${f[5]}`;
  }
  let stack = stacks.get(tid);
  if (stack === undefined) stacks.set(tid, (stack = []));
  if (probe === 1) stack.push({ key, start: ts, child: 0 });
  else if (probe === 2) {
    const call = stack.pop();
    if (call === undefined) return;
    const total = ts - call.start;
    self.set(call.key, (self.get(call.key) ?? 0) + total - call.child);
    if (stack.length > 0) stack[stack.length - 1].child += total;
  }
}
for await (const chunk of fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
  const lines = (rest + chunk).split('\n');
  rest = lines.pop();
  for (const text of lines) line(text);
}
line(rest);
let functions = 0;
for (const _ of self.keys()) functions++;
process.stdout.write(`${functions} functions\n`);
