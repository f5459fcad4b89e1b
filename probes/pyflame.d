#!/usr/sbin/dtrace -Zs
/*
 * pyflame.d - record CPython static markers with DTrace (macOS, illumos, FreeBSD) in
 * pyflame's trace format (docs/formats.md). UNTESTED: written from the documented probe
 * arguments; no DTrace was available where it was written (see docs/recording.md).
 *
 * Usage (rm the output file first: dtrace -o appends):
 *   sudo dtrace -Z -o trace.pyflame.txt -s probes/pyflame.d -c 'python3.11 script.py'
 *   sudo dtrace -Z -o trace.pyflame.txt -s probes/pyflame.d -p PID
 * Add the macro argument 1 after the script to also print `line` events:
 *   sudo dtrace -Z -o trace.pyflame.txt -s probes/pyflame.d -c 'python3.11 script.py' 1
 *
 * -Z lets the script start on a CPython that lacks some markers (import-* before 3.7,
 * audit before 3.8, function-* and line on 3.12-3.14).
 *
 * Output lines (probename is DTrace's hyphenated spelling, which pyflame accepts):
 *   # pyflame-trace v1 clock=dtrace_timestamp
 *   <timestamp>\t<pid>\t<tid>\tfunction-entry\t<file>\t<function>\t<line>
 *   <timestamp>\t<pid>\t<tid>\tgc-start\t<generation>
 *   ...
 * `timestamp` is DTrace's nanosecond counter (arbitrary origin, monotonic).
 * Per-CPU buffers: lines from different CPUs may come out of timestamp order.
 */

#pragma D option quiet
#pragma D option defaultargs
#pragma D option strsize=1024
#pragma D option bufsize=64m
#pragma D option switchrate=20hz

dtrace:::BEGIN
{
	printf("# pyflame-trace v1 clock=dtrace_timestamp\n");
}

python$target:::function-entry,
python$target:::function-return
{
	printf("%d\t%d\t%d\t%s\t%s\t%s\t%d\n", timestamp, pid, tid, probename,
	    copyinstr(arg0), copyinstr(arg1), (int)arg2);
}

/*
 * Always enabled: on CPython 3.11 function-entry fires for ordinary calls only while
 * the interpreter takes its slow tracing path, which an enabled `line` probe turns on
 * (python/cpython#98894). Printed only when macro argument $1 is non-zero.
 */
python$target:::line
/$1/
{
	printf("%d\t%d\t%d\t%s\t%s\t%s\t%d\n", timestamp, pid, tid, probename,
	    copyinstr(arg0), copyinstr(arg1), (int)arg2);
}

python$target:::gc-start
{
	printf("%d\t%d\t%d\t%s\t%d\n", timestamp, pid, tid, probename, (int)arg0);
}

python$target:::gc-done
{
	printf("%d\t%d\t%d\t%s\t%d\n", timestamp, pid, tid, probename, (long)arg0);
}

python$target:::import-find-load-start
{
	printf("%d\t%d\t%d\t%s\t%s\n", timestamp, pid, tid, probename, copyinstr(arg0));
}

python$target:::import-find-load-done
{
	printf("%d\t%d\t%d\t%s\t%s\t%d\n", timestamp, pid, tid, probename,
	    copyinstr(arg0), (int)arg1);
}

/* arg1 is a PyObject* tuple of the event's arguments: not decoded, event name only. */
python$target:::audit
{
	printf("%d\t%d\t%d\t%s\t%s\n", timestamp, pid, tid, probename, copyinstr(arg0));
}
