"""Proof program (d): an import-heavy start-up (standard-library modules not imported yet).

    python imports.py [SCALE]

import_all imports the first round(40 * SCALE) (at least 3) modules of MODULES, one call of
load_module (`__import__(name)`) each: load_module's inclusive time is timed per call
(milliseconds each; a function of this file, so no other code calls it); its self time is not
known (it runs the import machinery), import_all's self is its total less those calls. Neither the in-process recorder nor proof_common imports any
of these modules (nor, as far as it matters, their dependencies). See proof_common.py for the two
modes.
"""

import time

_T0 = time.perf_counter_ns()

import sys

from proof_common import meter, now

M = meter(_T0)

MODULES = [
    "asyncio", "email.parser", "http.client", "xml.dom.minidom", "unittest", "decimal", "argparse",
    "logging.handlers", "csv", "tarfile", "zipfile", "difflib", "sqlite3", "urllib.request",
    "json", "pickle", "plistlib", "dataclasses", "configparser", "smtplib", "imaplib", "ftplib",
    "mailbox", "statistics", "fractions", "shelve", "textwrap", "gettext", "calendar", "pprint",
    "uuid", "ipaddress", "xml.etree.ElementTree", "http.cookiejar", "wave", "optparse", "getopt",
    "html.parser", "cmd", "sched",
]


def load_module(name):
    __import__(name)


def import_all(names):
    for name in names:
        if M:
            M.call(load_module, name)
        else:
            load_module(name)


if __name__ == "__main__":
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    names = MODULES[: max(3, int(round(len(MODULES) * scale)))]
    if M:
        M.derived(import_all, load_module)
        M.call(import_all, names)
        M.finish(now())
    else:
        import_all(names)
