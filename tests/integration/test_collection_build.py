# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""``ansible-galaxy collection build`` from a source checkout ships the collection, not the workbench.

``make demo``, ``make venv``, ``make test-matrix``, ``make bench``, ansible-lint and pytest leave
virtualenvs, caches and results in the checkout; the README's "from a source checkout" build must
leave every one of them out (``galaxy.yml``'s ``build_ignore``).  What they create is read from the
Makefile, tools/*.py and the .gitignore files, so a new one is caught here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import functools
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PROBE_BYTES = 256 * 1024  # incompressible, so a leaked probe shows in the tarball's size too


@functools.lru_cache(maxsize=None)
def gitignore_entries():
    """(pattern relative to the root, is_dir) of every entry of every .gitignore in the tree."""
    entries = []
    for ignore_file in sorted(REPO_ROOT.rglob(".gitignore")):
        base = ignore_file.parent.relative_to(REPO_ROOT).as_posix()
        for line in ignore_file.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if not line or line.startswith(("#", "!")):
                continue
            is_dir = line.endswith("/")
            pattern = line.strip("/")
            entries.append(("%s/%s" % (base, pattern) if base != "." else pattern, is_dir))
    return entries


def made_by_the_workbench():
    """Directories the Makefile (and mk/*.mk, tools/*.py) create in the checkout."""
    made = set()
    for makefile in [REPO_ROOT / "Makefile"] + sorted((REPO_ROOT / "mk").glob("*.mk")):
        text = makefile.read_text(encoding="utf-8")
        made.update(re.findall(r"^\w*VENV \?= (\S+)$", text, re.M))  # VENV ?= .venv, DEMO_VENV ?= .venv-demo
        made.update(re.findall(r"--output-dir (\S+)", text))  # bench-results
        for removed in re.findall(r"^\trm -rf (.+)$", text, re.M):  # what clean removes, it made
            made.update(word for word in removed.split() if not word.startswith(("$", '"$')))
    for tool in sorted((REPO_ROOT / "tools").glob("*.py")):
        # argparse defaults inside the checkout: --cache-dir .matrix, --collections-path build/...
        for parts in re.findall(r"default=os\.path\.join\(ROOT, ((?:\"[^\"]+\"(?:, )?)+)\)", tool.read_text()):
            first = re.findall(r"\"([^\"]+)\"", parts)[0]
            if not (REPO_ROOT / first).is_file():  # a default that names one of our files (test-requirements.txt)
                made.add(first)
    return made


def gitignored(path):
    return any(fnmatch.fnmatch(path, pattern) or path.startswith(pattern + "/")
               for pattern, _is_dir in gitignore_entries())


def test_every_directory_the_workbench_makes_is_known_to_gitignore():
    made = made_by_the_workbench()
    assert {".venv", ".venv-demo", ".matrix", "bench-results", "build"} <= made, made  # the parsing still works
    assert [path for path in sorted(made) if not gitignored(path)] == []


def test_staging_a_tree_outside_git_leaves_out_what_gitignore_lists():
    # tools/stage_collection.py walks the tree itself when it is no git work tree (a source tarball).
    sys.path.insert(0, str(REPO_ROOT / "tools"))
    try:
        import stage_collection  # pylint: disable=import-outside-toplevel
    finally:
        sys.path.pop(0)
    probes = [pattern.replace("*", "workbench-probe") for pattern, _is_dir in gitignore_entries()]
    assert [path for path in probes if not stage_collection._excluded(path)] == []  # pylint: disable=protected-access


def copy_sources(destination):
    """The collection's own files: the staged tree, or a checkout, without anything ignored."""
    def ignore(folder, names):
        relative = Path(folder).relative_to(REPO_ROOT).as_posix()
        return [name for name in names
                if name in (".git", "__pycache__") or gitignored(name if relative == "." else "%s/%s" % (relative, name))]
    shutil.copytree(str(REPO_ROOT), str(destination), ignore=ignore, symlinks=True)


def add_workbench_litter(tree):
    """A file in every ignored directory, and a file for every ignored file pattern, at the root and deeper.

    Returns the files and the directories made."""
    made, folders = [], set()
    paths = set((pattern, is_dir) for pattern, is_dir in gitignore_entries())
    paths.update((path, True) for path in made_by_the_workbench())
    for pattern, is_dir in sorted(paths):
        if is_dir:
            targets = [tree / pattern / "workbench-probe.bin"]
            folders.add(pattern)
        else:
            name = pattern.replace("*", "workbench-probe")
            targets = [tree / name] + ([tree / "plugins" / "module_utils" / name] if "/" not in pattern else [])
        for target in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(os.urandom(PROBE_BYTES))
            made.append(target.relative_to(tree).as_posix())
    # A real virtualenv, as make demo leaves it: symlinked interpreter and all.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tree / ".venv-demo")], check=True)
    return made, folders


def build(tree, output):
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith("ANSIBLE_COLLECTIONS_PATH"))
    proc = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", str(tree), "--output-path",
                           str(output), "--force"], capture_output=True, text=True, timeout=300, env=env, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (tarball,) = output.glob("csp-partnercenter-*.tar.gz")
    with tarfile.open(str(tarball)) as archive:
        return tarball.stat().st_size, sorted(archive.getnames())


@pytest.mark.no_emulator
def test_a_build_after_make_demo_and_friends_ships_none_of_their_files(tmp_path):
    clean = tmp_path / "clean"
    copy_sources(clean)
    clean_size, clean_members = build(clean, tmp_path / "dist-clean")

    littered = tmp_path / "littered"
    copy_sources(littered)
    litter, folders = add_workbench_litter(littered)
    assert any(path.startswith(".venv-demo/") for path in litter) and any(path.startswith(".matrix/") for path in litter)
    size, members = build(littered, tmp_path / "dist-littered")

    leaked = sorted(member for member in members if member in litter
                    or any(member == folder or member.startswith(folder + "/") for folder in folders))
    assert leaked == []
    assert members == clean_members
    # The littered tree holds megabytes of incompressible probes; the tarball stays the clean one's size.
    assert len(litter) * PROBE_BYTES > 4 * clean_size
    assert abs(size - clean_size) < 16 * 1024, (size, clean_size)
