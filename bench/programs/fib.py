"""Recursion for bench/record-overhead.mjs: the naive recursive Fibonacci number.

    python fib.py N

fib(N) makes 2*fib(N+1)-1 calls. Prints its own elapsed time to stderr as
`pyflame-bench-elapsed SECONDS`.
"""

import sys
import time


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


if __name__ == "__main__":
    n = int(sys.argv[1])
    t0 = time.perf_counter()
    fib(n)
    sys.stderr.write("pyflame-bench-elapsed %.6f\n" % (time.perf_counter() - t0))
