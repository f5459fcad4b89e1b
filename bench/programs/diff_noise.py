"""A program for bench/diff-noise.mjs: three kinds of work, one of which can be made slower.

    python diff_noise.py SLOWDOWN

parse() holds about 15% of the run; SLOWDOWN (1.0 = unchanged, 1.2 = 20% slower) multiplies the
work each of its calls does, so its call count stays the same and only its time changes.
"""

import sys


def crunch(k):
    total = 0
    for i in range(k):
        total += (i * i) % 7
    return total


def format_rows(k):
    rows = []
    for i in range(k):
        rows.append("%d:%s" % (i, "x" * (i % 13)))
    return len(",".join(rows))


def parse(k):
    total = 0
    for i in range(k):
        total += (i * 3) % 11
    return total


def main(slowdown):
    result = 0
    for _ in range(200):
        result += crunch(6000)
        result += format_rows(1800)
        result += parse(int(3600 * slowdown))
    return result


if __name__ == "__main__":
    main(float(sys.argv[1]))
