"""pyflame's in-process recorder: runs a Python program and records its calls into a spool file.

    python pyflame_recorder.py -o SPOOL [--audit] [--lines] [--follow-children] -- script.py [args...]
    python pyflame_recorder.py -o SPOOL [--audit] [--lines] [--follow-children] -- -m module [args...]

The program runs as `python script.py args` / `python -m module args` would: same sys.argv,
sys.path[0], __main__ module and exit status (see docs/recording.md for what differs). Plain Python,
CPython 3.8+, no dependencies: shipped as a file in the npm package, nothing to install.

What is recorded:
- function entries and returns of Python code, counted as cProfile counts calls: on 3.12+ with
  sys.monitoring (PY_START, PY_RESUME, PY_THROW enter; PY_RETURN, PY_YIELD, PY_UNWIND leave), on
  3.8-3.11 with sys.setprofile/threading.setprofile ('call' / 'return' of Python frames);
- GC collections from gc.callbacks (generation at start, objects collected at the end);
- imports where `python -X importtime` measures them (each `_find_and_load` called by the import
  statement / __import__), with the module name and whether it was found;
- audit events with --audit (sys.addaudithook; a hook cannot be removed, it goes quiet at the end);
- executed lines with --lines (sys.monitoring LINE on 3.12+, sys.settrace before).

The spool (docs/formats.md, "pyflame spool"): a text header line, then chunks of 64-bit words. Every
event is a few integers appended to a list in one call (atomic under the GIL, ~0.1 µs); the names of
code objects, modules and threads are written once, as definitions. pyflame turns a spool into its
text format (`pyflame record` does it at the end; analyze and every other command read spools too).
The list is written out every FLUSH_WORDS words, so memory stays bounded and a hard kill loses at
most one buffer. A finished spool ends with an end chunk counting the words written.
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
from array import array

FLUSH_WORDS = 1 << 14
OWN_FILE = os.path.abspath(__file__)
# Code objects carry the file name as the module was found (maybe relative): both spellings are ours.
OWN_FILES = frozenset((__file__, OWN_FILE))
_now = time.monotonic_ns
_native_id = threading.get_native_id
_get_ident = _thread.get_ident
_getpid = os.getpid

# Event kinds: the low 4 bits of an event's tag word; the rest is the definition's number.
ENTRY, RETURN, GC_START, GC_DONE, IMPORT_START, IMPORT_DONE, AUDIT, THREAD, LINE = range(9)
# A prefix of two words (thread ident, count << 4 | UNWRITTEN) before an event of that thread: the
# profile function's calls since the thread's previous event that wrote nothing (3.8-3.11: every C
# call and return, the recorder's own frames). Written in the same extend as the event it prefixes.
UNWRITTEN = 9
# Chunk kinds (a chunk is [kind, byte length] then the bytes).
CHUNK_DEFINITIONS, CHUNK_EVENTS, CHUNK_END = 1, 2, 3
# 3.12+ gives instruction offsets (the return line is looked up in the code's line table by pyflame);
# 3.8-3.11 give the frame's line directly.
RETURNS_BY_OFFSET = sys.version_info >= (3, 12)
FOLLOW_ENV = "PYFLAME_FOLLOW_CHILDREN"
# Audit events the recorder itself causes, not recorded with --audit (the program's own events of
# these names are left out with them; docs/recording.md): id() in every hook, frame.f_code reads
# for every call on 3.8-3.11, a frame for an unwind or a new thread, the spool's buffers, the hooks.
OWN_AUDIT_EVENTS = frozenset(
    (
        "builtins.id",
        "sys._getframe",
        "array.__new__",
        "sys.setprofile",
        "sys.settrace",
        "sys.monitoring.register_callback",
    )
)
FOLLOW_DIR = os.path.join(os.path.dirname(OWN_FILE), "follow")


class _Terminated(BaseException):
    """Raised in the program on SIGTERM (when it had no handler of its own): unwinds it like Ctrl-C."""


def _interrupt_again():
    """Ctrl-C's KeyboardInterrupt (raised by SIGINT's handler wherever Python code runs) arrived in
    the recorder's own code, where raising would remove the recorder (or be dropped, in a GC
    callback). It is raised again, a moment later, by SIGINT's handler, in the program's code.
    (SIGINT's handler is left as it is: asyncio.run and others check it is Python's default.)"""
    _thread.interrupt_main()


def _clean(text, tab="\\t"):
    """Names go in one field of one line: a newline, CR or TAB in a name would split it."""
    if "\n" in text or "\r" in text or "\t" in text:
        return text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", tab)
    return text


def _encode(text):
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that is no escaped byte
        return text.encode("utf-8", "backslashreplace")


class Spool:
    """The spool file: event words and definition lines, buffered, written in chunks."""

    def __init__(self, path, pid, follow):
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        self.path = path
        self.pid = pid
        self.words = []  # event words, appended by the hooks (one extend per event)
        self.definitions = []  # definition lines, appended before the first event that uses them
        self.lock = threading.Lock()
        self.owner = None  # the thread holding the lock: a signal handler run inside a flush must not wait for it
        self.written = 0
        self.closed = False
        header = "# pyflame-spool v1 clock=monotonic_ns recorder=inprocess python=%s version=%d.%d.%d pid=%d ppid=%d returns=%s%s" % (
            _clean(sys.executable, " "),
            sys.version_info[0],
            sys.version_info[1],
            sys.version_info[2],
            pid,
            os.getppid(),
            "offset" if RETURNS_BY_OFFSET else "line",
            " follow-children=1" if follow else "",
        )
        header = _encode(header)
        # Padded with spaces so the chunks start at a multiple of 8 bytes.
        self._write(header + b" " * (-(len(header) + 1) % 8) + b"\n")

    def _write(self, data):
        view = memoryview(data).cast("B")
        while view:
            done = os.write(self.fd, view)
            view = view[done:]

    def _chunk(self, kind, data):
        if not isinstance(data, array):
            data += b"\n" * (-len(data) % 8)  # text chunks end in blank lines up to a multiple of 8 bytes
        self._write(array("q", (kind, len(data) * (data.itemsize if isinstance(data, array) else 1))))
        self._write(data)

    def flush(self, wait=False):
        """Writes the buffered definitions and events. Words appended meanwhile (other threads) stay.
        From a hook it does not wait: another thread's flush, or its own interrupted by a signal
        handler whose calls are recorded, is writing already; the words wait for the next one.
        Only the process that opened the spool writes it: a forked child runs other modules'
        at-fork callbacks (threading's) before the recorder's abandons the spool, with the hooks
        still on, and a flush there wrote the parent's words into the parent's file beside it."""
        if _getpid() != self.pid or self.owner == _get_ident() or not self.lock.acquire(wait):
            return
        self.owner = _get_ident()
        try:
            if self.closed:
                return
            words = self.words
            # The events first, then the definitions: every event taken had its definitions
            # appended before it. array() reads the list in C (no other thread runs meanwhile);
            # words appended later stay for the next chunk.
            chunk = array("q", words)
            del words[: len(chunk)]
            definitions = self.definitions
            known = len(definitions)
            if known:
                text = "".join(definitions[:known])
                del definitions[:known]
                self._chunk(CHUNK_DEFINITIONS, _encode(text))
            if chunk:
                self._chunk(CHUNK_EVENTS, chunk)
                self.written += len(chunk)
        finally:
            self.owner = None
            self.lock.release()

    def held_here(self):
        """Whether this thread is writing a chunk (a signal handler or a finalizer run inside it)."""
        return self.owner == _get_ident()

    def close(self, how):
        """Writes what is left and the end chunk. A signal handler that ends the spool while this
        thread was writing a chunk (the lock held) cannot: the spool stays without its end chunk
        (incomplete, as after a hard kill) rather than with a chunk cut in two."""
        if _getpid() != self.pid or self.held_here() or not self.lock.acquire(timeout=1):
            return
        self.lock.release()
        self.flush(wait=True)
        with self.lock:
            if self.closed:
                return
            self.closed = True
            self._chunk(CHUNK_END, _encode("words=%d end=%s\n" % (self.written, how)))
            os.close(self.fd)

    def abandon(self):
        """In a forked child: the parent's spool is not ours to write. (Its lock may have been held
        by another thread of the parent at the fork: in the child it would never be released.)"""
        self.lock = threading.Lock()
        self.closed = True
        del self.words[:]
        del self.definitions[:]
        try:
            os.close(self.fd)
        except OSError:
            pass


class Recorder:
    def __init__(self, path, audit=False, lines=False, follow=False):
        self.audit = audit
        self.lines = lines
        self.follow = follow
        self.pid = os.getpid()
        self.spool = Spool(path, self.pid, follow)
        # By id(code), not by code: code objects compare equal when only their file differs (every
        # empty __init__.py), and hashing one is slow. Every code object described is kept alive
        # (self.described), so its id is never another's.
        self.entries = {}  # id(code) -> its entry tag (the recorder's own code: absent)
        self.returns = {}  # id(code) -> its return tag
        self.line_tags = {}  # id(code) -> its line tag
        self.described = []
        self.own = set()  # ids of the recorder's code objects met so far
        self.codes = 0
        self.strings = {}  # module names, audit events, thread names -> number
        self.tool = None
        self.replaced = {}  # signal -> (our handler, the one it replaced): given back in forked children
        self.original_find_and_load = None
        self.finishing = False
        self.bootstrap = getattr(getattr(threading.Thread, "_bootstrap", None), "__code__", None)

    # ---- definitions -----------------------------------------------------------------------
    def string(self, text):
        number = self.strings.get(text)
        if number is None:
            number = self.strings[text] = len(self.strings) + 1
            self.spool.definitions.append("S\t%d\t%s\n" % (number, _clean(text)))
        return number

    def describe(self, code):
        """Numbers a code object and writes its definition (and line table, 3.12+) once. Returns
        its entry tag, or None for the recorder's own code."""
        self.described.append(code)  # alive, so that its id stays its own (ours too)
        if code.co_filename in OWN_FILES:
            self.own.add(id(code))
            return None
        self.codes += 1
        number = self.codes
        definitions = self.spool.definitions
        definitions.append("C\t%d\t%s\t%s\t%d\n" % (number, _clean(code.co_filename, "\t"), _clean(code.co_name), code.co_firstlineno))
        if RETURNS_BY_OFFSET:
            # (start, end, line) ranges of instruction offsets: the return line of an offset.
            definitions.append("L\t%d\t%r\n" % (number, list(code.co_lines())))
        tag = number << 4
        key = id(code)
        if code is not self.bootstrap:  # a thread's first frame: noted every time (see enter)
            self.entries[key] = tag | ENTRY
        self.returns[key] = tag | RETURN
        self.line_tags[key] = tag | LINE
        return tag | ENTRY

    def tag_of(self, code, kind):
        """The tag of an event of a code object seen for the first time (None: our own code)."""
        key = id(code)
        if key in self.own:
            return None
        if key not in self.returns:
            self.describe(code)
            if key in self.own:
                return None
        if code is self.bootstrap and kind == ENTRY:
            self.note_new_thread()
        return (self.returns[key] & ~15) | kind

    def note_thread(self, thread):
        """Names a thread of threading's (at the end, for the threads still alive)."""
        if thread is threading.current_thread():
            self.note_current_thread()  # after a fork, its native_id may still be the parent's
        elif thread.native_id is not None and thread.ident is not None:
            self.note(thread.name, thread.ident, thread.native_id)

    def note_current_thread(self):
        """Names the calling thread: its ids asked of the system (after a fork, threading may
        still hold the parent's native id)."""
        self.note(threading.current_thread().name, _get_ident(), _native_id())

    def note(self, name, ident, tid):
        self.spool.words.extend((_now(), self.string(str(name)) << 4 | THREAD, ident, tid))

    def note_new_thread(self):
        """3.12+, a thread's first frame (Thread._bootstrap) starts: its id may be a finished
        thread's, so the thread is named before its first event. threading does not know it yet
        (current_thread() would make a dummy thread): its Thread object is the frame's `self`."""
        frame = sys._getframe(1)
        while frame is not None and frame.f_code is not self.bootstrap:
            frame = frame.f_back
        thread = frame.f_locals.get("self") if frame is not None else None
        name = getattr(thread, "name", None) if thread is not None else None
        if name is not None:
            self.note(name, _get_ident(), _native_id())

    # ---- function events: 3.8-3.11 ---------------------------------------------------------
    def hook_locals(self):
        """What every hook binds as its own variables (the fastest lookups there are): the event
        words, their extend, the spool's flush, tag_of, the clock, and id."""
        return self.spool.words, self.spool.words.extend, self.spool.flush, self.tag_of, _now, id

    def profile_function(self):
        """A sys.setprofile function for the calling thread: its id is bound once."""
        ident = _get_ident()
        entries = self.entries
        returns = self.returns
        words, extend, flush, tag_of, now, id_of = self.hook_locals()

        # setprofile calls this for every C call, return and exception too (c_call, c_return,
        # c_exception), and for the recorder's own frames: work the program pays for that writes
        # nothing. It is counted (`hidden`) and written with the thread's next event (u=N), so
        # that analyze can take its cost out (issue 13; its cost is calibrated as `unwritten`).
        hidden = 0

        def profile(frame, event, arg):
            nonlocal hidden
            try:
                if event == "call":
                    code = frame.f_code
                    tag = entries.get(id_of(code)) or tag_of(code, ENTRY)
                    if tag is None:
                        hidden += 1
                        return
                    if hidden:
                        extend((ident, hidden << 4 | UNWRITTEN, now(), tag, ident))
                        hidden = 0
                    else:
                        extend((now(), tag, ident))
                    if len(words) >= FLUSH_WORDS:
                        flush()
                elif event == "return":
                    code = frame.f_code
                    tag = returns.get(id_of(code)) or tag_of(code, RETURN)
                    if tag is None:
                        hidden += 1
                    elif hidden:
                        extend((ident, hidden << 4 | UNWRITTEN, now(), tag, ident, frame.f_lineno))
                        hidden = 0
                    else:
                        extend((now(), tag, ident, frame.f_lineno))
                else:
                    hidden += 1
            except KeyboardInterrupt:
                _interrupt_again()

        return profile

    def trace_function(self):
        """A sys.settrace function for the calling thread (--lines, 3.8-3.11): line events only."""
        ident = _get_ident()
        line_tags = self.line_tags
        words, extend, flush, tag_of, now, id_of = self.hook_locals()

        def local(frame, event, arg):
            try:
                if event == "line":
                    code = frame.f_code
                    tag = line_tags.get(id_of(code)) or tag_of(code, LINE)
                    if tag is not None:
                        extend((now(), tag, ident, frame.f_lineno))
                        if len(words) >= FLUSH_WORDS:
                            flush()
            except KeyboardInterrupt:
                _interrupt_again()
            return local

        def trace(frame, event, arg):
            if frame.f_code.co_filename in OWN_FILES:
                return None
            return local

        return trace

    def start_thread_profile(self, frame, event, arg):
        """threading.setprofile's function: each new thread swaps in its own profile function."""
        self.note_current_thread()
        profile = self.profile_function()
        sys.setprofile(profile)
        profile(frame, event, arg)

    def start_thread_trace(self, frame, event, arg):
        trace = self.trace_function()
        sys.settrace(trace)
        return trace(frame, event, arg)

    # ---- function events: 3.12+ ------------------------------------------------------------
    def start_monitoring(self):
        """sys.monitoring, one tool id of our own (a program's cProfile or debugger keeps theirs)."""
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
        entries = self.entries
        returns = self.returns
        line_tags = self.line_tags
        words, extend, flush, tag_of, now, id_of = self.hook_locals()
        get_ident = _get_ident
        getframe = sys._getframe
        disable = monitoring.DISABLE

        # Each event is one extend of a tuple: atomic, so another thread's words never come between.
        def enter(code, offset):
            try:
                tag = entries.get(id_of(code))
                if tag is None:
                    tag = tag_of(code, ENTRY)
                    if tag is None:
                        return disable
                extend((now(), tag, get_ident()))
                if len(words) >= FLUSH_WORDS:
                    flush()
            except KeyboardInterrupt:
                _interrupt_again()

        def leave(code, offset, value):
            try:
                tag = returns.get(id_of(code))
                if tag is None:
                    tag = tag_of(code, RETURN)
                    if tag is None:
                        return disable
                extend((now(), tag, get_ident(), offset))
            except KeyboardInterrupt:
                _interrupt_again()

        # PY_THROW and PY_UNWIND are not local events: they cannot be disabled (3.13 raises).
        def thrown_in(code, offset, exception):
            enter(code, offset)

        def unwound(code, offset, exception):
            # An unwind's offset can be in exception clean-up code that has no line of its own:
            # the frame's line is written instead (as -1 - line; rare: an exception leaving a frame).
            try:
                tag = returns.get(id_of(code))
                if tag is None:
                    tag = tag_of(code, RETURN)
                    if tag is None:
                        return
                frame = getframe(1)
                extend((now(), tag, get_ident(), -1 - (frame.f_lineno or 0)))
            except KeyboardInterrupt:
                _interrupt_again()

        def line(code, number):
            try:
                tag = line_tags.get(id_of(code))
                if tag is None:
                    tag = tag_of(code, LINE)
                    if tag is None:
                        return disable
                extend((now(), tag, get_ident(), number))
                if len(words) >= FLUSH_WORDS:
                    flush()
            except KeyboardInterrupt:
                _interrupt_again()

        events = monitoring.events
        for event in (events.PY_START, events.PY_RESUME):
            monitoring.register_callback(self.tool, event, enter)
        monitoring.register_callback(self.tool, events.PY_THROW, thrown_in)
        for event in (events.PY_RETURN, events.PY_YIELD):
            monitoring.register_callback(self.tool, event, leave)
        monitoring.register_callback(self.tool, events.PY_UNWIND, unwound)
        wanted = events.PY_START | events.PY_RESUME | events.PY_THROW | events.PY_RETURN | events.PY_YIELD | events.PY_UNWIND
        if self.lines:
            monitoring.register_callback(self.tool, events.LINE, line)
            wanted |= events.LINE
        monitoring.set_events(self.tool, wanted)

    def start_functions(self):
        if sys.version_info >= (3, 12):
            self.start_monitoring()
        else:
            threading.setprofile(self.start_thread_profile)
            sys.setprofile(self.profile_function())
            if self.lines:
                threading.settrace(self.start_thread_trace)
                sys.settrace(self.trace_function())

    def stop_functions(self):
        """Stops recording functions in this thread (3.8-3.11), or everywhere (3.12+)."""
        if self.tool is not None:
            sys.monitoring.set_events(self.tool, 0)
        threading.setprofile(None)
        sys.setprofile(None)
        if self.lines:
            threading.settrace(None)
            sys.settrace(None)

    # ---- GC, imports, audit ----------------------------------------------------------------
    def gc_callback(self, phase, info):
        try:
            if phase == "start":
                self.spool.words.extend((_now(), GC_START, _get_ident(), info.get("generation", -1)))
            else:
                self.spool.words.extend((_now(), GC_DONE, _get_ident(), info.get("collected", 0)))
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
        spool = self.spool

        def _find_and_load(name, import_):
            if import_ is gcd_import or spool.closed:
                return original(name, import_)
            tag = recorder.string(name) << 4
            ident = _get_ident()
            spool.words.extend((_now(), tag | IMPORT_START, ident))
            found = 0
            try:
                module = original(name, import_)
                found = 1
                return module
            finally:
                spool.words.extend((_now(), tag | IMPORT_DONE, ident, found))

        self.original_find_and_load = original
        bootstrap._find_and_load = _find_and_load

    def unwrap_imports(self):
        if self.original_find_and_load is not None:
            sys.modules["_frozen_importlib"]._find_and_load = self.original_find_and_load
            self.original_find_and_load = None

    def audit_hook(self, event, args):
        if event in OWN_AUDIT_EVENTS or (event == "object.__getattr__" and len(args) == 2 and args[1] in ("f_code", "f_locals")):
            return
        if not self.spool.closed:
            self.spool.words.extend((_now(), self.string(event.replace("\t", " ")) << 4 | AUDIT, _get_ident()))

    def start(self):
        self.note_current_thread()
        gc.callbacks.append(self.gc_callback)
        self.wrap_imports()
        if self.audit:
            sys.addaudithook(self.audit_hook)
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self.after_fork_in_child)
        self.start_functions()

    def stop_hooks(self):
        self.stop_functions()
        try:
            gc.callbacks.remove(self.gc_callback)
        except ValueError:
            pass
        self.unwrap_imports()

    def after_fork_in_child(self):
        """After os.fork() (multiprocessing's default on Linux), in the child: the parent's spool is
        not the child's. With --follow-children the child goes on in a spool of its own; without,
        it is not recorded."""
        self.spool.abandon()
        if self.follow:
            directory = os.environ.get(FOLLOW_ENV)
            if directory:
                self.pid = os.getpid()
                self.spool = Spool(child_spool_path(directory), self.pid, True)
                self.rebind()
                _finish_before_exit(self)
                if threading.current_thread() is threading.main_thread():
                    _finish_on_sigterm(self, inherited=self.replaced)
                return
        self.stop_hooks()
        # The child dies of SIGTERM as without the recorder (multiprocessing.Pool terminates so).
        if threading.current_thread() is threading.main_thread():
            for signum, (ours, original) in self.replaced.items():
                if signal.getsignal(signum) is ours:
                    signal.signal(signum, original)
        if sys.excepthook is _hide_own_frames:
            sys.excepthook = sys.__excepthook__

    def rebind(self):
        """The hooks hold the spool's lists: a child's new spool needs new hooks. Definitions are
        the spool's: numbered again from 1."""
        self.entries.clear()
        self.returns.clear()
        self.line_tags.clear()
        self.described.clear()
        self.own.clear()
        self.codes = 0
        self.strings.clear()
        self.stop_functions()
        if self.tool is not None:
            sys.monitoring.free_tool_id(self.tool)
            self.tool = None
        self.unwrap_imports()
        self.wrap_imports()
        self.note_current_thread()
        self.start_functions()

    def finish(self, how):
        """Stops everything and ends the spool; once (atexit, a signal, the end of the program)."""
        if self.spool.closed or self.finishing:
            return
        # A signal arriving meanwhile must not finish again from inside this (it would wait
        # forever for a lock this finish holds, threading.enumerate()'s): the process is ending.
        self.finishing = True
        self.stop_hooks()
        for thread in threading.enumerate():
            self.note_thread(thread)
        self.spool.close(how)


def child_spool_path(directory):
    return os.path.join(directory, "child-%d.spool" % os.getpid())


def _finish_before_exit(recorder):
    """A forked child ends with os._exit (multiprocessing does), which runs no atexit handler: the
    child's os._exit ends its spool first."""
    real_exit = os._exit

    def _exit(status):
        recorder.finish("exit")
        real_exit(status)

    os._exit = _exit


def _finish_on_sigterm(recorder, inherited=None):
    """In a followed child, SIGTERM (how multiprocessing.Pool ends its workers) ends the spool, then
    the child dies of SIGTERM as it would have: the handler is only installed where SIGTERM would
    kill (the default disposition, or the recorder's own handler inherited from a forked parent)."""
    current = signal.getsignal(signal.SIGTERM)
    ours = [handler for handler, _ in (inherited or {}).values()]
    if current != signal.SIG_DFL and current not in ours:
        return

    def finish_and_die(signum, frame):
        if recorder.finishing:
            return  # ending already (exit, os._exit): the spool gets its end, then the process ends
        if (frame is not None and frame.f_code.co_filename in OWN_FILES) or recorder.spool.held_here():
            # In the recorder's own code, or in code a flush ran (a finalizer, when its allocations
            # made the GC collect) while it holds the spool's lock: sent again a moment later, when
            # the program's code runs, so the spool gets its last chunks and its end.
            _thread.start_new_thread(_send_again, (signum,))
            return
        recorder.finish("sigterm")
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)

    signal.signal(signal.SIGTERM, finish_and_die)
    recorder.replaced = {signal.SIGTERM: (finish_and_die, signal.SIG_DFL)}


def _program(arguments):
    """`script.py args` or `-m module args` after --."""
    if not arguments:
        raise SystemExit("pyflame_recorder: name the program after --: script.py [args] or -m module [args]")
    if arguments[0] == "-m":
        if len(arguments) < 2:
            raise SystemExit("pyflame_recorder: -m needs a module name")
        return "module", arguments[1], arguments[2:]
    return "script", arguments[0], arguments[1:]


USAGE = "-o SPOOL [--audit] [--lines] [--follow-children DIR] -- script.py|-m module [args]"


def _parse(argv):
    options = {"output": None, "audit": False, "lines": False, "follow": None}
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg == "--":
            return options, _program(argv[index + 1 :])
        if arg in ("-o", "--follow-children") and index + 1 < len(argv):
            options["output" if arg == "-o" else "follow"] = argv[index + 1]
            index += 2
            continue
        if arg in ("--audit", "--lines"):
            options[arg[2:]] = True
            index += 1
            continue
        raise SystemExit("pyflame_recorder: unknown argument %r (usage: %s)" % (arg, USAGE))
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
        if recorder.finishing:
            return  # the program is ending already; the spool is being ended
        if (frame is not None and frame.f_code.co_filename in OWN_FILES) or recorder.spool.held_here():
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


def follow_children(directory):
    """Python subprocesses started from here (subprocess, multiprocessing's spawn and forkserver)
    record themselves: PYTHONPATH gets follow/, whose sitecustomize starts a recorder writing
    directory/child-PID.spool (and then runs the sitecustomize it hides, if any)."""
    os.environ[FOLLOW_ENV] = directory
    path = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = FOLLOW_DIR + (os.pathsep + path if path else "")


def record_child_from_start(directory, options):
    """Called by follow/sitecustomize.py in a Python subprocess, during start-up: recording starts
    when the interpreter starts the program itself (its cpython.run_* audit event: a script, -m,
    -c or stdin), so the trace begins with the program, not inside site's imports. An audit hook
    cannot be removed: this one returns at once after that."""
    started = []

    def start_at_run(event, args):
        if started or not event.startswith("cpython.run_"):
            return
        started.append(event)
        recorder = Recorder(child_spool_path(directory), audit="audit" in options, lines="lines" in options, follow=True)
        atexit.register(recorder.finish, "exit")
        if threading.current_thread() is threading.main_thread():
            _finish_on_sigterm(recorder)
        recorder.start()

    sys.addaudithook(start_at_run)


def main():
    options, (kind, target, arguments) = _parse(sys.argv[1:])
    argv0 = target
    output = options["output"]
    if output is None:
        raise SystemExit("pyflame_recorder: -o SPOOL is required")
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
    if options["follow"] is not None:
        follow_children(os.path.abspath(options["follow"]))
        os.environ["PYFLAME_FOLLOW_OPTIONS"] = ("audit " if options["audit"] else "") + ("lines" if options["lines"] else "")
    recorder = Recorder(output, options["audit"], options["lines"], options["follow"] is not None)
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
            if recorder.lines:
                sys.settrace(None)
        elif _other_threads() == 0:
            recorder.stop_functions()


if __name__ == "__main__":
    main()
