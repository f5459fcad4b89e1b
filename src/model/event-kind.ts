/**
 * The kinds of event in pyflame's normalized event log (docs/event-log.md).
 * Numeric so that a batch can hold them in a Uint8Array.
 */
export const EventKind = {
  /** A Python frame started executing (a call, or a generator/coroutine resume). */
  Entry: 0,
  /** A Python frame stopped executing (return, yield, or exception exit). */
  Return: 1,
  /** A line is about to execute. */
  Line: 2,
  /** A garbage collection started; `value` = generation. */
  GcStart: 3,
  /** A garbage collection finished; `value` = objects collected. */
  GcDone: 4,
  /** importlib starts finding and loading a module; `name` = module. */
  ImportStart: 5,
  /** importlib finished; `name` = module, `value` = 1 found / 0 not found. */
  ImportDone: 6,
  /** sys.audit() / PySys_Audit(); `name` = event name. */
  Audit: 7,
  /** Counts-only traces (the SystemTap "top" script): `frame` was entered `value` times in the interval ending at `ts`. */
  CallCount: 8,
  /** The tracer said it lost events; `value` = how many (0 when it did not say), `name` = its message. */
  Dropped: 9,
  /**
   * The thread left the CPU (the scheduler switched it out); `value` = the kernel's prev_state:
   * 0, or a value with no bit of 0xff set (preempted, TASK_REPORT_MAX), means it stayed runnable
   * (waiting for a CPU); any other value means it blocked (sleep, I/O, a lock).
   */
  OffCpu: 10,
  /** The thread got a CPU again. */
  OnCpu: 11,
  /** The thread's name (threading.Thread.name, as the in-process recorder saw it); `name` = it. */
  ThreadName: 12,
  /**
   * Probe firings on the thread since its previous event that the recorder did not write (3.11's
   * `line` probe, attached only so that function__entry fires); `value` = how many. Comes just
   * before the event that carried the count, with its time: their cost is part of the recording's
   * (docs/analyze.md, recording cost).
   */
  Unwritten: 13,
} as const;

export type EventKind = (typeof EventKind)[keyof typeof EventKind];

/** Stable external names, used by the CSV/JSONL event logs and in messages. */
export const EVENT_KIND_NAMES: readonly string[] = [
  'entry',
  'return',
  'line',
  'gc-start',
  'gc-done',
  'import-start',
  'import-done',
  'audit',
  'call-count',
  'dropped',
  'off-cpu',
  'on-cpu',
  'thread-name',
  'unwritten',
];

const kindByName = new Map<string, EventKind>(EVENT_KIND_NAMES.map((name, kind) => [name, kind as EventKind]));

/** The kind for an external name, or undefined. */
export function eventKindFromName(name: string): EventKind | undefined {
  return kindByName.get(name);
}

/** Did a thread switched out with this prev_state stay runnable (preempted or yielding) rather than block? */
export function stayedRunnable(prevState: number): boolean {
  return (prevState & 0xff) === 0;
}

/** True for the kinds that carry a frame (file, function, line). */
export function kindHasFrame(kind: number): boolean {
  return (
    kind === EventKind.Entry || kind === EventKind.Return || kind === EventKind.Line || kind === EventKind.CallCount
  );
}
