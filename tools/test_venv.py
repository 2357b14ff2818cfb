"""make test's virtual environment: the newest ansible-core release, on Python 3.12 or newer.

``make venv`` (and so ``make test``) runs this when the venv is missing or test-requirements.txt or
requirements.txt changed.  It

1. picks the interpreter, unless ``--python`` names one: of the Pythons ``make test-matrix`` finds
   (``tools/test_matrix.find_pythons``: pyenv's versions, every ``python3.X`` on PATH, Debian's
   packages included), those of 3.12 or newer, the lowest of them on which the package index offers
   the newest ansible-core release that test-requirements.txt allows (3.12 here, the Python of
   Red Hat's certification and of current execution environments).  Where there is none, it says
   so and takes Python 3.11 (or the newest older one found), on which pip installs the newest
   release that Python can run (2.19): ansible-core 2.20 and later need Python 3.12;
2. (re)creates the venv when it is missing or holds another Python X.Y;
3. installs test-requirements.txt, each download retried (``test_matrix.pip_install``).

``--report`` prints what an existing venv runs ("ansible-core 2.21.5 on Python 3.12.1"), the line
``make test`` ends with.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import test_matrix  # noqa: E402  pylint: disable=wrong-import-position
from test_matrix import PACKAGE, version_tuple  # noqa: E402  pylint: disable=wrong-import-position

ROOT = test_matrix.ROOT
# ansible-core 2.20 and later run on Python 3.12 or newer only; make test wants the newest release.
NEWEST_RELEASES_NEED = "3.12"
FALLBACK_PYTHON = "3.11"


def say(message: str) -> None:
    print("test-venv: " + message, file=sys.stderr, flush=True)


def allowed_newest(python_minor: str, pin: list) -> tuple:
    """The newest ansible-core minor the index offers ``python_minor`` within ``pin``, as a tuple (() if none)."""
    offered = test_matrix.newest_per_minor(test_matrix.index_versions(python_minor))
    allowed = [minor for minor in offered if all(test_matrix.satisfies(version_tuple(minor), spec) for spec in pin)]
    return max((version_tuple(minor) for minor in allowed), default=())


def choose_python(pythons: dict, pin: list) -> tuple:
    """(path, why) of the interpreter for make test's venv, from ``pythons`` {X.Y: path}."""
    modern = sorted((minor for minor in pythons if version_tuple(minor) >= version_tuple(NEWEST_RELEASES_NEED)),
                    key=version_tuple)
    if modern:
        try:
            newest = {minor: allowed_newest(minor, pin) for minor in modern}
        except (RuntimeError, OSError, subprocess.SubprocessError) as ex:
            say("cannot ask the package index which releases each Python gets (%s); taking the lowest" % ex)
            newest = {minor: () for minor in modern}
        best = max(newest.values())
        minor = next(minor for minor in modern if newest[minor] == best)
        return pythons[minor], "Python %s, the lowest of %s found here that gets the newest %s%s" % (
            minor, ", ".join(modern), PACKAGE, " (%s)" % ".".join(map(str, best)) if best else "")
    older = sorted(pythons, key=lambda minor: (minor != FALLBACK_PYTHON, [-part for part in version_tuple(minor)]))
    if not older:
        raise SystemExit("test-venv: no usable Python 3 found (looked in pyenv's versions and PATH)")
    return pythons[older[0]], (
        "no Python %s or newer found here (looked in pyenv's versions and every python3.X on PATH): "
        "ansible-core 2.20 and later need it. Falling back to Python %s, on which pip installs the newest "
        "release that Python can run; install Python %s (pyenv install 3.12, or Debian's python3.12) "
        "to test the newest ansible-core" % (NEWEST_RELEASES_NEED, older[0], NEWEST_RELEASES_NEED))


def ansible_core_pin(root: str) -> list:
    """The version specifiers of test-requirements.txt's ansible-core line, e.g. ['>=2.16', '<2.22']."""
    specs = test_matrix.ansible_core_specs(root)
    if specs is None:
        raise SystemExit("test-venv: test-requirements.txt has no ansible-core line")
    return specs


def minor_of(python: str) -> str | None:
    try:
        return subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                              capture_output=True, text=True, check=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def report(venv: str) -> str:
    """'ansible-core X on Python Y (venv)' for an existing venv."""
    return subprocess.run(
        [test_matrix.venv_python(venv), "-c",
         "import platform; from ansible.release import __version__; "
         "print('%s %%s on Python %%s' %% (__version__, platform.python_version()))" % PACKAGE],
        capture_output=True, text=True, check=True).stdout.strip() + " (%s)" % os.path.relpath(venv, ROOT)


def build(venv: str, python: str | None, requirements: str) -> None:
    if python:
        why = "Python %s, as asked (--python)" % minor_of(python)
    else:
        python, why = choose_python(test_matrix.find_pythons([]), ansible_core_pin(ROOT))
    wanted = minor_of(python)
    if wanted is None:
        raise SystemExit("test-venv: %s does not run" % python)
    say("%s: %s (%s)" % (os.path.relpath(venv, ROOT), why, python))
    have = minor_of(test_matrix.venv_python(venv)) if os.path.exists(test_matrix.venv_python(venv)) else None
    if have != wanted:
        if have:
            say("%s holds Python %s: re-creating it with Python %s" % (venv, have, wanted))
        subprocess.run([python, "-m", "venv", "--clear", venv], check=True)
    log_path = os.path.join(venv, "install.log")
    for args in (["--upgrade", "pip"], ["-r", requirements]):
        say("pip install %s (log: %s)" % (" ".join(args), os.path.relpath(log_path, ROOT)))
        rc = test_matrix.pip_install(test_matrix.venv_python(venv), args, log_path, say)
        if rc != 0:
            raise SystemExit("test-venv: pip install %s failed (rc %d); the end of %s:\n%s"
                             % (" ".join(args), rc, log_path, test_matrix.tail(log_path)))
    say("ready: " + report(venv))


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", default=os.path.join(ROOT, ".venv"), help="the venv (default: .venv)")
    parser.add_argument("--python", help="the interpreter to use instead of choosing one")
    parser.add_argument("--requirements", default=os.path.join(ROOT, "test-requirements.txt"))
    parser.add_argument("--report", action="store_true", help="print what the venv runs; build nothing")
    args = parser.parse_args(argv)
    venv = os.path.abspath(args.venv)
    if args.report:
        print(report(venv))
        return 0
    build(venv, args.python, args.requirements)
    return 0


if __name__ == "__main__":
    sys.exit(main())
