#!/usr/bin/env python3
"""Independent oracle for `pyflame analyze --json` (pyflame recording format).

Python 3.11, standard library only. Written from the spec in test/oracle/README.md,
without looking at pyflame's analyzer code.

Usage:
    python3 test/oracle/oracle.py TRACE [--identity-scope thread|global] [--check] > out.json

--check      exit with status 1 if selfSumNs != rootTotalNs (the output is printed anyway)
--diag       print diagnostics (dropped returns, unwound frames, ...) to stderr

All times are Python ints (exact for 19-digit timestamps).
"""

import argparse
import json
import re
import sys
from dataclasses import dataclass, field

# ----------------------------------------------------------------------------------------
# Parsing
# ----------------------------------------------------------------------------------------

PROBES = {
    "function__entry": "entry",
    "function-entry": "entry",
    "function__return": "return",
    "function-return": "return",
    "line": "line",
    "gc__start": "gc_start",
    "gc-start": "gc_start",
    "gc__done": "gc_done",
    "gc-done": "gc_done",
    "import__find__load__start": "import_start",
    "import-find-load-start": "import_start",
    "import__find__load__done": "import_done",
    "import-find-load-done": "import_done",
    "audit": "audit",
}

# ASCII digits only (Python's int() would also accept other Unicode digits, '_', '+', spaces).
RE_UINT = re.compile(r"[0-9]+\Z")
RE_INT = re.compile(r"-?[0-9]+\Z")


@dataclass
class Event:
    ts: int
    pid: int
    tid: int
    kind: str
    seq: int  # position in the file (tie-break for equal timestamps)
    file: str = ""
    func: str = ""
    line: int = 0
    value: int = 0  # gc generation / gc collected / import found flag
    name: str = ""  # import module / audit event name


def parse_line(text, seq):
    """Return an Event, or None for a comment, blank, notice or junk line."""
    if text == "" or text.startswith("#"):
        return None
    f = text.split("\t")
    if len(f) < 4:
        return None
    if not (RE_UINT.match(f[0]) and RE_UINT.match(f[1]) and RE_UINT.match(f[2])):
        return None
    kind = PROBES.get(f[3])
    if kind is None:
        return None
    ev = Event(ts=int(f[0]), pid=int(f[1]), tid=int(f[2]), kind=kind, seq=seq)
    args = f[4:]
    if kind in ("entry", "return", "line"):
        # file may contain tabs: function and line are the last two fields
        if len(args) < 3 or not RE_INT.match(args[-1]):
            return None
        ev.file = "\t".join(args[:-2])
        ev.func = args[-2]
        ev.line = int(args[-1])
    elif kind in ("gc_start", "gc_done"):
        if len(args) != 1 or not RE_INT.match(args[0]):
            return None
        ev.value = int(args[0])
    elif kind == "import_start":
        if len(args) < 1:
            return None
        ev.name = "\t".join(args)  # the rest of the line
    elif kind == "import_done":
        if len(args) < 2 or not RE_UINT.match(args[-1]):
            return None
        ev.name = "\t".join(args[:-1])
        ev.value = int(args[-1])
    elif kind == "audit":
        if len(args) < 1:
            return None
        ev.name = args[0]  # anything after the next tab is ignored
    return ev


def read_events(path):
    with open(path, "rb") as fh:
        data = fh.read()
    events = []
    for seq, raw in enumerate(data.split(b"\n")):
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        ev = parse_line(raw.decode("utf-8", errors="replace"), seq)
        if ev is not None:
            events.append(ev)
    return events


# ----------------------------------------------------------------------------------------
# Call trees
# ----------------------------------------------------------------------------------------


# Functions that cannot be generators (by name): a return at a line of theirs is never a yield.
NEVER_YIELDS = {"<lambda>", "<listcomp>", "<dictcomp>", "<setcomp>", "<module>"}


@dataclass
class Node:
    file: str
    func: str
    ident: int  # identity line
    start: int
    end: int = 0
    partial: bool = False
    children: list = field(default_factory=list)
    live_outermost: bool = True  # no same identity on the live stack when it closed

    @property
    def key(self):
        return (self.file, self.func, self.ident)

    @property
    def dur(self):
        return self.end - self.start


@dataclass
class ThreadState:
    pid: int
    tid: int
    first_ts: int = None
    last_ts: int = None
    events: int = 0
    stack: list = field(default_factory=list)  # open Nodes, innermost last
    roots: list = field(default_factory=list)  # closed root Nodes (current forest)
    remembered: dict = field(default_factory=dict)  # used when identity scope = thread
    gc_pending: object = None  # pending gc__start Event
    imp_stack: list = field(default_factory=list)  # open imports: [Event, child_dur_sum]


class Analyzer:
    def __init__(self, identity_scope="thread"):
        self.identity_scope = identity_scope
        self.global_remembered = {}
        self.process_remembered = {}  # (pid, file, func, line) -> identity line, any thread
        self.entered_lines = {}  # (file, func) -> def lines of the new calls entered so far
        self.threads = {}
        self.calls = {}  # identity -> number of entries
        self.diag = {
            "dropped_returns": 0,
            "partial_at_empty_stack": 0,
            "unwound": 0,
            "open_at_end": 0,
            "gc_start_replaced": 0,
            "gc_start_unfinished": 0,
            "gc_done_without_start": 0,
            "import_done_unmatched": 0,
            "import_start_discarded": 0,
            "import_start_unfinished": 0,
        }
        self.provisional = []  # partial frames named by a line that may not be their def line
        self.gc_pauses = []  # (start_ts, pid, tid, seq, generation, dur, collected)
        self.gc_unmatched = 0
        self.imports = []  # (start_ts, depth, pid, tid, seq, module, dur, self, found)

    def remembered(self, th):
        if self.identity_scope == "global":
            return self.global_remembered
        return th.remembered

    def run(self, events):
        # Global stable sort by ts; restricted to one thread this is exactly the
        # per-thread stable sort by ts (ties keep file order).
        events = sorted(events, key=lambda e: e.ts)
        for ev in events:
            key = (ev.pid, ev.tid)
            th = self.threads.get(key)
            if th is None:
                th = self.threads[key] = ThreadState(ev.pid, ev.tid)
                th.first_ts = ev.ts
            th.last_ts = ev.ts
            th.events += 1
            getattr(self, "on_" + ev.kind)(th, ev)
        for th in self.threads.values():
            self.finish(th)
        self.resolve_provisional()

    def resolve_provisional(self):
        """A partial frame named by its own line for want of a def line takes the nearest def line
        at or above it that the rest of the trace showed; every activation of that identity (a
        generator's resumes too) and its calls move to it."""
        alias = {}
        for file, func, line in self.provisional:
            above = [l for l in self.entered_lines.get((file, func), ()) if l <= line]
            if above and max(above) != line:
                alias[(file, func, line)] = max(above)
        if not alias:
            return
        for th in self.threads.values():
            work = list(th.roots)
            while work:
                node = work.pop()
                node.ident = alias.get(node.key, node.ident)
                work.extend(node.children)
        for (file, func, line), ident in alias.items():
            moved = self.calls.pop((file, func, line), 0)
            if moved:
                self.calls[(file, func, ident)] = self.calls.get((file, func, ident), 0) + moved

    # -- functions --------------------------------------------------------------------

    def close(self, th, node, ts, partial):
        node.end = ts
        node.partial = node.partial or partial
        node.live_outermost = not any(n.key == node.key for n in th.stack)
        if th.stack:
            th.stack[-1].children.append(node)
        else:
            th.roots.append(node)

    def recall(self, th, ev, line):
        """The remembered identity line for (file, func, line): this thread's memory first, then
        (scope "thread") what any thread of the process remembers: a generator can be resumed on
        another thread than the one it yielded on."""
        found = self.remembered(th).get(self.mem_key(ev, line))
        if found is None and self.identity_scope == "thread":
            found = self.process_remembered.get((ev.pid, ev.file, ev.func, line))
        return found

    def remember(self, th, ev, line, ident):
        # Functions that cannot be generators never resume: nothing to remember.
        if ev.func in NEVER_YIELDS:
            return
        self.remembered(th)[self.mem_key(ev, line)] = ident
        self.process_remembered[(ev.pid, ev.file, ev.func, line)] = ident

    def on_entry(self, th, ev):
        found = self.recall(th, ev, ev.line)
        ident = ev.line if found is None else found
        if ident == ev.line:
            # A new call: its def line. A call found running when the trace began is named by it.
            self.entered_lines.setdefault((ev.file, ev.func), set()).add(ev.line)
        node = Node(ev.file, ev.func, ident, ev.ts)
        th.stack.append(node)
        k = node.key
        self.calls[k] = self.calls.get(k, 0) + 1

    def mem_key(self, ev, line):
        if self.identity_scope == "global":
            return (ev.pid, ev.file, ev.func, line)
        return (ev.file, ev.func, line)

    def on_return(self, th, ev):
        if not th.stack:
            # trace began mid-call: partial frame from the thread's first timestamp,
            # enclosing everything that ran on this thread so far. Its identity: the remembered
            # one, else the nearest def line at or above the return line among the calls of
            # that (file, function) entered so far (any thread), else the return line.
            ident = self.running_at_start(th, ev)
            node = Node(ev.file, ev.func, ident, th.first_ts, end=ev.ts, partial=True)
            node.children = th.roots
            th.roots = [node]
            self.remember(th, ev, ev.line, ident)
            self.diag["partial_at_empty_stack"] += 1
            return
        idx = None
        for i in range(len(th.stack) - 1, -1, -1):
            n = th.stack[i]
            if n.file == ev.file and n.func == ev.func:
                idx = i
                break
        if idx is None:
            self.diag["dropped_returns"] += 1
            return
        while len(th.stack) - 1 > idx:
            n = th.stack.pop()
            self.close(th, n, ev.ts, partial=True)
            self.diag["unwound"] += 1
        n = th.stack.pop()
        self.close(th, n, ev.ts, partial=False)
        self.remember(th, ev, ev.line, n.ident)

    def running_at_start(self, th, ev):
        """The identity of a frame found running at the start (by its return or a line): the
        remembered one, else the nearest def line at or above the event's line among the calls of
        that (file, function) entered so far (any thread), else the event's line, provisionally
        (resolve_provisional may move it to a def line the rest of the trace shows)."""
        ident = self.recall(th, ev, ev.line)
        if ident is not None:
            return ident
        above = [line for line in self.entered_lines.get((ev.file, ev.func), ()) if line <= ev.line]
        if above:
            return max(above)
        self.provisional.append((ev.file, ev.func, ev.line))
        return ev.line

    def on_line(self, th, ev):
        if th.stack:
            return
        # A line with no call open: it runs in a frame entered before the trace began. That
        # frame is a partial call from the thread's first timestamp, enclosing everything the
        # thread did so far, and stays open until its return (or the end). Its identity as for
        # a return with nothing open (on_return).
        ident = self.running_at_start(th, ev)
        node = Node(ev.file, ev.func, ident, th.first_ts, partial=True)
        node.children = th.roots
        th.roots = []
        th.stack.append(node)
        self.diag["partial_at_empty_stack"] += 1

    def on_audit(self, th, ev):
        pass

    # -- gc -----------------------------------------------------------------------------

    def on_gc_start(self, th, ev):
        if th.gc_pending is not None:
            # two starts without a done in between: the earlier one lost its done
            self.gc_unmatched += 1
            self.diag["gc_start_replaced"] += 1
        th.gc_pending = ev

    def on_gc_done(self, th, ev):
        st = th.gc_pending
        if st is None:
            self.gc_unmatched += 1
            self.diag["gc_done_without_start"] += 1
            return
        th.gc_pending = None
        self.gc_pauses.append((st.ts, th.pid, th.tid, st.seq, st.value, ev.ts - st.ts, ev.value))

    # -- imports ------------------------------------------------------------------------

    def on_import_start(self, th, ev):
        th.imp_stack.append([ev, 0])

    def on_import_done(self, th, ev):
        idx = None
        for i in range(len(th.imp_stack) - 1, -1, -1):
            if th.imp_stack[i][0].name == ev.name:
                idx = i
                break
        if idx is None:
            self.diag["import_done_unmatched"] += 1
            return
        # starts above the match never got their done: discarded (not reported)
        self.diag["import_start_discarded"] += len(th.imp_stack) - 1 - idx
        del th.imp_stack[idx + 1:]
        st, child = th.imp_stack.pop()
        dur = ev.ts - st.ts
        depth = len(th.imp_stack)
        if th.imp_stack:
            th.imp_stack[-1][1] += dur
        self.imports.append((st.ts, depth, th.pid, th.tid, st.seq, st.name, dur, dur - child, ev.value))

    # -- end of trace -------------------------------------------------------------------

    def finish(self, th):
        while th.stack:
            n = th.stack.pop()
            self.close(th, n, th.last_ts, partial=True)
            self.diag["open_at_end"] += 1
        if th.gc_pending is not None:
            self.gc_unmatched += 1
            self.diag["gc_start_unfinished"] += 1
            th.gc_pending = None
        self.diag["import_start_unfinished"] += len(th.imp_stack)


# ----------------------------------------------------------------------------------------
# Statistics
# ----------------------------------------------------------------------------------------


def nearest_rank(sorted_vals, p):
    n = len(sorted_vals)
    rank = -(-p * n // 100)  # ceil(p/100*n), exact integer arithmetic
    if rank < 1:
        rank = 1
    return sorted_vals[rank - 1]


def analyze(path, identity_scope="thread", outermost="tree"):
    events = read_events(path)
    an = Analyzer(identity_scope)
    an.run(events)
    trace_start = min((e.ts for e in events), default=0)

    stats = {}

    def st(key):
        s = stats.get(key)
        if s is None:
            s = stats[key] = {"total": 0, "self": 0, "durs": [], "partial": 0}
        return s

    root_total = 0
    for th in an.threads.values():
        for root in th.roots:
            root_total += root.dur
        # iterative walk; `open_ids` = multiset of identities on the path above the node
        work = [(r, False) for r in reversed(th.roots)]
        open_ids = {}
        while work:
            node, leaving = work.pop()
            k = node.key
            if leaving:
                open_ids[k] -= 1
                continue
            s = st(k)
            d = node.dur
            if outermost == "tree":
                is_outer = open_ids.get(k, 0) == 0  # no ancestor in the final tree
            else:
                is_outer = node.live_outermost  # not on the live stack when it closed
            if is_outer:
                s["total"] += d  # outermost activation of this identity
            s["self"] += d - sum(c.dur for c in node.children)
            if node.partial:
                s["partial"] += 1
            else:
                s["durs"].append(d)
            open_ids[k] = open_ids.get(k, 0) + 1
            work.append((node, True))
            for c in reversed(node.children):
                work.append((c, False))

    functions = []
    for k in sorted(stats, key=lambda k: (k[0], k[1], k[2])):
        s = stats[k]
        durs = sorted(s["durs"])
        rec = {
            "name": k[1],
            "file": k[0],
            "line": k[2],
            "calls": an.calls.get(k, 0),
            "totalNs": s["total"],
            "selfNs": s["self"],
        }
        if durs:
            rec.update({
                "minNs": durs[0],
                "maxNs": durs[-1],
                "meanNs": sum(durs) / len(durs),
                "p50Ns": nearest_rank(durs, 50),
                "p95Ns": nearest_rank(durs, 95),
                "p99Ns": nearest_rank(durs, 99),
            })
        else:
            rec.update({"minNs": None, "maxNs": None, "meanNs": None,
                        "p50Ns": None, "p95Ns": None, "p99Ns": None})
        rec["partial"] = s["partial"]
        functions.append(rec)

    self_sum = sum(f["selfNs"] for f in functions)

    # GC
    pauses_sorted = sorted(an.gc_pauses, key=lambda p: (p[0], p[1], p[2], p[3]))
    pauses = [{"generation": g, "startNs": ts - trace_start, "durationNs": d,
               "collected": c, "tid": tid}
              for (ts, pid, tid, seq, g, d, c) in pauses_sorted]
    by_gen = {}
    for p in pauses_sorted:
        by_gen.setdefault(p[4], []).append(p[5])
    by_generation = []
    for g in sorted(by_gen):
        ds = sorted(by_gen[g])
        by_generation.append({"generation": g, "count": len(ds), "totalNs": sum(ds),
                              "maxNs": ds[-1], "p50Ns": nearest_rank(ds, 50),
                              "p95Ns": nearest_rank(ds, 95), "p99Ns": nearest_rank(ds, 99)})
    gc = {"pauses": pauses, "byGeneration": by_generation,
          "totalPauseNs": sum(p[5] for p in pauses_sorted), "unmatched": an.gc_unmatched}

    # imports
    imports = [{"module": m, "startNs": ts - trace_start, "durationNs": d, "selfNs": sf,
                "found": fd, "depth": depth}
               for (ts, depth, pid, tid, seq, m, d, sf, fd) in sorted(an.imports, key=lambda r: r[:5])]

    threads = [{"pid": th.pid, "tid": th.tid, "events": th.events,
                "startNs": th.first_ts - trace_start, "endNs": th.last_ts - trace_start}
               for th in sorted(an.threads.values(), key=lambda t: (t.pid, t.tid))]

    out = {"functions": functions, "rootTotalNs": root_total, "selfSumNs": self_sum,
           "gc": gc, "imports": imports, "threads": threads}
    return out, an.diag


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("trace")
    ap.add_argument("--identity-scope", choices=["thread", "global"], default="thread",
                    help="scope of the generator-resume identity map (default: thread)")
    ap.add_argument("--outermost", choices=["tree", "live"], default="tree",
                    help="what 'outermost' means for totalNs (default: tree; see README)")
    ap.add_argument("--check", action="store_true", help="exit 1 if selfSumNs != rootTotalNs")
    ap.add_argument("--diag", action="store_true", help="print diagnostics to stderr")
    a = ap.parse_args(argv)
    out, diag = analyze(a.trace, a.identity_scope, a.outermost)
    sys.stdout.buffer.write((json.dumps(out, indent=1, ensure_ascii=False) + "\n").encode("utf-8"))
    sys.stdout.flush()
    ok = out["selfSumNs"] == out["rootTotalNs"]
    if a.diag:
        print(json.dumps(diag), file=sys.stderr)
    if not ok:
        print(f"INVARIANT VIOLATED: selfSumNs={out['selfSumNs']} rootTotalNs={out['rootTotalNs']}",
              file=sys.stderr)
        if a.check:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
