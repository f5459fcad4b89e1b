import type { StapsdtNote } from './elf-notes.js';
import type { PythonVersion } from './find-python.js';

/**
 * The bpftrace program for the markers a binary really has. Each marker prints one line of
 * pyflame's TSV format (docs/formats.md), exactly as probes/pyflame.bt does; generating it from
 * the notes lets it start on every version (bpftrace 0.17 refuses a probe the binary lacks:
 * 3.6 has no import markers, 3.7 no audit, 3.12-3.14 no function or line markers).
 */

const EVENT = '%llu\\t%d\\t%d\\t';
const HEAD = 'nsecs, pid, tid';

/**
 * The printf of each marker pyflame reads, in the order of probes/pyflame.bt. `line` comes first:
 * bpftrace 0.17 detaches probes in the reverse order, and on 3.11 function__entry stops firing
 * once `line` is gone. Attached last, `line` went first when a `-p` recording was stopped, and
 * the returns that kept coming had no entries: each looked like a call running since the trace
 * began (seen: 354 such returns). Attached first, it goes last: a stop leaves some calls open in
 * the last moments instead, which the analysis closes at the trace's end.
 */
export const MARKER_PRINTS: ReadonlyArray<readonly [marker: string, print: string]> = [
  ['line', `printf("${EVENT}line\\t%s\\t%s\\t%d\\n", ${HEAD}, str(arg0), str(arg1), (int32)arg2);`],
  [
    'function__entry',
    `printf("${EVENT}function__entry\\t%s\\t%s\\t%d\\n", ${HEAD}, str(arg0), str(arg1), (int32)arg2);`,
  ],
  [
    'function__return',
    `printf("${EVENT}function__return\\t%s\\t%s\\t%d\\n", ${HEAD}, str(arg0), str(arg1), (int32)arg2);`,
  ],
  ['gc__start', `printf("${EVENT}gc__start\\t%d\\n", ${HEAD}, (int32)arg0);`],
  ['gc__done', `printf("${EVENT}gc__done\\t%lld\\n", ${HEAD}, (int64)arg0);`],
  ['import__find__load__start', `printf("${EVENT}import__find__load__start\\t%s\\n", ${HEAD}, str(arg0));`],
  [
    'import__find__load__done',
    `printf("${EVENT}import__find__load__done\\t%s\\t%d\\n", ${HEAD}, str(arg0), (int32)arg1);`,
  ],
  // arg1 (the PyObject* argument tuple) cannot be decoded from a probe: the event name only.
  ['audit', `printf("${EVENT}audit\\t%s\\n", ${HEAD}, str(arg0));`],
];

/**
 * The per-thread count of `line` firings not written (3.11's silent line, issue 13): each written
 * event carries it as its last field, `u=N` (docs/formats.md), and starts it again. Cleared at the
 * end so that bpftrace's dump holds only the event counts (finish-trace.ts).
 */
export const UNWRITTEN_MAP = '@pyflame_unwritten';
const COUNT_UNWRITTEN = `${UNWRITTEN_MAP}[tid]++;`;

/** A marker's print with the `\tu=N` field of the firings not written since the thread's last event. */
export function withUnwrittenField(print: string): string {
  const format = print.indexOf('\\n"');
  return `${print.slice(0, format)}\\tu=%d${print.slice(format, -2)}, ${UNWRITTEN_MAP}[tid]);\n\tdelete(${UNWRITTEN_MAP}[tid]);`;
}

export interface ProbeSet {
  /** The bpftrace program; `$1` is the file holding the markers. */
  readonly program: string;
  /** The markers attached, in program order. */
  readonly attached: readonly string[];
  /** Does the trace get function calls? */
  readonly functionCalls: boolean;
  /** Is `line` attached only for its side effect (3.11), its events not written? */
  readonly silentLine: boolean;
  /** What the user must know about this set (printed before recording). */
  readonly notices: readonly string[];
}

/**
 * Whose exit status the program reports in a `# pyflame-exit` line: `cpid` (the command bpftrace
 * starts with -c) or a pid (--pid). Needs kernel BTF (`curtask->exit_code`); undefined: no line.
 */
export type ExitProbeTarget = 'cpid' | number | undefined;

/**
 * The map counting the exit reports printed: a report can be lost like any event, and bpftrace's
 * `Lost N events` then counts it (finish-trace.ts).
 */
export const EXIT_COUNT = 'pyflame_exit';

/** The comment line a program's end writes; wait(2)'s status word (exit code << 8, or the signal). */
export const EXIT_LINE = /^# pyflame-exit pid=(\d+) wait-status=(\d+)$/;

/**
 * The probe that reports how the traced program ended. bpftrace 0.17 does not pass on its child's
 * status, so the kernel tells it: sched_process_exit of the main thread, whose exit_code is then
 * set (the group's code on exit_group or a fatal signal).
 */
export function exitProbe(target: 'cpid' | number): string {
  const pid = target === 'cpid' ? 'cpid' : String(target);
  return `tracepoint:sched:sched_process_exit /pid == ${pid} && tid == ${pid}/\n{\n\t@${EXIT_COUNT} = count();\n\tprintf("# pyflame-exit pid=%d wait-status=%d\\n", pid, curtask->exit_code);\n}`;
}

/**
 * The scheduler's switches of the target's threads, so that analyze can split time into on and
 * off the CPU: `sched-out` (with the kernel's prev_state: blocked, or still runnable when
 * preempted) when one of its threads leaves a CPU, `sched-in` when it gets one back. In
 * sched_switch `pid`/`tid` are the outgoing task's; the incoming one is known by its tid only, so
 * the threads seen going out are kept in a map (a thread goes out before it can come back in).
 * Its map is cleared at the end, so that only the event counts are dumped.
 */
export function switchProbes(target: 'cpid' | number, unwrittenCounted = false): string {
  const pid = target === 'cpid' ? 'cpid' : String(target);
  const clearUnwritten = unwrittenCounted ? `\tclear(${UNWRITTEN_MAP});\n` : '';
  // A sched-out is an event of the thread like any other: the unwritten firings before it are
  // counted on it, not on the next marker, which would carry them across the time off the CPU
  // (analyze would take them out of the wrong call).
  const schedOut = `printf("${EVENT}sched-out\\t%ld\\n", ${HEAD}, args->prev_state);`;
  return [
    `tracepoint:sched:sched_switch /pid == ${pid}/\n{\n\t@sched_out = count();\n\t@pyflame_switched[tid] = 1;\n\t${unwrittenCounted ? withUnwrittenField(schedOut) : schedOut}\n}`,
    `tracepoint:sched:sched_switch /@pyflame_switched[args->next_pid]/\n{\n\t@sched_in = count();\n\tprintf("${EVENT}sched-in\\n", nsecs, ${pid}, args->next_pid);\n}`,
    // A thread that ended: its id may come back in another process.
    `tracepoint:sched:sched_process_exit /pid == ${pid}/\n{\n\tdelete(@pyflame_switched[tid]);\n}`,
    // bpftrace allows one END: it clears the unwritten counts too when there are any.
    `END\n{\n\tclear(@pyflame_switched);\n${clearUnwritten}}`,
  ].join('\n\n');
}

/**
 * Does function__entry need the `line` probe attached to fire? On 3.11 it sits on the slow
 * tracing path that only an attached line probe turns on (python/cpython#98894). When the
 * version is unknown, attach it: slower, never wrong.
 */
function entryNeedsLine(version: PythonVersion | undefined): boolean {
  return version === undefined || (version.major === 3 && version.minor === 11);
}

/** Chooses the markers to attach and builds the program. `lines` asks for line events. */
export function chooseProbeSet(
  notes: readonly StapsdtNote[],
  version: PythonVersion | undefined,
  lines: boolean,
  exitOf: ExitProbeTarget = undefined,
  switchesOf: ExitProbeTarget = undefined,
): ProbeSet {
  const present = new Set(notes.filter((note) => note.provider === 'python').map((note) => note.name));
  const functionCalls = present.has('function__entry') && present.has('function__return');
  const named = version === undefined ? 'this CPython' : `CPython ${version.major}.${version.minor}`;
  const notices: string[] = [];
  const wantLine = present.has('line') && (lines || (functionCalls && entryNeedsLine(version)));
  const silentLine = wantLine && !lines;
  if (!functionCalls) {
    notices.push(
      `${named} has no function markers (3.12-3.14 dropped them with the PEP 669 rework; 3.15 brings them back): ` +
        'the trace will hold GC, import and audit events only, NO function calls. ' +
        'For a call profile, record with a 3.11 built --with-dtrace (Debian 12: /usr/bin/python3.11) or use a sampling profiler (py-spy, or perf with python -X perf).',
    );
  } else if (silentLine) {
    notices.push(
      `${named}: the line marker is attached too, because function__entry fires only while it is (python/cpython#98894); it slows the program down. Its events are not written (--lines writes them).`,
    );
  }
  if (lines && !present.has('line')) notices.push(`${named} has no line marker: --lines records nothing more.`);
  const blocks = ['BEGIN\n{\n\tprintf("# pyflame-trace v1 clock=boot_ns python=%s\\n", str($1));\n}'];
  const attached: string[] = [];
  for (const [marker, print] of MARKER_PRINTS) {
    if (!present.has(marker) || (marker === 'line' && !wantLine)) continue;
    attached.push(marker);
    // Each written event is counted in a map: bpftrace dumps the maps after it has drained its
    // buffers, which proves the trace complete (see finish-trace.ts). A silent line (attached only
    // to turn on 3.11's slow path) writes nothing: it counts its firings per thread, and the next
    // event the thread writes carries that count (u=N) for analyze to take their cost out.
    if (marker === 'line' && silentLine) blocks.push(`usdt:$1:python:line\n{\n\t${COUNT_UNWRITTEN}\n}`);
    else
      blocks.push(
        `usdt:$1:python:${marker}\n{\n\t@${marker} = count();\n\t${silentLine ? withUnwrittenField(print) : print}\n}`,
      );
  }
  if (exitOf !== undefined) blocks.push(exitProbe(exitOf));
  // Switches matter only where there are calls to split the time of.
  const switches = switchesOf !== undefined && functionCalls;
  if (switches) blocks.push(switchProbes(switchesOf, silentLine));
  else if (silentLine) blocks.push(`END\n{\n\tclear(${UNWRITTEN_MAP});\n}`);
  return { program: `${blocks.join('\n\n')}\n`, attached, functionCalls, silentLine, notices };
}
