#!/usr/bin/env node
// bench/diff-noise.mjs - do the time rules docs/ci.md recommends for several runs per side cry
// wolf on a loaded machine, and do they catch a 20% slowdown? (issue 14, its first "Checked by")
//
//   node bench/diff-noise.mjs [--runs N] [--slow M] [--no-load] [--python PATH] [--json FILE]
//
//   --runs N      recordings of the unchanged program (default 10, at least 6)
//   --slow M      recordings of the program with parse() made 20% slower (default 4, at least 3)
//   --no-load     do not load the CPU (to develop the script; the figures need the load)
//   --python      the interpreter (default: the newest ~/.pyenv/versions/3.12*/bin/python)
//   --json FILE   where to write the figures (default out/bench-diff-noise.json)
//
// Records bench/programs/diff_noise.py with `pyflame record --via inprocess` while a child
// process spins on one core (this machine has two), interleaving unchanged and slowed runs so a
// slower moment of the machine hits both alike. Then, with the library (no process per
// comparison), it compares:
//   - every 3-vs-3 grouping of the unchanged runs (BASE and HEAD disjoint, both directions):
//     a firing is a false alarm;
//   - every 3 unchanged runs (BASE) against every 3 slowed runs (HEAD): it must fire, on parse()
//     (its function, path and nothing else).
// with RULES below (docs/ci.md's recommendation for several runs per side) and the default noise
// floors. Prints how many groupings fired, by rule and item.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (path) => import(join(ROOT, 'dist/src', path));
const { loadRun } = await dist('diff/load-run.js');
const { compareRunSets } = await dist('diff/compare-sets.js');
const { evaluateGate, parseRule, defaultMinDelta, DEFAULT_MIN_GC_DELTA_NS } = await dist('diff/rules.js');
const tests = await dist('diff/noise-test.js');

export const RULES = ['calls>0', 'self>5%', 'total>5%', 'path.self>5%', 'p95>20%', 'gc.count>0', 'import>20%'];

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const value = (name, fallback) => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : args[i + 1];
};
const runs = Number(value('--runs', 10));
const slowRuns = Number(value('--slow', 4));
const load = !flag('--no-load');
const python = value('--python', newestPython());
const jsonOut = value('--json', join(ROOT, 'out/bench-diff-noise.json'));
if (!(runs >= 6 && slowRuns >= 3)) throw new Error('--runs at least 6, --slow at least 3');

function newestPython() {
  const versions = join(homedir(), '.pyenv/versions');
  const found = readdirSync(versions)
    .filter((v) => /^3\.12/.test(v))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (found.length === 0) throw new Error(`no 3.12 under ${versions}`);
  return join(versions, found.at(-1), 'bin/python');
}

const scratch = join(ROOT, 'bench/data/diff-noise');
mkdirSync(scratch, { recursive: true });
const pyflame = join(ROOT, 'bin/pyflame.js');
const program = join(ROOT, 'bench/programs/diff_noise.py');
// issue 13 may add a calibration step to record; it is not what is measured here.
const help = spawnSync(process.execPath, [pyflame, 'record', '--help'], { encoding: 'utf8' }).stdout;
const calibrate = help.includes('--no-calibrate') ? ['--no-calibrate'] : [];

function record(out, slowdown) {
  const r = spawnSync(
    process.execPath,
    [pyflame, 'record', '--via', 'inprocess', ...calibrate, '-o', out, '--', python, program, String(slowdown)],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`record failed (${r.status}): ${r.stderr}`);
}

// The load: one child spinning on a core until it is killed (by its pid, at the end).
const loader = load ? spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }) : undefined;
const unchanged = [];
const slowed = [];
try {
  // Interleaved: a slower stretch of the machine falls on both kinds of run.
  for (let i = 0; i < Math.max(runs, slowRuns); i++) {
    if (i < runs) {
      const out = join(scratch, `unchanged-${i}.pyflame.txt`);
      record(out, 1.0);
      unchanged.push(out);
    }
    if (i < slowRuns) {
      const out = join(scratch, `slowed-${i}.pyflame.txt`);
      record(out, 1.2);
      slowed.push(out);
    }
    process.stderr.write('.');
  }
} finally {
  loader?.kill('SIGKILL');
}
process.stderr.write('\n');

const options = { filtered: false };
const unchangedRuns = await Promise.all(unchanged.map((path) => loadRun(path, options)));
const slowedRuns = await Promise.all(slowed.map((path) => loadRun(path, options)));
const rules = RULES.map(parseRule);

function judge(base, head, normalize, noiseTest) {
  const diff = compareRunSets(base, head, { normalize });
  const gate = { rules, minDeltaNs: defaultMinDelta(diff.base), minGcDeltaNs: DEFAULT_MIN_GC_DELTA_NS, noiseTest };
  return evaluateGate(diff, gate).map((f) => `${f.rule} on ${subject(diff, f)}`);
}

function subject(diff, finding) {
  switch (finding.scope) {
    case 'function':
      return diff.functions[finding.index].name;
    case 'path': {
      const names = [];
      for (let p = finding.index; p >= 0; p = diff.paths[p].parent) names.unshift(diff.paths[p].name);
      return names.join('>');
    }
    case 'gc':
      return `gc${diff.gc[finding.index].generation}`;
    case 'import':
      return diff.imports[finding.index].module;
    default:
      return 'run';
  }
}

function* choose(items, k, start = 0) {
  if (k === 0) {
    yield [];
    return;
  }
  for (let i = start; i <= items.length - k; i++)
    for (const rest of choose(items, k - 1, i + 1)) yield [items[i], ...rest];
}

const tally = (label) => ({ label, groupings: 0, fired: 0, byFinding: {} });
const count = (t, fired) => {
  t.groupings++;
  if (fired.length > 0) t.fired++;
  for (const f of new Set(fired)) t.byFinding[f] = (t.byFinding[f] ?? 0) + 1;
};

const indices = unchangedRuns.map((_, i) => i);
const slowIdx = slowedRuns.map((_, i) => i);
const results = {};
const CONFIGS = [
  {
    name: '--normalize, medians beyond the spread (the default test; recommended)',
    normalize: true,
    test: tests.rangesApartMediansBeyondSpread,
  },
  { name: '--normalize, gap beyond the spread', normalize: true, test: tests.rangesApartBySpread },
  { name: 'no --normalize, medians beyond the spread', normalize: false, test: tests.rangesApartMediansBeyondSpread },
  { name: 'no --normalize, gap beyond the spread', normalize: false, test: tests.rangesApartBySpread },
  {
    name: '--normalize, ranges apart only (permutation test alone)',
    normalize: true,
    test: (s) => Math.min(...s.head) > Math.max(...s.base) || Math.max(...s.head) < Math.min(...s.base),
  },
];
for (const { name, normalize, test } of CONFIGS) {
  const noise = tally('unchanged vs unchanged (3 vs 3, disjoint, both directions)');
  for (const base of choose(indices, 3))
    for (const head of choose(
      indices.filter((i) => !base.includes(i)),
      3,
    ))
      count(
        noise,
        judge(
          base.map((i) => unchangedRuns[i]),
          head.map((i) => unchangedRuns[i]),
          normalize,
        ),
      );
  const slowdown = tally('unchanged (BASE) vs parse() 20% slower (HEAD), 3 vs 3');
  let caughtOnlyParse = 0;
  for (const base of choose(indices, 3))
    for (const head of choose(slowIdx, 3)) {
      const fired = judge(
        base.map((i) => unchangedRuns[i]),
        head.map((i) => slowedRuns[i]),
        normalize,
        test,
      );
      count(slowdown, fired);
      if (fired.some((f) => f.endsWith(' on parse')) && fired.every((f) => /(?: on |>)parse$/.test(f)))
        caughtOnlyParse++;
    }
  results[name] = { noise, slowdown: { ...slowdown, caughtOnlyOnParse: caughtOnlyParse } };
}

// parse()'s share of the run and its spread, for the record.
const share = (run) => {
  const f = run.functions.find((fn) => fn.name === 'parse');
  return f.selfNs / run.tracedNs;
};
const ms = (ns) => Math.round(ns / 1e5) / 10;
const figures = {
  python,
  load: load ? 'one child process spinning on one of the 2 cores' : 'none',
  rules: RULES,
  runs: { unchanged: runs, slowed: slowRuns },
  parseSelfMs: {
    unchanged: unchangedRuns.map((r) => ms(r.functions.find((f) => f.name === 'parse').selfNs)),
    slowed: slowedRuns.map((r) => ms(r.functions.find((f) => f.name === 'parse').selfNs)),
  },
  parseShareOfRun: Math.round(share(unchangedRuns[0]) * 1000) / 10,
  tracedMs: { unchanged: unchangedRuns.map((r) => ms(r.tracedNs)), slowed: slowedRuns.map((r) => ms(r.tracedNs)) },
  results,
};
mkdirSync(dirname(jsonOut), { recursive: true });
writeFileSync(jsonOut, `${JSON.stringify(figures, null, 2)}\n`);
console.log(`python ${python}; load: ${figures.load}; rules: ${RULES.join(' ')}`);
console.log(
  `parse() self ms, unchanged: ${figures.parseSelfMs.unchanged.join(' ')}; slowed: ${figures.parseSelfMs.slowed.join(' ')} (${figures.parseShareOfRun}% of the run)`,
);
for (const [name, { noise, slowdown }] of Object.entries(results)) {
  console.log(`\n${name}:`);
  for (const t of [noise, slowdown]) {
    console.log(`  ${t.label}: ${t.fired} of ${t.groupings} groupings fired`);
    for (const [finding, n] of Object.entries(t.byFinding).sort((a, b) => b[1] - a[1]))
      console.log(`    ${n}  ${finding}`);
  }
  console.log(`  slowdown caught on parse() and nothing else: ${slowdown.caughtOnlyOnParse} of ${slowdown.groupings}`);
}
console.log(`figures written to ${jsonOut}`);
