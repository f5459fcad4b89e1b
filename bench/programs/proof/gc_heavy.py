"""Proof program (e): a GC-heavy allocation loop (cyclic garbage).

    python gc_heavy.py [SCALE]

make_cycles makes pairs of dicts that refer to each other and drops them (only the collector
frees them: many generation-0 and -1 collections); grow_graph builds a large live graph of
lists (so the collections that reach generation 2 have much to traverse) and drops it;
full_collect calls gc.collect() while a graph is alive. None calls a Python function (the dicts
and lists are literals), so self = total; the collections run inside them. Each runs 6 times at
scale 1. See proof_common.py for the two modes.
"""

import time

_T0 = time.perf_counter_ns()

import gc
import sys

from proof_common import meter, now, sizes

M = meter(_T0)


def make_cycles(n):
    i = 0
    while i < n:
        a = {"i": i}
        b = {"a": a}
        a["b"] = b
        i += 1
    return i


def grow_graph(n):
    nodes = [None] * n
    prev = [None]
    i = 0
    while i < n:
        node = [prev, i, None]
        prev[0] = node
        nodes[i] = node
        prev = node
        i += 1
    return nodes


def full_collect(graph):
    return gc.collect()


def main(scale):
    reps, size = sizes(scale, 6, 1000)
    n1, n2 = 40_000 * size // 1000 + 1, 40_000 * size // 1000 + 1
    for _ in range(reps):
        if M:
            M.call(make_cycles, n1)
            graph = M.call(grow_graph, n2)
            M.call(full_collect, graph)
        else:
            make_cycles(n1)
            graph = grow_graph(n2)
            full_collect(graph)
        graph = None


if __name__ == "__main__":
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    if M:
        M.leaf(make_cycles, grow_graph, full_collect)
        M.derived(main, make_cycles, grow_graph, full_collect)
        M.call(main, scale)
        M.finish(now())
    else:
        main(scale)
