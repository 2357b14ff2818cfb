# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The pipeline gate (the role's partnercenter_fail_on_drift) and the CI recipes of examples/ci that use it.

The recipes' own lines run here, read from the YAML files: check mode on a pull request (the gate, the report in
the job summary), then the apply after the merge, in a copy of examples/fleet against the emulator seeded with
examples/fleet/seed.json.  A gate failure writes nothing and still writes the drift report.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import ci_recipes
from ci_recipes import Repo
from fleet import EXAMPLE

CONTOSO = "3c4b7a10-2f1e-4d8a-9b6c-5e4f3a2b1c01"
HOSTS = ["adatum.onmicrosoft.com", "contoso.onmicrosoft.com", "fabrikam.onmicrosoft.com",
         "northwind.onmicrosoft.com"]
CONVERGE = "Converge the customer's users"
SUMMARY_STEP = "Drift report in the job summary"


def failed_hosts(run):
    return sorted(host for host, counts in run.stats.items() if counts.get("failures"))


def converge_results(run):
    return dict((r["host"], r["result"]) for r in run.results if str(r["task"]).endswith(CONVERGE))


class NoteRecorder(BaseHTTPRequestHandler):
    """GitLab's notes API, as far as the recipe's note needs it: records each POST."""
    posted = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8")
        NoteRecorder.posted.append((self.path, self.headers["PRIVATE-TOKEN"], urllib.parse.parse_qs(body)["body"][0]))
        self.send_response(201)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):  # pylint: disable=arguments-differ
        pass


def post_gitlab_note(repo, line):
    """The recipe's note line against a local stand-in of GitLab's API; returns (path, token, body) posted."""
    server = HTTPServer(("127.0.0.1", 0), NoteRecorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    NoteRecorder.posted = []
    try:
        run = repo.run(line, {"CI_API_V4_URL": "http://127.0.0.1:%d/api/v4" % server.server_address[1],
                              "CI_PROJECT_ID": "42", "CI_MERGE_REQUEST_IID": "7",
                              "PARTNERCENTER_NOTE_TOKEN": "note-token"})
    finally:
        server.shutdown()
        server.server_close()
    assert run.rc == 0, run.describe()
    return NoteRecorder.posted


def test_the_recipes_run_check_mode_with_the_gate_on_a_pull_request_and_apply_after_the_merge():
    github, gitlab = ci_recipes.load(ci_recipes.GITHUB), ci_recipes.load(ci_recipes.GITLAB)
    github_jobs, gitlab_jobs = ci_recipes.github_lines(github), ci_recipes.gitlab_lines(gitlab)
    check, apply = ci_recipes.ansible_commands(github_jobs["check"]), ci_recipes.ansible_commands(github_jobs["apply"])
    assert len(check) == 1 and "--check" in check[0].split() and "partnercenter_fail_on_drift=" in check[0]
    assert len(apply) == 1 and "--check" not in apply[0].split()
    # the same commands in GitLab CI, with the same gate and report name
    assert ci_recipes.ansible_commands(gitlab_jobs["drift"]) == check
    assert ci_recipes.ansible_commands(gitlab_jobs["apply"]) == apply
    for name in ("PARTNERCENTER_FAIL_ON_DRIFT", "PARTNERCENTER_REPORT_FILE_NAME"):
        assert github["env"][name] == gitlab["variables"][name]
    # check on pull (merge) requests only, apply on the default branch only
    assert github["jobs"]["check"]["if"] == "github.event_name == 'pull_request'"
    assert github["jobs"]["apply"]["if"] == "github.event_name == 'push'" and github["on"]["push"]["branches"] == [
        "main"]
    assert [r["if"] for r in gitlab["drift"]["rules"]] == ['$CI_PIPELINE_SOURCE == "merge_request_event"']
    assert "$CI_DEFAULT_BRANCH" in gitlab["apply"]["rules"][0]["if"]
    # the report the check writes is what the summary, the comment, the note and the artifact take
    report = "reports/partnercenter-check.md"
    assert ci_recipes.github_step(github, "check", SUMMARY_STEP)["run"].strip() == \
        'cat %s >> "$GITHUB_STEP_SUMMARY"' % report
    assert any("gh pr comment" in line and "--body-file " + report in line for line in github_jobs["check"])
    assert any("body@" + report in line and "/merge_requests/$CI_MERGE_REQUEST_IID/notes" in line
               for line in gitlab_jobs["drift"])
    assert report in gitlab["drift"]["artifacts"]["paths"] and gitlab["drift"]["artifacts"]["when"] == "always"


def test_the_gate_fails_on_drift_then_passes_once_applied_and_fails_a_purge_under_destructive(emu, playbook, tmp_path):
    github = ci_recipes.load(ci_recipes.GITHUB)
    lines = ci_recipes.github_lines(github)
    check, = ci_recipes.ansible_commands(lines["check"])
    apply, = ci_recipes.ansible_commands(lines["apply"])
    summary_line = ci_recipes.github_step(github, "check", SUMMARY_STEP)["run"].strip()
    recipe_env = dict((k, v) for k, v in github["env"].items() if not str(v).startswith("${{"))
    emu.reset(seed=json.loads((EXAMPLE / "seed.json").read_text(encoding="utf-8")))
    emu.clear_requests()
    repo = Repo(playbook, tmp_path / "iac")

    # a fresh fleet: a break-glass administrator to create everywhere, and Contoso purges temp.contractor
    run = repo.run(check, dict(recipe_env, PARTNERCENTER_FAIL_ON_DRIFT="any"))
    assert run.rc == 2, run.describe()
    assert failed_hosts(run) == HOSTS
    assert "drift gate (partnercenter_fail_on_drift: any)" in run.stdout
    assert "would create breakglass@adatum.onmicrosoft.com" in run.stdout
    assert emu.writes() == []
    report, markdown = repo.report("check")
    assert report["mode"] == "check" and report["totals"]["created"] >= 4 and report["totals"]["purged"] == 1
    # the job summary step appends the drift report as written
    step_summary = tmp_path / "step_summary.md"
    step_summary.write_text("earlier step\n", encoding="utf-8")
    assert repo.run(summary_line, {"GITHUB_STEP_SUMMARY": str(step_summary)}).rc == 0
    assert step_summary.read_text(encoding="utf-8") == "earlier step\n" + markdown
    # GitLab's after_script posts the same report as a note on the merge request
    note, = [line for line in ci_recipes.gitlab_lines()["drift"] if "/notes" in line]
    assert post_gitlab_note(repo, note) == [("/api/v4/projects/42/merge_requests/7/notes", "note-token", markdown)]

    # the recipe's own policy, destructive: creations pass, Contoso's purge fails it, naming the user
    run = repo.run(check, recipe_env)
    assert recipe_env["PARTNERCENTER_FAIL_ON_DRIFT"] == "destructive"
    assert run.rc == 2, run.describe()
    assert failed_hosts(run) == ["contoso.onmicrosoft.com"]
    assert "drift gate (partnercenter_fail_on_drift: destructive)" in run.stdout
    assert "would purge temp.contractor@contoso.onmicrosoft.com" in run.stdout
    results = converge_results(run)
    assert results["contoso.onmicrosoft.com"]["summary"]["purged"] == 1
    assert results["fabrikam.onmicrosoft.com"]["summary"]["created"] >= 1
    assert not results["fabrikam.onmicrosoft.com"]["failed"]
    assert emu.writes() == []

    # after the merge: the apply writes, and check mode then finds no drift (exit 0 under any)
    run = repo.run(apply, recipe_env)
    assert run.rc == 0, run.describe()
    active = [u["userPrincipalName"] for u in emu.users(CONTOSO, state="active")]
    assert "breakglass@contoso.onmicrosoft.com" in active and "temp.contractor@contoso.onmicrosoft.com" not in active
    assert [u["userPrincipalName"][-39:] for u in emu.users(CONTOSO, state="inactive")] == [
        "temp.contractor@contoso.onmicrosoft.com"]  # (a soft-deleted UPN may carry the object id before it)
    assert repo.report("run")[0]["totals"]["purged"] == 1
    emu.clear_requests()
    run = repo.run(check, dict(recipe_env, PARTNERCENTER_FAIL_ON_DRIFT="any"))
    assert run.rc == 0, run.describe()
    assert failed_hosts(run) == [] and emu.writes() == []

    # somebody adds a user by hand: the only drift is its purge, which fails the destructive gate
    shadow = {"userPrincipalName": "shadow.it@contoso.onmicrosoft.com", "firstName": "Shadow", "lastName": "IT",
              "displayName": "Shadow IT", "usageLocation": "US", "password": "Seed-Passw0rd!"}
    emu.seed([{"id": CONTOSO, "users": [shadow]}])
    emu.clear_requests()
    run = repo.run(check, recipe_env)
    assert run.rc == 2, run.describe()
    assert failed_hosts(run) == ["contoso.onmicrosoft.com"]
    assert "would purge shadow.it@contoso.onmicrosoft.com" in run.stdout
    assert emu.writes() == []
