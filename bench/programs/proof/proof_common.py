"""What the proof programs of bench/cost-proof.mjs share (issue 13 section 4).

Each program runs the same work in two modes:

- traced (PYFLAME_PROOF_OUT unset): the functions of interest are called directly, nothing else
  is added, so the trace shows the program as it is;
- measured (PYFLAME_PROOF_OUT=FILE, an untraced run): the driver calls each function of interest
  through `METER.call`, which wraps the call in time.perf_counter_ns() and adds it to that
  function's inclusive total and call count; at the end the figures are written to FILE as JSON.

Only calls that take tens of microseconds or more are wrapped one by one (a wrap costs about
0.2-0.5 us, under 1% of such a call); recursion over tiny functions is timed at its top-level call
and its call count is computed from the input (`METER.call_counted`).

The JSON: {"runNs": the script's own span (its first line to its end), "functions": [{"name",
"file", "calls", "totalNs", "selfNs" (null when not known), "selfHow" ("leaf": no Python callees
worth separating, so self = total; "derived": total less the wrapped callees' totals; null)}],
"gc": {"collections", "pauseNs", "byGeneration": [count of generation 0, 1, 2]} (gc.callbacks,
only in the measured run)}.
"""

import os
import sys
import time

now = time.perf_counter_ns
OUT = os.environ.get("PYFLAME_PROOF_OUT")


class Meter:
    def __init__(self, start_ns):
        self.start_ns = start_ns
        self.figures = {}  # (name, file) -> [calls, totalNs]
        self.kind = {}  # (name, file) -> "leaf" | ("derived", [child keys])
        self.gc_collections = 0
        self.gc_pause_ns = 0
        self.gc_by_generation = [0, 0, 0]
        self._gc_started = 0
        import _thread

        self._lock = _thread.allocate_lock()  # threads add figures too
        import gc

        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase, info):
        if phase == "start":
            self._gc_started = now()
        else:
            self.gc_collections += 1
            self.gc_pause_ns += now() - self._gc_started
            self.gc_by_generation[info["generation"]] += 1

    @staticmethod
    def key(fn):
        return (fn.__name__, fn.__code__.co_filename)

    def add(self, key, ns, calls=1):
        with self._lock:
            f = self.figures.get(key)
            if f is None:
                self.figures[key] = [calls, ns]
            else:
                f[0] += calls
                f[1] += ns

    def call(self, fn, *args):
        t = now()
        result = fn(*args)
        self.add(self.key(fn), now() - t)
        return result

    def call_counted(self, fn, calls, *args):
        """A recursive call: its inclusive time, and `calls` calls (the recursion's, computed)."""
        t = now()
        result = fn(*args)
        self.add(self.key(fn), now() - t, calls)
        return result

    def leaf(self, *fns):
        for fn in fns:
            self.kind[self.key(fn)] = "leaf"

    def derived(self, fn, *children):
        self.kind[self.key(fn)] = ("derived", [self.key(c) for c in children])

    def finish(self, end_ns):
        import json  # only now: the measured span does not pay for it

        functions = []
        for key, (calls, total) in sorted(self.figures.items()):
            kind = self.kind.get(key)
            self_ns, how = None, None
            if kind == "leaf":
                self_ns, how = total, "leaf"
            elif isinstance(kind, tuple):
                self_ns = total - sum(self.figures.get(c, [0, 0])[1] for c in kind[1])
                how = "derived"
            functions.append(
                {"name": key[0], "file": key[1], "calls": calls, "totalNs": total, "selfNs": self_ns, "selfHow": how}
            )
        doc = {
            "python": "%d.%d.%d" % sys.version_info[:3],
            "runNs": end_ns - self.start_ns,
            "functions": functions,
            "gc": {
                "collections": self.gc_collections,
                "pauseNs": self.gc_pause_ns,
                "byGeneration": self.gc_by_generation,
            },
        }
        tmp = OUT + ".tmp"
        with open(tmp, "w") as f:
            json.dump(doc, f, indent=1)
        os.replace(tmp, OUT)


def meter(start_ns):
    """A Meter when this is the measured run, else None (the traced run adds nothing)."""
    return Meter(start_ns) if OUT else None


def sizes(scale, reps, size):
    """`reps` repetitions of work of `size` at scale 1; at other scales the repetitions scale
    first, and below one repetition the work of the single one shrinks (so the mean call stays
    the same until the program is as small as one repetition)."""
    r = reps * scale
    if r >= 1:
        return int(round(r)), size
    return 1, max(1, int(round(size * r)))
