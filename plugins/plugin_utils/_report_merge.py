# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""One report per job: who a run is (its job and slice), and the slices' reports merged into one.

AWX runs a sliced job template as one workflow job whose nodes are the slices, each an
``ansible-playbook`` over every N-th host, on any execution node, sharing nothing.  What it tells a
slice (extra vars of every job, ``awx/main/models``: ``awx_meta_vars``): its own job id
(``awx_job_id``, and ``JOB_ID`` in the environment) and, inside a workflow, the workflow job's id
(``awx_workflow_job_id``), the one id the slices of a job share.  It tells a slice neither its slice
number nor the slice count, so those come from ``PARTNERCENTER_SLICE`` (``2/4``, for runs that slice
themselves) and ``PARTNERCENTER_JOB_SLICES`` (the count, as the credential sets it).

``merge_reports`` joins the slices' JSON reports into the report one unsliced run would have
written: every customer once, totals counted again from them, the earliest start and latest finish.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

SLICE_RE = re.compile(r"^\s*([0-9]+)\s*/\s*([0-9]+)\s*$")


class ReportMergeError(ValueError):
    """The reports given cannot be one job's: said in words a person can act on."""


def _text(value):
    return None if value in (None, "") else str(value)


def job_identity(extra_vars, environ):
    """(identity, problem): the ``job`` entry of a run's report and a reason to warn, or None.

    ``extra_vars``: the play's extra vars (AWX's ``awx_job_id``, ``awx_workflow_job_id``);
    ``environ``: ``JOB_ID`` (AWX), ``PARTNERCENTER_JOB_ID`` (a job id outside AWX),
    ``PARTNERCENTER_SLICE`` (``number/count``) and ``PARTNERCENTER_JOB_SLICES`` (the count).
    """
    extra_vars = extra_vars or {}
    problem = None
    number = count = None
    given = environ.get("PARTNERCENTER_SLICE")
    if given:
        match = SLICE_RE.match(given)
        if match and 1 <= int(match.group(1)) <= int(match.group(2)):
            number, count = int(match.group(1)), int(match.group(2))
        else:
            problem = "PARTNERCENTER_SLICE is %r, not number/count (for example 2/4); the report names no slice" % given
    slices = environ.get("PARTNERCENTER_JOB_SLICES")
    if count is None and slices and slices.strip().isdigit() and int(slices) > 1:
        count = int(slices)
    slice_job = _text(extra_vars.get("awx_job_id")) or _text(environ.get("JOB_ID"))
    job = _text(extra_vars.get("awx_workflow_job_id")) or _text(environ.get("PARTNERCENTER_JOB_ID"))
    identity = {"job_id": job or slice_job, "slice": None}
    if number is not None or count is not None:
        identity["slice"] = {"job_id": slice_job, "number": number, "count": count}
    return identity, problem


def slice_suffix(identity):
    """What a slice's report file names add, so slices writing to one directory never overwrite each other."""
    piece = (identity or {}).get("slice")
    if not piece:
        return ""
    return "-slice-%s" % (piece["number"] if piece["number"] is not None else piece["job_id"] or "unknown")


def totals(customers, counts):
    """The report's ``totals`` for its ``customers`` (dicts of ``_Customer.to_dict``)."""
    result = dict((name, sum(c["summary"][name] for c in customers)) for name in counts)
    result.update(customers=len(customers), customers_changed=sum(1 for c in customers if c["changed"]),
                  customers_failed=sum(1 for c in customers if c["failed"]),
                  failures=sum(len(c["failures"]) for c in customers))
    return result


def merge_reports(reports, counts):
    """The slices' ``reports`` (parsed JSON) as the one report an unsliced run would have written.

    Refused (``ReportMergeError``): no report, another report version or collection, reports of
    different jobs or playbooks, a customer in two reports (two runs of the same slice, or reports of
    two jobs), and, when the slices say their count, a slice missing or given twice.
    """
    reports = list(reports or [])
    if not reports:
        raise ReportMergeError("no report to merge: give the JSON reports of the job's slices")
    for index, report in enumerate(reports):
        if not isinstance(report, dict) or not isinstance(report.get("customers"), list):
            raise ReportMergeError("report %d is not a csp.partnercenter.report JSON report" % (index + 1))
    for key in ("report_version", "collection", "playbook"):
        values = sorted(set(str(r.get(key)) for r in reports))
        if len(values) > 1:
            raise ReportMergeError("the reports have different %s (%s): merge only the slices of one job"
                                   % (key, ", ".join(values)))
    jobs = sorted(set(str((r.get("job") or {}).get("job_id")) for r in reports if (r.get("job") or {}).get("job_id")))
    if len(jobs) > 1:
        raise ReportMergeError("the reports are of different jobs (%s): merge only the slices of one job"
                               % ", ".join(jobs))
    slices = [(r.get("job") or {}).get("slice") for r in reports]
    _check_slices([s for s in slices if s])
    seen = {}
    customers = []
    for index, report in enumerate(reports):
        for customer in report["customers"]:
            host = customer["host"]
            if host in seen:
                raise ReportMergeError("customer %s is in report %d and in report %d: each slice converges its own "
                                       "customers, so these are not one job's slices (or one slice ran twice)"
                                       % (host, seen[host] + 1, index + 1))
            seen[host] = index
            customers.append(customer)
    customers.sort(key=lambda c: c["host"])
    modes = set(r.get("mode") for r in reports)
    merged = dict(reports[0])
    merged.update(mode=modes.pop() if len(modes) == 1 else "mixed",
                  started=min(r.get("started") or "" for r in reports) or None,
                  finished=max(r.get("finished") or "" for r in reports) or None,
                  totals=totals(customers, counts), customers=customers,
                  job={"job_id": jobs[0] if jobs else None, "slice": None,
                       "slices": sorted((s for s in slices if s), key=_slice_order)})
    runs = [r["run"] for r in reports if isinstance(r.get("run"), dict)]
    if runs:  # each slice is its own ansible-playbook run, with its own MS-CorrelationId: keep every one
        merged["run"] = {"runner": runs[0].get("runner"),
                         "correlation_ids": sorted(set(str(r.get("correlation_id")) for r in runs
                                                       if r.get("correlation_id")))}
    return merged


def _slice_order(piece):
    return (piece.get("number") is None, piece.get("number") or 0, str(piece.get("job_id")))


def _check_slices(slices):
    numbered = [s for s in slices if s.get("number") is not None]
    if not numbered:
        return
    counts = sorted(set(s.get("count") for s in numbered))
    if len(counts) > 1:
        raise ReportMergeError("the slices disagree on the slice count (%s)" % ", ".join(str(c) for c in counts))
    numbers = [s["number"] for s in numbered]
    twice = sorted(set(n for n in numbers if numbers.count(n) > 1))
    if twice:
        raise ReportMergeError("slice %s is given twice" % ", ".join(str(n) for n in twice))
    missing = sorted(set(range(1, counts[0] + 1)) - set(numbers))
    if missing:
        raise ReportMergeError("slice %s of %d is missing: its customers would be left out of the job's report"
                               % (", ".join(str(n) for n in missing), counts[0]))
