import fc from 'fast-check';

/** One generated event, in the shape pyflame's format records. */
export interface GenEvent {
  ts: bigint;
  pid: number;
  tid: number;
  probe: 'function__entry' | 'function__return' | 'gc__start' | 'gc__done';
  file?: string;
  func?: string;
  line?: number;
  value?: number;
}

const nameChars = fc.constantFrom(...'abcxyz_019 ,."\'<>&é✓/'.split(''));
const name = fc.string({ unit: nameChars, minLength: 1, maxLength: 12 });

/** A function table to call from: names may hold commas, quotes, markup and non-ASCII. */
const functions = fc.uniqueArray(
  fc.record({ file: name.map((n) => `/app/${n}.py`), func: name, line: fc.integer({ min: 0, max: 5000 }) }),
  {
    minLength: 1,
    maxLength: 8,
    selector: (f) => `${f.file}\t${f.func}`,
  },
);

/**
 * Balanced traces: 1-3 threads, each a random walk of calls and returns (plus GC pairs) closed
 * at the end, interleaved in strictly increasing timestamp order from an epoch-sized start.
 */
export const balancedTrace = fc
  .record({
    functions,
    threads: fc.array(fc.array(fc.integer({ min: 0, max: 99 }), { minLength: 1, maxLength: 40 }), {
      minLength: 1,
      maxLength: 3,
    }),
    start: fc.bigInt({ min: 1_700_000_000_000_000_000n, max: 1_800_000_000_000_000_000n }),
    gaps: fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 16 }),
  })
  .map(({ functions: fns, threads, start, gaps }) => {
    const perThread: GenEvent[][] = threads.map((steps, t) => {
      const tid = 1000 + t;
      const stack: (typeof fns)[number][] = [];
      const events: GenEvent[] = [];
      const push = (event: Omit<GenEvent, 'ts' | 'pid' | 'tid'>) => events.push({ ts: 0n, pid: 999, tid, ...event });
      for (const step of steps) {
        if (step < 10) {
          push({ probe: 'gc__start', value: step % 3 });
          push({ probe: 'gc__done', value: step });
        } else if (step < 55 || stack.length === 0) {
          const f = fns[step % fns.length];
          stack.push(f);
          push({ probe: 'function__entry', file: f.file, func: f.func, line: f.line });
        } else {
          const f = stack.pop()!;
          push({ probe: 'function__return', file: f.file, func: f.func, line: f.line + 1 });
        }
      }
      while (stack.length > 0) {
        const f = stack.pop()!;
        push({ probe: 'function__return', file: f.file, func: f.func, line: f.line + 1 });
      }
      return events;
    });
    // Interleave threads round-robin, stamping strictly increasing times.
    const all: GenEvent[] = [];
    const cursors = perThread.map(() => 0);
    let ts = start;
    let g = 0;
    while (cursors.some((c, t) => c < perThread[t].length)) {
      for (let t = 0; t < perThread.length; t++) {
        if (cursors[t] >= perThread[t].length) continue;
        ts += BigInt(gaps[g++ % gaps.length]);
        all.push({ ...perThread[t][cursors[t]++], ts });
      }
    }
    return all;
  });

/** The events as pyflame's recording format. */
export function toPyflameText(events: readonly GenEvent[]): string {
  const lines = events.map((e) => {
    const args = e.file !== undefined ? `${e.file}\t${e.func}\t${e.line}` : String(e.value);
    return `${e.ts}\t${e.pid}\t${e.tid}\t${e.probe}\t${args}`;
  });
  return `# pyflame-trace v1 clock=realtime_ns\n${lines.join('\n')}\n`;
}

/** The CSV rows pyflame should write for these events (without source_line). */
export function expectedRows(events: readonly GenEvent[]): string[] {
  // RFC 4180 quoting; a name that would start a spreadsheet formula (or starts with ') gets a
  // leading ' inside quotes (docs/event-log.md).
  const field = (s: string) =>
    /^[=+\-@\t\r']/.test(s) ? `"'${s.replace(/"/g, '""')}"` : /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  return events.map((e) => {
    const kind = { function__entry: 'entry', function__return: 'return', gc__start: 'gc-start', gc__done: 'gc-done' }[
      e.probe
    ];
    const frame = e.file !== undefined ? `${field(e.file)},${field(e.func!)},${e.line}` : ',,';
    const value = e.value !== undefined ? String(e.value) : '';
    return `${e.ts},${e.pid},${e.tid},${kind},${frame},${value},`;
  });
}
