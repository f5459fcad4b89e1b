"""Call-heavy microbenchmark for bench/record-overhead.mjs: a tiny function called N times in a loop.

    python calls.py N

Each call is one entry and one return event for a recorder. Prints its own elapsed time (around
the loop, time.perf_counter) to stderr as `pyflame-bench-elapsed SECONDS`.
"""

import sys
import time


def tiny(x):
    return x + 1


def main(n):
    total = 0
    for i in range(n):
        total = tiny(total)
    return total


if __name__ == "__main__":
    n = int(sys.argv[1])
    t0 = time.perf_counter()
    result = main(n)
    sys.stderr.write("pyflame-bench-elapsed %.6f\n" % (time.perf_counter() - t0))
    assert result == n
