"""pyflame --follow-children: PYTHONPATH puts this folder first in the Python subprocesses of a
recorded program, so Python imports this file at start-up. It records the subprocess (CPython 3.8+)
into the folder PYFLAME_FOLLOW_CHILDREN names, then runs the sitecustomize it hides, if any, and
takes this folder out of sys.path again. Written for any Python: an older one (or Python 2) that
meets it does nothing more than that.
"""
import os
import sys


def _pyflame_follow():
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or ".") != here]
    directory = os.environ.get("PYFLAME_FOLLOW_CHILDREN")
    if directory and sys.version_info >= (3, 8) and sys.implementation.name == "cpython":
        import importlib.util

        path = os.path.join(os.path.dirname(here), "pyflame_recorder.py")
        spec = importlib.util.spec_from_file_location("pyflame_recorder", path)
        recorder = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(recorder)
        recorder.record_child_from_start(directory, os.environ.get("PYFLAME_FOLLOW_OPTIONS", "").split())
    try:
        import importlib.machinery
        import importlib.util
    except ImportError:
        return
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", sys.path)
    if spec is not None and spec.loader is not None:
        hidden = importlib.util.module_from_spec(spec)
        sys.modules["sitecustomize"] = hidden
        spec.loader.exec_module(hidden)


_pyflame_follow()
