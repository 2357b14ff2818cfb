# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Execution environments: what ansible-builder puts into an EE for this collection.

No container engine is needed.  ``ansible-builder create`` only writes the build context;
the collection's Python requirements are found at image build time, when the builder
stage runs ``introspect.py`` over the collections the galaxy stage installed.  These tests
replay those two stages on the host: install the collection from a tarball built with
``ansible-galaxy collection build`` (so ``build_ignore`` and ``meta/execution-environment.yml``
are exercised as they ship), then run the context's own ``introspect.py`` on it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_EE = REPO_ROOT / "examples" / "execution-environment.yml"
BIN = Path(sys.executable).parent
RUNTIME_REQUIREMENTS = ("msal", "requests")


def run(cmd, cwd=None, timeout=180):
    # No ANSIBLE_COLLECTIONS_PATH: the staged copy it names would count as "already installed".
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_COLLECTIONS_PATH")}
    proc = subprocess.run([str(c) for c in cmd], cwd=str(cwd) if cwd else None, capture_output=True,
                          text=True, timeout=timeout, check=False, env=env)
    assert proc.returncode == 0, "%s -> %s\n%s\n%s" % (" ".join(map(str, cmd)), proc.returncode,
                                                       proc.stdout[-3000:], proc.stderr[-3000:])
    return proc.stdout


def requirement_lines(text):
    """{name: line} for the requirement lines of a pip requirements file (comments kept)."""
    found = {}
    for line in text.splitlines():
        spec = line.split("#", 1)[0].strip()
        if spec:
            found[re.split(r"[<>=!~\[; ]", spec, 1)[0].lower()] = line
    return found


@pytest.fixture(scope="module")
def tarball(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    run([BIN / "ansible-galaxy", "collection", "build", REPO_ROOT, "--output-path", out, "--force"])
    (built,) = out.glob("csp-partnercenter-*.tar.gz")
    return built


def test_shipped_metadata_names_runtime_requirements():
    meta = yaml.safe_load((REPO_ROOT / "meta" / "execution-environment.yml").read_text(encoding="utf-8"))
    assert meta["version"] == 1
    python_file = REPO_ROOT / meta["dependencies"]["python"]
    reqs = requirement_lines(python_file.read_text(encoding="utf-8"))
    assert sorted(reqs) == sorted(RUNTIME_REQUIREMENTS), "runtime requirements only: %s" % reqs
    for name in RUNTIME_REQUIREMENTS:
        assert ">=" in reqs[name] and "==" not in reqs[name], reqs[name]


def test_example_definition_creates_a_build_context(tmp_path):
    context = tmp_path / "context"
    run([BIN / "ansible-builder", "create", "-f", EXAMPLE_EE, "-c", context])
    dockerfile = (context / "Dockerfile").read_text(encoding="utf-8")
    assert "introspect.py introspect" in dockerfile
    assert "ansible-galaxy collection install" in dockerfile
    galaxy = yaml.safe_load((context / "_build" / "requirements.yml").read_text(encoding="utf-8"))
    assert sorted(c["name"] for c in galaxy["collections"]) == sorted({"csp.partnercenter"} | collections_called())


def collections_called():
    """Every other collection whose modules the shipped playbooks and roles call (FQCN task keys)."""
    fqcn = re.compile(r"^([a-z0-9_]+\.[a-z0-9_]+)\.[a-z0-9_]+$")
    found = set()

    def walk(tasks):
        for task in tasks or []:
            for key, value in task.items():
                if key in ("block", "rescue", "always"):
                    walk(value)
                elif fqcn.match(key):
                    found.add(fqcn.match(key).group(1))

    for path in list((REPO_ROOT / "playbooks").rglob("*.yml")) + list((REPO_ROOT / "roles").rglob("tasks/*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        plays = [entry for entry in document if "hosts" in entry]
        walk(document if not plays else [t for play in plays for key in ("pre_tasks", "tasks", "post_tasks")
                                         for t in play.get(key) or []])
    return found - {"ansible.builtin", "ansible.legacy", "csp.partnercenter"}


def test_example_ee_carries_every_collection_the_shipped_playbooks_call():
    # rotate_awx_credential.yml writes the rotated refresh token back with awx.awx.credential: an EE
    # without awx.awx fails that job at its last step, after the token was already redeemed.
    assert "awx.awx" in collections_called()
    requirements = yaml.safe_load((EXAMPLE_EE.parent / "requirements.yml").read_text(encoding="utf-8"))
    listed = set(c["name"] for c in requirements["collections"])
    assert collections_called() | {"csp.partnercenter"} <= listed, sorted(collections_called() - listed)


def test_image_build_gets_msal_and_requests_from_the_collection(tmp_path, tarball):
    # The shipped example, with its galaxy requirements pointed at the local tarball (copied
    # into the context by additional_build_files) instead of Galaxy, which is offline here.
    definition = yaml.safe_load(EXAMPLE_EE.read_text(encoding="utf-8"))
    shutil.copy(tarball, tmp_path / tarball.name)
    (tmp_path / "requirements.yml").write_text(yaml.safe_dump(
        {"collections": [{"name": "collections/%s" % tarball.name, "type": "file"}]}), encoding="utf-8")
    definition["dependencies"]["galaxy"] = "requirements.yml"
    definition["additional_build_files"] = [{"src": tarball.name, "dest": "collections"}]
    ee_file = tmp_path / "execution-environment.yml"
    ee_file.write_text(yaml.safe_dump(definition, sort_keys=False), encoding="utf-8")
    context = tmp_path / "context"
    run([BIN / "ansible-builder", "create", "-f", ee_file, "-c", context])
    build = context / "_build"
    assert (build / "collections" / tarball.name).is_file()

    # Galaxy stage: WORKDIR /build, then ansible-galaxy collection install -r requirements.yml.
    collections = tmp_path / "usr-share-ansible-collections"
    run([BIN / "ansible-galaxy", "collection", "install", "--offline", "--force", "-r", "requirements.yml",
         "-p", collections], cwd=build)
    installed = collections / "ansible_collections" / "csp" / "partnercenter"
    assert (installed / "meta" / "execution-environment.yml").is_file()

    # Builder stage: introspect.py introspect --write-pip=/tmp/src/requirements.txt
    written = tmp_path / "src" / "requirements.txt"
    out = run([sys.executable, build / "scripts" / "introspect.py", "introspect", collections,
               "--write-pip", written])
    reqs = requirement_lines(written.read_text(encoding="utf-8"))
    for name in RUNTIME_REQUIREMENTS:
        assert name in reqs, "%s missing from what the EE would install:\n%s" % (name, out)
        assert re.search(r"%s>=\d" % name, reqs[name]), reqs[name]
        assert "csp.partnercenter" in reqs[name], reqs[name]
    # Nothing test-only leaks into the image.
    assert not set(reqs) & {"pytest", "trustme", "ansible-lint", "ansible-core", "pyyaml"}, reqs
