# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""A sliced job as AWX runs it (issue 31): slices that share the partner's request budget, one report per job.

Four slices, each its own ``ansible-playbook`` over every fourth customer with its own home, temporary
directory and token cache (so its own throttle and pace files: the slices share nothing, as on four
execution nodes), run at once against the emulator's ``throttle_over_rate``.  With ``request_rate``
set for the job and ``job_slices=4`` every slice sends at most its share, so the job stays under the
emulator's limit; without it the same fleet meets 429s.  The slices' reports merged by
``playbooks/merge_reports.yml`` equal the report of one unsliced run of the same fleet.

The bound each slice keeps (from the request log's ``started_at``, the emulator's clock): in any window
of ``WINDOW`` seconds a slice starts at most ``share x WINDOW + 1`` API requests, the +1 for the
window's edges.  A request's arrival may lag the slot it left at by the loaded machine's scheduling,
so the bound allows ``JITTER`` of bunching.
"""

from __future__ import absolute_import, division, print_function

import json
import shutil
import tempfile
import threading
from pathlib import Path

from fleet import converged_fleet
from harness import PlaybookRunner

PLAYBOOKS = Path(__file__).resolve().parents[2] / "playbooks"
CONVERGE = "csp.partnercenter.customer_users : Converge the customer's users"
CUSTOMERS = 40
USERS = 2
SLICES = 4
FORKS = 5
OVER_RATE = 4          # the emulator answers 429 to every API request beyond 4 within a second
REQUEST_RATE = 3.0     # the job's budget, below the limit: each slice takes 0.75 a second
SHARE = REQUEST_RATE / SLICES
WINDOW = 4.0
JITTER = 1             # one request's arrival bunched with the next by the machine's scheduling
IDENTITY = ("started", "finished", "job", "run")
AWX_WORKFLOW, AWX_JOB = 31, 100   # the sliced job's workflow job id; slice n runs as job 100 + n


def run_slices(emu, base, hosts, env, reports=None, expect_rc=0):
    """Run the slices at once, each as on its own node; {slice number: its PlaybookResult}."""
    names = sorted(hosts)
    results, errors = {}, []

    def one(number):
        node = Path(tempfile.mkdtemp(prefix="s%d" % number, dir="/tmp"))  # short: ansible-core binds a socket
        try:
            runner = PlaybookRunner(base / ("slice%d" % number), emulator=emu,
                                    token_cache_dir=base / ("slice%d" % number) / "tokens")
            mine = dict((name, hosts[name]) for name in names[number - 1::SLICES])
            slice_env = dict(env, HOME=str(node), TMPDIR=str(node))
            if reports is not None:
                slice_env.update(ANSIBLE_CALLBACKS_ENABLED="result_recorder,csp.partnercenter.report",
                                 PARTNERCENTER_REPORT_DIR=str(reports))
            # what AWX tells each job of a sliced job template: its own id, and the workflow job's
            results[number] = runner(str(PLAYBOOKS / "provision_customers.yml"),
                                     inventory={"partnercenter_customers": {"hosts": mine}}, forks=FORKS,
                                     env=slice_env, timeout=600, expect_rc=expect_rc,
                                     extra_vars={"awx_job_id": AWX_JOB + number, "awx_workflow_job_id": AWX_WORKFLOW})
        except Exception as exc:  # pylint: disable=broad-except
            errors.append(exc)
        finally:
            shutil.rmtree(str(node), ignore_errors=True)

    threads = [threading.Thread(target=one, args=(number,)) for number in range(1, SLICES + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(900)
    assert not errors, errors[0]
    return results


def slice_of(ids, names):
    """customer id -> its slice number, as run_slices splits them."""
    return dict((ids[name], n % SLICES + 1) for n, name in enumerate(sorted(names)))


def api_requests(entries):
    """Partner Center's requests (the identity provider's are not counted against the limit)."""
    return [e for e in entries if e["path"].startswith("/v1/") and e.get("started_at")]


def most_in_a_window(times, window):
    times = sorted(times)
    most, first = 0, 0
    for last, moment in enumerate(times):
        while times[first] <= moment - window:
            first += 1
        most = max(most, last - first + 1)
    return most


def test_slices_share_the_budget_and_merge_into_one_report(emu, tmp_path):
    names, ids, hosts = converged_fleet(emu, "slice", CUSTOMERS, USERS)
    owner = slice_of(ids, names)

    # the report one unsliced run writes (no throttling: the report is the same either way)
    reference_dir = tmp_path / "unsliced"
    emu.config(latency_ms=20)
    unsliced = PlaybookRunner(tmp_path / "unsliced-run", emulator=emu)
    unsliced(str(PLAYBOOKS / "provision_customers.yml"), inventory={"partnercenter_customers": {"hosts": hosts}},
             forks=FORKS, timeout=600,
             env={"ANSIBLE_CALLBACKS_ENABLED": "result_recorder,csp.partnercenter.report",
                  "PARTNERCENTER_REPORT_DIR": str(reference_dir)})
    (reference_path,) = reference_dir.glob("*.json")
    reference = json.loads(reference_path.read_text())
    assert reference["job"] == {"job_id": None, "slice": None}
    assert reference["totals"]["customers"] == CUSTOMERS

    emu.config(throttle_over_rate=OVER_RATE, retry_after=1, latency_ms=20)

    # the same fleet, sliced, with no budget: the slices together exceed the limit, and a customer whose
    # request met 429 eight times gives up (the retry loop's MAX_ATTEMPTS), so the run may fail
    emu.clear_requests()
    unpaced_runs = run_slices(emu, tmp_path / "unpaced", hosts, env={}, expect_rc=None)
    unpaced = api_requests(emu.requests())
    unpaced_429 = sum(1 for e in unpaced if e["status"] == 429)
    unpaced_failed = sum(run.stats.get(name, {}).get("failures", 0) for run in unpaced_runs.values()
                         for name in names)

    # with the job's budget: each slice takes its share
    emu.clear_requests()
    reports = tmp_path / "reports"
    results = run_slices(emu, tmp_path / "paced", hosts, reports=reports,
                         env={"PARTNERCENTER_REQUEST_RATE": REQUEST_RATE, "PARTNERCENTER_JOB_SLICES": SLICES})
    paced = api_requests(emu.requests())
    paced_429 = sum(1 for e in paced if e["status"] == 429)

    # every customer converged, in its own slice, with nothing written
    for number, run in results.items():
        for name in names[number - 1::SLICES]:
            result = run.result(CONVERGE, host=name)
            assert result["event"] == "ok", result
            assert result["result"]["summary"]["unchanged"] == USERS
    assert emu.writes() == []
    listed = set(e["path"].split("/")[3] for e in paced if e["route"] == "list_users" and e["status"] == 200)
    assert listed == set(ids.values())

    # no slice exceeds its share by more than the bound
    bound = int(SHARE * WINDOW) + 1 + JITTER
    per_slice = dict((n, []) for n in range(1, SLICES + 1))
    for entry in paced:
        customer = next((part for part in entry["path"].split("/") if part in owner), None)
        assert customer is not None, "an API request of no customer: %s" % entry["path"]
        per_slice[owner[customer]].append(entry["started_at"])
    most = dict((n, most_in_a_window(times, WINDOW)) for n, times in per_slice.items())
    print("429s: %d paced, %d unpaced (%d customers failed unpaced); most requests of a slice in %gs: %s "
          "(bound %d)" % (paced_429, unpaced_429, unpaced_failed, WINDOW, most, bound))
    assert max(most.values()) <= bound, most
    assert unpaced_429 > 0, "the unpaced slices were never throttled: the test measured nothing"
    assert paced_429 < unpaced_429
    # the job as a whole stayed within what the budget allows: REQUEST_RATE in a second (+1 per slice's edge)
    assert most_in_a_window([e["started_at"] for e in paced], 1.0) <= REQUEST_RATE + SLICES

    # one report per job: the slices' reports, merged, are the unsliced run's
    # AWX tells a slice its job id but not its number: the files carry the slice's job id
    slice_reports = sorted(reports.glob("*-slice-*.json"))
    jobs = [str(AWX_JOB + n) for n in range(1, SLICES + 1)]
    assert [p.name.rsplit("-slice-", 1)[1] for p in slice_reports] == ["%s.json" % job for job in jobs]
    for path, job in zip(slice_reports, jobs):
        report = json.loads(path.read_text())
        assert report["job"] == {"job_id": str(AWX_WORKFLOW), "slice": {"job_id": job, "number": None,
                                                                        "count": SLICES}}
        assert report["totals"]["customers"] == CUSTOMERS // SLICES
    merger = PlaybookRunner(tmp_path / "merge")
    merger(str(PLAYBOOKS / "merge_reports.yml"),
           extra_vars={"partnercenter_reports_dir": str(reports),
                       "partnercenter_merged_report": str(tmp_path / "job")})
    merged = json.loads((tmp_path / "job.json").read_text())
    assert dict((k, v) for k, v in merged.items() if k not in IDENTITY) == \
        dict((k, v) for k, v in reference.items() if k not in IDENTITY)
    assert merged["job"]["job_id"] == str(AWX_WORKFLOW)
    assert [s["job_id"] for s in merged["job"]["slices"]] == jobs
    markdown = (tmp_path / "job.md").read_text()
    assert "Job %d, merged from 4 slice reports." % AWX_WORKFLOW in markdown
    assert "| %d | 0 | 0 |" % CUSTOMERS in markdown
