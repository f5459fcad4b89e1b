// Benchmark child: analyzes one trace and builds its --json document (not written), then prints
// one JSON line for bench/run.mjs: {"bytes","events","seconds","maxRssMB"}.
import { analyzeTrace } from '../dist/src/analyze/analyze.js';
import { analysisJsonText } from '../dist/src/export/analysis-json.js';

const file = process.argv[2];
const started = process.hrtime.bigint();
const analysis = await analyzeTrace(file);
const json = analysisJsonText(analysis);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const { size } = await import('node:fs').then((fs) => fs.statSync(file));
console.log(
  JSON.stringify({
    bytes: size,
    events: analysis.events,
    seconds,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    functions: analysis.functions.length,
    jsonBytes: json.length,
  }),
);
