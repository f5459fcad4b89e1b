import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeRows, codes, fn, rootSum, selfSum } from './helpers/analysis.js';

describe('call trees and function statistics', () => {
  it('nested calls: exact inclusive and self times, calls, percentiles', async () => {
    const a = await analyzeRows([
      [100, 1, 'e', 'main', 1],
      [110, 1, 'e', 'a', 5],
      [130, 1, 'e', 'b', 9],
      [170, 1, 'r', 'b', 10],
      [190, 1, 'r', 'a', 7],
      [200, 1, 'e', 'a', 5],
      [260, 1, 'r', 'a', 7],
      [300, 1, 'r', 'main', 3],
    ]);
    assert.deepEqual(codes(a), {});
    const main = fn(a, 'main');
    assert.deepEqual([main.calls, main.totalNs, main.selfNs], [1, 200, 200 - 80 - 60]);
    const fa = fn(a, 'a');
    assert.deepEqual(
      [fa.calls, fa.totalNs, fa.selfNs, fa.durations?.minNs, fa.durations?.maxNs, fa.durations?.meanNs],
      [2, 140, 100, 60, 80, 70],
    );
    assert.deepEqual([fn(a, 'b').totalNs, fn(a, 'b').selfNs], [40, 40]);
    assert.equal(selfSum(a), rootSum(a));
    assert.equal(rootSum(a), 200);
    assert.equal(a.threads[0].startNs, 0);
    assert.equal(a.threads[0].endNs, 200);
  });

  it('recursion: total counts the outermost call only; every call is in the percentiles', async () => {
    const a = await analyzeRows([
      [0, 1, 'e', 'f', 1],
      [10, 1, 'e', 'f', 1],
      [20, 1, 'e', 'f', 1],
      [30, 1, 'r', 'f', 2],
      [50, 1, 'r', 'f', 3],
      [100, 1, 'r', 'f', 3],
    ]);
    const f = fn(a, 'f');
    assert.deepEqual([f.calls, f.totalNs, f.selfNs], [3, 100, 100]);
    assert.deepEqual(
      [f.durations?.count, f.durations?.minNs, f.durations?.p50Ns, f.durations?.maxNs],
      [3, 10, 40, 100],
    );
  });

  it('nearest-rank percentiles: the ceil(p/100*n)-th smallest', async () => {
    const rows: [number, number, 'e' | 'r', string, number][] = [];
    let ts = 0;
    for (let d = 1; d <= 20; d++) {
      rows.push([ts, 1, 'e', 'g', 1], [ts + d, 1, 'r', 'g', 2]);
      ts += 100;
    }
    const g = fn(await analyzeRows(rows), 'g');
    assert.deepEqual([g.durations?.p50Ns, g.durations?.p95Ns, g.durations?.p99Ns], [10, 19, 20]);
  });

  it('a generator resumed at its yield line is one function, every resume a call', async () => {
    const a = await analyzeRows([
      [0, 1, 'e', 'main', 1],
      [10, 1, 'e', 'gen', 20],
      [15, 1, 'r', 'gen', 22],
      [30, 1, 'e', 'gen', 22],
      [34, 1, 'r', 'gen', 22],
      [50, 1, 'e', 'gen', 22],
      [57, 1, 'r', 'gen', 24],
      [60, 1, 'r', 'main', 2],
    ]);
    assert.deepEqual(a.functions.map((f) => [f.name, f.line]).sort(), [
      ['gen', 20],
      ['main', 1],
    ]);
    const gen = fn(a, 'gen');
    assert.deepEqual([gen.calls, gen.totalNs, gen.selfNs, gen.durations?.count], [3, 16, 16, 3]);
  });

  it('a trace that began inside a call: the call encloses everything before, partial', async () => {
    const a = await analyzeRows([
      [100, 1, 'e', 'a', 5],
      [150, 1, 'r', 'a', 6],
      [170, 1, 'r', 'outer', 9],
      [180, 1, 'e', 'b', 30],
      [200, 1, 'r', 'b', 31],
    ]);
    const outer = fn(a, 'outer', 9);
    assert.deepEqual(
      [outer.calls, outer.totalNs, outer.selfNs, outer.partial, outer.durations],
      [0, 70, 20, 1, undefined],
    );
    assert.equal(selfSum(a), rootSum(a));
    assert.equal(rootSum(a), 70 + 20);
    const tree = a.threads[0].tree;
    assert.equal(tree.func.get(tree.parent.get(1)), fn(a, 'outer').fn, "a's caller is outer");
  });

  it('a return matching no open call is dropped; one matching a caller unwinds what is above it', async () => {
    const a = await analyzeRows([
      [0, 1, 'e', 'main', 1],
      [10, 1, 'e', 'a', 5],
      [20, 1, 'r', 'zzz', 9],
      [30, 1, 'e', 'b', 7],
      [40, 1, 'r', 'a', 6],
      [50, 1, 'r', 'main', 2],
    ]);
    assert.deepEqual(codes(a), { 'unmatched-return': 1, 'unwound-calls': 1 });
    assert.deepEqual([fn(a, 'b').totalNs, fn(a, 'b').partial, fn(a, 'b').durations], [10, 1, undefined]);
    assert.deepEqual([fn(a, 'a').totalNs, fn(a, 'a').selfNs], [30, 20]);
    assert.equal(selfSum(a), rootSum(a));
  });

  it('calls open at the end close at the thread’s last event, partial, with a warning', async () => {
    const a = await analyzeRows([
      [0, 1, 'e', 'main', 1],
      [10, 1, 'e', 'a', 5],
      [25, 1, 'l', 'a', 6],
    ]);
    assert.deepEqual(codes(a), { 'open-at-end': 2 });
    assert.deepEqual([fn(a, 'main').totalNs, fn(a, 'a').totalNs, fn(a, 'a').partial], [25, 15, 1]);
  });

  it('threads are replayed apart, even interleaved', async () => {
    const a = await analyzeRows([
      [0, 1, 'e', 'w', 1],
      [5, 2, 'e', 'w', 1],
      [10, 1, 'e', 'x', 3],
      [12, 2, 'r', 'w', 2],
      [20, 1, 'r', 'x', 4],
      [30, 1, 'r', 'w', 2],
    ]);
    assert.deepEqual(
      a.threads.map((t) => [t.tid, t.rootTotalNs, t.events]),
      [
        [1, 30, 4],
        [2, 7, 2],
      ],
    );
    assert.deepEqual([fn(a, 'w').calls, fn(a, 'w').totalNs, fn(a, 'w').selfNs], [2, 37, 27]);
  });

  it('a 100,000-deep recursion neither overflows nor loses a call', async () => {
    const rows: [number, number, 'e' | 'r', string, number][] = [];
    const depth = 100_000;
    for (let i = 0; i < depth; i++) rows.push([i, 1, 'e', 'deep', 1]);
    for (let i = 0; i < depth; i++) rows.push([depth + i, 1, 'r', 'deep', 2]);
    const a = await analyzeRows(rows);
    const deep = fn(a, 'deep');
    assert.deepEqual(
      [deep.calls, deep.totalNs, deep.durations?.count, deep.durations?.maxNs],
      [depth, 2 * depth - 1, depth, 2 * depth - 1],
    );
    assert.equal(a.threads[0].tree.size, depth + 1);
  });

  it('a return-only trace with a few entries still counts every return, with no lost-event noise', async () => {
    const rows: (readonly [number, number, 'e' | 'r', string, number])[] = [[0, 1, 'e', 'main', 1]];
    for (let i = 0; i < 300; i++) rows.push([10 + i * 10, 1, 'r', i % 3 === 0 ? 'tick' : 'tock', 3]);
    const a = await analyzeRows(rows);
    assert.equal(a.threads[0].returnOnly, true);
    assert.deepEqual([fn(a, 'tick').returns, fn(a, 'tock').returns], [100, 200]);
    assert.deepEqual(Object.keys(codes(a)), ['return-only']);
  });

  it('a return-only trace (3.11 without the line probe) is recognized and explained', async () => {
    const rows: [number, number, 'e' | 'r', string, number][] = [];
    for (let i = 0; i < 300; i++) rows.push([i * 10, 1, 'r', i % 2 === 0 ? 'even' : 'odd', 3]);
    const a = await analyzeRows(rows);
    assert.equal(a.threads[0].returnOnly, true);
    assert.match(a.warnings.find((w) => w.code === 'return-only')!.message, /line probe/);
    assert.deepEqual([fn(a, 'even').returns, fn(a, 'odd').returns], [150, 150]);
  });
});

describe('GC, imports, lines, audit', () => {
  it('GC pauses by generation, with the stack that triggered them', async () => {
    const a = await analyzeRows([
      [0, 1, 'e', 'main', 1],
      [10, 1, 'e', 'alloc', 5],
      '20\t1\t1\tgc__start\t0',
      '25\t1\t1\tgc__done\t3',
      '30\t1\t1\tgc__start\t2',
      '80\t1\t1\tgc__done\t100',
      [90, 1, 'r', 'alloc', 6],
      '95\t1\t1\tgc__start\t0',
      '96\t1\t1\tgc__done\t0',
      [100, 1, 'r', 'main', 2],
    ]);
    assert.deepEqual(
      a.gc.pauses.map((p) => [p.generation, p.startNs, p.durationNs, p.collected]),
      [
        [0, 20, 5, 3],
        [2, 30, 50, 100],
        [0, 95, 1, 0],
      ],
    );
    assert.deepEqual(
      a.gc.byGeneration.map((g) => [g.generation, g.count, g.totalNs, g.maxNs]),
      [
        [0, 2, 6, 5],
        [2, 1, 50, 50],
      ],
    );
    assert.equal(a.gc.totalPauseNs, 56);
    assert.equal(a.gc.wallShare, 56 / 100);
    const functions = a.functionTable;
    assert.deepEqual(
      a.gc.attribution.map((cause) => [
        cause.stack.map((f) => functions.name(f)).join('>'),
        cause.count,
        cause.totalNs,
      ]),
      [
        ['main>alloc', 2, 55],
        ['main', 1, 1],
      ],
    );
  });

  it('imports nest, with self time and failures', async () => {
    const a = await analyzeRows([
      '0\t1\t1\timport__find__load__start\tjson',
      '10\t1\t1\timport__find__load__start\tjson.decoder',
      '40\t1\t1\timport__find__load__done\tjson.decoder\t1',
      '45\t1\t1\timport__find__load__start\tnope',
      '47\t1\t1\timport__find__load__done\tnope\t0',
      '100\t1\t1\timport__find__load__done\tjson\t1',
    ]);
    assert.deepEqual(
      a.imports.map((i) => [i.module, i.startNs, i.durationNs, i.selfNs, i.found, i.depth]),
      [
        ['json', 0, 100, 68, true, 0],
        ['json.decoder', 10, 30, 30, true, 1],
        ['nope', 45, 2, 2, false, 1],
      ],
    );
  });

  it('line hits, and each line’s own time until the frame’s next line', async () => {
    const a = await analyzeRows([
      [0, 1, 'e', 'f', 1],
      [2, 1, 'l', 'f', 2],
      [10, 1, 'l', 'f', 3],
      [12, 1, 'e', 'g', 20],
      [30, 1, 'r', 'g', 21],
      [35, 1, 'l', 'f', 2],
      [40, 1, 'r', 'f', 2],
    ]);
    assert.deepEqual(
      a.lines.map((l) => [l.line, l.hits, l.selfNs]),
      [
        [2, 2, 8 + 5],
        [3, 1, 2 + 5],
      ],
    );
  });
});

describe('filters', () => {
  const rows = [
    [0, 1, 'e', 'main', 1],
    [10, 1, 'e', 'helper', 5],
    [20, 1, 'e', 'leaf', 9],
    [30, 1, 'r', 'leaf', 10],
    [40, 1, 'r', 'helper', 6],
    [50, 1, 'e', 'leaf', 9],
    [55, 1, 'r', 'leaf', 10],
    [60, 1, 'r', 'main', 2],
    [70, 2, 'e', 'other', 1],
    [80, 2, 'r', 'other', 2],
  ] as const;

  it('--exclude drops a function; its own time goes to its caller, its callees stay', async () => {
    const a = await analyzeRows(rows, { filters: { exclude: /^helper$/ } });
    assert.deepEqual(
      a.functions.map((f) => f.name),
      ['main', 'leaf', 'other'],
    );
    assert.deepEqual([fn(a, 'main').selfNs, fn(a, 'leaf').totalNs], [60 - 15, 15]);
    const tree = a.threads[0].tree;
    assert.equal(
      tree.func.get(tree.parent.get(tree.child(tree.child(tree.root, fn(a, 'main').fn), fn(a, 'leaf').fn))),
      fn(a, 'main').fn,
      'leaf hangs under main',
    );
    assert.equal(selfSum(a), rootSum(a));
  });

  it('--focus keeps only what runs under a match, re-rooted there', async () => {
    const a = await analyzeRows(rows, { filters: { focus: /helper/ } });
    assert.deepEqual(
      a.functions.map((f) => [f.name, f.calls, f.totalNs]),
      [
        ['helper', 1, 30],
        ['leaf', 1, 10],
      ],
    );
    assert.equal(rootSum(a), 30);
  });

  it('--from/--to: the analysis covers the window', async () => {
    const a = await analyzeRows(rows, { filters: { fromNs: 15, toNs: 45 } });
    assert.equal(a.durationNs, 30 - 20 + 10, 'from the first kept event (20) to the last (40)');
  });

  it('filters apply to audit events too', async () => {
    const withAudit = [...rows, '75\t1\t2\taudit\tos.system'] as const;
    assert.deepEqual(
      (await analyzeRows(withAudit)).audit.map((e) => [e.event, e.count]),
      [['os.system', 1]],
    );
    assert.deepEqual((await analyzeRows(withAudit, { filters: { tids: [1] } })).audit, []);
    assert.deepEqual((await analyzeRows(withAudit, { filters: { focus: /helper/ } })).audit, []);
  });

  it('--tid and --pid keep those threads only', async () => {
    const a = await analyzeRows(rows, { filters: { tids: [2] } });
    assert.deepEqual(
      a.functions.map((f) => f.name),
      ['other'],
    );
    assert.equal((await analyzeRows(rows, { filters: { pids: [9] } })).functions.length, 0);
  });

  it('--from/--to clip calls to the window, as partial calls', async () => {
    const a = await analyzeRows(rows, { filters: { fromNs: 15, toNs: 45 } });
    assert.deepEqual([fn(a, 'leaf').calls, fn(a, 'leaf').totalNs], [1, 10]);
    assert.deepEqual([fn(a, 'helper').calls, fn(a, 'helper').partial, fn(a, 'helper').totalNs], [0, 1, 20]);
  });
});

describe('probe overhead', () => {
  it('--overhead subtracts the cost of the events inside each call', async () => {
    const rows = [
      [0, 1, 'e', 'main', 1],
      [100, 1, 'e', 'a', 5],
      [200, 1, 'r', 'a', 6],
      [1000, 1, 'r', 'main', 2],
    ] as const;
    const plain = await analyzeRows(rows);
    const corrected = await analyzeRows(rows, { overheadNs: 10 });
    // a: 100 ns, minus its own return (charged to it) = 90; main: 1000 minus 3 events (a's entry and return, its own return).
    assert.deepEqual([fn(plain, 'a').totalNs, fn(corrected, 'a').totalNs], [100, 90]);
    assert.deepEqual([fn(corrected, 'main').totalNs, fn(corrected, 'main').selfNs], [970, 880]);
    assert.equal(corrected.overhead.perEventNs, 10);
    assert.equal(corrected.overhead.events, 4);
    assert.equal(corrected.overhead.estimatedShare, 40 / 1000);
  });
});
