import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyzeTrace } from '../src/analyze/analyze.js';
import { htmlReport } from '../src/export/html/report.js';
import { HOSTILE, writeHostileTrace } from './helpers/hostile-trace.js';
import { SAMPLES } from './helpers/paths.js';
import { scratchDir } from './helpers/scratch.js';

// The HTML page shows everything the terminal report shows (issue 11 §3): threads, audit events
// and the stacks GC collections started under.

const page = async (path: string) => htmlReport(await analyzeTrace(path), { version: 'test' });
const section = (text: string, id: string) => {
  const start = text.indexOf(`<section id="${id}">`);
  return start < 0 ? undefined : text.slice(start, text.indexOf('</section>', start));
};
const rows = (text: string) => text.match(/<tr><td/g)?.length ?? 0;

describe('HTML report sections', () => {
  it('a threads table, busiest first, for a trace of several threads; none for one thread', async () => {
    const threads = section(await page(join(SAMPLES, 'threads.pyflame.txt')), 'threads');
    assert.ok(threads !== undefined);
    assert.match(threads, /<h2>Threads \(5\)<\/h2>/);
    assert.equal(rows(threads), 5);
    const tids = [...threads.matchAll(/<tr><td class="r">6836<\/td><td class="r">(\d+)<\/td>/g)].map((m) => m[1]);
    assert.deepEqual(tids, ['6836', '6837', '6840', '6838', '6839'], 'ordered as the terminal report orders them');
    assert.equal(section(await page(join(SAMPLES, 'recursion.pyflame.txt')), 'threads'), undefined);
  });

  it('audit events, every kind', async () => {
    const analysis = await analyzeTrace(join(SAMPLES, 'imports-gc.pyflame.txt'));
    const audit = section(htmlReport(analysis, { version: 'test' }), 'audit');
    assert.ok(audit !== undefined && analysis.audit.length > 0);
    assert.equal(rows(audit), analysis.audit.length);
    for (const event of analysis.audit) assert.ok(audit.includes(`<td class="l">${event.event}</td>`), event.event);
  });

  it('where GC collections started', async () => {
    const analysis = await analyzeTrace(join(SAMPLES, 'imports-gc.pyflame.txt'));
    const gc = section(htmlReport(analysis, { version: 'test' }), 'gc');
    assert.ok(gc !== undefined && analysis.gc.attribution.length > 0);
    assert.match(gc, /<h3>Where collections started<\/h3>/);
    assert.match(
      gc,
      /<tr><td class="r">[^<]+<\/td><td class="r">32×<\/td><td class="l">&lt;module&gt; &gt; main &gt; make_cycles<\/td><\/tr>/,
    );
  });

  it('hostile names stay text in the new sections', async () => {
    const text = await page(writeHostileTrace(scratchDir('html-sections')));
    const audit = section(text, 'audit')!;
    assert.ok(!audit.includes(HOSTILE.audit));
    assert.ok(audit.includes('&lt;/svg&gt;&lt;script&gt;alert(4)&lt;/script&gt;'));
    assert.doesNotMatch(text.replace(/<script>\n[\s\S]*?\n<\/script>/g, ''), /<script>alert/);
  });
});

describe('HTML hottest lines', () => {
  it('a trace with line events lists its hottest lines; one without has no such section', async () => {
    const analysis = await analyzeTrace(join(SAMPLES, 'lines.pyflame.txt'));
    const lines = section(htmlReport(analysis, { version: 'test' }), 'lines');
    assert.ok(lines !== undefined && analysis.lines.length > 0);
    assert.equal(rows(lines), Math.min(100, analysis.lines.length));
    assert.ok(lines.includes(`${analysis.lines[0].file}:${analysis.lines[0].line}`));
    assert.equal(section(await page(join(SAMPLES, 'threads.pyflame.txt')), 'lines'), undefined);
  });
});
