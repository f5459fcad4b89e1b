import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyzeTrace } from '../src/analyze/analyze.js';
import { analysisToJson } from '../src/export/analysis-json.js';
import { flameChartSvg } from '../src/export/chart/render-chart.js';
import { htmlReport } from '../src/export/html/report.js';
import { writeSpeedscope } from '../src/export/speedscope/speedscope.js';
import { TimelineRecorder } from '../src/export/speedscope/timeline-recorder.js';
import { renderReport } from '../src/export/terminal/report.js';
import { spoolText } from './helpers/spool-text.js';
import { ROOT } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir } from './helpers/scratch.js';

// Thread names (issue 12 §1): the in-process recorder writes each thread's name, and the
// reports, the chart and speedscope show it beside the ids. A name is untrusted text.

const dir = scratchDir('thread-names');
const HOSTILE = '<b>w</b>\x07';
const TRACE = [
  '1000\t7\t7\tthread-name\tMainThread',
  '1001\t7\t7\tfunction__entry\t/w/app.py\tmain\t1',
  `1002\t7\t8\tthread-name\t${HOSTILE}`,
  '1003\t7\t8\tfunction__entry\t/w/app.py\twork\t5',
  '1050\t7\t8\tfunction__return\t/w/app.py\twork\t6',
  '1100\t7\t7\tfunction__return\t/w/app.py\tmain\t2',
].join('\n');

describe('thread names', () => {
  const path = join(dir, 'named.txt');
  writeFileSync(path, `${TRACE}\n`);

  it('are read, and neither count as events of the thread nor move its start', async () => {
    const timeline = new TimelineRecorder();
    const analysis = await analyzeTrace(path, { timeline, parseThread: false });
    assert.deepEqual(
      analysis.threads.map((t) => [t.tid, t.name, t.events, t.startNs]),
      [
        [7, 'MainThread', 2, 1],
        [8, HOSTILE, 2, 3],
      ],
    );
    const json = analysisToJson(analysis) as { threads: { name?: string }[] };
    assert.deepEqual(
      json.threads.map((t) => t.name),
      ['MainThread', HOSTILE],
    );

    const report = renderReport(analysis, {
      filters: [],
      top: 5,
      sort: 'self',
      color: false,
      width: 100,
      lines: false,
    });
    assert.match(report, /share +name\n/);
    assert.match(report, /MainThread\n/);
    assert.ok(report.includes('<b>w</b>\\x07'), 'the name, its escape visible');

    const html = htmlReport(analysis, { title: 'named', filters: [], version: 'test' });
    assert.ok(html.includes('&lt;b&gt;w&lt;/b&gt;\\x07 (pid 7 tid 8)'));
    assert.ok(!html.includes(HOSTILE));

    const chart = flameChartSvg(analysis, timeline, {});
    assert.ok(chart.includes('MainThread (pid 7 tid 7)'));
    assert.ok(!chart.includes('<b>w'));

    const parts: string[] = [];
    await writeSpeedscope(analysis, timeline, (chunk) => void parts.push(chunk.toString()), 'test');
    const speedscope = JSON.parse(parts.join('')) as { profiles: { name: string }[] };
    assert.deepEqual(
      speedscope.profiles.map((p) => p.name),
      ['MainThread (pid 7 tid 7)', `${HOSTILE} (pid 7 tid 8)`, 'all threads (self time)'],
    );
  });

  it('survive the CSV event log and back', async () => {
    const csv = join(dir, 'named.csv');
    const result = await runCli(['convert', path, '--to', 'csv', '-o', csv]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(readFileSync(csv, 'utf8'), /,thread-name,.*MainThread/);
    const analysis = await analyzeTrace(csv, { parseThread: false });
    assert.deepEqual(
      analysis.threads.map((t) => t.name),
      ['MainThread', HOSTILE],
    );
  });

  const python = ['/usr/bin/python3.11', '/usr/bin/python3'].find((candidate) => existsSync(candidate));
  it('the in-process recorder writes them for real', {
    skip: python === undefined ? 'no /usr/bin/python3' : false,
  }, () => {
    const program = join(dir, 'two.py');
    writeFileSync(
      program,
      'import threading\nt = threading.Thread(target=print, args=("hi",), name="fetcher")\nt.start()\nt.join()\n',
    );
    const trace = join(dir, 'two.txt');
    const run = spawnSync(python!, [join(ROOT, 'recorder/pyflame_recorder.py'), '-o', trace, '--', program], {
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    const names = spoolText(trace)
      .split('\n')
      .filter((line) => line.split('\t')[3] === 'thread-name')
      .map((line) => line.split('\t')[4]);
    assert.ok(names.includes('MainThread') && names.includes('fetcher'), names.join(', '));
  });
});
