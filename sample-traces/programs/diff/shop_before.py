"""A small order-processing run, recorded before and after a change (see ../../README.md).

shop_after.py is the same program with two deliberate regressions: every order is also passed
to audit() (an extra call in the loop) and report() does three times the work (a slower
function). Both are recorded as /tmp/pyflame-shop/shop.py so their functions have the same file.
"""
import json


def make_order(n):
    items = [{"sku": f"sku-{n}-{k}", "qty": 1 + (n * k) % 5, "unit": 3 + (n + k) % 11} for k in range(1 + n % 4)]
    return json.dumps({"id": n, "customer": f"c{n % 17}", "items": items})


def parse_order(text):
    return json.loads(text)


def validate(order):
    if not order["items"]:
        raise ValueError("empty order")
    return all(item["qty"] > 0 for item in order["items"])


def price(item):
    return item["qty"] * item["unit"]


def tax(total):
    return round(total * 0.2, 2)


def process(orders):
    total = 0
    for order in orders:
        validate(order)
        for item in order["items"]:
            total += price(item)
    return total + tax(total)


def report(rows):
    acc = 0
    for i in range(rows):
        acc = (acc + i * i) % 1000003
    return acc


def main():
    orders = [parse_order(make_order(n)) for n in range(300)]
    print(process(orders), report(200_000))


if __name__ == "__main__":
    main()
