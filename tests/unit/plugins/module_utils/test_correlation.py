# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""One MS-CorrelationId for a whole run (issue 29, item 8): set once before the forks, read by every task."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.csp.partnercenter.plugins.module_utils._correlation import (
    VARIABLE, run_correlation_id, start_run,
)
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError
from ansible_collections.csp.partnercenter.plugins.module_utils._task import ModuleTask, TaskContext, given_inputs, run_task
from ansible_collections.csp.partnercenter.plugins.module_utils._validation import is_guid

GIVEN = "6F9619FF-8B86-D011-B42D-00C04FC964FF"


def test_the_main_process_sets_one_id_that_every_later_reader_gets():
    environ = {}
    first = start_run(environ)
    assert is_guid(first) and environ[VARIABLE] == first
    assert start_run(environ) == first, "a second plugin of the same run keeps it"
    assert run_correlation_id(environ) == run_correlation_id(dict(environ)) == first  # a fork inherits a copy


def test_an_id_given_from_outside_is_kept_in_lower_case():
    environ = {VARIABLE: GIVEN}
    assert start_run(environ) == GIVEN.lower() and environ[VARIABLE] == GIVEN
    assert run_correlation_id(environ) == GIVEN.lower()


def test_without_a_run_each_reader_makes_its_own():
    assert run_correlation_id({}) != run_correlation_id({VARIABLE: " "})


def test_an_id_that_is_no_guid_is_left_alone_by_the_main_process_and_refused_by_each_task():
    environ = {VARIABLE: "run-42"}
    assert start_run(environ) is None and environ[VARIABLE] == "run-42"
    with pytest.raises(InputError) as refused:
        run_correlation_id(environ)
    assert refused.value.option == VARIABLE and "'run-42'" in str(refused.value)


def test_a_task_refuses_it_before_its_body_runs(monkeypatch):
    monkeypatch.setenv(VARIABLE, "run-42")
    ran = []
    task = ModuleTask("test", {}, lambda context: ran.append(context) or {})
    given = given_inputs(task, {})
    params = dict((name, None) for name in task.argument_spec)
    fields = run_task(task, TaskContext(task, params, False, given.scrubber), given)
    assert fields["failed"] and fields["msg"].startswith(VARIABLE + ": must be a GUID") and ran == []


def test_every_task_of_the_run_reads_the_same_id(monkeypatch):
    monkeypatch.setenv(VARIABLE, GIVEN)
    seen = []
    task = ModuleTask("test", {}, lambda context: seen.append(context.correlation_id) or {})
    for dummy in range(2):
        given = given_inputs(task, {})
        run_task(task, TaskContext(task, dict((n, None) for n in task.argument_spec), False, given.scrubber), given)
    assert seen == [GIVEN.lower()] * 2


class _Task(object):
    def __init__(self, environment):
        self.environment = environment


@pytest.mark.parametrize("environment, expected", [
    (None, [{VARIABLE: GIVEN}]),
    ({"HTTPS_PROXY": "http://proxy:3128"}, [{VARIABLE: GIVEN}, {"HTTPS_PROXY": "http://proxy:3128"}]),
    ([{}, {VARIABLE: "00000000-0000-0000-0000-000000000001"}],
     [{VARIABLE: GIVEN}, {VARIABLE: "00000000-0000-0000-0000-000000000001"}]),  # the task's own wins (later)
])
def test_a_module_process_gets_the_run_id_in_its_environment(monkeypatch, environment, expected):
    from ansible_collections.csp.partnercenter.plugins.plugin_utils._task_action import pass_correlation_id
    monkeypatch.setenv(VARIABLE, GIVEN)
    task = _Task(environment)
    pass_correlation_id(task)
    assert task.environment == expected
