# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: merged_report
short_description: The run reports of a sliced job's slices, merged into the report of one unsliced run
version_added: 0.3.0
description:
  - Takes the JSON reports that the callback C(csp.partnercenter.report) wrote in each slice of a sliced job (AWX
    I(Job Slicing)) and returns the report one unsliced run of the job would have written - every customer once,
    in host order, the totals counted again, the earliest start and the latest finish, and C(job.slices) naming the
    slices merged.
  - Refuses, naming the reason, reports of different jobs or playbooks, a customer found in two reports (one slice
    merged twice, or reports of two runs), and, when the slices carry their number (E(PARTNERCENTER_SLICE)), a
    missing or repeated slice.
  - The playbook C(csp.partnercenter.merge_reports) reads a directory of slice reports and writes the merged JSON
    and Markdown with it.
author:
  - csp.partnercenter contributors (@csp-partnercenter)
options:
  _input:
    description:
      - The slices' reports, each the parsed JSON file (for example with C(ansible.builtin.from_json)).
      - One report (a dictionary, for example an already merged one) is returned as it is, or as Markdown.
    type: raw
    required: true
  markdown:
    description: Return the merged report as Markdown text (what the callback writes to its C(.md) file) instead of
      the JSON report.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Merge the slices' reports
  ansible.builtin.copy:
    content: "{{ reports | csp.partnercenter.merged_report | ansible.builtin.to_nice_json(sort_keys=true) }}"
    dest: partnercenter-reports/job.json
    mode: "0600"
"""

RETURN = r"""
_value:
  description: The merged report (a dictionary with the JSON report's keys), or its Markdown text.
  type: raw
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.csp.partnercenter.plugins.callback.report import COUNTS, markdown as report_markdown
from ansible_collections.csp.partnercenter.plugins.plugin_utils._report_merge import ReportMergeError, merge_reports


def merged_report(reports, markdown=False):
    if isinstance(reports, Mapping):  # one report, already whole
        return report_markdown(dict(reports)) if markdown else reports
    if not isinstance(reports, (list, tuple)):
        raise AnsibleFilterError("merged_report takes a list of the slices' JSON reports")
    try:
        merged = merge_reports(reports, COUNTS)
    except ReportMergeError as exc:
        raise AnsibleFilterError("merged_report: %s" % exc)
    return report_markdown(merged) if markdown else merged


class FilterModule(object):

    def filters(self):
        return {"merged_report": merged_report}
