"""pyflame sample program (e): a slow, steady "server" for per-second views.

Handles one small "request" every 50 ms for about 3.5 s, so function-entry
counts per second are steady and small (the source of the SystemTap "top"
layout sample). Recorded by attaching with -p: it first sleeps argv[1] seconds
so the tracer can attach.
"""
import sys
import time


def parse(request):
    return request.split(" ")


def route(parts):
    if parts[0] == "GET":
        return handle_get
    return handle_post


def handle_get(parts):
    return render({"path": parts[1]})


def handle_post(parts):
    return render({"path": parts[1], "body": validate(parts[2:])})


def validate(words):
    return [w for w in words if w.isalnum()]


def render(doc):
    return ";".join(key + "=" + str(doc[key]) for key in sorted(doc))


def serve(ticks):
    for i in range(ticks):
        request = "GET /item/%d" % i if i % 3 else "POST /item/%d a b c" % i
        parts = parse(request)
        route(parts)(parts)
        time.sleep(0.05)


if __name__ == "__main__":
    time.sleep(float(sys.argv[1]) if len(sys.argv) > 1 else 0.0)
    serve(70)
