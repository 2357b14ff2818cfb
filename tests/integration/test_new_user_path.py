# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""A new user's first hour, as one test: from a copy of the checkout to a pipeline that gates on drift.

1. the clone: a copy of the checkout, built with ``ansible-galaxy collection build`` and installed from the tarball
   into the user's ``~/.ansible/collections``;
2. the demo (``tools/demo.py``, what ``make demo`` runs) against that installed collection;
3. the emulator as a tool: examples/fleet/README.md's commands, run as written (HOME is a scratch directory): the
   emulator package installed with pip from the installed collection into a clean venv (no index: its one
   dependency, trustme, comes from the test venv), ``pcemu --wait``, the user's own repository copied from
   examples/fleet with the inventory plugin, check mode, apply, a re-run, ``pcemu --stop``;
4. the pipeline: examples/ci/github-actions.yml's check command (the drift gate) and apply command in that repository.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.metadata
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import ansible_process
import ci_recipes

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CONTOSO = "3c4b7a10-2f1e-4d8a-9b6c-5e4f3a2b1c01"
COLLECTION = Path(".ansible", "collections", "ansible_collections", "csp", "partnercenter")
CHECKOUT_LITTER = shutil.ignore_patterns("__pycache__", ".pytest_cache", "output", "*.egg-info", "reports")

pytestmark = pytest.mark.no_emulator


def console_block(markdown_path, heading):
    """The lines of the first ```console block after ``heading`` in a Markdown file."""
    text = Path(markdown_path).read_text(encoding="utf-8")
    block = re.search(r"```console\n(.*?)```", text[text.index(heading):], re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def dependency_closure(name, found=None):
    """The installed distributions ``name`` needs (itself included), from the test venv's metadata."""
    found = {} if found is None else found
    dist = importlib.metadata.distribution(name)
    if dist.metadata["Name"].lower() in found:
        return found
    found[dist.metadata["Name"].lower()] = dist
    for requirement in dist.requires or []:
        if "extra ==" in requirement:
            continue
        try:
            dependency_closure(re.match(r"[A-Za-z0-9_.-]+", requirement).group(0), found)
        except importlib.metadata.PackageNotFoundError:
            pass  # a marker for another Python
    return found


def offline_site(directory, *names):
    """A directory holding (links to) exactly ``names`` and what they need, from the test venv: a clean venv that
    reads it (a .pth file) gets those packages without an index, and nothing else."""
    directory.mkdir()
    for name in names:
        for dist in dependency_closure(name).values():
            for top in set(str(f).split("/", maxsplit=1)[0] for f in dist.files or []):
                source = Path(dist.locate_file(top))
                if top not in ("..", "__pycache__") and not top.endswith(".pth") and source.exists() \
                        and not (directory / top).exists():
                    (directory / top).symlink_to(source)
    return directory


class Shell:
    """bash lines run in the new user's environment: HOME a scratch directory, the test venv's ansible on PATH."""

    def __init__(self, tmp_path):
        self.home = tmp_path / "home"
        self.home.mkdir()
        self.env = ansible_process.hermetic_env(tmp_path, "", tmp_path / "token-cache", base=os.environ, overrides={
            "HOME": str(self.home), "ANSIBLE_COLLECTIONS_PATH": None, "ANSIBLE_CONFIG": None, "PYTHONPATH": None,
            "PATH": os.pathsep.join([str(BIN), os.environ.get("PATH", "")]),
            # pip without an index and without build isolation: it finds trustme and setuptools through the
            # offline site of the venv, never on the network
            "PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0", "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
        (tmp_path / "token-cache").mkdir(mode=0o700)

    def run(self, script, cwd, expect_rc=0, timeout=300, env=None):
        rc, out, err = ansible_process.run(["bash", "-ec", script], cwd, dict(self.env, **(env or {})), timeout)
        assert rc == expect_rc, "exit code %s, expected %s\n$ %s\n--- stdout ---\n%s\n--- stderr ---\n%s" % (
            rc, expect_rc, script, out[-6000:], err[-4000:])
        return out, err


def test_from_the_clone_to_a_pipeline_that_gates_on_drift(tmp_path):
    shell = Shell(tmp_path)
    installed = shell.home / COLLECTION

    # 1. the clone, built and installed from its tarball
    clone = tmp_path / "clone"
    shutil.copytree(str(REPO_ROOT), str(clone), ignore=CHECKOUT_LITTER, symlinks=True)
    shell.run("ansible-galaxy collection build --output-path %s . >/dev/null" % shlex.quote(str(tmp_path / "dist")),
              clone)
    tarball, = (tmp_path / "dist").glob("csp-partnercenter-*.tar.gz")
    shell.run("ansible-galaxy collection install %s >/dev/null" % shlex.quote(str(tarball)), tmp_path)
    assert (installed / "tests" / "emulator" / "pyproject.toml").is_file()
    assert not (installed / "tests" / "emulator" / "build").exists()

    # 2. the demo, against the installed collection
    out, _err = shell.run("%s tools/demo.py --collections-path %s" % (
        shlex.quote(sys.executable), shlex.quote(str(shell.home / ".ansible" / "collections"))), clone)
    first, second = out.split("===== Second run")
    assert re.search(r"changed=[1-9]", first) and not re.search(r"changed=[1-9]|failed=[1-9]", second)

    # 3. examples/fleet/README.md as written: the emulator package in a clean venv, the user's own repository
    lines = console_block(installed / "examples" / "fleet" / "README.md", "## Against the emulator")
    assert lines[0].startswith("python3 -m venv ~/pcemu && ~/pcemu/bin/pip install")
    subprocess.run([sys.executable, "-m", "venv", str(shell.home / "pcemu")], check=True)
    site = offline_site(tmp_path / "offline-site", "trustme", "setuptools")
    site_packages, = (shell.home / "pcemu" / "lib").glob("python3.*/site-packages")
    (site_packages / "offline-site.pth").write_text(str(site) + "\n", encoding="utf-8")
    fleet = shell.home / "my-fleet"
    out, err = shell.run("\n".join(lines), shell.home)
    parts = out.split("PLAY RECAP")
    graph, recaps = parts[0], [part.split("\n\n")[0] for part in parts[1:]]
    assert len(recaps) == 3, out  # check, apply, re-run
    assert "@partnercenter_customers:" in graph and "contoso.onmicrosoft.com" in graph and "partnerlab" not in graph
    assert re.search(r"contoso\.onmicrosoft\.com\s+: ok=\d+\s+changed=1", recaps[0])
    assert re.search(r"contoso\.onmicrosoft\.com\s+: ok=\d+\s+changed=1", recaps[1])
    assert not re.search(r"changed=[1-9]|failed=[1-9]", recaps[2])
    assert "pcemu: serving https://127.0.0.1:" in err and "pcemu: stopped the emulator" in err
    assert not (fleet / "pcemu.json").exists()
    pip_list = subprocess.run([str(shell.home / "pcemu" / "bin" / "python"), "-m", "pip", "list", "--format=json"],
                              check=True, stdout=subprocess.PIPE, text=True, env=shell.env).stdout
    assert "partnercenter-emulator" in [p["name"] for p in json.loads(pip_list)]

    # 4. the pipeline recipe in the user's repository: check mode with the gate, then the apply after the merge
    github = ci_recipes.load(installed / "examples" / "ci" / "github-actions.yml")
    jobs = ci_recipes.github_lines(github)
    check_line, = ci_recipes.ansible_commands(jobs["check"])
    apply_line, = ci_recipes.ansible_commands(jobs["apply"])
    recipe_env = dict((k, v) for k, v in github["env"].items() if not str(v).startswith("${{"))
    pcemu = "~/pcemu/bin/pcemu"
    start = 'eval "$(%s --wait --seed seed.json)"\n' % pcemu
    try:
        out, _err = shell.run(start + check_line, fleet, expect_rc=2, env=recipe_env)
        assert "drift gate (partnercenter_fail_on_drift: destructive)" in out
        assert "would purge temp.contractor@contoso.onmicrosoft.com" in out
        assert (fleet / "reports" / "partnercenter-check.md").is_file()
        environment = "eval \"$(%s --env)\"\n" % pcemu
        shell.run(environment + apply_line, fleet, env=recipe_env)
        out, _err = shell.run(environment + check_line, fleet, env=dict(recipe_env, PARTNERCENTER_FAIL_ON_DRIFT="any"))
        assert "drift gate" not in out
        state = json.loads(shell.run(environment + 'curl -s --cacert "$PARTNERCENTER_CA_PATH" '
                                     '"$(python3 -c \'import json; print(json.load(open("pcemu.json"))["control_url"])\')'
                                     '/state?customer=%s"' % CONTOSO, fleet)[0])
        upns = [u["userPrincipalName"] for u in state["customers"][0]["users"] if u["state"] == "active"]
        assert "breakglass@contoso.onmicrosoft.com" in upns and "temp.contractor@contoso.onmicrosoft.com" not in upns
    finally:
        subprocess.run(["bash", "-c", "%s --stop" % pcemu], cwd=str(fleet), env=shell.env, check=False)
