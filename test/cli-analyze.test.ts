import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyzeTrace } from '../src/analyze/analyze.js';
import { outputName } from '../src/cli/commands/analyze.js';
import { parseDurationFlag } from '../src/cli/flag-values.js';
import { formatCount, formatDuration, formatPercent } from '../src/text/units.js';
import { functionLabel } from '../src/text/function-label.js';
import { shortenFile } from '../src/text/paths.js';
import { renderReport, type ReportOptions } from '../src/export/terminal/report.js';
import { UsageError } from '../src/cli/exit-codes.js';
import { assertGolden } from './helpers/golden.js';
import { FIXTURES, SAMPLES } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir } from './helpers/scratch.js';

const sample = (name: string) => join(SAMPLES, name);
const THREADS = sample('threads.pyflame.txt');
const scratch = () => scratchDir('analyze-cli');

/** Another trace named threads.pyflame.txt, elsewhere. */
function sameName(): string {
  const path = join(scratch(), 'threads.pyflame.txt');
  writeFileSync(path, readFileSync(sample('lines.pyflame.txt')));
  return path;
}

interface JsonFunction {
  name: string;
  file: string;
  line: number;
  calls: number;
  totalNs: number;
  selfNs: number;
}
interface JsonDoc {
  schemaVersion: number;
  threads: { pid: number; tid: number; events: number; rootTotalNs: number }[];
  functions: JsonFunction[];
}

async function analysisJson(args: string[]): Promise<JsonDoc> {
  const result = await runCli(['analyze', ...args, '--json', '-']);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as JsonDoc;
}

function only(doc: JsonDoc, name: string): JsonFunction {
  const found = doc.functions.filter((f) => f.name === name);
  assert.equal(found.length, 1, `one function named ${name}`);
  return found[0];
}

// C0/C1 controls (newline aside) and bidi overrides: what must never reach a terminal raw.
const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const ANSI = /\x1b\[[0-9;]*m/g;

describe('pyflame analyze (the real binary)', { concurrency: true }, () => {
  it('an output flag before the trace takes it as its path: the error says so', async () => {
    const result = await runCli(['analyze', '--svg', THREADS]);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /Not enough non-option arguments[^]*An output flag such as --svg takes the word after it as its path: put output flags after the traces, or write --svg=PATH\./,
    );
  });

  it('prints the report on stdout and exits 0', async () => {
    const result = await runCli(['analyze', 'sample-traces/threads.pyflame.txt']);
    assert.equal(result.code, 0);
    assert.equal(result.stderr, '');
    assert.match(result.stdout, /^pyflame analyze\n {2}trace +sample-traces\/threads\.pyflame\.txt\n/);
    assert.match(result.stdout, /\nTop functions by self time \(top 15 of \d+\)\n/);
    assert.match(result.stdout, /\nTop functions by total time/);
    assert.match(result.stdout, /\nGarbage collection: 15 pauses/);
    assert.doesNotMatch(result.stdout, /\x1b/, 'no colour without a terminal');
  });

  it('fits 100 columns when the width is unknown', async () => {
    const names = [
      'threads.pyflame.txt',
      'imports-gc.pyflame.txt',
      'lost-events.bpftrace.txt',
      'ticker-top.stap.txt',
      'lines.pyflame.txt',
    ];
    const results = await Promise.all(
      names.map((name) => runCli(['analyze', sample(name), '--lines', '--overhead', '1us', '--focus', '.'])),
    );
    names.forEach((name, i) => {
      assert.equal(results[i].code, 0);
      for (const line of results[i].stdout.split('\n'))
        assert.ok(Array.from(line).length <= 100, `${name}: a line of ${Array.from(line).length} characters: ${line}`);
    });
  });

  it('--json writes out/<name>.json under the working directory and says so', async () => {
    const dir = scratch();
    const result = await runCli(['analyze', THREADS, '--json'], { cwd: dir });
    assert.equal(result.code, 0);
    assert.equal(result.stderr, 'pyflame: wrote out/threads.pyflame.json\n');
    assert.match(result.stdout, /^pyflame analyze\n/, 'the report is still printed');
    const doc = JSON.parse(readFileSync(join(dir, 'out/threads.pyflame.json'), 'utf8')) as JsonDoc;
    assert.equal(doc.schemaVersion, 2);
    assert.equal(doc.threads.length, 5);
    assert.deepEqual(readdirSync(join(dir, 'out')), ['threads.pyflame.json'], 'no temporary file left');
  });

  it('an output that cannot be written fails the run (exit 2, its path named); the others are still written whole, and said in order', async (t) => {
    if (!existsSync('/dev/full')) return t.skip('no /dev/full here');
    const dir = scratch();
    const result = await runCli(['analyze', THREADS, '--json', '/dev/full', '--svg', 'a.svg', '--html', 'a.html'], {
      cwd: dir,
    });
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      'pyflame: wrote a.svg\npyflame: wrote a.html\npyflame: error: cannot write /dev/full: no space left on the device (ENOSPC)\n',
    );
    assert.match(readFileSync(join(dir, 'a.svg'), 'utf8'), /<\/svg>\n?$/);
    assert.match(readFileSync(join(dir, 'a.html'), 'utf8'), /<\/html>\n?$/);
    assert.deepEqual(readdirSync(dir).sort(), ['a.html', 'a.svg'], 'no temporary file left');
    const later = await runCli(['analyze', THREADS, '--json', 'a.json', '--speedscope', '/dev/full'], { cwd: dir });
    assert.equal(later.code, 2);
    assert.match(later.stderr, /^pyflame: wrote a\.json\npyflame: error: cannot write \/dev\/full: /);
    assert.deepEqual(readdirSync(dir).sort(), ['a.html', 'a.json', 'a.svg']);
  });

  it('--json PATH writes there; --importtime writes out/<name>.importtime.txt', async () => {
    const dir = scratch();
    const result = await runCli(['analyze', THREADS, '--json', 'a/b.json', '--importtime'], { cwd: dir });
    assert.equal(result.code, 0);
    assert.equal(result.stderr, 'pyflame: wrote a/b.json\npyflame: wrote out/threads.pyflame.importtime.txt\n');
    assert.equal((JSON.parse(readFileSync(join(dir, 'a/b.json'), 'utf8')) as JsonDoc).schemaVersion, 2);
    assert.equal(
      readFileSync(join(dir, 'out/threads.pyflame.importtime.txt'), 'utf8').split('\n')[0],
      'import time: self [us] | cumulative | imported package',
    );
  });

  it('--json - writes only the JSON document on stdout', async () => {
    const result = await runCli(['analyze', THREADS, '--json', '-']);
    assert.equal(result.code, 0);
    const doc = JSON.parse(result.stdout) as JsonDoc;
    assert.equal(doc.schemaVersion, 2);
    assert.ok(doc.functions.length > 100);
    // The report's warnings go to stderr instead.
    assert.match(result.stderr, /^pyflame: warning: .*threads\.pyflame\.txt: out-of-order, 79 times/);
  });

  it('--json=- and a trace read from stdin with -', async () => {
    const result = await runCli(['analyze', '-', '--json=-'], { stdin: readFileSync(sample('lines.pyflame.txt')) });
    assert.equal(result.code, 0, result.stderr);
    const doc = JSON.parse(result.stdout) as JsonDoc & { source: { path: string } };
    assert.equal(doc.source.path, '<stdin>');
    assert.equal(doc.threads[0].events, 99);
  });

  it('--importtime - prints python -X importtime text only', async () => {
    const result = await runCli(['analyze', sample('imports-gc.pyflame.txt'), '--importtime', '-']);
    assert.equal(result.code, 0);
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'import time: self [us] | cumulative | imported package');
    assert.equal(lines.length, 1 + 64);
    assert.ok(lines.slice(1).every((line) => /^import time: +\d+ \| +\d+ \| +\S/.test(line)));
  });

  it('several traces: one report each, one default JSON file each', async () => {
    const dir = scratch();
    const result = await runCli(['analyze', THREADS, sample('lines.pyflame.txt'), '--json'], { cwd: dir });
    assert.equal(result.code, 0);
    assert.equal(result.stderr, 'pyflame: wrote out/threads.pyflame.json\npyflame: wrote out/lines.pyflame.json\n');
    assert.equal(result.stdout.match(/^pyflame analyze$/gm)?.length, 2);
    assert.deepEqual(readdirSync(join(dir, 'out')).sort(), ['lines.pyflame.json', 'threads.pyflame.json']);
  });

  const usageErrors: Array<[string, string[], RegExp]> = [
    [
      'a bad --from',
      [THREADS, '--from', '5xs'],
      /--from takes a duration such as 123 \(ns\), 5us, 1\.5ms or 2s; got "5xs"/,
    ],
    ['a bad --to', [THREADS, '--to', 'soon'], /--to takes a duration/],
    ['--to before --from', [THREADS, '--from', '2ms', '--to', '1ms'], /--to \(1ms\) is before --from \(2ms\)/],
    [
      'a bad --focus regex',
      [THREADS, '--focus', '(unclosed'],
      /--focus: "\(unclosed" is not a valid regular expression/,
    ],
    ['a bad --exclude regex', [THREADS, '--exclude', '*x'], /--exclude: "\*x" is not a valid regular expression/],
    ['a negative --overhead', [THREADS, '--overhead', '-5'], /--overhead takes a duration/],
    ['a bad --pid', [THREADS, '--pid', 'abc'], /--pid takes a process or thread id \(a whole number\); got "abc"/],
    ['--top 0', [THREADS, '--top', '0'], /--top takes a whole number/],
    ['an unknown --sort', [THREADS, '--sort', 'name'], /Argument: sort, Given: "name"/],
    [
      'two traces and one --json path',
      [THREADS, sample('lines.pyflame.txt'), '--json', 'x.json'],
      /--json x\.json: one output path for 2 traces/,
    ],
    [
      'two traces and one --importtime path',
      [THREADS, sample('lines.pyflame.txt'), '--importtime', 'x.txt'],
      /--importtime x\.txt: one output path for 2 traces/,
    ],
    [
      'two traces with the same default output',
      [THREADS, sameName(), '--json'],
      /would both be written to out\/threads\.pyflame\.json/,
    ],
    ['no trace', [], /Not enough non-option arguments/],
  ];
  for (const [what, args, message] of usageErrors) {
    it(`exits 2 with a usage error and writes nothing for ${what}`, async () => {
      const dir = scratch();
      const result = await runCli(['analyze', ...args], { cwd: dir });
      assert.equal(result.code, 2);
      assert.match(result.stderr, message);
      assert.match(result.stderr, /^pyflame: error: /);
      assert.match(result.stderr, /Run pyflame --help for usage\.\n$/);
      assert.equal(result.stdout, '');
      assert.deepEqual(readdirSync(dir), []);
    });
  }

  it('exits 2 on an unreadable trace, through the usual error path', async () => {
    const missing = await runCli(['analyze', join(FIXTURES, 'no/such/trace.txt')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^pyflame: error: .*trace\.txt: cannot read: no such file or folder \(ENOENT\)\n$/);
    const binary = await runCli(['analyze', join(FIXTURES, 'damage/binary.bin'), '--json', '-']);
    assert.equal(binary.code, 2);
    assert.match(binary.stderr, /binary data/);
    assert.equal(binary.stdout, '');
  });

  it('--tid keeps one thread', async () => {
    const [all, one, two, none] = await Promise.all([
      analysisJson([THREADS]),
      analysisJson([THREADS, '--tid', '6837']),
      analysisJson([THREADS, '--tid', '6837', '--tid', '6838']),
      analysisJson([THREADS, '--pid', '1']),
    ]);
    assert.deepEqual(
      one.threads.map((t) => t.tid),
      [6837],
    );
    assert.deepEqual(
      one.threads[0],
      all.threads.find((t) => t.tid === 6837),
    );
    assert.ok(one.functions.some((f) => f.name === 'is_prime'));
    assert.ok(!one.functions.some((f) => f.name === 'fib' || f.name === 'encode'), "other threads' functions are gone");
    assert.deepEqual(two.threads.map((t) => t.tid).sort(), [6837, 6838]);
    assert.deepEqual([none.threads.length, none.functions.length], [0, 0]);
  });

  it('--focus re-roots at the match: every function listed runs under it', async () => {
    const [all, focused] = await Promise.all([analysisJson([THREADS]), analysisJson([THREADS, '--focus', '^encode$'])]);
    const encode = only(focused, 'encode');
    // All root-level time is time in encode calls: nothing outside them is counted.
    assert.equal(
      focused.threads.reduce((sum, t) => sum + t.rootTotalNs, 0),
      encode.totalNs,
    );
    assert.equal(encode.totalNs, only(all, 'encode').totalNs);
    for (const f of focused.functions) assert.ok(f.totalNs <= encode.totalNs, `${f.name} runs under encode`);
    const names = new Set(focused.functions.map((f) => f.name));
    for (const caller of ['<module>', 'main', 'run', 'encoder_worker', 'fib'])
      assert.ok(!names.has(caller), `${caller} is not under encode`);
    assert.ok(names.has('<genexpr>'));
  });

  it('--exclude removes matching functions and gives their time to the caller', async () => {
    const [all, excluded, noFrozen] = await Promise.all([
      analysisJson([THREADS]),
      analysisJson([THREADS, '--exclude', '^is_prime$']),
      analysisJson([THREADS, '--exclude', '<frozen']),
    ]);
    assert.ok(!excluded.functions.some((f) => f.name === 'is_prime'));
    const before = only(all, 'primes_worker');
    const after = only(excluded, 'primes_worker');
    assert.equal(after.totalNs, before.totalNs);
    assert.equal(after.selfNs, before.selfNs + only(all, 'is_prime').totalNs);
    assert.ok(noFrozen.functions.every((f) => !f.file.includes('<frozen')));
  });

  it('--from/--to keep a window of the trace; --overhead lowers times', async () => {
    const [all, window, corrected, correctedNs] = await Promise.all([
      analysisJson([THREADS]),
      analysisJson([THREADS, '--from', '90ms', '--to', '0.1s']),
      analysisJson([THREADS, '--overhead', '2us']),
      analysisJson([THREADS, '--overhead', '2000']),
    ]);
    const events = (doc: JsonDoc) => doc.threads.reduce((sum, t) => sum + t.events, 0);
    assert.ok(events(window) > 0 && events(window) < events(all));
    const root = (doc: JsonDoc) => doc.threads.reduce((sum, t) => sum + t.rootTotalNs, 0);
    assert.ok(root(corrected) < root(all));
    assert.equal(root(correctedNs), root(corrected));
  });

  it('colour: none with NO_COLOR, ANSI styles with FORCE_COLOR', async () => {
    const [plain, forced, both] = await Promise.all([
      runCli(['analyze', THREADS]),
      runCli(['analyze', THREADS], { env: { NO_COLOR: '', FORCE_COLOR: '1' } }),
      runCli(['analyze', THREADS], { env: { NO_COLOR: '1', FORCE_COLOR: '1' } }),
    ]);
    assert.equal(forced.code, 0);
    assert.match(forced.stdout, /\x1b\[1mpyflame analyze\x1b\[22m/);
    assert.equal(forced.stdout.replace(ANSI, ''), plain.stdout);
    assert.doesNotMatch(both.stdout, /\x1b/, 'NO_COLOR wins');
  });

  it('reports of the samples (golden)', async () => {
    const cases: Array<[string, string[]]> = [
      ['threads', ['sample-traces/threads.pyflame.txt']],
      ['imports-gc', ['sample-traces/imports-gc.pyflame.txt', '--top', '10', '--sort', 'total']],
      ['lines', ['sample-traces/lines.pyflame.txt', '--lines']],
      ['ticker-top', ['sample-traces/ticker-top.stap.txt']],
      ['lost-events', ['sample-traces/lost-events.bpftrace.txt', '--top', '8', '--overhead', '8us']],
    ];
    const results = await Promise.all(cases.map(([, args]) => runCli(['analyze', ...args])));
    cases.forEach(([name], i) => {
      assert.equal(results[i].code, 0, results[i].stderr);
      assertGolden(`report/${name}.txt`, results[i].stdout);
    });
  });
});

describe('the terminal report (renderReport)', () => {
  const options: ReportOptions = { top: 15, sort: 'self', lines: true, color: false, width: 100 };

  it('escapes control and bidi characters of every name from the trace', async () => {
    const fixture = await analyzeTrace(join(FIXTURES, 'damage/hostile-names.txt'));
    const fixtureReport = renderReport(fixture, options);
    assert.doesNotMatch(fixtureReport, RAW_CONTROL);
    assert.match(fixtureReport, /rtl\\u202eflip/);

    // Names with raw controls everywhere a name is shown: functions, files, lines, GC stacks,
    // imports, audit events, metadata, the source path.
    const dir = scratch();
    const bad = 'x\x07\x08\x01\u009b\u2066y';
    const path = join(dir, `hostile\x01.txt`);
    writeFileSync(
      path,
      [
        `# pyflame-trace v1 clock=boot_ns python=/bin/py${bad}`,
        `100\t1\t1\tfunction__entry\t/t/${bad}.py\tf${bad}\t1`,
        `110\t1\t1\tline\t/t/${bad}.py\tf${bad}\t2`,
        `120\t1\t1\tgc__start\t0`,
        `130\t1\t1\tgc__done\t5`,
        `140\t1\t1\timport__find__load__start\tmod${bad}`,
        `150\t1\t1\timport__find__load__done\tmod${bad}\t0`,
        `160\t1\t1\taudit\tev${bad}`,
        `200\t1\t1\tfunction__return\t/t/${bad}.py\tf${bad}\t3`,
        '',
      ].join('\n'),
    );
    const analysis = await analyzeTrace(path);
    const report = renderReport(analysis, { ...options, width: 200 });
    assert.doesNotMatch(report, RAW_CONTROL);
    const escaped = 'x\\x07\\x08\\x01\\x9b\\u2066y';
    assert.ok(report.includes(`f${escaped} (${escaped}.py:1)`), 'function and file');
    assert.ok(report.includes(`mod${escaped}  (not found)`), 'import');
    assert.ok(report.includes(`ev${escaped}`), 'audit event');
    assert.ok(report.includes('python=/bin/pyx\\x07\\x08\\x01'), 'metadata');
    assert.ok(report.includes('hostile\\x01.txt'), 'source path');
    assert.ok(report.includes(`  f${escaped}\n`), 'GC stack');
    assert.ok(report.includes(`${escaped}.py:2`), 'line');
  });

  it('colour on and off: the same text, with ANSI styles only when on', async () => {
    const analysis = await analyzeTrace(THREADS);
    const plain = renderReport(analysis, options);
    const coloured = renderReport(analysis, { ...options, color: true });
    assert.doesNotMatch(plain, /\x1b/);
    assert.match(coloured, /\x1b\[1mTop functions by self time/);
    assert.match(coloured, /\x1b\[2m {5}self {2}self %/);
    assert.equal(coloured.replace(ANSI, ''), plain);
  });

  it('is deterministic and fits the width asked for', async () => {
    const analysis = await analyzeTrace(sample('imports-gc.pyflame.txt'));
    const a = renderReport(analysis, { ...options, width: 80 });
    assert.equal(a, renderReport(analysis, { ...options, width: 80 }));
    for (const line of a.split('\n')) assert.ok(Array.from(line).length <= 80, line);
  });

  it('a return-only trace: says so with the fix, and counts returns instead of timing', async () => {
    const dir = scratch();
    const path = join(dir, 'return-only.txt');
    const lines = ['# pyflame-trace v1 clock=boot_ns python=/usr/bin/python3.11'];
    for (let i = 0; i < 300; i++)
      lines.push(`${1000 + i * 100}\t1\t1\tfunction__return\t/app/m.py\t${['a', 'b', 'c'][i % 3]}\t${10 + (i % 3)}`);
    writeFileSync(path, `${lines.join('\n')}\n`);
    const report = renderReport(await analyzeTrace(path), options);
    assert.match(report, /!! No timings: this trace has 300 function returns but only 0 entries\./);
    assert.match(report, /line` probe is attached/);
    assert.match(report, /docs\/recording\.md/);
    assert.match(report, /Top functions by returns\n {2}returns {2}function\n/);
    assert.doesNotMatch(report, /Top functions by self time/);
  });

  it('a counts-only trace: functions by calls with their per-interval counts', async () => {
    const report = renderReport(await analyzeTrace(sample('ticker-top.stap.txt')), options);
    assert.match(report, /Top functions by calls \(top 9 of 9\)|Top functions by calls\n/);
    assert.match(report, / {4}140 {2}33\.3% {2}47 47 46 +<genexpr> \(ticker\.py:35\)/);
  });
});

describe('formatting and flag values', () => {
  it('durations with three significant digits, counts with separators, percentages', () => {
    assert.deepEqual([0, 35, 999, 999.7, 6922, 50_000, 260_135, 1_000_000, 33_197_008, 2e9].map(formatDuration), [
      '0 ns',
      '35 ns',
      '999 ns',
      '1.00 µs',
      '6.92 µs',
      '50.0 µs',
      '260 µs',
      '1.00 ms',
      '33.2 ms',
      '2.00 s',
    ]);
    assert.deepEqual([0, 999, 1000, 1234567].map(formatCount), ['0', '999', '1,000', '1,234,567']);
    assert.deepEqual([formatPercent(1, 3), formatPercent(1, 0), formatPercent(1, 100_000)], ['33.3%', '–', '<0.1%']);
  });

  it('file names: basename, or a short prefix for the standard library and site-packages', () => {
    assert.equal(shortenFile('/work/app/threads.py'), 'threads.py');
    assert.equal(shortenFile('/usr/lib/python3.11/json/decoder.py'), '<stdlib>/json/decoder.py');
    assert.equal(shortenFile('/v/lib/python3.12/site-packages/requests/api.py'), '<site>/requests/api.py');
    assert.equal(shortenFile('/usr/lib/python3/dist-packages/yaml/__init__.py'), '<site>/yaml/__init__.py');
    assert.equal(shortenFile('/srv/app/pkg/__init__.py'), 'pkg/__init__.py');
    assert.equal(shortenFile('<frozen importlib._bootstrap>'), '<frozen _bootstrap>');
    assert.equal(shortenFile('<string>'), '<string>');
    assert.equal(functionLabel('f', '/a/b.py', 3), 'f (b.py:3)');
    assert.equal(
      functionLabel('a_rather_long_function_name', '<frozen importlib._bootstrap_external>', 1604, 44),
      'a_rather_long_function_name (…xternal>:1604)',
    );
    // The file is cut before the name, and the line is always kept (issue 11: at 80 columns the
    // label was `is_prime (threads…`).
    assert.equal(
      functionLabel('a_rather_long_function_name', '<frozen importlib._bootstrap_external>', 1604, 40),
      'a_rather_long_function_name (…nal>:1604)',
    );
    assert.equal(functionLabel('is_prime', '/home/u/threads.py', 13, 18), 'is_prime (….py:13)');
    assert.equal(functionLabel('primes_worker', '/home/u/threads.py', 24, 18), 'primes_wor… (…:24)');
    assert.equal(functionLabel('a_rather_long_function_name', 'x.py', 7, 12), 'a_rat… (…:7)');
  });

  it('output names drop .gz, then .txt/.log/.csv', () => {
    assert.equal(outputName('sample-traces/threads.pyflame.txt'), 'threads.pyflame');
    assert.equal(outputName('/x/trace.log.gz'), 'trace');
    assert.equal(outputName('a.csv'), 'a');
    assert.equal(outputName('trace.jsonl'), 'trace.jsonl');
    assert.equal(outputName('-'), 'stdin');
  });

  it('duration flags: ns by default, units accepted', () => {
    assert.deepEqual(
      ['123', '5us', '5µs', '1.5ms', '2s', '2 s', '0', '7.5'].map((v) => parseDurationFlag('from', v)),
      [123, 5000, 5000, 1_500_000, 2e9, 2e9, 0, 7.5],
    );
    for (const bad of ['', '-1', '5 minutes', 'ms', '1e400'])
      assert.throws(() => parseDurationFlag('from', bad), UsageError, bad);
  });
});
