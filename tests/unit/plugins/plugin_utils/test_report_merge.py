# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""One report per job: a run knows which job and slice it is, and the slices' reports merge into the report of
one unsliced run, refusing what cannot be one job's slices."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.csp.partnercenter.plugins.callback.report import COUNTS
from ansible_collections.csp.partnercenter.plugins.filter.merged_report import merged_report
from ansible_collections.csp.partnercenter.plugins.plugin_utils._report_merge import (
    ReportMergeError, job_identity, merge_reports, slice_suffix, totals,
)


def customer(host, created=0, unchanged=0, failures=()):
    summary = dict((name, 0) for name in COUNTS)
    summary.update(created=created, unchanged=unchanged, failed=len(failures))
    return {"host": host, "customer_id": None, "changed": bool(created), "failed": bool(failures),
            "summary": summary,
            "changes": [{"user_principal_name": "u%d@%s.example" % (n, host), "id": str(n), "action": "created",
                         "planned": False, "fields": {}} for n in range(created)],
            "failures": list(failures),
            "summary_lines": [], "hidden_tasks": 0}


def report(customers, number=None, count=None, job="42", started="2026-12-07T08:00:00Z",
           finished="2026-12-07T08:01:00Z", mode="run"):
    piece = None
    if number is not None or count is not None:
        piece = {"job_id": "10%s" % number, "number": number, "count": count}
    return {"report_version": 1, "collection": "csp.partnercenter", "mode": mode, "playbook": "site.yml",
            "started": started, "finished": finished, "job": {"job_id": job, "slice": piece},
            "totals": totals(customers, COUNTS), "customers": customers}


FLEET = [customer("c%02d" % n, created=n % 3, unchanged=5 - n % 3,
                  failures=[{"user_principal_name": None, "task": "converge", "msg": "HTTP 403", "role_msg": None,
                             "error": None}] if n == 7 else ()) for n in range(12)]


def test_four_slices_merge_into_the_unsliced_report():
    unsliced = report(FLEET)
    slices = [report(FLEET[n::4], number=n + 1, count=4, started="2026-12-07T08:00:0%dZ" % n,
                     finished="2026-12-07T08:0%d:00Z" % (n + 1)) for n in range(4)]
    merged = merge_reports(list(reversed(slices)), COUNTS)
    assert merged["customers"] == unsliced["customers"]
    assert merged["totals"] == unsliced["totals"]
    assert merged["totals"]["customers"] == 12 and merged["totals"]["customers_failed"] == 1
    assert (merged["started"], merged["finished"]) == ("2026-12-07T08:00:00Z", "2026-12-07T08:04:00Z")
    assert merged["job"]["job_id"] == "42" and merged["job"]["slice"] is None
    assert [s["number"] for s in merged["job"]["slices"]] == [1, 2, 3, 4]
    identity = ("started", "finished", "job")
    assert dict((k, v) for k, v in merged.items() if k not in identity) == \
        dict((k, v) for k, v in unsliced.items() if k not in identity)


@pytest.mark.parametrize("reports, words", [
    ([], "no report"),
    ([report(FLEET[:2]), report(FLEET[1:3])], "customer c01 is in report 1 and in report 2"),
    ([report(FLEET[:2], job="42"), report(FLEET[2:4], job="43")], "different jobs (42, 43)"),
    ([report(FLEET[:2], 1, 3), report(FLEET[2:4], 3, 3)], "slice 2 of 3 is missing"),
    ([report(FLEET[:2], 1, 2), report(FLEET[2:4], 1, 2)], "slice 1 is given twice"),
    ([report(FLEET[:2], 1, 2), report(FLEET[2:4], 2, 3)], "disagree on the slice count"),
    ([report(FLEET[:2]), {"customers": "x"}], "report 2 is not"),
])
def test_what_cannot_be_one_jobs_slices_is_refused_naming_why(reports, words):
    with pytest.raises(ReportMergeError) as caught:
        merge_reports(reports, COUNTS)
    assert words in str(caught.value)


def test_check_and_run_slices_merge_as_mixed():
    merged = merge_reports([report(FLEET[:2], mode="check"), report(FLEET[2:4])], COUNTS)
    assert merged["mode"] == "mixed"


def test_awx_tells_the_job_and_the_slice_job_but_not_the_slice_number():
    identity, problem = job_identity({"awx_job_id": 101, "awx_workflow_job_id": 100},
                                     {"JOB_ID": "101", "PARTNERCENTER_JOB_SLICES": "4"})
    assert problem is None
    assert identity == {"job_id": "100", "slice": {"job_id": "101", "number": None, "count": 4}}
    assert slice_suffix(identity) == "-slice-101"


def test_an_unsliced_run_outside_awx_names_no_job_and_keeps_its_file_name():
    identity, problem = job_identity({}, {})
    assert identity == {"job_id": None, "slice": None} and problem is None
    assert slice_suffix(identity) == ""
    assert job_identity({"awx_job_id": 7}, {"PARTNERCENTER_JOB_SLICES": "1"})[0] == {"job_id": "7", "slice": None}


def test_a_slice_outside_awx_says_its_number():
    identity, problem = job_identity({}, {"PARTNERCENTER_SLICE": "2/4", "PARTNERCENTER_JOB_ID": "nightly"})
    assert identity == {"job_id": "nightly", "slice": {"job_id": None, "number": 2, "count": 4}}
    assert slice_suffix(identity) == "-slice-2"


@pytest.mark.parametrize("given", ["5/4", "0/4", "two of four", "2"])
def test_a_slice_that_means_nothing_is_named_in_a_warning(given):
    identity, problem = job_identity({}, {"PARTNERCENTER_SLICE": given})
    assert identity["slice"] is None
    assert "PARTNERCENTER_SLICE is %r" % given in problem


def test_the_filter_merges_and_renders_markdown():
    slices = [report(FLEET[n::2], number=n + 1, count=2) for n in range(2)]
    merged = merged_report(slices)
    assert merged["totals"]["customers"] == 12
    text = merged_report(merged, markdown=True)
    assert "Job 42, merged from 2 slice reports." in text
    assert "| 12 |" in text
    with pytest.raises(AnsibleFilterError, match="slice 1 is given twice"):
        merged_report([slices[0], slices[0]])
    with pytest.raises(AnsibleFilterError):
        merged_report("x")


def test_the_merged_report_keeps_every_slice_run_correlation_id():
    slices = [dict(report(FLEET[n::2], number=n + 1, count=2),
                   run={"correlation_id": cid, "runner": {"awx_job_id": "7"}})
              for n, cid in enumerate(["22222222-2222-4222-8222-222222222222",
                                       "11111111-1111-4111-8111-111111111111"])]
    merged = merge_reports(slices, COUNTS)
    assert merged["run"] == {"runner": {"awx_job_id": "7"},
                             "correlation_ids": ["11111111-1111-4111-8111-111111111111",
                                                 "22222222-2222-4222-8222-222222222222"]}
