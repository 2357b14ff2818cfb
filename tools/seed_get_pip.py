"""Seed ansible-test's get-pip cache with an offline stand-in.

ansible-test bootstraps pip into every sanity virtual environment with a
``get-pip`` script that it downloads from Ansible's CI file host.  That host is
unreachable on machines that only reach the package registries, so the sanity
run fails with "does not have pip available".  ansible-test looks in its cache
first (``~/.ansible/test/cache/get_pip_<version with _>.py``); this tool writes
a stand-in there that

1. bootstraps the interpreter's bundled pip with ``ensurepip``, then
2. runs ``python -m pip install <the requested packages>`` (for example
   ``pip==24.2``) with the environment as it was *before* ensurepip ran
   (ensurepip points ``PIP_CONFIG_FILE`` at ``/dev/null`` and drops every
   ``PIP_*`` variable; the follow-up install must keep the machine's pip
   configuration: index mirrors, certificates, constraints).

The pip version is read from the installed ``ansible_test`` package, so run this
with the interpreter of the virtual environment that holds ansible-core.
The tool is idempotent; a cache file that is not this stand-in (a real get-pip
script) is left alone unless ``--force`` is given.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import types

MARKER = "csp.partnercenter offline get-pip stand-in"

STAND_IN = '''\
"""{marker} (written by tools/seed_get_pip.py).

Stands in for https://bootstrap.pypa.io/get-pip.py: bootstraps pip with
ensurepip, then installs the requested packages with that pip.
"""
import ensurepip
import os
import subprocess
import sys

DROPPED = ("--no-setuptools", "--no-wheel")


def main():
    # ensurepip rewrites os.environ (PIP_CONFIG_FILE=/dev/null, no PIP_*):
    # keep a copy so the real install still sees the machine's pip settings.
    env = dict(os.environ)
    env.pop("GET_PIP", None)
    ensurepip.bootstrap(upgrade=True)
    args = [arg for arg in sys.argv[1:] if arg not in DROPPED]
    if not any(not arg.startswith("-") for arg in args):
        return 0
    command = [sys.executable, "-m", "pip", "install", "--quiet"] + args
    return subprocess.call(command, env=env)


if __name__ == "__main__":
    sys.exit(main())
'''.format(marker=MARKER)


def ansible_test_pip_version() -> str:
    """Return the pip version that ansible-test bootstraps into its venvs."""
    try:
        from ansible_test._internal import python_requirements
    except ImportError as ex:  # pragma: no cover - depends on the environment
        raise SystemExit(
            "ansible_test is not importable with %s (%s): run this with the "
            "interpreter of the virtual environment that holds ansible-core" % (sys.executable, ex)
        ) from ex

    version = "%d.%d" % sys.version_info[:2]
    get_venv_packages = getattr(python_requirements, "get_venv_packages", None)
    if get_venv_packages is not None:
        packages = get_venv_packages(types.SimpleNamespace(version=version))
        if packages.get("pip"):
            return packages["pip"]

    # Fallback for ansible-test releases with a different helper: read the
    # pinned default straight from the source.
    with open(python_requirements.__file__, encoding="utf-8") as handle:
        match = re.search(r"""\bpip\s*=\s*['"]([0-9][0-9.]*)['"]""", handle.read())
    if not match:
        raise SystemExit("could not find the pip version in %s" % python_requirements.__file__)
    return match.group(1)


def cache_path(pip_version: str) -> str:
    """Return the path where ansible-test looks for the cached get-pip script."""
    return os.path.expanduser("~/.ansible/test/cache/get_pip_%s.py" % pip_version.replace(".", "_"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="replace a cached script that is not this stand-in")
    parser.add_argument("--print-path", action="store_true", help="print the cache path only; write nothing")
    args = parser.parse_args(argv)

    path = cache_path(ansible_test_pip_version())
    if args.print_path:
        print(path)
        return 0

    if os.path.exists(path):
        with open(path, encoding="utf-8", errors="replace") as handle:
            current = handle.read()
        if current == STAND_IN:
            print("seed_get_pip: %s is up to date" % path)
            return 0
        if MARKER not in current and not args.force:
            print("seed_get_pip: %s exists and is not the stand-in; left alone (use --force to replace)" % path)
            return 0

    os.makedirs(os.path.dirname(path), exist_ok=True)
    temp = path + ".tmp%d" % os.getpid()
    with open(temp, "w", encoding="utf-8") as handle:
        handle.write(STAND_IN)
    os.replace(temp, path)
    print("seed_get_pip: wrote %s" % path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
