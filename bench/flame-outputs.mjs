// Benchmark child: `pyflame analyze FILE --svg --folded --speedscope` in one run (issue 4), the
// three files written to a temporary folder and removed; prints one JSON line for bench/run.mjs:
// {"bytes","events","seconds","maxRssMB", ...output sizes}.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../dist/src/cli/main.js';

const file = process.argv[2];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pyflame-bench-'));
const outputs = {
  svg: path.join(dir, 'out.svg'),
  folded: path.join(dir, 'out.folded'),
  speedscope: path.join(dir, 'out.speedscope.json'),
};
let stdout = '';
let stderr = '';
const started = process.hrtime.bigint();
const status = await main(
  ['analyze', file, `--svg=${outputs.svg}`, `--folded=${outputs.folded}`, `--speedscope=${outputs.speedscope}`],
  {
    stdin: process.stdin,
    // The terminal report (cheap) is kept: it states the event count.
    stdout: new Writable({
      write: (chunk, _encoding, done) => {
        stdout += chunk;
        done();
      },
    }),
    stderr: new Writable({
      write: (chunk, _encoding, done) => {
        stderr += chunk;
        done();
      },
    }),
  },
);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
if (status !== 0) {
  process.stderr.write(stderr);
  process.exit(status);
}
const sizes = Object.fromEntries(Object.entries(outputs).map(([name, out]) => [`${name}Bytes`, fs.statSync(out).size]));
fs.rmSync(dir, { recursive: true, force: true });
const events = Number(/^\s*events\s+([\d,]+)/m.exec(stdout)?.[1].replaceAll(',', '') ?? NaN);
console.log(
  JSON.stringify({
    bytes: fs.statSync(file).size,
    events,
    seconds,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    ...sizes,
  }),
);
