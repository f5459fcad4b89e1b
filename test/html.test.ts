import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import './helpers/fast-check-setup.js';
import { analyzeTrace } from '../src/analyze/analyze.js';
import { durationHistogram } from '../src/analyze/gc-histogram.js';
import type { ImportRecord } from '../src/analyze/thread-state.js';
import { formatDuration } from '../src/text/units.js';
import { htmlText, scriptJson, visibleText } from '../src/text/untrusted.js';
import { timelineSvg, TIMELINE_BARS } from '../src/export/html/gc.js';
import { importForest, type ImportNode } from '../src/export/html/imports.js';
import { htmlReport } from '../src/export/html/report.js';
import { flameGraphSvg } from '../src/export/svg/render.js';
import { importTimeText } from '../src/export/importtime.js';
import { assertGolden } from './helpers/golden.js';
import { HOSTILE, writeHostileTrace } from './helpers/hostile-trace.js';
import { SAMPLES } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir } from './helpers/scratch.js';

const sample = (name: string) => join(SAMPLES, name);
const scratch = scratchDir('html');
/** A fixed version, so goldens do not change with package.json. */
const VERSION = '0.0.0-test';

/** Every <script> element's text. */
function scripts(page: string): string[] {
  return [...page.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/gi)].map((m) => m[1]);
}

describe('HTML report', () => {
  it('escapes for HTML, JSON in <script>, and makes controls visible', () => {
    assert.equal(htmlText(`<a href="x">&'</a>`), '&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;');
    assert.equal(visibleText('a\x00b\x1b\u202e\u2028\ud800c\u{1F600}'), 'a\\x00b\\x1b\\u202e\\u2028\\ud800c\u{1F600}');
    const json = scriptJson({ s: '</script><!--&\u2028\u2029' });
    assert.doesNotMatch(json, /[<>&\u2028\u2029]/);
    assert.deepEqual(JSON.parse(json), { s: '</script><!--&\u2028\u2029' });
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const out = scriptJson([text]);
        assert.doesNotMatch(out, /[<>&\u2028\u2029]/);
        assert.deepEqual(JSON.parse(out), [text]);
        assert.doesNotMatch(htmlText(text), /[<>"'\x00-\x1f\u2028\u2029]|&(?!(amp|lt|gt|quot|#39);)/);
      }),
    );
  });

  for (const name of ['lines.pyflame.txt', 'docs-call-stack.dtrace.txt', 'ticker-top.stap.txt']) {
    it(`golden: ${name}, byte-deterministic, the --svg graph inlined`, async () => {
      // The path as the repository names it, not where this checkout is.
      const analyze = async () => ({
        ...(await analyzeTrace(sample(name))),
        source: { path: `sample-traces/${name}`, format: (await analyzeTrace(sample(name))).source.format },
      });
      const analysis = await analyze();
      const title = name.replace(/\.txt$/, '');
      const page = htmlReport(analysis, { version: VERSION, title });
      assert.equal(htmlReport(await analyze(), { version: VERSION, title }), page, 'same bytes twice');
      // The flame graph is the SVG export's own document (its golden lives in test/golden/svg),
      // so it is checked here by equality and left out of this golden.
      const flame = /<div id="flame">([\s\S]*?)<\/div>\n<\/section>/.exec(page);
      if (analysis.functions.length > 0) {
        assert.ok(flame !== null, 'a flame graph');
        assert.equal(
          flame[1],
          flameGraphSvg(analysis, { title })
            .replace(/^<\?xml[^>]*\?>\n/, '')
            .trimEnd(),
        );
      }
      assertGolden(
        `html/${name.replace(/\.txt$/, '')}.html`,
        flame === null ? page : page.replace(flame[1], '[flameGraphSvg]'),
      );
    });
  }

  it('refers to nothing outside the page, under a CSP that forbids it', async () => {
    const page = htmlReport(await analyzeTrace(sample('imports-gc.pyflame.txt')), {
      version: VERSION,
      filters: ['tid 1'],
    });
    // The only URL is the SVG namespace, a name and never fetched.
    assert.deepEqual([...new Set(page.match(/[a-z][a-z0-9+.-]*:\/\/[^\s"'<>)]*/gi))], ['http://www.w3.org/2000/svg']);
    const markup = page.replace(/(<script\b[^>]*>)[\s\S]*?<\/script>/gi, '$1</script>');
    assert.doesNotMatch(
      markup,
      /<[^>]*\s(src|href|srcset|action|poster|data|xlink:href)\s*=|@import|url\(/i,
      'no attribute that loads anything',
    );
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page);
    assert.ok(csp !== null);
    assert.ok(page.indexOf(csp[0]) < page.indexOf('<style>'), 'the policy precedes every style and script');
    assert.match(csp[1], /^default-src 'none'; /);
    assert.doesNotMatch(csp[1], /https?:|\*|'self'/);
    assert.match(page, /<dt>filters<\/dt><dd>tid 1<\/dd>/);
  });

  it('the GC histogram has the analysis’ buckets, the timeline every pause', async () => {
    const analysis = await analyzeTrace(sample('imports-gc.pyflame.txt'));
    const page = htmlReport(analysis, { version: VERSION });
    const histogram = /<svg class="chart" id="gc-histogram"[\s\S]*?<\/svg>/.exec(page)![0];
    const counts = [...histogram.matchAll(/<rect class="bar"[^>]*data-count="(\d+)"/g)].map((m) => Number(m[1]));
    assert.deepEqual(
      counts,
      durationHistogram(analysis.gc.pauses.map((p) => p.durationNs)).map((b) => b.count),
    );
    // sample-traces/README.md: 55 collections in imports-gc.
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      55,
    );
    const timeline = /<svg class="chart" id="gc-timeline"[\s\S]*?<\/svg>/.exec(page)![0];
    const pauses = [...timeline.matchAll(/<rect class="pause gen(\d)"/g)].map((m) => Number(m[1]));
    assert.equal(pauses.length, 55);
    assert.deepEqual([...new Set(pauses)].sort(), [0, 1, 2]);
  });

  it('a timeline of many pauses bins them by column and generation, every pause counted', () => {
    const pauses = Array.from({ length: TIMELINE_BARS * 3 }, (_, i) => ({
      generation: i % 3,
      startNs: i * 1000,
      durationNs: ((i * 7919) % 100_000) + 1,
      collected: 1,
      pid: 1,
      tid: 1,
      node: 0,
    }));
    const gc = { pauses, byGeneration: [], totalPauseNs: 0, wallShare: 0, attribution: [] };
    const svg = timelineSvg(gc, pauses.length * 1000);
    const bars = [
      ...svg.matchAll(
        /<rect class="pause gen(\d)"[^>]*data-tip="([\d,]+) generation-(\d) pauses? from [^"]*longest ([^,]+),/g,
      ),
    ];
    assert.ok(bars.length <= 3 * 144 && bars.length > 100, `${bars.length} bars`);
    assert.ok(
      bars.every((m) => m[1] === m[3]),
      'colour is the generation',
    );
    for (const generation of [0, 1, 2]) {
      const counted = bars
        .filter((m) => m[1] === String(generation))
        .reduce((sum, m) => sum + Number(m[2].replace(/,/g, '')), 0);
      assert.equal(counted, pauses.filter((p) => p.generation === generation).length);
    }
    const longest = Math.max(...pauses.map((p) => p.durationNs));
    assert.ok(bars.some((m) => m[4] === formatDuration(longest)));
    // At the limit, one bar per pause.
    assert.equal(
      timelineSvg({ ...gc, pauses: pauses.slice(0, TIMELINE_BARS) }, pauses.length * 1000).match(/<rect class="pause/g)
        ?.length,
      TIMELINE_BARS,
    );
  });

  it('sections without data say so', async () => {
    const page = htmlReport(await analyzeTrace(sample('docs-call-stack.dtrace.txt')), { version: VERSION });
    assert.match(page, /no GC events in this trace/);
    assert.match(page, /no import events in this trace/);
    assert.match(page, /no warnings/);
  });

  it('hostile names stay text in every context', async () => {
    const analysis = await analyzeTrace(writeHostileTrace(scratch));
    const page = htmlReport(analysis, { version: VERSION, title: HOSTILE.fn, filters: [`focus /${HOSTILE.fn}/`] });
    // Three scripts: the flame graph's, the table's JSON and the page's; none from a name.
    const bodies = scripts(page);
    assert.equal(bodies.length, 3);
    assert.doesNotMatch(page, /alert\(\d\)<\/script>|<img|<\/svg><script/i);
    const json = bodies.find((body) => body.startsWith('{"large"'))!;
    assert.doesNotMatch(json, /[<>&\u2028\u2029]/);
    const rows = (JSON.parse(json) as { rows: string[][] }).rows;
    assert.deepEqual(rows.map((row) => row[0]).sort(), [HOSTILE.fn, visibleText(HOSTILE.other)].sort());
    assert.ok(rows.every((row) => row[1].startsWith(visibleText(HOSTILE.file))));
    assert.doesNotMatch(page, /[\x00-\x08\x0b\x0c\x0e-\x1f\u202a-\u202e]/, 'no raw control or bidi character');
    // The flame graph (the SVG export's escaping) may keep U+2028 in attribute text, where it is
    // only a character; the page's own text shows it as an escape.
    assert.doesNotMatch(page.replace(/<div id="flame">[\s\S]*?<\/div>\n<\/section>/, ''), /[\u2028\u2029]/);
    assert.ok(page.includes(htmlText(HOSTILE.module)), 'the import, escaped');
    assert.ok(page.includes('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;'), 'title and filters escaped');
  });

  it('import tree: each import under the latest open one a level up; slowest first', () => {
    const records = fc.array(
      fc.record({ depth: fc.nat(4), durationNs: fc.nat(1000), tid: fc.integer({ min: 1, max: 2 }) }),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(records, (raw) => {
        // Depths as a trace can nest them: at most one deeper than the previous import on a thread.
        const last = new Map<number, number>();
        const imports: ImportRecord[] = raw.map((r, i) => {
          const depth = Math.min(r.depth, (last.get(r.tid) ?? -1) + 1);
          last.set(r.tid, depth);
          return {
            module: `m${i}`,
            startNs: i,
            durationNs: r.durationNs,
            selfNs: 0,
            found: true,
            depth,
            pid: 1,
            tid: r.tid,
            done: i,
          };
        });
        const parents = new Map<string, string | undefined>();
        const walk: { node: ImportNode; parent?: ImportNode }[] = importForest(imports).map((node) => ({ node }));
        const check = (list: readonly ImportNode[]) =>
          list.every((n, i) => i === 0 || list[i - 1].record.durationNs >= n.record.durationNs);
        assert.ok(check(importForest(imports)));
        for (let item = walk.pop(); item !== undefined; item = walk.pop()) {
          parents.set(item.node.record.module, item.parent?.record.module);
          assert.ok(check(item.node.children));
          for (const child of item.node.children) walk.push({ node: child, parent: item.node });
        }
        assert.equal(parents.size, imports.length, 'every import once');
        imports.forEach((record, i) => {
          const before = imports.slice(0, i).filter((r) => r.tid === record.tid);
          const expected =
            record.depth === 0 ? undefined : before.reverse().find((r) => r.depth === record.depth - 1)?.module;
          assert.equal(parents.get(record.module), expected, record.module);
        });
      }),
    );
  });

  it('import tree of a real trace matches python -X importtime nesting', async () => {
    const analysis = await analyzeTrace(sample('imports-gc.pyflame.txt'));
    const page = htmlReport(analysis, { version: VERSION });
    // importtime lists children before their parent; in the page, they sit inside its <details>.
    const tree = /<div class="tree" id="import-tree">([\s\S]*?)<\/div><\/section>/.exec(page)![1];
    const modules = [...tree.matchAll(/<span class="m">([^<]*)<\/span>/g)].map((m) => m[1]);
    assert.equal(modules.length - 1, analysis.imports.length, 'every import (and the header)');
    const lines = importTimeText(analysis).trimEnd().split('\n').slice(1);
    assert.equal(lines.length, analysis.imports.length);
    // importtime prints children before their parent: a line is a parent when the line before is deeper.
    const depths = lines.map((line) => /\| ( *)\S/.exec(line.slice(line.lastIndexOf('|')))![1].length / 2);
    const parents = depths.filter((depth, i) => i > 0 && depths[i - 1] > depth).length;
    assert.equal((tree.match(/<details>/g) ?? []).length, parents);
    assert.equal((tree.match(/<div class="leaf">/g) ?? []).length, analysis.imports.length - parents);
  });
});

describe('pyflame analyze --html (the real binary)', { concurrency: true }, () => {
  it('--html writes out/<name>.html under the working directory and says so', async () => {
    const dir = scratchDir('html-cli');
    const result = await runCli(['analyze', sample('lines.pyflame.txt'), '--html'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, 'pyflame: wrote out/lines.pyflame.html\n');
    assert.match(result.stdout, /^pyflame analyze\n/, 'the report is still printed');
    const page = readFileSync(join(dir, 'out/lines.pyflame.html'), 'utf8');
    assert.match(page, /^<!DOCTYPE html>\n/);
    assert.match(page, /<h1>lines\.pyflame<\/h1>/);
    assert.deepEqual(readdirSync(join(dir, 'out')), ['lines.pyflame.html'], 'no temporary file left');
  });

  it('--html - writes only the page on stdout; --html PATH writes there', async () => {
    const dir = scratchDir('html-cli');
    const [toStdout, toPath] = await Promise.all([
      runCli(['analyze', sample('lost-events.bpftrace.txt'), '--focus', 'main', '--html', '-'], { cwd: dir }),
      runCli(['analyze', sample('lost-events.bpftrace.txt'), '--focus', 'main', '--html', 'a/r.html'], { cwd: dir }),
    ]);
    assert.equal(toStdout.code, 0, toStdout.stderr);
    assert.match(toStdout.stdout, /^<!DOCTYPE html>\n[\s\S]*<\/html>\n$/);
    assert.doesNotMatch(toStdout.stdout, /pyflame analyze\n/);
    // The report's warnings go to stderr instead; the page shows them too.
    assert.match(toStdout.stderr, /^pyflame: warning: .*lost-events\.bpftrace\.txt: /);
    assert.match(toStdout.stdout, /<section id="warnings" class="alert">/);
    assert.match(toStdout.stdout, /<dt>filters<\/dt><dd>focus \/main\/<\/dd>/);
    assert.match(toStdout.stdout, /<dt>dropped events<\/dt><dd><span class="bad">277 lost/);
    assert.equal(existsSync(join(dir, 'out')), false, 'nothing written under out/');
    assert.equal(toPath.code, 0, toPath.stderr);
    assert.equal(readFileSync(join(dir, 'a/r.html'), 'utf8'), toStdout.stdout);
  });

  it('--html with several traces and one path is a usage error', async () => {
    const result = await runCli([
      'analyze',
      sample('lines.pyflame.txt'),
      sample('ticker.pyflame.txt'),
      '--html',
      'x.html',
    ]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--html x\.html: one output path for 2 traces/);
  });
});
