import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SAMPLES } from './helpers/paths.js';
import { runCli } from './helpers/run-cli.js';

// SystemTap "top" traces: counts per function and interval, with a PID column (issue 11 §2).
const TOP = join(SAMPLES, 'ticker-top.stap.txt');

describe('counts-only traces', () => {
  it('the JSON lists the processes, and each function its pids', async () => {
    const result = await runCli(['analyze', TOP, '--json', '-']);
    assert.equal(result.code, 0, result.stderr);
    const counts = (
      JSON.parse(result.stdout) as {
        callCounts: { processes: number[]; functions: { name: string; pids: number[] }[] };
      }
    ).callCounts;
    assert.deepEqual(counts.processes, [6939]);
    assert.ok(counts.functions.every((f) => f.pids.length === 1 && f.pids[0] === 6939));
    const other = await runCli(['analyze', TOP, '--pid', '1', '--json', '-']);
    assert.equal(
      (JSON.parse(other.stdout) as { callCounts: unknown }).callCounts,
      null,
      '--pid keeps only that process',
    );
  });

  it('the report names the process', async () => {
    const result = await runCli(['analyze', TOP]);
    assert.match(result.stdout, /^ {2}processes +1 \(pid 6939\)$/m);
  });

  it('--folded writes one frame per function weighted by calls, and says so', async () => {
    const result = await runCli(['analyze', TOP, '--folded', '-']);
    assert.equal(result.code, 0);
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 9);
    assert.ok(lines.includes('<genexpr> (/work/main/sample-traces/programs/ticker.py:35) 140'));
    assert.equal(
      lines.reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0),
      421,
    );
    assert.match(
      result.stderr,
      /is a counts-only trace \(no call stacks, no times\): its folded stacks are one frame per function, weighted by its calls/,
    );
  });
});
