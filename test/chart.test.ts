import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cappedThreshold } from '../src/export/chart/chart-model.js';
import { axisTicks, axisUnit, tickStep } from '../src/browser/time-axis.js';
import { frameColour } from '../src/export/svg/palette.js';
import { chartOf, drawnRects } from './helpers/chart.js';
import { assertGolden } from './helpers/golden.js';
import { FIXTURES, SAMPLES } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir, writeScratch } from './helpers/scratch.js';

const scratch = scratchDir('chart');

/** A trace of one thread: `depth` nested calls of f0..f6, then their returns, 1 ns apart. */
function deepTrace(depth: number): string {
  const lines: string[] = [];
  let ts = 1;
  for (let i = 0; i < depth; i++) lines.push(`${ts++}\t1\t1\tfunction__entry\t/d.py\tf${i % 7}\t${i + 1}`);
  for (let i = depth - 1; i >= 0; i--) lines.push(`${ts++}\t1\t1\tfunction__return\t/d.py\tf${i % 7}\t${i + 1}`);
  return `${lines.join('\n')}\n`;
}

describe('flame chart: goldens', () => {
  const cases: [string, string, number | undefined][] = [
    ['threads.pyflame.txt', 'chart/threads.chart.svg', undefined],
    ['imports-gc.pyflame.txt', 'chart/imports-gc.chart.svg', 0.5],
    ['lines.pyflame.txt', 'chart/lines.chart.svg', 0],
  ];
  for (const [trace, golden, minWidthPercent] of cases) {
    it(`${trace} (--minwidth ${minWidthPercent ?? 'default'})`, async () => {
      const { svg } = await chartOf(join(SAMPLES, trace), { title: trace.replace(/\.txt$/, ''), minWidthPercent });
      assertGolden(golden, svg);
      const again = await chartOf(join(SAMPLES, trace), { title: trace.replace(/\.txt$/, ''), minWidthPercent });
      assert.equal(again.svg, svg, 'same bytes twice');
    });
  }
});

describe('flame chart: what is drawn', () => {
  it('threads: one lane per thread in order of appearance, rectangles placed by time, every call accounted for', async () => {
    const { analysis, model, svg } = await chartOf(join(SAMPLES, 'threads.pyflame.txt'));
    assert.deepEqual(
      model.lanes.map((lane) => lane.tid),
      analysis.threads.map((thread) => thread.tid).filter((tid) => model.lanes.some((lane) => lane.tid === tid)),
    );
    assert.equal(model.lanes.length + model.emptyThreads, analysis.threads.length);
    const rects = drawnRects(svg);
    assert.equal(rects.length, model.drawnCalls);
    const span = model.endNs - model.startNs;
    for (const [index, rect] of rects.entries()) {
      assert.ok(Math.abs(rect.x - ((rect.startNs - model.startNs) / span) * 100) < 1e-5, `x of rect ${index}`);
      assert.ok(Math.abs(rect.width - (rect.durationNs / span) * 100) < 1e-5, `width of rect ${index}`);
      assert.ok(rect.x >= 0 && rect.x + rect.width <= 100 + 1e-5);
    }
    // The subtitle accounts for every call of every thread.
    const calls = analysis.functions.reduce((sum, f) => sum + f.calls, 0);
    assert.equal(model.totalCalls, calls);
    assert.match(svg, new RegExp(`${model.drawnCalls} of ${calls.toLocaleString('en-US')} calls drawn`));
    assert.match(svg, new RegExp(`${model.hiddenNarrow.toLocaleString('en-US')} calls shorter than [\\d.]+ µs hidden`));
  });

  it('a function has the flame graph’s colour', async () => {
    const { analysis, svg } = await chartOf(join(SAMPLES, 'recursion.pyflame.txt'));
    const fib = analysis.functions.find((f) => f.name === 'fib')!;
    const table = [...svg.matchAll(/<text data-l="([^"]*)">([^<]*)<\/text>/g)].map((m) => m[2]);
    const index = table.indexOf('fib');
    assert.ok(index >= 0, 'fib is in the function table');
    const rect = new RegExp(`<rect class="(pfc-k\\d+)"[^>]* data-f="${index}"`).exec(svg)!;
    assert.ok(
      svg.includes(`.${rect[1]}{fill:${frameColour('fib', fib.file)}}`),
      'its colour class has the palette colour',
    );
  });

  it('GC pauses on their own track, coloured by generation, with a legend', async () => {
    const { analysis, svg } = await chartOf(join(SAMPLES, 'imports-gc.pyflame.txt'));
    const pauses = [
      ...svg.matchAll(
        /<rect x="[^"]+" y="\d+" width="[^"]+" height="12" fill="([^"]+)" stroke="[^"]+" data-s="([\d.]+)" data-t="([\d.]+)" data-g="(\d+)"/g,
      ),
    ];
    assert.equal(pauses.length, analysis.gc.pauses.length);
    assert.deepEqual(
      pauses.map((m) => [Number(m[2]), Number(m[3]), Number(m[4])]),
      analysis.gc.pauses.map((p) => [p.startNs, p.durationNs, p.generation]),
    );
    const colourOf = new Map<string, Set<string>>();
    for (const m of pauses) colourOf.set(m[4], (colourOf.get(m[4]) ?? new Set()).add(m[1]));
    assert.ok(colourOf.size >= 2, 'several generations in this trace');
    for (const colours of colourOf.values()) assert.equal(colours.size, 1, 'one colour a generation');
    assert.equal(
      new Set([...colourOf.values()].map((c) => [...c][0])).size,
      colourOf.size,
      'generations differ in colour',
    );
    for (const generation of colourOf.keys())
      assert.match(
        svg,
        new RegExp(
          `fill="${[...colourOf.get(generation)!][0]}"/><text class="pfc-lh" x="\\d+" y="\\d+">gen ${generation}</text>`,
        ),
      );
  });

  it('imports on a track of their own, nested by depth, as long as the calls drawn', async () => {
    const { analysis, model, svg } = await chartOf(join(SAMPLES, 'imports-gc.pyflame.txt'), { minWidthPercent: 0.2 });
    const drawn = [
      ...svg.matchAll(
        /<rect x="([^"]+)%" y="(\d+)" width="([^"]+)%" height="15" fill="[^"]+" data-s="([\d.]+)" data-t="([\d.]+)" data-m="([^"]*)" data-ok="([01])"/g,
      ),
    ].map((m) => ({
      y: Number(m[2]),
      startNs: Number(m[4]),
      durationNs: Number(m[5]),
      module: m[6],
      found: m[7] === '1',
    }));
    const expected = analysis.imports.filter((record) => record.durationNs >= model.minNs && record.depth < 16);
    assert.ok(
      expected.length > 3 && expected.length < analysis.imports.length,
      `${expected.length} of ${analysis.imports.length}`,
    );
    assert.deepEqual(
      drawn.map((d) => [d.startNs, d.durationNs, d.module, d.found]),
      expected.map((r) => [r.startNs, r.durationNs, r.module, r.found]),
    );
    const top = Math.min(...drawn.map((d) => d.y));
    assert.deepEqual(
      drawn.map((d) => (d.y - top) / 16),
      expected.map((r) => r.depth),
      'one row a level of nesting',
    );
    assert.ok(expected.some((r) => r.depth > 0));
    for (const inner of expected.filter((r) => r.depth > 0)) {
      assert.ok(
        expected.some(
          (outer) =>
            outer.depth === inner.depth - 1 &&
            outer.startNs <= inner.startNs &&
            inner.startNs + inner.durationNs <= outer.startNs + outer.durationNs,
        ),
        `${inner.module} drawn inside its importer`,
      );
    }
    assert.match(
      svg,
      new RegExp(`Imports: ${analysis.imports.length}, ${expected.length} drawn \\(the others shorter than`),
    );
    const capped = (await chartOf(join(SAMPLES, 'imports-gc.pyflame.txt'), { minWidthPercent: 0, maxImports: 3 })).model
      .imports;
    const longest = [...analysis.imports].sort((a, b) => b.durationNs - a.durationNs).slice(0, 3);
    assert.deepEqual(new Set(capped), new Set(longest), 'past the cap: the longest');
  });

  it('calls running when the trace began start at the thread’s start', async () => {
    // lines.pyflame.txt was attached mid-run: main and <module> return without their entries.
    const { analysis, model } = await chartOf(join(SAMPLES, 'lines.pyflame.txt'), { minWidthPercent: 0 });
    const lane = model.lanes[0];
    const outer = lane.drawn.filter((call) => call.depth === 0);
    assert.equal(analysis.functionTable.name(outer[0].fn), '<module>');
    assert.equal(outer[0].startNs, analysis.threads[0].startNs);
    const main = lane.drawn.find((call) => call.depth === 1)!;
    assert.equal(analysis.functionTable.name(main.fn), 'main');
    assert.equal(main.startNs, analysis.threads[0].startNs);
  });

  it('calls still open at the end end at the thread’s last event', async () => {
    const path = writeScratch(
      scratch,
      '1\t1\t1\tfunction__entry\t/a.py\touter\t1\n5\t1\t1\tfunction__entry\t/a.py\tinner\t2\n9\t1\t1\tfunction__return\t/a.py\tinner\t3\n20\t1\t1\tfunction__entry\t/a.py\tlate\t4\n30\t1\t2\tfunction__entry\t/a.py\tother\t5\n42\t1\t2\tfunction__return\t/a.py\tother\t6\n',
    );
    const { model } = await chartOf(path, { minWidthPercent: 0 });
    const spans = model.lanes.map((lane) => lane.drawn.map((call) => [call.startNs, call.endNs, call.depth]));
    assert.deepEqual(spans, [
      [
        [0, 19, 0],
        [4, 8, 1],
        [19, 19, 1],
      ],
      [[29, 41, 0]],
    ]);
  });

  it('the threshold is raised to stay within the cap', () => {
    const durations = Float64Array.from([5, 1, 3, 3, 3, 9, 2]);
    assert.equal(cappedThreshold(durations, 1, 7), 1, 'under the cap: as asked');
    assert.equal(cappedThreshold(durations, 1, 3), 5, 'keeps 9 and 5; the three 3s would exceed it');
    assert.equal(cappedThreshold(durations, 1, 4), 5, 'the three 3s tie for 3rd place: with them 5 calls, too many');
    assert.equal(cappedThreshold(durations, 1, 5), 3, '9, 5 and the three 3s');
    assert.equal(cappedThreshold(Float64Array.from([4, 4, 4]), 0, 2), Number.POSITIVE_INFINITY, 'all tied: none fits');
  });

  it('a 100,000-deep recursion: no stack overflow, 128 levels drawn, the rest counted', async () => {
    const path = writeScratch(scratch, deepTrace(100_000));
    const { model, svg } = await chartOf(path, { minWidthPercent: 0 });
    assert.equal(model.drawnCalls, 128);
    assert.equal(model.hiddenDeep, 100_000 - 128);
    assert.equal(model.lanes[0].cutLevels, 100_000 - 128);
    assert.match(svg, /99,872 below depth 128 hidden/);
    assert.match(svg, /99,872 deeper levels not drawn/);
    const height = Number(/<svg [^>]* height="(\d+)"/.exec(svg)![1]);
    assert.ok(height < 128 * 16 + 300, `height ${height}`);
  });

  it('a trace of 200,000 calls gives at most 20,000 rectangles and says the threshold was raised', async () => {
    const lines: string[] = [];
    let ts = 1;
    lines.push(`${ts++}\t1\t1\tfunction__entry\t/m.py\tmain\t1`);
    for (let i = 0; i < 199_999; i++) {
      lines.push(`${ts}\t1\t1\tfunction__entry\t/m.py\tstep${i % 13}\t2`);
      ts += 1 + (i % 17);
      lines.push(`${ts++}\t1\t1\tfunction__return\t/m.py\tstep${i % 13}\t3`);
    }
    lines.push(`${ts}\t1\t1\tfunction__return\t/m.py\tmain\t4`);
    const { model, svg } = await chartOf(writeScratch(scratch, `${lines.join('\n')}\n`), { minWidthPercent: 0 });
    assert.equal(model.totalCalls, 200_000);
    assert.ok(model.drawnCalls <= 20_000 && model.drawnCalls > 10_000, `drawn ${model.drawnCalls}`);
    assert.equal(drawnRects(svg).length, model.drawnCalls);
    assert.ok(model.minNs > model.requestedMinNs);
    assert.match(svg, /raised from 0 ns to draw at most 20,000/);
    assert.ok(svg.length < 3_000_000, `${svg.length} bytes`);
  });

  it('hostile names are escaped', async () => {
    const { svg } = await chartOf(join(FIXTURES, 'damage/hostile-names.txt'), {
      title: '<script>alert(1)</script>',
      minWidthPercent: 0,
    });
    assert.doesNotMatch(svg, /<script>alert/);
    assert.equal(svg.match(/<script/g)?.length, 1, 'only the chart’s own script');
    assert.equal(svg.match(/\]\]>/g)?.length, 2, 'the style and script CDATA only');
    assert.match(svg, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(svg, /&quot;quoted&quot; &amp; &apos;single&apos;/);
    assert.doesNotMatch(svg, /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\u202A-\u202E]/);
  });
});

describe('flame chart: time axis', () => {
  it('picks the unit by the span and round steps', () => {
    assert.deepEqual(
      [axisUnit(999), axisUnit(1000), axisUnit(2.5e6), axisUnit(7e9)].map((u) => u[1]),
      ['ns', 'µs', 'ms', 's'],
    );
    assert.deepEqual(
      [tickStep(1000, 10), tickStep(1200, 10), tickStep(3e6, 10), tickStep(7e9, 10), tickStep(5, 10)],
      [100, 200, 500_000, 1e9, 1],
    );
    assert.deepEqual(
      axisTicks(0, 124e6, 10).map((t) => t.label),
      ['0', '20 ms', '40 ms', '60 ms', '80 ms', '100 ms', '120 ms'],
    );
    // The unit follows the span shown (600 µs), not the distance from the trace start.
    assert.deepEqual(
      axisTicks(1.5e6, 2.1e6, 4).map((t) => t.label),
      ['1600 µs', '1800 µs', '2000 µs'],
    );
    assert.deepEqual(
      axisTicks(1.5e6, 2.7e6, 4).map((t) => t.label),
      ['1.5 ms', '2.0 ms', '2.5 ms'],
    );
    assert.deepEqual(
      axisTicks(0, 3, 10).map((t) => t.label),
      ['0', '1 ns', '2 ns', '3 ns'],
    );
  });
});

describe('flame chart: the CLI', () => {
  it('analyze TRACE --chart writes out/<name>.chart.svg', async () => {
    const dir = scratchDir('chart-cli');
    const result = await runCli(['analyze', join(SAMPLES, 'threads.pyflame.txt'), '--chart'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^pyflame: wrote out\/threads\.pyflame\.chart\.svg$/m);
    assert.match(result.stdout, /threads\.pyflame/, 'the report still goes to stdout');
    const path = join(dir, 'out/threads.pyflame.chart.svg');
    assert.ok(existsSync(path));
    const svg = readFileSync(path, 'utf8');
    assert.equal(svg, (await chartOf(join(SAMPLES, 'threads.pyflame.txt'), { title: 'threads.pyflame' })).svg);
  });

  it('--chart - writes the chart alone to stdout; --minwidth applies; with --speedscope both are written', async () => {
    const result = await runCli(['analyze', join(SAMPLES, 'recursion.pyflame.txt'), '--minwidth', '2', '--chart', '-']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^<\?xml[^]*<\/svg>\n$/);
    assert.equal(
      result.stdout,
      (await chartOf(join(SAMPLES, 'recursion.pyflame.txt'), { title: 'recursion.pyflame', minWidthPercent: 2 })).svg,
    );
    const dir = scratchDir('chart-cli');
    const both = await runCli(['analyze', join(SAMPLES, 'recursion.pyflame.txt'), '--speedscope', '--chart=c.svg'], {
      cwd: dir,
    });
    assert.equal(both.code, 0, both.stderr);
    assert.ok(existsSync(join(dir, 'c.svg')) && existsSync(join(dir, 'out/recursion.pyflame.speedscope.json')));
  });

  it('one --chart path for two traces is a usage error', async () => {
    const result = await runCli(
      ['analyze', join(SAMPLES, 'recursion.pyflame.txt'), join(SAMPLES, 'lines.pyflame.txt'), '--chart=x.svg'],
      { cwd: scratchDir('chart-cli') },
    );
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--chart x\.svg: one output path for 2 traces/);
  });
});
