#!/usr/bin/env python3
"""Re-print a pyflame-format trace in the layouts of the CPython documentation's scripts.

    convert.py dtrace-callstack TRACE [--start NAME | --all]   > x.dtrace.txt
    convert.py stap-hierarchy   TRACE [--execname NAME]        > x.stap.txt
    convert.py stap-top         TRACE [--interval-ms 1000] [--limit 20] [--partial] > x.txt
    convert.py docs-examples    OUTDIR

Each layout reproduces, byte for byte, what the script in the CPython docs page
"Instrumenting CPython with DTrace and SystemTap" would print for the same events:

dtrace-callstack  call_stack.d:
    printf("%d\\t%*s:", timestamp, 15, probename);
    printf("%*s", self->indent, "");
    printf("%s:%s:%d\\n", basename(copyinstr(arg0)), copyinstr(arg1), arg2);
  with self->indent++ after printing an entry and self->indent-- before printing a
  return; self->trace (per thread) is set by the entry of a function named "start"
  (--start NAME) and cleared after the return of a function of that name.
  --all prints every function event instead. probename is hyphenated (function-entry).

stap-hierarchy  show-call-hierarchy.stp:
    printf("%s => %s in %s:%d\\n", thread_indent(1), funcname, filename, lineno);
    printf("%s <= %s in %s:%d\\n", thread_indent(-1), funcname, filename, lineno);
  thread_indent() as in SystemTap 4.8's tapset/indent.stp:
    ts = gettimeofday_us()                     (here: recorded ns // 1000)
    if (!counter[tid]) base[tid] = ts
    x = counter[tid] + (delta > 0 ? delta : 0); counter[tid] += delta
    depth = x > 0 ? x - 1 : 0
    sprintf("%6d %s:%-*s", ts - base[tid], execname() "(" tid ")", depth, "")
  execname() is the thread's comm; CPython 3.11 does not rename its threads, so every
  thread is "python3.11" (--execname to change).

stap-top  the docs' "top" script: every --interval-ms, from the first event on,
    printf("\\033[2J\\033[1;1H")
    printf("%6s %80s %6s %30s %6s\\n", "PID", "FILENAME", "LINE", "FUNCTION", "CALLS")
    foreach ([pid, filename, funcname, lineno] in fn_calls- limit 20)
        printf("%6d %80s %6d %30s %6d\\n", pid, filename, lineno, funcname, calls)
  counting function__entry events. Only intervals that end before the last event are
  printed (the timer would not fire for the last, partial one before stap exits);
  --partial prints that one too. Ties in CALLS are ordered by (pid, filename, funcname,
  lineno); SystemTap leaves their order unspecified.

docs-examples writes the docs' own two example outputs (docs-call-stack.dtrace.txt,
docs-call-hierarchy.stap.txt) as those scripts print them: see sample-traces/README.md.

Input: pyflame format (docs/formats.md), raw bpftrace output is accepted too (lines
that are not events are skipped). Events are taken in file order. Standard library only.
"""
import argparse
import collections
import os
import sys


def read_events(path):
    """Yield (ts, pid, tid, probe, args) for each event line; probe with '__'."""
    with open(path, 'rb') as fh:
        for raw in fh:
            line = raw.rstrip(b'\n').decode('utf-8', 'surrogateescape')
            if not line or line.startswith('#'):
                continue
            fields = line.split('\t')
            if len(fields) < 4 or not fields[0].isdigit():
                continue  # "Attaching N probes...", "Lost N events", map dumps
            probe = fields[3].replace('-', '__')
            if probe in ('function__entry', 'function__return', 'line'):
                # a file name may contain a tab: function and line are the last fields
                args = ('\t'.join(fields[4:-2]), fields[-2], int(fields[-1]))
            else:
                args = tuple(fields[4:])
            yield int(fields[0]), int(fields[1]), int(fields[2]), probe, args


def out_write(text):
    sys.stdout.buffer.write(text.encode('utf-8', 'surrogateescape'))


# ---------------------------------------------------------------- DTrace call_stack.d

def dtrace_basename(path):
    """DTrace basename(): the part after the last '/', trailing slashes ignored."""
    stripped = path.rstrip('/')
    if not stripped:
        return '/' if path else '.'
    return stripped.rsplit('/', 1)[-1]


def dtrace_line(ts, probename, indent, path, func, lineno):
    # printf("%*s", n, "") with a negative n left-justifies in |n| columns: same spaces
    return '%d\t%*s:%s%s:%s:%d\n' % (ts, 15, probename, ' ' * abs(indent),
                                     dtrace_basename(path), func, lineno)


def dtrace_callstack(events, start='start', everything=False):
    trace = collections.defaultdict(int)    # self->trace
    indent = collections.defaultdict(int)   # self->indent
    for ts, pid, tid, probe, args in events:
        if probe == 'function__entry':
            path, func, lineno = args
            if func == start:
                trace[tid] = 1
            if trace[tid] or everything:
                yield dtrace_line(ts, 'function-entry', indent[tid], path, func, lineno)
                indent[tid] += 1
        elif probe == 'function__return':
            path, func, lineno = args
            if trace[tid] or everything:
                indent[tid] -= 1
                yield dtrace_line(ts, 'function-return', indent[tid], path, func, lineno)
            if func == start:
                trace[tid] = 0


# ------------------------------------------------------- SystemTap show-call-hierarchy

class ThreadIndent:
    """SystemTap tapset/indent.stp thread_indent(), per thread id."""

    def __init__(self, execname):
        self.execname = execname
        self.counters = collections.defaultdict(int)
        self.bases = {}

    def __call__(self, tid, ts_us, delta):
        if not self.counters[tid]:
            self.bases[tid] = ts_us
        x = self.counters[tid] + (delta if delta > 0 else 0)
        self.counters[tid] += delta
        depth = x - 1 if x > 0 else 0
        desc = '%s(%d)' % (self.execname, tid)
        return '%6d %s:%-*s' % (ts_us - self.bases[tid], desc, depth, '')


def stap_hierarchy(events, execname='python3.11'):
    thread_indent = ThreadIndent(execname)
    for ts, pid, tid, probe, args in events:
        if probe == 'function__entry':
            path, func, lineno = args
            yield '%s => %s in %s:%d\n' % (thread_indent(tid, ts // 1000, 1), func, path, lineno)
        elif probe == 'function__return':
            path, func, lineno = args
            yield '%s <= %s in %s:%d\n' % (thread_indent(tid, ts // 1000, -1), func, path, lineno)


# ----------------------------------------------------------------------- SystemTap top

def stap_top_block(counts, limit):
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    out = ['\033[2J\033[1;1H',
           '%6s %80s %6s %30s %6s\n' % ('PID', 'FILENAME', 'LINE', 'FUNCTION', 'CALLS')]
    for (pid, path, func, lineno), calls in rows:
        out.append('%6d %80s %6d %30s %6d\n' % (pid, path, lineno, func, calls))
    return ''.join(out)


def stap_top(events, interval_ns=10**9, limit=20, partial=False):
    counts = collections.Counter()
    window_end = None
    last_ts = None
    for ts, pid, tid, probe, args in events:
        if window_end is None:
            window_end = ts + interval_ns
        while ts >= window_end:        # the timer fires (possibly on an empty map)
            yield stap_top_block(counts, limit)
            counts.clear()
            window_end += interval_ns
        last_ts = ts
        if probe == 'function__entry':
            path, func, lineno = args
            counts[(pid, path, func, lineno)] += 1
    if partial and last_ts is not None:
        yield stap_top_block(counts, limit)


# ------------------------------------------------------------ the docs' own examples

# The example output printed in the CPython docs for call_stack.d (python3.6, macOS):
# (timestamp, probename, indent before the line is printed, file, function, line)
DOCS_DTRACE = [
    (156641360502280, 'function-entry', 0, 'call_stack.py', 'start', 23),
    (156641360518804, 'function-entry', 1, 'call_stack.py', 'function_1', 1),
    (156641360532797, 'function-entry', 2, 'call_stack.py', 'function_3', 9),
    (156641360546807, 'function-return', 2, 'call_stack.py', 'function_3', 10),
    (156641360563367, 'function-return', 1, 'call_stack.py', 'function_1', 2),
    (156641360578365, 'function-entry', 1, 'call_stack.py', 'function_2', 5),
    (156641360591757, 'function-entry', 2, 'call_stack.py', 'function_1', 1),
    (156641360605556, 'function-entry', 3, 'call_stack.py', 'function_3', 9),
    (156641360617482, 'function-return', 3, 'call_stack.py', 'function_3', 10),
    (156641360629814, 'function-return', 2, 'call_stack.py', 'function_1', 2),
    (156641360642285, 'function-return', 1, 'call_stack.py', 'function_2', 6),
    (156641360656770, 'function-entry', 1, 'call_stack.py', 'function_3', 9),
    (156641360669707, 'function-return', 1, 'call_stack.py', 'function_3', 10),
    (156641360687853, 'function-entry', 1, 'call_stack.py', 'function_4', 13),
    (156641360700719, 'function-return', 1, 'call_stack.py', 'function_4', 14),
    (156641360719640, 'function-entry', 1, 'call_stack.py', 'function_5', 18),
    (156641360732567, 'function-return', 1, 'call_stack.py', 'function_5', 21),
    (156641360747370, 'function-return', 0, 'call_stack.py', 'start', 28),
]

# The example output printed in the docs for show-call-hierarchy.stp: an excerpt from
# the middle of a run (thread 8274 already 7 levels deep, so thread_indent's base is
# older than these lines). (µs since base, arrow, depth = thread_indent width, ...)
DOCS_STAP = [
    (11408, '=>', 7, '__contains__', 'Lib/_abcoll.py', 362),
    (11414, '=>', 8, '__getitem__', 'Lib/os.py', 425),
    (11418, '=>', 9, 'encode', 'Lib/os.py', 490),
    (11424, '<=', 9, 'encode', 'Lib/os.py', 493),
    (11428, '<=', 8, '__getitem__', 'Lib/os.py', 426),
    (11433, '<=', 7, '__contains__', 'Lib/_abcoll.py', 366),
]


def docs_examples(outdir):
    with open(os.path.join(outdir, 'docs-call-stack.dtrace.txt'), 'w', newline='') as fh:
        for ts, probename, indent, path, func, lineno in DOCS_DTRACE:
            fh.write(dtrace_line(ts, probename, indent, path, func, lineno))
    with open(os.path.join(outdir, 'docs-call-hierarchy.stap.txt'), 'w', newline='') as fh:
        for rel_us, arrow, depth, func, path, lineno in DOCS_STAP:
            fh.write('%6d %s:%-*s %s %s in %s:%d\n' % (rel_us, 'python(8274)', depth, '',
                                                     arrow, func, path, lineno))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    p = sub.add_parser('dtrace-callstack')
    p.add_argument('trace')
    p.add_argument('--start', default='start')
    p.add_argument('--all', action='store_true')
    p = sub.add_parser('stap-hierarchy')
    p.add_argument('trace')
    p.add_argument('--execname', default='python3.11')
    p = sub.add_parser('stap-top')
    p.add_argument('trace')
    p.add_argument('--interval-ms', type=int, default=1000)
    p.add_argument('--limit', type=int, default=20)
    p.add_argument('--partial', action='store_true')
    p = sub.add_parser('docs-examples')
    p.add_argument('outdir')
    args = ap.parse_args(argv)

    if args.cmd == 'docs-examples':
        docs_examples(args.outdir)
        return
    events = read_events(args.trace)
    if args.cmd == 'dtrace-callstack':
        lines = dtrace_callstack(events, args.start, args.all)
    elif args.cmd == 'stap-hierarchy':
        lines = stap_hierarchy(events, args.execname)
    else:
        lines = stap_top(events, args.interval_ms * 10**6, args.limit, args.partial)
    try:
        for text in lines:
            out_write(text)
        sys.stdout.flush()
    except BrokenPipeError:          # e.g. piped into head
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


if __name__ == '__main__':
    main()
