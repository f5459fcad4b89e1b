"""asyncio with many tasks for bench/record-overhead.mjs.

    python asyncio_tasks.py TASKS

TASKS tasks, each awaiting asyncio.sleep(0) a few times around a little work, gathered in one
asyncio.run; every resume is a call for a recorder. Deterministic (no timers, no I/O). Prints its
own elapsed time to stderr as `pyflame-bench-elapsed SECONDS`.
"""

import asyncio
import sys
import time

STEPS = 5


def work(i, step):
    return (i * 31 + step) % 97


async def task(i):
    total = 0
    for step in range(STEPS):
        total += work(i, step)
        await asyncio.sleep(0)
    return total


async def main(n):
    results = await asyncio.gather(*(task(i) for i in range(n)))
    return sum(results)


if __name__ == "__main__":
    n = int(sys.argv[1])
    t0 = time.perf_counter()
    asyncio.run(main(n))
    sys.stderr.write("pyflame-bench-elapsed %.6f\n" % (time.perf_counter() - t0))
