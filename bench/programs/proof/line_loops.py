"""Proof program (b): line-heavy pure-Python loops (no calls inside the loops).

    python line_loops.py [SCALE]

sum_squares, collatz_total and grid_walk each run a loop of simple statements; none calls a
function in its loop (not even a builtin: on 3.8-3.11 a C call costs the in-process recorder too),
so self = total. Each is called 6 times at scale 1. See proof_common.py for the two modes.
"""

import time

_T0 = time.perf_counter_ns()

import sys

from proof_common import meter, now, sizes

M = meter(_T0)


def sum_squares(n):
    total = 0
    i = 0
    while i < n:
        total += i * i
        i += 1
    return total


def collatz_total(n):
    steps = 0
    k = 1
    while k < n:
        x = k
        while x != 1:
            if x % 2:
                x = 3 * x + 1
            else:
                x = x // 2
            steps += 1
        k += 1
    return steps


def grid_walk(n):
    # A walk over an n x n grid held as one flat list, written without builtins.
    cells = [0] * (n * n)
    i = 0
    acc = 0
    while i < n:
        j = 0
        row = i * n
        while j < n:
            cells[row + j] = i ^ j
            acc += cells[row + j]
            j += 1
        i += 1
    return acc


def main(scale):
    reps, size = sizes(scale, 6, 1000)
    n1, n2, n3 = 80_000 * size // 1000 + 1, 1_000 * size // 1000 + 2, 180 * size // 1000 + 1
    for _ in range(reps):
        if M:
            M.call(sum_squares, n1)
            M.call(collatz_total, n2)
            M.call(grid_walk, n3)
        else:
            sum_squares(n1)
            collatz_total(n2)
            grid_walk(n3)


if __name__ == "__main__":
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    if M:
        M.leaf(sum_squares, collatz_total, grid_walk)
        M.derived(main, sum_squares, collatz_total, grid_walk)
        M.call(main, scale)
        M.finish(now())
    else:
        main(scale)
