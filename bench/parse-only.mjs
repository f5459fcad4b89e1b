// Benchmark child: parses one trace into normalized events (nothing else) and prints one JSON line.
// Contract with bench/run.mjs: {"bytes","events","seconds","maxRssMB"} as the last stdout line.
import { readTrace } from '../dist/src/index.js';

const file = process.argv[2];
const started = process.hrtime.bigint();
let delivered = 0;
const summary = await readTrace(file, { onBatch: (batch) => (delivered += batch.length) });
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
if (delivered !== summary.events) throw new Error(`delivered ${delivered} events, counted ${summary.events}`);
console.log(
  JSON.stringify({
    bytes: summary.bytes,
    events: summary.events,
    seconds,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    format: summary.format,
    frames: summary.frames.size,
    warnings: summary.warnings.map((w) => `${w.code}:${w.count}`),
  }),
);
