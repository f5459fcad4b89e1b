import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from './paths.js';
import { scratchDir } from './scratch.js';
import { spoolText } from './spool-text.js';

/**
 * Runs a program under the in-process recorder and under cProfile, started the same way
 * (test/fixtures/inprocess/same_start.py), and compares the recorder's call count of every Python
 * function with cProfile's ncalls (test/fixtures/inprocess/compare_cprofile.py).
 */

const HERE = join(FIXTURES, 'inprocess');
export const PROGRAMS = join(HERE, 'programs');

export interface PythonRun {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `python args` in `cwd`; no bytecode written by imports, so two runs import alike. */
export function run(python: string, args: readonly string[], cwd = PROGRAMS): PythonRun {
  const result = spawnSync(python, args, {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONHASHSEED: '0' },
  });
  if (result.error) throw result.error;
  return result;
}

/**
 * The trace text file compare_cprofile.py reads, made from the spool the recorder wrote (beside
 * it, as `<spool>.txt`). The one place that knows the recorder's output format.
 */
export function recordedTraceText(recorderOutput: string): string {
  const text = `${recorderOutput}.txt`;
  writeFileSync(text, spoolText(recorderOutput));
  return text;
}

export interface CprofileComparison {
  /** Python functions cProfile saw. */
  readonly functions: number;
  /** Their calls, by cProfile's count: the number of calls compared. */
  readonly calls: number;
  /** [file, line, name, recorded, cProfile] for each function whose counts differ. */
  readonly mismatches: unknown[];
}

export interface CompareOptions {
  /**
   * The working directory of the recorded run and of the cProfile run, asked for once per run
   * (a program writing into its working directory gets a fresh one each time, so both runs do the
   * same work). By default both run in test/fixtures/inprocess/programs.
   */
  readonly cwdFor?: (mode: 'record' | 'cprofile') => string;
}

let scratch: string | undefined;
let counter = 0;

export function compareWithCprofile(
  python: string,
  program: readonly string[],
  options: CompareOptions = {},
): CprofileComparison {
  scratch ??= scratchDir('inprocess-compare');
  const output = join(scratch, `t${++counter}.out`);
  const stats = `${output}.stats`;
  for (const [mode, file] of [
    ['record', output],
    ['cprofile', stats],
  ] as const) {
    const cwd = options.cwdFor?.(mode) ?? PROGRAMS;
    const result = run(python, [join(HERE, 'same_start.py'), mode, file, '--', ...program], cwd);
    assert.equal(result.status, 0, `${mode} run of ${program.join(' ')}: ${result.stderr}`);
  }
  const minor = Number(run(python, ['-c', 'import sys; print(sys.version_info[1])']).stdout);
  // Before 3.12 cProfile sees the main thread only (sys.setprofile); 3.12+ sys.monitoring sees all.
  const compared = run(python, [
    join(HERE, 'compare_cprofile.py'),
    recordedTraceText(output),
    stats,
    ...(minor < 12 ? ['main-thread-only'] : []),
  ]);
  assert.equal(compared.status, 0, compared.stderr);
  return JSON.parse(compared.stdout) as CprofileComparison;
}
