"""pyflame sample program (a): one thread.

Recursion, exceptions (caught where raised, and propagating through several
frames), generators (resumed many times, delegated with `yield from`, closed
early), classes with inheritance and super(), comprehensions and a decorator.
Runs in a few milliseconds untraced.
"""
import functools


def logged(fn):
    """Decorator: counts calls; the wrapper is an extra Python frame."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        wrapper.calls += 1
        return fn(*args, **kwargs)
    wrapper.calls = 0
    return wrapper


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def walk(tree, depth=0):
    """Recursive walk of a nested list; returns the maximum depth."""
    deepest = depth
    for node in tree:
        if isinstance(node, list):
            deepest = max(deepest, walk(node, depth + 1))
    return deepest


class ParseError(Exception):
    pass


def parse_digit(ch):
    if not ch.isdigit():
        raise ParseError(ch)
    return ord(ch) - 48


def parse_number(text):
    value = 0
    for ch in text:
        value = value * 10 + parse_digit(ch)
    return value


def safe_parse(text):
    # ParseError propagates out of parse_digit and parse_number, caught here
    try:
        return parse_number(text)
    except ParseError:
        return -1


def sink(n):
    if n == 0:
        raise ValueError("bottom reached")
    return sink(n - 1)


def unwind(depth):
    # ValueError propagates through depth+1 frames of sink
    try:
        sink(depth)
    except ValueError as exc:
        return str(exc)
    finally:
        cleanup()


def cleanup():
    return None


def countdown(n):
    while n > 0:
        yield n
        n -= 1


def evens(limit):
    for value in countdown(limit):
        if value % 2 == 0:
            yield value


def chained(limit):
    yield from evens(limit)
    yield from countdown(3)


class Shape:
    def __init__(self, name):
        self.name = name

    def area(self):
        raise NotImplementedError(self.name)

    def describe(self):
        return "%s: %.2f" % (self.name, self.area())


class Rect(Shape):
    def __init__(self, w, h):
        super().__init__("rect")
        self.w = w
        self.h = h

    def area(self):
        return self.w * self.h


class Square(Rect):
    def __init__(self, side):
        super().__init__(side, side)
        self.name = "square"


class Circle(Shape):
    def __init__(self, r):
        super().__init__("circle")
        self.r = r

    def area(self):
        return 3.14159 * self.r * self.r


@logged
def total_area(shapes):
    return sum(shape.area() for shape in shapes)


@logged
def describe_all(shapes):
    out = []
    for shape in shapes:
        try:
            out.append(shape.describe())
        except NotImplementedError:
            out.append("abstract")
    return out


def main():
    fib(12)
    walk([1, [2, [3, [4, [5, [6]]]], [7]], [[[[8]]]]])
    parsed = [safe_parse(t) for t in ["12", "345", "6x7", "8901", "y"]]
    unwind(8)
    unwind(3)
    squares = [v * v for v in chained(40)]
    gen = countdown(100)
    next(gen)
    next(gen)
    gen.close()
    shapes = [Rect(2, 3), Square(4), Circle(1.5), Shape("blob")]
    for _ in range(5):
        total_area(shapes[:3])
        describe_all(shapes)
    return parsed, squares, total_area.calls


if __name__ == "__main__":
    main()
