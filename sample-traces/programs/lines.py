"""pyflame sample program (d): a small workload for a trace with `line` events.

Recorded by attaching to the running process (bpftrace -p PID): it first sleeps
(argv[1] seconds) so the tracer can attach, then does a little work and exits.
The trace therefore starts in the middle of main() and <module>.
"""
import sys
import time


def triangle(n):
    total = 0
    for i in range(n):
        total += i
    return total


def digits(n):
    while n:
        yield n % 10
        n //= 10


def main(delay):
    time.sleep(delay)
    results = [triangle(n) for n in range(1, 6)]
    return results, sum(digits(9071))


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 0.0)
