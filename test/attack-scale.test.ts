import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CLI, ROOT } from './helpers/paths.js';
import { scratchDir } from './helpers/scratch.js';
import { startView } from './helpers/view-process.js';
import { compareRuns } from '../src/diff/compare.js';
import { diffJsonText } from '../src/diff/render/json.js';
import { renderDiffMarkdown } from '../src/diff/render/markdown.js';
import { renderDiffReport } from '../src/diff/render/terminal.js';
import { evaluateGate, parseRule, type Gate } from '../src/diff/rules.js';
import type { ProfileFunction, RunProfile } from '../src/diff/run-profile.js';

// Issue 10, "It crashes": deep recursion, huge rule results, many threads, view --once.
const dir = scratchDir('attack-scale');

/** A heap small enough that anything quadratic in depth or in threads runs out of it. */
const HEAP_MB = 512;

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The real CLI under a bounded heap (a crash out of memory is a signal or exit 134). */
/** Every output flag of analyze, each writing `file(its extension)`. */
function everyOutput(file: (ext: string) => string): string[] {
  const outputs = [
    ['--json', 'json'],
    ['--svg', 'svg'],
    ['--html', 'html'],
    ['--chart', 'chart.svg'],
    ['--folded', 'folded'],
    ['--speedscope', 'speedscope.json'],
  ];
  return outputs.flatMap(([flag, ext]) => [flag!, file(ext!)]);
}

function runBounded(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr: stderr.slice(-4000) }));
  });
}

/** Writes a generated trace line by line (never one huge string) and returns its path. */
async function writeTrace(name: string, lines: (write: (line: string) => void) => void): Promise<string> {
  const path = join(dir, name);
  const out = createWriteStream(path);
  let buffer = '# pyflame-trace v1 clock=realtime_ns\n';
  lines((line) => {
    buffer += `${line}\n`;
    if (buffer.length > 1 << 20) {
      out.write(buffer);
      buffer = '';
    }
  });
  out.end(buffer);
  await new Promise<void>((resolve, reject) => out.on('finish', resolve).on('error', reject));
  return path;
}

/** One thread recursing `depth` calls deep (1 µs apart, so every level has self time), then returning. */
function deepTrace(depth: number): Promise<string> {
  return writeTrace(`deep-${depth}.txt`, (write) => {
    let ts = 1_000_000;
    for (let i = 0; i < depth; i++)
      write(`${(ts += 1000)}\t1\t1\tfunction__entry\t/app/deep.py\trecurse\t${1 + (i % 3)}`);
    for (let i = depth - 1; i >= 0; i--)
      write(`${(ts += 1000)}\t1\t1\tfunction__return\t/app/deep.py\trecurse\t${1 + (i % 3)}`);
  });
}

/** `threads` threads, each in main for most of the trace (so every one has a call to draw), calling work once. */
function manyThreadsTrace(threads: number): Promise<string> {
  return writeTrace(`threads-${threads}.txt`, (write) => {
    let ts = 1_000_000;
    for (let t = 1; t <= threads; t++) write(`${(ts += 1000)}\t1\t${t}\tfunction__entry\t/app/t.py\tmain\t1`);
    for (let t = 1; t <= threads; t++) {
      write(`${(ts += 1000)}\t1\t${t}\tfunction__entry\t/app/t.py\twork\t5`);
      write(`${(ts += 1000)}\t1\t${t}\tfunction__return\t/app/t.py\twork\t6`);
    }
    for (let t = 1; t <= threads; t++) write(`${(ts += 1000)}\t1\t${t}\tfunction__return\t/app/t.py\tmain\t2`);
  });
}

/** The outputs' stacks are balanced: every opening closes, in order (a speedscope evented profile). */
function assertBalanced(events: readonly { type: string; frame: number; at: number }[]): void {
  const open: number[] = [];
  let last = -Infinity;
  for (const event of events) {
    assert.ok(event.at >= last, 'events in time order');
    last = event.at;
    if (event.type === 'O') open.push(event.frame);
    else assert.equal(open.pop(), event.frame, 'a closing matches the innermost opening');
  }
  assert.equal(open.length, 0, 'every opening is closed');
}

/** Well-formed enough for a browser: balanced <g> and one root element, nothing cut. */
function assertSvgComplete(svg: string): void {
  assert.match(svg, /^<\?xml [^>]*\?>\n<svg /);
  assert.ok(svg.endsWith('</svg>\n'), 'the document is complete');
  assert.equal((svg.match(/<g /g) ?? []).length, (svg.match(/<\/g>/g) ?? []).length, 'every group is closed');
  assert.doesNotMatch(svg, /NaN|Infinity/);
}

describe('deep recursion: memory bounded by what is drawn and written', () => {
  const DEPTH = 200_000;

  it(`a ${DEPTH.toLocaleString('en-US')}-deep trace through every output in a ${HEAP_MB} MB heap`, async () => {
    const trace = await deepTrace(DEPTH);
    const out = join(dir, 'deep-out');
    mkdirSync(out);
    const file = (ext: string) => join(out, `deep.${ext}`);
    const run = await runBounded(['analyze', trace, ...everyOutput(file)]);
    assert.equal(run.code, 0, `exit ${run.code} ${run.signal ?? ''}\n${run.stderr}`);

    const speedscope = JSON.parse(readFileSync(file('speedscope.json'), 'utf8')) as {
      shared: { frames: { name: string }[] };
      profiles: (
        | { type: 'evented'; events: { type: string; frame: number; at: number }[] }
        | { type: 'sampled'; samples: number[][]; weights: number[]; endValue: number }
      )[];
    };
    const evented = speedscope.profiles.find((p) => p.type === 'evented')!;
    assert.equal(evented.type, 'evented');
    assert.equal(evented.events.length, 2 * DEPTH, 'the timeline keeps every call');
    assertBalanced(evented.events);
    const sampled = speedscope.profiles.find((p) => p.type === 'sampled')!;
    assert.equal(sampled.type, 'sampled');
    assert.equal(sampled.samples.length, sampled.weights.length);
    const longest = Math.max(...sampled.samples.map((s) => s.length));
    assert.ok(longest < 5000, `sample stacks are cut (longest ${longest})`);
    assert.equal(
      sampled.weights.reduce((a, b) => a + b, 0),
      sampled.endValue,
    );
    assert.equal(sampled.endValue, 2 * DEPTH * 1000 - 1000, 'no self time is lost by the cut');
    for (const s of sampled.samples) for (const f of s) assert.ok(f >= 0 && f < speedscope.shared.frames.length);

    const svg = readFileSync(file('svg'), 'utf8');
    assertSvgComplete(svg);
    assert.ok((svg.match(/<g class="pf-f"/g) ?? []).length < 5000, 'the drawn depth is bounded');
    assert.match(svg, /deeper/, 'the graph says frames were left out');
    const html = readFileSync(file('html'), 'utf8');
    assert.ok(html.endsWith('</html>\n'));

    const folded = readFileSync(file('folded'), 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    const total = folded.reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
    assert.equal(total, 2 * DEPTH - 1, 'the folded self times (µs) add up to the trace');
    assert.ok(Math.max(...folded.map((l) => l.split(';').length)) < 5000, 'folded stacks are cut');
    JSON.parse(readFileSync(file('json'), 'utf8'));
  });

  it(`view --once serves a ${DEPTH.toLocaleString('en-US')}-deep trace in a ${HEAP_MB} MB heap and leaves no temp folder`, async () => {
    const trace = await deepTrace(DEPTH);
    const temp = join(dir, 'view-tmp');
    mkdirSync(temp);
    const view = await startView(
      [trace, '--no-open', '--once'],
      { TMPDIR: temp, NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` },
      120_000,
    );
    const body = await fetchBody(`${view.origin}/profile.speedscope.json`, false);
    assert.equal(await view.exited, 0, view.stderr());
    assertBalanced(
      (JSON.parse(body) as { profiles: { type: string; events: { type: string; frame: number; at: number }[] }[] })
        .profiles[0].events,
    );
    assert.deepEqual(readdirSync(temp), []);
  });
});

describe('a rule that fires hundreds of thousands of times', () => {
  it('diff --fail-on calls>0 with 200,000 findings: judged and rendered, no stack overflow', () => {
    const FUNCTIONS = 200_000;
    const profile = (calls: number): RunProfile => {
      const functions: ProfileFunction[] = [];
      for (let i = 0; i < FUNCTIONS; i++)
        functions.push({
          key: `m.py\0f${i}`,
          name: `f${i}`,
          file: 'm.py',
          line: i + 1,
          calls,
          selfNs: 1000,
          totalNs: 1000,
          p95Ns: null,
        });
      return {
        source: 'x',
        format: 'pyflame',
        durationNs: 1e9,
        events: 1,
        droppedEvents: 0,
        tracedNs: FUNCTIONS * 1000,
        functions,
        callTree: undefined,
        gc: [],
        imports: [],
        warnings: [],
      };
    };
    const diff = compareRuns(profile(1), profile(2));
    const gate: Gate = { rules: [parseRule('calls>0')], minDeltaNs: 1e6, minGcDeltaNs: 50e3 };
    const findings = evaluateGate(diff, gate);
    assert.equal(findings.length, FUNCTIONS);
    assert.match(renderDiffMarkdown(diff, gate, findings, { top: 10 }), /### Regressions/);
    assert.match(renderDiffReport(diff, gate, findings, { top: 10, color: false, width: 100 }), /calls>0/);
    assert.equal(
      (JSON.parse(diffJsonText(diff, gate, findings)) as { findings: unknown[] }).findings.length,
      FUNCTIONS,
    );
  });
});

describe('many threads: small state per thread, nothing quadratic', () => {
  const THREADS = 20_000;

  it(`${THREADS.toLocaleString('en-US')} threads through every output in a ${HEAP_MB} MB heap`, async () => {
    const trace = await manyThreadsTrace(THREADS);
    const out = join(dir, 'threads-out');
    mkdirSync(out);
    const file = (ext: string) => join(out, `threads.${ext}`);
    const run = await runBounded(['analyze', trace, ...everyOutput(file)]);
    assert.equal(run.code, 0, `exit ${run.code} ${run.signal ?? ''}\n${run.stderr}`);
    const speedscope = JSON.parse(readFileSync(file('speedscope.json'), 'utf8')) as { profiles: unknown[] };
    assert.equal(speedscope.profiles.length, THREADS + 1, 'one profile per thread and the merged one');
    const chart = readFileSync(file('chart.svg'), 'utf8');
    assert.match(chart, /threads not drawn/);
    assert.ok(chart.length < 20 * 1024 * 1024, `the chart is bounded (${chart.length} bytes)`);
    const report = run.stdout.split('\n');
    assert.ok(report.length < 1000, `the report lists the top threads (${report.length} lines)`);
  });
});

/** GETs a URL with node's own client, keep-alive or not, and returns the body. */
function fetchBody(url: string, keepAlive: boolean): Promise<string> {
  const agent = new Agent({ keepAlive });
  return new Promise<string>((resolve, reject) => {
    get(url, { agent }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(body));
      response.on('error', reject);
    }).on('error', reject);
  }).finally(() => agent.destroy());
}

describe('view --once always stops after the profile is fetched', () => {
  const TRIES = 20;
  const SAFETY_MS = 30_000;

  it(`${TRIES} runs, fetched with and without keep-alive, each exits 0`, async () => {
    const outcomes: string[] = [];
    const one = async (index: number) => {
      const view = await startView(['sample-traces/threads.pyflame.txt', '--no-open', '--once']);
      await fetchBody(`${view.origin}/profile.speedscope.json`, index % 2 === 0);
      let timer: NodeJS.Timeout | undefined;
      const safety = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), SAFETY_MS)));
      const code = await Promise.race([view.exited, safety]);
      clearTimeout(timer);
      if (code === 'hung') view.child.kill('SIGKILL');
      outcomes.push(
        code === 'hung'
          ? `run ${index} (keep-alive ${index % 2 === 0}) never exited`
          : code === 0
            ? 'ok'
            : `run ${index} exited ${code}`,
      );
    };
    // Four at a time: bounded, and close enough together to provoke the race.
    for (let i = 0; i < TRIES; i += 4) await Promise.all([0, 1, 2, 3].map((k) => one(i + k)));
    assert.deepEqual(
      outcomes.filter((o) => o !== 'ok'),
      [],
    );
  });
});
