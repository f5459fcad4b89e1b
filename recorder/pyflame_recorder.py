"""pyflame's in-process recorder: runs a Python program and writes its trace in pyflame's format.

    python pyflame_recorder.py -o TRACE [--audit] -- script.py [args...]
    python pyflame_recorder.py -o TRACE [--audit] -- -m module [args...]

The program runs as `python script.py args` / `python -m module args` would: same sys.argv,
sys.path[0], __main__ module and exit status (see docs/recording.md for what differs). Plain Python,
CPython 3.8+, no dependencies: shipped as a file in the npm package, nothing to install.

What is recorded (docs/formats.md, one TAB-separated line per event):
- function entries and returns of Python code, counted as cProfile counts calls: on 3.12+ with
  sys.monitoring (PY_START, PY_RESUME, PY_THROW enter; PY_RETURN, PY_YIELD, PY_UNWIND leave), on
  3.8-3.11 with sys.setprofile/threading.setprofile ('call' / 'return' of Python frames);
- GC collections from gc.callbacks (generation at start, objects collected at the end);
- imports where `python -X importtime` measures them (each `_find_and_load` called by the import
  statement / __import__), with the module name and whether it was found;
- audit events with --audit (sys.addaudithook; a hook cannot be removed, it goes quiet at the end).
Events are buffered and appended to the file every FLUSH_EVERY events, so memory stays bounded and a
hard kill loses at most one buffer. The trace ends with `# pyflame-end result=complete events=N`.
"""

import _thread
import atexit
import gc
import os
import signal
import sys
import threading
import time
import types

FLUSH_EVERY = 8192
OWN_FILE = os.path.abspath(__file__)
# Code objects carry the file name as the module was found (maybe relative): both spellings are ours.
OWN_FILES = frozenset((__file__, OWN_FILE))
_now = time.monotonic_ns
_native_id = threading.get_native_id


class _Terminated(BaseException):
    """Raised in the program on SIGTERM (when it had no handler of its own): unwinds it like Ctrl-C."""


def _interrupt_again():
    """Ctrl-C's KeyboardInterrupt (raised by SIGINT's handler wherever Python code runs) arrived in
    the recorder's own code, where raising would remove the recorder (or be dropped, in a GC
    callback). It is raised again, a moment later, by SIGINT's handler, in the program's code.
    (SIGINT's handler is left as it is: asyncio.run and others check it is Python's default.)"""
    _thread.interrupt_main()


def _clean(text):
    """Names go on one line: a newline or CR in a file or function name would split an event."""
    if "\n" in text or "\r" in text:
        return text.replace("\r", "\\r").replace("\n", "\\n")
    return text


class Recorder:
    def __init__(self, path, audit):
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        self.pid = os.getpid()
        self.buffer = []
        self.lock = threading.Lock()
        self.written = 0
        self.closed = False
        self.audit = audit
        self.functions = {}  # code -> (entry suffix, return prefix), or None for the recorder's own code
        self.tool = None
        self.import_depth = 0
        self.thread_ids = {}  # threading.get_ident() -> "\tpid\ttid" (3.12+)
        self.replaced = {}  # signal -> (our handler, the one it replaced): given back in forked children
        self._write(
            "# pyflame-trace v1 clock=monotonic_ns recorder=inprocess python=%s version=%d.%d.%d pid=%d\n"
            % (_clean(sys.executable), sys.version_info[0], sys.version_info[1], sys.version_info[2], self.pid)
        )

    # ---- output ----------------------------------------------------------------------------
    def _write(self, text):
        data = text.encode("utf-8", "surrogateescape")
        view = memoryview(data)
        while view:
            done = os.write(self.fd, view)
            view = view[done:]

    def flush(self):
        """Moves the buffered lines to the file. Lines appended meanwhile (other threads) stay."""
        with self.lock:
            if self.closed:
                return
            buffer = self.buffer
            count = len(buffer)
            if count == 0:
                return
            chunk = buffer[:count]
            try:
                self._write("".join(chunk))
            finally:
                del buffer[:count]
            self.written += sum(1 for line in chunk if line[0] != "#")

    def note_thread(self, thread=None):
        thread = thread or threading.current_thread()
        tid = getattr(thread, "native_id", None)
        if tid is not None:
            self.buffer.append("%d\t%d\t%d\tthread-name\t%s\n" % (_now(), self.pid, tid, _clean(str(thread.name))))

    # ---- function events -------------------------------------------------------------------
    def describe(self, code):
        """The constant parts of a code object's event lines, made once per code object."""
        if code.co_filename in OWN_FILES:
            described = None
        else:
            where = "%s\t%s" % (_clean(code.co_filename), _clean(code.co_name))
            described = ("\tfunction__entry\t%s\t%d\n" % (where, code.co_firstlineno), "\tfunction__return\t%s\t" % where)
        self.functions[code] = described
        return described

    def profile_function(self):
        """A sys.setprofile function for the calling thread (3.8-3.11): the thread id is bound once."""
        ids = "\t%d\t%d" % (self.pid, _native_id())
        functions = self.functions
        describe = self.describe
        buffer = self.buffer
        append = buffer.append
        flush = self.flush
        now = _now

        def profile(frame, event, arg):
            try:
                if event == "call":
                    code = frame.f_code
                    described = functions.get(code) or describe(code)
                    if described is not None:
                        append("%d%s%s" % (now(), ids, described[0]))
                        if len(buffer) >= FLUSH_EVERY:
                            flush()
                elif event == "return":
                    code = frame.f_code
                    described = functions.get(code) or describe(code)
                    if described is not None:
                        append("%d%s%s%d\n" % (now(), ids, described[1], frame.f_lineno))
                        if len(buffer) >= FLUSH_EVERY:
                            flush()
            except KeyboardInterrupt:
                _interrupt_again()

        return profile

    def start_thread_profile(self, frame, event, arg):
        """threading.setprofile's function: each new thread swaps in its own profile function."""
        self.note_thread()
        profile = self.profile_function()
        sys.setprofile(profile)
        profile(frame, event, arg)

    def start_monitoring(self):
        """3.12+: sys.monitoring, one tool id of our own (a program's cProfile or debugger keeps theirs)."""
        monitoring = sys.monitoring
        for tool in (4, 3, 1, 0, 5):
            try:
                monitoring.use_tool_id(tool, "pyflame")
            except ValueError:
                continue
            self.tool = tool
            break
        else:
            raise RuntimeError("every sys.monitoring tool id is taken")
        functions = self.functions
        describe = self.describe
        buffer = self.buffer
        append = buffer.append
        flush = self.flush
        now = _now
        # "\tpid\ttid" per thread, by threading.get_ident(): gettid() is a system call (~0.4 µs),
        # too slow for every event.
        get_ident = _thread.get_ident
        ids_of = self.thread_ids
        thread_ids = self.ids_for_thread
        disable = monitoring.DISABLE
        getframe = sys._getframe

        def enter(code, offset, *rest):
            try:
                described = functions.get(code) or describe(code)
                if described is None:
                    return disable
                append("%d%s%s" % (now(), ids_of.get(get_ident()) or thread_ids(), described[0]))
                if len(buffer) >= FLUSH_EVERY:
                    flush()
            except KeyboardInterrupt:
                _interrupt_again()

        def leave(code, offset, value):
            try:
                described = functions.get(code) or describe(code)
                if described is None:
                    return disable
                # Frame 1 is the returning function's (frame 2 when called through unwound()).
                frame = getframe(1)
                if frame.f_code is not code:
                    frame = frame.f_back
                append("%d%s%s%d\n" % (now(), ids_of.get(get_ident()) or thread_ids(), described[1], frame.f_lineno))
                if len(buffer) >= FLUSH_EVERY:
                    flush()
            except KeyboardInterrupt:
                _interrupt_again()

        # PY_THROW and PY_UNWIND are not local events: they cannot be disabled (3.13 raises).
        def thrown_in(code, offset, exception):
            if enter(code, offset) is not None:
                return None

        def unwound(code, offset, exception):
            if leave(code, offset, exception) is not None:
                return None

        events = monitoring.events
        for event in (events.PY_START, events.PY_RESUME):
            monitoring.register_callback(tool, event, enter)
        monitoring.register_callback(tool, events.PY_THROW, thrown_in)
        for event in (events.PY_RETURN, events.PY_YIELD):
            monitoring.register_callback(tool, event, leave)
        monitoring.register_callback(tool, events.PY_UNWIND, unwound)
        monitoring.set_events(
            tool,
            events.PY_START | events.PY_RESUME | events.PY_THROW | events.PY_RETURN | events.PY_YIELD | events.PY_UNWIND,
        )

    def start_functions(self):
        if sys.version_info >= (3, 12):
            # Thread names: a profile function that notes the thread and removes itself.
            threading.setprofile(self.note_new_thread)
            self.start_monitoring()
        else:
            threading.setprofile(self.start_thread_profile)
            sys.setprofile(self.profile_function())

    def note_new_thread(self, frame, event, arg):
        sys.setprofile(None)
        self.note_thread()
        self.ids_for_thread()  # a new thread may reuse a finished one's get_ident(), not its tid

    def ids_for_thread(self):
        """"\tpid\ttid" of the calling thread, kept by threading.get_ident()."""
        ids = "\t%d\t%d" % (self.pid, _native_id())
        self.thread_ids[_thread.get_ident()] = ids
        return ids

    def stop_functions(self):
        """Stops recording functions in this thread (3.8-3.11), or everywhere (3.12+)."""
        if self.tool is not None:
            sys.monitoring.set_events(self.tool, 0)
        threading.setprofile(None)
        sys.setprofile(None)

    # ---- GC, imports, audit ----------------------------------------------------------------
    def gc_callback(self, phase, info):
        try:
            if phase == "start":
                self.buffer.append("%d\t%d\t%d\tgc__start\t%d\n" % (_now(), self.pid, _native_id(), info.get("generation", -1)))
            else:
                self.buffer.append("%d\t%d\t%d\tgc__done\t%d\n" % (_now(), self.pid, _native_id(), info.get("collected", 0)))
        except KeyboardInterrupt:
            _interrupt_again()  # the GC would print and drop it

    def wrap_imports(self):
        """Wraps importlib's _find_and_load where the import statement calls it (import.c looks it up by
        name each time). -X importtime and the import markers measure exactly these calls: the ones
        whose import_ is builtins.__import__'s; importlib.import_module passes _gcd_import, not measured."""
        bootstrap = sys.modules["_frozen_importlib"]
        original = bootstrap._find_and_load
        gcd_import = bootstrap._gcd_import
        recorder = self

        def _find_and_load(name, import_):
            if import_ is gcd_import or recorder.closed:
                return original(name, import_)
            ids = "\t%d\t%d" % (recorder.pid, _native_id())
            clean = _clean(name)
            recorder.buffer.append("%d%s\timport__find__load__start\t%s\n" % (_now(), ids, clean))
            found = 0
            try:
                module = original(name, import_)
                found = 1
                return module
            finally:
                recorder.buffer.append("%d%s\timport__find__load__done\t%s\t%d\n" % (_now(), ids, clean, found))

        self.original_find_and_load = original
        bootstrap._find_and_load = _find_and_load

    def unwrap_imports(self):
        bootstrap = sys.modules["_frozen_importlib"]
        bootstrap._find_and_load = self.original_find_and_load

    def audit_hook(self, event, args):
        if not self.closed:
            self.buffer.append("%d\t%d\t%d\taudit\t%s\n" % (_now(), self.pid, _native_id(), _clean(event).replace("\t", " ")))

    def start(self):
        self.note_thread()
        gc.callbacks.append(self.gc_callback)
        self.wrap_imports()
        if self.audit:
            sys.addaudithook(self.audit_hook)
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self.forget_in_child)
        self.start_functions()

    def forget_in_child(self):
        """After os.fork() (multiprocessing's default on Linux), in the child: the trace is the
        parent's; the child writes nothing to it (not recorded: --follow-children is not built)."""
        with self.lock:
            self.closed = True
            del self.buffer[:]
        self.stop_functions()
        try:
            gc.callbacks.remove(self.gc_callback)
        except ValueError:
            pass
        self.unwrap_imports()
        try:
            os.close(self.fd)
        except OSError:
            pass
        # The child dies of SIGTERM as without the recorder (multiprocessing.Pool terminates so).
        if threading.current_thread() is threading.main_thread():
            for signum, (ours, original) in self.replaced.items():
                if signal.getsignal(signum) is ours:
                    signal.signal(signum, original)
        if sys.excepthook is _hide_own_frames:
            sys.excepthook = sys.__excepthook__

    def finish(self, how):
        """Stops everything and ends the trace; once (atexit, a signal, the end of the program)."""
        if self.closed:
            return
        self.stop_functions()
        try:
            gc.callbacks.remove(self.gc_callback)
        except ValueError:
            pass
        self.unwrap_imports()
        for thread in threading.enumerate():
            self.note_thread(thread)
        self.flush()
        with self.lock:
            self.closed = True
            self._write("# pyflame-end result=complete events=%d lost=0 recorder=inprocess end=%s\n" % (self.written, how))
            os.close(self.fd)


def _program(arguments):
    """`script.py args` or `-m module args` after --."""
    if not arguments:
        raise SystemExit("pyflame_recorder: name the program after --: script.py [args] or -m module [args]")
    if arguments[0] == "-m":
        if len(arguments) < 2:
            raise SystemExit("pyflame_recorder: -m needs a module name")
        return "module", arguments[1], arguments[2:]
    return "script", arguments[0], arguments[1:]


def _parse(argv):
    output = None
    audit = False
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg == "--":
            return output, audit, _program(argv[index + 1 :])
        if arg == "-o" and index + 1 < len(argv):
            output = argv[index + 1]
            index += 2
            continue
        if arg == "--audit":
            audit = True
            index += 1
            continue
        raise SystemExit("pyflame_recorder: unknown argument %r (usage: -o TRACE [--audit] -- script.py|-m module [args])" % arg)
    raise SystemExit("pyflame_recorder: missing -- before the program")


def _send_again(signum):
    time.sleep(0.001)
    os.kill(os.getpid(), signum)


def _install_signal_handlers(recorder):
    """SIGTERM ends the trace cleanly: when its disposition is the default (death), it is replaced
    by a handler raising _Terminated; the program's own signal.signal() calls later take over as
    usual. (Ctrl-C needs no handler: see _interrupt_again.) A signal arriving while the recorder's own code
    runs is sent again, so the exception is raised in the program's code, never in the recorder's."""

    def deliver(signum, frame, exception):
        if frame is not None and frame.f_code.co_filename in OWN_FILES:
            # Raising here would remove the profile function (or monitoring callback). A helper
            # thread (no threading.Thread: nothing of it is recorded) sends the signal again a moment
            # later, when the program's own code runs.
            _thread.start_new_thread(_send_again, (signum,))
            return
        raise exception

    if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        handler = lambda signum, frame: deliver(signum, frame, _Terminated())  # noqa: E731
        signal.signal(signal.SIGTERM, handler)
        recorder.replaced[signal.SIGTERM] = (handler, signal.SIG_DFL)


def _hide_own_frames(kind, value, traceback):
    """The default excepthook, minus the recorder's frames at the top of the traceback: an uncaught
    exception prints as under plain python. (A program that sets its own hook replaces this one.)"""
    while traceback is not None and traceback.tb_frame.f_code.co_filename in OWN_FILES:
        traceback = traceback.tb_next
    if isinstance(value, BaseException):
        value.__traceback__ = traceback  # 3.12+ prints the exception's own traceback
    sys.__excepthook__(kind, value, traceback)


def _other_threads():
    """Threads besides this one, without calling Python code (threading.active_count() is Python:
    it would be recorded)."""
    return len(getattr(threading, "_active", ())) + len(getattr(threading, "_limbo", ())) - 1


def _main_module(path):
    main = types.ModuleType("__main__")
    main.__dict__["__builtins__"] = sys.modules["builtins"]
    if path is not None:
        main.__file__ = path
        main.__cached__ = None
    sys.modules["__main__"] = main
    return main


def main():
    output, audit, (kind, target, arguments) = _parse(sys.argv[1:])
    argv0 = target
    if output is None:
        raise SystemExit("pyflame_recorder: -o TRACE is required")
    # sys.path[0] is the recorder's directory; the program gets what the interpreter would give it.
    own_dir = os.path.dirname(OWN_FILE)
    replace_path0 = bool(sys.path) and os.path.abspath(sys.path[0] or ".") == own_dir
    if kind == "script":
        if sys.version_info >= (3, 9):
            target = os.path.abspath(target)  # 3.9+: __file__ and code file names are absolute
        with open(target, "rb") as source:  # io.open_code would honour an open-code hook; same for files
            code = compile(source.read(), target, "exec", dont_inherit=True)
        if replace_path0:
            sys.path[0] = os.path.dirname(os.path.realpath(target))
        sys.argv[:] = [argv0] + arguments
    else:
        if replace_path0:
            sys.path[0] = os.getcwd()
        sys.argv[:] = [target] + arguments  # runpy sets argv[0] to the module's file, as -m does
    recorder = Recorder(output, audit)
    atexit.register(recorder.finish, "exit")
    _install_signal_handlers(recorder)
    if sys.excepthook is sys.__excepthook__:
        sys.excepthook = _hide_own_frames
    import runpy  # before recording: `python -m` has it imported already

    try:
        if kind == "script":
            main_module = _main_module(target)
            recorder.start()
            exec(code, main_module.__dict__)
        else:
            _main_module(None)
            sys.argv[0] = "-m"
            recorder.start()
            runpy._run_module_as_main(target, alter_argv=True)
    except _Terminated:
        recorder.finish("sigterm")
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        sys.stdout.flush()
        sys.stderr.flush()
        os.kill(os.getpid(), signal.SIGTERM)
        raise SystemExit(128 + signal.SIGTERM)  # not reached: SIGTERM ends the process
    finally:
        # The program's main code is done (as for cProfile, the interpreter's shutdown is not its);
        # threads it left running are still recorded until atexit ends the trace: on 3.8-3.11 they
        # keep their own profile functions, on 3.12+ monitoring is global and stays on for them.
        if sys.version_info < (3, 12):
            sys.setprofile(None)
        elif _other_threads() == 0:
            recorder.stop_functions()


if __name__ == "__main__":
    main()
