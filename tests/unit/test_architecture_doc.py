# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""docs/architecture.md stays true to the tree: every file and folder it names exists, every ``_file.name`` it
names is defined there, and every file of plugins/module_utils and plugins/plugin_utils has its line."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
# Where the page's short names live: a name without a folder (``_http.py``, ``conftest.py``) or with part of
# one (``resources/*.py``, ``defaults/main.yml``) is found under one of these.
FOLDERS = ("", "plugins/module_utils", "plugins/plugin_utils", "plugins/action", "plugins/modules",
           "plugins/doc_fragments", "roles/customer_users", "tests/integration", "tests/benchmark",
           "tests/emulator/partnercenter_emulator")
FILE_RE = re.compile(r"(?<![\w/.*-])[\w*./-]*[\w*]\.(?:py|yml|yaml|md|json|rst)\b")
FOLDER_RE = re.compile(r"(?<![\w/.*-])(?:[\w-]+/)+(?![\w*])")
# ``_routes.ROUTES``, ``_user_task.converge()``: a name in one of the collection's private files.
NAME_RE = re.compile(r"(?<![\w.])(_[a-z][a-z_]*)\.(?!(?:py|yml|yaml|md|json|rst)\b)([A-Za-z_]\w*)")
DOCUMENTED_FOLDERS = ("plugins/module_utils", "plugins/plugin_utils")


def doc_text():
    return DOC.read_text(encoding="utf-8")


def named_files(text):
    return sorted(set(FILE_RE.findall(text)))


def resolve(name):
    """The files ``name`` (a path, maybe with ``*``) stands for, under any of FOLDERS."""
    found = []
    for folder in FOLDERS:
        found.extend(p for p in (ROOT / folder).glob(name) if p.is_file())
    return found


def test_every_file_the_page_names_exists():
    names = named_files(doc_text())
    assert len(names) > 40 and "resources/*.py" in names  # the pattern still finds the page's names
    assert [name for name in names if not resolve(name)] == []


def test_every_folder_the_page_names_exists():
    folders = sorted(set(FOLDER_RE.findall(doc_text())))
    assert "roles/customer_users/" in folders and "playbooks/" in folders
    assert [f for f in folders if not any((ROOT / base / f).is_dir() for base in FOLDERS)] == []


def test_every_file_of_module_utils_and_plugin_utils_is_named():
    named = set(path for name in named_files(doc_text()) for path in resolve(name))
    files = [path for folder in DOCUMENTED_FOLDERS for path in sorted((ROOT / folder).glob("*.py"))
             if path.name != "__init__.py"]
    assert len(files) > 30
    assert [str(path.relative_to(ROOT)) for path in files if path not in named] == []


def _defines(path, name):
    source = path.read_text(encoding="utf-8")
    return re.search(r"^(?:def |class )?%s\b(?:\s*=|\(|:)" % re.escape(name), source, re.M) is not None


@pytest.mark.parametrize("module,name", sorted(set(NAME_RE.findall(doc_text()))))
def test_every_name_the_page_gives_in_a_private_file_is_defined_there(module, name):
    files = [ROOT / folder / (module + ".py") for folder in DOCUMENTED_FOLDERS]
    files = [path for path in files if path.is_file()]
    assert files, "%s.py is not a file of %s" % (module, " or ".join(DOCUMENTED_FOLDERS))
    assert any(_defines(path, name) for path in files), "%s.%s is not defined in %s" % (module, name, files[0])
