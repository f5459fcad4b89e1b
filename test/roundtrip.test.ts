import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { convertTrace } from '../src/convert.js';
import { loadEvents } from '../src/load-events.js';
import { eventLogCsv, memoryOutput } from './helpers/event-log.js';
import { SAMPLES } from './helpers/paths.js';
import { scratchDir } from './helpers/scratch.js';

const samples = readdirSync(SAMPLES)
  .filter((name) => name.endsWith('.txt'))
  .sort();
const scratch = scratchDir('roundtrip');

describe('every sample trace round-trips through the CSV event log exactly', () => {
  it('there are sample traces', () => assert.ok(samples.length >= 6, `found ${samples.join(', ')}`));
  for (const sample of samples) {
    it(sample, async () => {
      const first = await eventLogCsv(join(SAMPLES, sample));
      assert.ok(first.summary.events > 0);
      const csvPath = join(scratch, `${sample}.csv`);
      writeFileSync(csvPath, first.csv);
      const second = await eventLogCsv(csvPath);
      assert.equal(second.summary.format, 'csv');
      assert.equal(second.summary.events, first.summary.events);
      assert.equal(second.csv, first.csv, 'CSV -> events -> CSV is the identity');
      assert.deepEqual(second.summary.warnings, [], 'a written log reads back without damage');
    });
  }
});

describe('JSONL event log', () => {
  it('holds the same events as the CSV log, with exact epoch timestamps as strings', async () => {
    const sample = join(SAMPLES, '..', 'test/fixtures/formats/pyflame/all-probes.txt');
    const output = memoryOutput();
    await convertTrace(sample, output, { to: 'jsonl' });
    const rows = output
      .text()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const csv = (await eventLogCsv(sample)).csv.trim().split('\n').slice(1);
    assert.equal(rows.length, csv.length);
    assert.equal(rows[0].ts_ns, '1732700000123456789');
    assert.deepEqual(rows[1], {
      ts_ns: '1732700000123456900',
      pid: 4242,
      tid: 4242,
      event: 'entry',
      file: '<frozen importlib._bootstrap>',
      function: '_find_and_load',
      line: 1165,
      source_line: 3,
    });
    rows.forEach((row, i) => assert.equal(row.ts_ns, csv[i].split(',')[0]));
  });
});

describe('loadEvents', () => {
  it('gives the objects of the JSONL log', async () => {
    const sample = join(SAMPLES, 'lines.pyflame.txt');
    const output = memoryOutput();
    await convertTrace(sample, output, { to: 'jsonl' });
    const jsonl = output
      .text()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown);
    const { events } = await loadEvents(sample);
    assert.deepEqual(events, jsonl);
  });
});

describe('CSV fields that hold line breaks', () => {
  it('a name with a blank line or a CR LF inside survives the round trip', async () => {
    const weird = join(scratch, 'weird.csv');
    writeFileSync(
      weird,
      'ts_ns,pid,tid,event,file,function,line,value,name,source_line\n5,1,1,audit,,,,,"a\n\nb",1\n6,1,1,audit,,,,,"c\r\nd",2\n',
    );
    const first = await eventLogCsv(weird);
    assert.deepEqual(first.summary.warnings, []);
    assert.equal(first.csv.split('\n').slice(1).join('\n'), '5,1,1,audit,,,,,"a\n\nb",1\n6,1,1,audit,,,,,"c\r\nd",2\n');
  });

  it('an unclosed quote at the end is one truncated record, at its first line', async () => {
    const cut = join(scratch, 'cut.csv');
    writeFileSync(
      cut,
      'ts_ns,pid,tid,event,file,function,line,value,name,source_line\n5,1,1,audit,,,,,ok,1\n6,1,1,audit,,,,,"never\nclosed',
    );
    const { summary } = await eventLogCsv(cut);
    assert.equal(summary.events, 1);
    assert.deepEqual(
      summary.warnings.map((w) => [w.code, w.count, w.lines]),
      [['truncated-line', 1, [3]]],
    );
  });

  it('a malformed record is counted once', async () => {
    const bad = join(scratch, 'bad.csv');
    writeFileSync(
      bad,
      'ts_ns,pid,tid,event,file,function,line,value,name,source_line\n5,1,1,audit,,,,,"a"b,1\n6,1,1,audit,,,,,ok,2\n',
    );
    const { summary } = await eventLogCsv(bad);
    assert.equal(summary.events, 1);
    assert.deepEqual(
      summary.warnings.map((w) => [w.code, w.count]),
      [['junk-line', 1]],
    );
  });

  it('a header without the needed columns is an error naming them', async () => {
    const bad = join(scratch, 'header.csv');
    writeFileSync(bad, 'ts_ns,pid,tid,event_kind\n5,1,1,audit\n');
    await assert.rejects(eventLogCsv(bad), /header\.csv:1: the CSV header has no "event" column/);
  });
});

describe('CSV damage and line ends', () => {
  it('a log with CR LF line ends reads back whole', async () => {
    const first = await eventLogCsv(join(SAMPLES, 'recursion.pyflame.txt'));
    const crlf = join(scratch, 'crlf.csv');
    writeFileSync(crlf, first.csv.replace(/\n/g, '\r\n'));
    const second = await eventLogCsv(crlf);
    assert.deepEqual(second.summary.warnings, []);
    assert.equal(second.csv, first.csv);
  });

  it('a stray quote costs one line, not the rest of the file', async () => {
    const rows = ['ts_ns,pid,tid,event,file,function,line,value,name,source_line', '1,1,1,audit,,,,,a"b,2'];
    for (let i = 0; i < 1500; i++) rows.push(`${i + 2},1,1,audit,,,,,ok,${i + 3}`);
    const stray = join(scratch, 'stray.csv');
    writeFileSync(stray, `${rows.join('\n')}\n`);
    const { summary } = await eventLogCsv(stray);
    assert.equal(summary.events, 1500);
    assert.deepEqual(
      summary.warnings.map((w) => [w.code, w.count, w.lines]),
      [['junk-line', 1, [2]]],
    );
  });
});
