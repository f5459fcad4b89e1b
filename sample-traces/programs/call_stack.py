def function_1():
    return function_3("one")


def function_2():
    return function_1()


def function_3(label):
    return len(label)


def function_4(**options):
    return sorted(options)


# positional, keyword, *args and **kwargs calls
def function_5(first, second, **rest):
    total = first + second
    total += len(rest)
    return total

def start():
    function_1()
    function_2()
    function_3("three")
    function_4(alpha=1)
    return function_5(*(1, 2), **{"beta": 3})


start()

# pyflame sample program: the same call shape and line numbers as the call_stack.py
# example in the CPython "Instrumenting CPython with DTrace and SystemTap" docs
# (start at line 23, function_1..5 at lines 1, 5, 9, 13, 18), with its own bodies.
