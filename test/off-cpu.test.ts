import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import AjvModule from 'ajv';
import { analyzeTrace } from '../src/analyze/analyze.js';
import { analysisToJson } from '../src/export/analysis-json.js';
import { renderReport } from '../src/export/terminal/report.js';
import { htmlReport } from '../src/export/html/report.js';
import { chooseProbeSet, switchProbes } from '../src/record/probe-set.js';
import { readStapsdtNotesFromFile, type StapsdtNote } from '../src/record/elf-notes.js';
import { FIXTURES, ROOT } from './helpers/paths.js';
import { markerRecordingSkipReason, MARKED_PYTHON } from './helpers/record-skip.js';
import { runCli } from './helpers/run-cli.js';
import { scratchDir } from './helpers/scratch.js';

// Self time split into on and off the CPU, from the scheduler's switches the recorder writes
// (issue 11 §3): a function blocked in time.sleep or a lock is not "hot".

const dir = scratchDir('cpu-split');
let n = 0;
async function analyzeLines(lines: readonly string[]) {
  const path = join(dir, `t${n++}.txt`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return analyzeTrace(path, { parseThread: false });
}
const call = (ts: number, tid: number, probe: 'entry' | 'return', func: string, line: number) =>
  `${ts}\t100\t${tid}\tfunction__${probe}\t/w/app.py\t${func}\t${line}`;
const out = (ts: number, tid: number, state: number) => `${ts}\t100\t${tid}\tsched-out\t${state}`;
const back = (ts: number, tid: number) => `${ts}\t100\t${tid}\tsched-in`;
const byName = <T extends { readonly name: string }>(functions: readonly T[]) =>
  new Map(functions.map((f) => [f.name, f]));

const Ajv = AjvModule.default;
const validate = new Ajv({ allErrors: true }).compile(
  JSON.parse(readFileSync(join(ROOT, 'schema/analysis-v2.schema.json'), 'utf8')) as object,
);
const FIXTURE = join(FIXTURES, 'scheduling/sleep-spin.pyflame.txt');

describe('on and off the CPU', () => {
  it('time between a sched-out and the next sched-in is off-CPU self time of the call on top', async () => {
    const analysis = await analyzeLines([
      call(0, 1, 'entry', 'main', 1),
      call(10, 1, 'entry', 'sleeper', 5),
      out(20, 1, 1), // blocked (TASK_INTERRUPTIBLE)
      back(120, 1),
      call(130, 1, 'return', 'sleeper', 6),
      call(130, 1, 'entry', 'spin', 9),
      out(140, 1, 256), // preempted (TASK_REPORT_MAX): runnable, waiting for a CPU
      back(150, 1),
      call(200, 1, 'return', 'spin', 10),
      call(210, 1, 'return', 'main', 2),
    ]);
    const f = byName(analysis.functions);
    assert.deepEqual(
      [f.get('sleeper')!.selfNs, f.get('sleeper')!.offCpuNs, f.get('sleeper')!.runQueueNs],
      [120, 100, 0],
    );
    assert.deepEqual([f.get('spin')!.selfNs, f.get('spin')!.offCpuNs, f.get('spin')!.runQueueNs], [70, 10, 10]);
    assert.equal(f.get('main')!.offCpuNs, 0);
    assert.deepEqual(analysis.scheduling, { switches: 2, offCpuNs: 110, offCpuInCallsNs: 110, runQueueNs: 10 });
    assert.deepEqual([analysis.threads[0].offCpuNs, analysis.threads[0].runQueueNs], [110, 10]);
    const json = analysisToJson(analysis) as { functions: Record<string, unknown>[]; trace: Record<string, unknown> };
    assert.ok(validate(json), JSON.stringify(validate.errors));
    const sleeper = json.functions.find((row) => row.name === 'sleeper')!;
    assert.deepEqual([sleeper.selfOnCpuNs, sleeper.selfOffCpuNs, sleeper.selfRunQueueNs], [20, 100, 0]);
    assert.deepEqual(json.trace.scheduling, analysis.scheduling);
  });

  it('switches before a thread ran Python, a sched-in with no sched-out and root-level time are not given to calls', async () => {
    const analysis = await analyzeLines([
      out(0, 1, 0), // bpftrace -c's child, before it runs Python: no thread yet
      back(5, 1),
      call(10, 1, 'entry', 'main', 1),
      back(15, 1), // in without an out seen: how long it was off is unknown
      call(20, 1, 'return', 'main', 2),
      out(30, 1, 1), // at the root: off the CPU outside any call
      back(60, 1),
      call(70, 1, 'entry', 'main', 1),
      call(80, 1, 'return', 'main', 2),
    ]);
    const main = byName(analysis.functions).get('main')!;
    assert.equal(main.offCpuNs, 0);
    assert.deepEqual(analysis.scheduling, { switches: 1, offCpuNs: 30, offCpuInCallsNs: 0, runQueueNs: 0 });
  });

  it('a call running when the trace began takes the off-CPU time it held at the root', async () => {
    const analysis = await analyzeLines([
      call(0, 1, 'entry', 'tick', 3),
      call(5, 1, 'return', 'tick', 4),
      out(10, 1, 1),
      back(50, 1),
      call(60, 1, 'return', 'serve', 20),
    ]);
    const serve = byName(analysis.functions).get('serve')!;
    assert.equal(serve.partial, 1);
    assert.equal(serve.offCpuNs, 40);
    assert.equal(analysis.scheduling!.offCpuInCallsNs, 40);
  });

  it('a trace without switches keeps its report and JSON as they were: wall-clock times, no off-CPU fields', async () => {
    const analysis = await analyzeLines([call(0, 1, 'entry', 'main', 1), call(10, 1, 'return', 'main', 2)]);
    assert.equal(analysis.scheduling, undefined);
    const text = JSON.stringify(analysisToJson(analysis));
    assert.doesNotMatch(text, /OffCpu|offCpu|scheduling/);
    assert.doesNotMatch(
      renderReport(analysis, { filters: [], top: 5, sort: 'self', color: false, width: 100, lines: false }),
      /off.CPU/i,
    );
    assert.doesNotMatch(htmlReport(analysis, { title: 'plain', filters: [], version: 'test' }), /off.CPU/i);
  });

  it('a real recording: the sleeping and lock-waiting functions are off the CPU, the report and JSON say so', async () => {
    const analysis = await analyzeTrace(FIXTURE);
    const f = byName(analysis.functions);
    // sleep_spin.py: time.sleep(0.1) in sleeper, a lock held 50 ms by main in waiter.
    const sleeper = f.get('sleeper')!;
    assert.ok(
      sleeper.offCpuNs >= 0.95 * sleeper.selfNs && sleeper.offCpuNs >= 95e6,
      `sleeper ${sleeper.offCpuNs} of ${sleeper.selfNs}`,
    );
    const waiter = f.get('waiter')!;
    assert.ok(
      waiter.offCpuNs >= 0.9 * waiter.selfNs && waiter.offCpuNs >= 45e6,
      `waiter ${waiter.offCpuNs} of ${waiter.selfNs}`,
    );
    const spin = f.get('spin')!;
    assert.ok(
      spin.offCpuNs - spin.runQueueNs < 0.1 * spin.selfNs,
      'spinning never blocks: what it lost was waiting for a CPU',
    );
    const json = analysisToJson(analysis);
    assert.ok(validate(json), JSON.stringify(validate.errors));
    const report = renderReport(analysis, {
      filters: [],
      top: 5,
      sort: 'self',
      color: false,
      width: 120,
      lines: false,
    });
    assert.match(report, /off CPU +\S+ ms of the time in Python/);
    assert.match(report, /self +self % +off-CPU +total/);
    const html = htmlReport(analysis, { title: 'sleep-spin', filters: [], version: 'test' });
    assert.match(html, /<dt>off CPU<\/dt><dd>\S+ ms of the time in Python/);
    assert.match(
      html,
      /<th data-col="3" data-kind="ns"[^>]*>self<\/th><th data-col="4" data-kind="ns"[^>]*>off-CPU<\/th>/,
    );
    const rows = (
      JSON.parse(/<script type="application\/json" id="fn-data">(.*?)<\/script>/.exec(html)![1]) as {
        rows: unknown[][];
      }
    ).rows;
    const row = rows.find((cells) => cells[0] === 'sleeper')!;
    assert.deepEqual(row.slice(3, 5), [sleeper.selfNs, sleeper.offCpuNs]);
  });

  it('pyflame record asks the kernel for the switches of its target only, and clears its map so only counts are dumped', () => {
    const program = switchProbes(4242);
    assert.match(program, /tracepoint:sched:sched_switch \/pid == 4242\//);
    assert.match(program, /printf\("%llu\\t%d\\t%d\\tsched-in\\n", nsecs, 4242, args->next_pid\)/);
    assert.match(program, /END\n\{\n\tclear\(@pyflame_switched\);\n\}/);
    const note = (name: string): StapsdtNote => ({
      provider: 'python',
      name,
      args: '',
      pc: 1n,
      base: 1n,
      semaphore: 1n,
    });
    const notes = ['function__entry', 'function__return'].map(note);
    assert.ok(
      chooseProbeSet(notes, { major: 3, minor: 10 }, false, undefined, 'cpid').program.includes(switchProbes('cpid')),
    );
    // Nothing to split without calls (3.12-3.14): no switches recorded.
    assert.ok(
      !chooseProbeSet([note('gc__start')], { major: 3, minor: 13 }, false, undefined, 'cpid').program.includes(
        'sched_switch',
      ),
    );
  });

  const skip = markerRecordingSkipReason();
  it('records the switches for real: a sleeping function is off the CPU', { skip }, async () => {
    const scratch = scratchDir('cpu-split-record');
    writeFileSync(join(scratch, 'nap.py'), 'import time\n\ndef nap():\n    time.sleep(0.1)\n\nnap()\n');
    assert.ok(readStapsdtNotesFromFile(MARKED_PYTHON).length > 0);
    const result = await runCli(['record', '-o', 'nap.txt', '--', MARKED_PYTHON, '-S', 'nap.py'], { cwd: scratch });
    assert.equal(result.code, 0, result.stderr);
    assert.match(readFileSync(join(scratch, 'nap.txt'), 'utf8'), /# pyflame-end result=complete /);
    const nap = byName((await analyzeTrace(join(scratch, 'nap.txt'))).functions).get('nap')!;
    assert.ok(nap.offCpuNs >= 0.9 * nap.selfNs && nap.offCpuNs >= 90e6, `nap ${nap.offCpuNs} of ${nap.selfNs}`);
  });
});
