"""pyflame sample program (c): imports and garbage collection.

Imports several standard-library packages (each pulls in more modules, so
import__find__load__start/done nest; one import fails), then builds reference cycles so the
cyclic collector runs on its own in generations 0, 1 and 2, and finally
calls gc.collect() explicitly for each generation.
"""
import gc

import json
import decimal
import csv
import datetime
import email.charset
import http

try:
    import pyflame_no_such_module  # a failed import: import__find__load__done found=0
except ImportError:
    pyflame_no_such_module = None


class Node:
    # no __init__: creating a Node runs no Python frame, so the trace stays small
    peer = None


def make_cycles(count, keep):
    # every pair points at each other: unreachable once the function returns,
    # except every `keep`-th pair, which survives and ages into generation 2
    kept = []
    for i in range(count):
        a = Node()
        b = Node()
        a.peer = b
        b.peer = a
        if i % keep == 0:
            kept.append(a)
    return kept


def use_modules():
    text = json.dumps({"price": str(decimal.Decimal("1.10") * 3), "day": str(datetime.date(2026, 11, 27))})
    header = email.charset.Charset("utf-8").header_encode("pyflame")
    return json.loads(text), header, http.HTTPStatus.OK.phrase, csv.QUOTE_ALL


def main():
    use_modules()
    # smaller thresholds than the default (700, 10, 10) so that a short run
    # reaches automatic collections of generations 1 and 2
    gc.set_threshold(300, 3, 3)
    survivors = []
    counts = []
    for _ in range(16):
        survivors.extend(make_cycles(300, 2))
        counts.append(gc.get_count())
    del survivors
    collected = [gc.collect(0), gc.collect(1), gc.collect(2), gc.collect()]
    return counts, collected


if __name__ == "__main__":
    main()
