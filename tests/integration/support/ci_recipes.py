# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The CI recipes of examples/ci read as data: their jobs' shell lines, the variables they set, and a runner that
runs one of their lines the way the CI job would, in a copy of examples/fleet, against the emulator.

So a test runs the recipe's own commands (not a copy of them), and a change to a recipe is a change to the test.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shutil
from pathlib import Path

import yaml

import ansible_process
from harness import PlaybookResult

REPO_ROOT = Path(__file__).resolve().parents[3]
GITHUB = REPO_ROOT / "examples" / "ci" / "github-actions.yml"
GITLAB = REPO_ROOT / "examples" / "ci" / "gitlab-ci.yml"
GITLAB_KEYWORDS = {"stages", "variables", "default", "include", "workflow", "image", "before_script"}


def load(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def github_lines(recipe=None):
    """{job: [shell line, ...]} of every ``run:`` step, in order."""
    recipe = recipe or load(GITHUB)
    return dict((name, [line.strip() for step in job["steps"] for line in str(step.get("run") or "").splitlines()
                        if line.strip()]) for name, job in recipe["jobs"].items())


def gitlab_lines(recipe=None):
    """{job: [shell line, ...]} of every job's ``script`` and ``after_script`` (not the shared before_script)."""
    recipe = recipe or load(GITLAB)
    return dict((name, [" ".join(str(line).split()) for key in ("script", "after_script") for line in job.get(key) or []])
                for name, job in recipe.items() if name not in GITLAB_KEYWORDS and isinstance(job, dict))


def ansible_commands(lines):
    return [line for line in lines if line.split()[0] in ("ansible-playbook", "ansible-inventory")]


def github_step(recipe, job, name):
    return next(step for step in recipe["jobs"][job]["steps"] if step.get("name") == name)


class Repo:
    """A partner's own repository: a copy of examples/fleet, where the recipes' lines run with bash."""

    def __init__(self, runner, path, example=REPO_ROOT / "examples" / "fleet"):
        self.runner = runner
        self.path = Path(path)
        shutil.copytree(str(example), str(self.path), ignore=shutil.ignore_patterns("reports"))
        self._count = 0

    def run(self, line, env=None, timeout=300):
        """``line`` run by ``bash -ec`` in the repository with the runner's hermetic environment (the emulator's
        PARTNERCENTER_* variables, the result recorder) and the repository's own ansible.cfg."""
        self._count += 1
        run_dir = self.runner.workdir / ("recipe%02d" % self._count)
        run_dir.mkdir(parents=True)
        results, log = run_dir / "results.jsonl", run_dir / "ansible.log"
        bin_dir = os.path.dirname(self.runner.ansible_playbook)
        overrides = {"ANSIBLE_CONFIG": str(self.path / "ansible.cfg"),
                     # the repository's callbacks_enabled, and the recorder the assertions read
                     "ANSIBLE_CALLBACKS_ENABLED": "result_recorder,csp.partnercenter.report",
                     "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
        overrides.update(env or {})
        run_env = self.runner.base_env(run_dir, results, log, overrides=overrides)
        rc, stdout, stderr = ansible_process.run(["bash", "-ec", line], self.path, run_env, timeout)
        assert rc is not None, "%s timed out\n%s" % (line, stderr[-3000:])
        records = []
        if results.exists():
            records = [json.loads(text) for text in results.read_text(encoding="utf-8").splitlines() if text.strip()]
        return PlaybookResult(["bash", "-ec", line], rc, stdout, stderr, records, log, results, run_dir)

    def report(self, mode):
        """(JSON, Markdown) of reports/partnercenter-<mode>.* (the recipes' PARTNERCENTER_REPORT_FILE_NAME)."""
        base = self.path / "reports" / ("partnercenter-%s" % mode)
        return (json.loads(base.with_suffix(".json").read_text(encoding="utf-8")),
                base.with_suffix(".md").read_text(encoding="utf-8"))
