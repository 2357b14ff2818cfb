# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The test tooling's choices: make test's interpreter (tools/test_venv.py), the interpreters found
(tools/test_matrix.find_pythons) and a package install that survives a failed download (pip_install)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat
import sys
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[2] / "tools"
sys.path.insert(0, str(TOOLS))

import test_matrix  # noqa: E402  pylint: disable=wrong-import-position
import test_venv  # noqa: E402  pylint: disable=wrong-import-position

PIN = [">=2.16", "<2.22"]
# What the index offers each Python (newest patch per minor is enough): 2.20 and later need 3.12.
OFFERED = {
    "3.10": ["2.16.19", "2.17.14"],
    "3.11": ["2.16.19", "2.17.14", "2.18.19", "2.19.14"],
    "3.12": ["2.16.19", "2.19.14", "2.20.10", "2.21.5"],
    "3.13": ["2.18.19", "2.19.14", "2.20.10", "2.21.5", "2.22.0"],
}


@pytest.fixture
def index(monkeypatch):
    asked = []

    def versions(python_minor):
        asked.append(python_minor)
        return OFFERED[python_minor]

    monkeypatch.setattr(test_matrix, "index_versions", versions)
    return asked


def pythons(*minors):
    return dict((minor, "/opt/python%s/bin/python3" % minor) for minor in minors)


def test_make_test_takes_the_lowest_python_that_gets_the_newest_allowed_release(index):
    path, why = test_venv.choose_python(pythons("3.10", "3.11", "3.12", "3.13"), PIN)
    assert path == "/opt/python3.12/bin/python3"  # 3.13 gets 2.22 too, but the pin stops at 2.21
    assert "Python 3.12" in why and "(2.21)" in why
    assert sorted(index) == ["3.12", "3.13"]  # older Pythons cannot get 2.20 or later: not asked


def test_a_python_that_alone_gets_the_newest_release_wins(index):
    path, why = test_venv.choose_python(pythons("3.12", "3.13"), [">=2.16"])
    assert path == "/opt/python3.13/bin/python3" and "(2.22)" in why


def test_without_python_3_12_it_says_so_and_falls_back_to_3_11(index):
    path, why = test_venv.choose_python(pythons("3.10", "3.11"), PIN)
    assert path == "/opt/python3.11/bin/python3"
    assert why.startswith("no Python 3.12 or newer found here") and "Falling back to Python 3.11" in why
    assert index == []


def test_when_the_index_cannot_answer_the_lowest_python_3_12_or_newer_is_taken(monkeypatch):
    def unreachable(python_minor):
        raise RuntimeError("pip index versions ansible-core failed (rc 1)")

    monkeypatch.setattr(test_matrix, "index_versions", unreachable)
    path, _why = test_venv.choose_python(pythons("3.11", "3.13", "3.12"), PIN)
    assert path == "/opt/python3.12/bin/python3"


def executable(path, text):
    path.write_text(text, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_every_python_on_path_is_tried_not_only_the_first(tmp_path, monkeypatch):
    # A pyenv shim of a version pyenv has not activated comes first on PATH and fails; the working
    # interpreter of the same name further down PATH (Debian's /usr/bin/python3.X) is the one found.
    minor = "%d.%d" % sys.version_info[:2]
    shims, system = tmp_path / "shims", tmp_path / "usr-bin"
    shims.mkdir()
    system.mkdir()
    executable(shims / ("python" + minor), "#!/bin/sh\necho 'pyenv: python%s: command not found' >&2\nexit 127\n" % minor)
    os.symlink(sys.executable, str(system / ("python" + minor)))
    monkeypatch.setenv("PATH", os.pathsep.join([str(shims), str(system), os.environ.get("PATH", "")]))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "no-pyenv"))
    monkeypatch.setattr(test_matrix, "PYTHON_MINORS", (minor,))
    # (The running interpreter, tried last, is the same file: found on PATH first, it is not tried again.)
    assert test_matrix.find_pythons([]) == {minor: str(system / ("python" + minor))}


def test_a_failed_install_is_run_again_and_its_output_kept(tmp_path, monkeypatch):
    # A stand-in for "python -m pip install": the first attempt fails as a dropped download does.
    attempts = tmp_path / "attempts"
    script = ("#!/bin/sh\necho \"pip $*\"\necho x >> '%s'\n"
              "[ \"$(wc -l < '%s')\" -ge 2 ] || { echo 'Connection reset' >&2; exit 1; }\n" % (attempts, attempts))
    python = executable(tmp_path / "python", script)
    monkeypatch.setattr(test_matrix, "INSTALL_PAUSE", 0)
    said = []
    log_path = tmp_path / "install.log"
    assert test_matrix.pip_install(str(python), ["-r", "test-requirements.txt"], str(log_path), said.append) == 0
    assert attempts.read_text(encoding="utf-8").count("x") == 2
    log = log_path.read_text(encoding="utf-8")
    assert "attempt 1 of 3" in log and "Connection reset" in log and "attempt 2 of 3" in log
    assert "--retries %d" % test_matrix.PIP_RETRIES in log  # pip's own retry of each download
    assert len(said) == 1 and "attempt 1 of 3" in said[0]


def test_an_install_that_keeps_failing_fails_after_the_last_attempt(tmp_path, monkeypatch):
    python = executable(tmp_path / "python", "#!/bin/sh\necho 'No matching distribution' >&2\nexit 1\n")
    monkeypatch.setattr(test_matrix, "INSTALL_PAUSE", 0)
    log_path = tmp_path / "install.log"
    assert test_matrix.pip_install(str(python), ["ansible-core==9.9.*"], str(log_path), lambda _: None) == 1
    assert log_path.read_text(encoding="utf-8").count("No matching distribution") == test_matrix.INSTALL_ATTEMPTS
