"""A thread pool for bench/record-overhead.mjs.

    python thread_pool.py ITEMS

ITEMS small jobs mapped over a ThreadPoolExecutor of 4 threads; each job makes a few Python calls,
so the recorder sees calls on several threads at once (and the pool's own queue and lock code).
The result does not depend on the scheduling. Prints its own elapsed time to stderr as
`pyflame-bench-elapsed SECONDS`.
"""

import sys
import time
from concurrent.futures import ThreadPoolExecutor


def digit_sum(x):
    return sum(int(c) for c in str(x))


def job(i):
    return digit_sum(i * i) + digit_sum(i)


if __name__ == "__main__":
    n = int(sys.argv[1])
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=4) as pool:
        total = sum(pool.map(job, range(n), chunksize=1))
    sys.stderr.write("pyflame-bench-elapsed %.6f\n" % (time.perf_counter() - t0))
