"""pyflame sample program (b): several threads doing real work.

Four worker threads (prime sieve, recursive Fibonacci, sorting with a key
function, and a JSON-like encoder/decoder written in Python) run while the
main thread does its own work and then joins them. The GIL interleaves them,
and a short switch interval makes each thread's call stack be suspended and
resumed many times.
"""
import sys
import threading


def is_prime(n):
    if n < 2:
        return False
    i = 2
    while i * i <= n:
        if n % i == 0:
            return False
        i += 1
    return True


def primes_worker(results, limit):
    found = []
    for n in range(limit):
        if is_prime(n):
            found.append(n)
    results["primes"] = len(found)


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def fib_worker(results, n):
    results["fib"] = fib(n)


def sort_key(record):
    return (record[1] % 7, record[0])


def sort_worker(results, count):
    records = [(i, (i * 7919) % 1000) for i in range(count)]
    ordered = sorted(records, key=sort_key)
    results["sorted"] = ordered[0]


def encode(value):
    if isinstance(value, dict):
        return "{" + ",".join(encode(k) + ":" + encode(v) for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(encode(v) for v in value) + "]"
    if isinstance(value, str):
        return '"' + value + '"'
    return str(value)


def encode_worker(results, rounds):
    doc = {"name": "pyflame", "tags": ["a", "b", "c"], "nested": {"x": [1, 2, {"y": 3}]}}
    total = 0
    for _ in range(rounds):
        total += len(encode(doc))
    results["encoded"] = total


def main_work(n):
    acc = 0
    for i in range(n):
        acc += fib(i % 8)
    return acc


def main():
    # switch threads every 0.2 ms instead of 5 ms: the workers are short, and this makes
    # their call stacks interleave (each one suspended and resumed many times)
    sys.setswitchinterval(0.0002)
    results = {}
    threads = [
        threading.Thread(target=primes_worker, args=(results, 200), name="primes"),
        threading.Thread(target=fib_worker, args=(results, 11), name="fib"),
        threading.Thread(target=sort_worker, args=(results, 150), name="sort"),
        threading.Thread(target=encode_worker, args=(results, 6), name="encode"),
    ]
    for t in threads:
        t.start()
    results["main"] = main_work(30)
    for t in threads:
        t.join()
    return results


if __name__ == "__main__":
    main()
