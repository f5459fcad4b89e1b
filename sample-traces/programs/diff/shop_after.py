"""shop_before.py after a change with two deliberate regressions (see shop_before.py):
audit() is called for every order, and report() does three times the work.
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


def audit(order):
    return sum(len(item["sku"]) for item in order["items"])


def process(orders):
    total = 0
    for order in orders:
        validate(order)
        audit(order)
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
    print(process(orders), report(600_000))


if __name__ == "__main__":
    main()
