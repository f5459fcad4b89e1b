"""pyflame's calibration micro-program: what one recorder firing costs (issue 13, docs/recording.md).

    python calibrate.py OUT.json N N_GC REPS PHASES

`pyflame record` runs it untraced and traced (by the same recorder, with the same options as the
recording), a few times interleaved, and compares the times each phase takes. Each phase is a
loop of N iterations (N_GC for gc) that differs from the `empty` loop by one kind of firing:

    empty    for i in r: x = i                      (the baseline: the loop itself)
    calls    for i in r: leaf()                     (+1 entry, +1 return per iteration)
    lines    for i in r: x = i (five lines)          (+4 line firings per iteration)
    ccalls   for i in r: x = ln(s)                   (+1 C call: c_call + c_return, 3.8-3.11 setprofile)
    gc       for i in r: collect(0)                 (+1 gc-start, +1 gc-done per iteration)

Each phase is a function of its own (pyflame_phase_NAME): its entry and return mark where the
phase is in the trace. The times (perf_counter_ns around each phase, REPS times each, after a
short warm-up) are written to OUT.json: {"version": "3.11.2", "times": {"phase": [ns, ...], ...}}. No output on stdout: under
bpftrace the program's stdout is the user's terminal.
"""

import gc
import json
import sys
import time


def leaf():
    return None


def pyflame_phase_empty(r):
    for i in r:
        x = i
    return x


def pyflame_phase_calls(r):
    f = leaf
    for i in r:
        f()


def pyflame_phase_lines(r):
    for i in r:
        x = i
        x = i
        x = i
        x = i
        x = i
    return x


def pyflame_phase_ccalls(r):
    ln = len
    s = "abc"
    for i in r:
        x = ln(s)
    return x


def pyflame_phase_gc(r):
    collect = gc.collect
    for i in r:
        collect(0)


PHASES = {
    "empty": pyflame_phase_empty,
    "calls": pyflame_phase_calls,
    "lines": pyflame_phase_lines,
    "ccalls": pyflame_phase_ccalls,
    "gc": pyflame_phase_gc,
}


WARM_UP = 50


def main():
    out, n, n_gc, reps, phases = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5].split(",")
    clock = time.perf_counter_ns
    times = {name: [] for name in phases}
    for name in phases:  # warm-up: every code object seen once, caches filled
        PHASES[name](range(WARM_UP))
    for _ in range(reps):
        for name in phases:
            r = range(n_gc if name == "gc" else n)
            run = PHASES[name]
            start = clock()
            run(r)
            times[name].append(clock() - start)
    with open(out, "w") as file:
        json.dump({"version": "%d.%d.%d" % sys.version_info[:3], "times": times}, file)


if __name__ == "__main__":
    main()
