# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The task core: what a module does with no module object, whichever adapter runs it (issue 27)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError, PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._results import TaskResult
from ansible_collections.csp.partnercenter.plugins.module_utils._task import (
    ModuleTask, TaskContext, given_inputs, run_task,
)

SECRET = "Cl1ent-Secret-Value-77"
PASSWORD = "Us3r-Passw0rd-Value!"
SPEC = dict(customer_id=dict(type="str"), name=dict(type="str"), password=dict(type="str", no_log=True))


def outcome(body, **params):
    """run_task's result for ``body`` with ``params`` (as Ansible would have validated them)."""
    task = ModuleTask("test", SPEC, body, secrets=lambda p: [p.get("password")])
    given = given_inputs(task, dict(params))
    values = dict((name, None) for name in task.argument_spec)
    values.update(params)
    return run_task(task, TaskContext(task, values, False, given.scrubber), given)


def raises(exc):
    def body(context):
        raise exc
    return body


def test_the_body_returns_the_result_fields():
    assert outcome(lambda context: dict(changed=False, name=context.params["name"]), name="x") == dict(
        changed=False, name="x")


def test_an_input_error_is_a_failed_result_naming_the_option():
    fields = outcome(raises(InputError("name", "must be short")))
    assert fields == dict(failed=True, msg="name: must be short", option="name")


def test_a_partner_center_error_is_a_failed_result_with_its_error_and_the_correlation_id():
    fields = outcome(raises(PartnerCenterError("refused %s" % SECRET, status=403)), client_secret=SECRET)
    assert fields["failed"] is True and fields["msg"].startswith("refused ********")
    assert fields["error"]["status"] == 403 and SECRET not in repr(fields) and fields["correlation_id"]


def test_a_task_result_that_fails_keeps_its_fields_and_error():
    def body(context):
        context.warn("warned with %s" % PASSWORD)
        return TaskResult(dict(changed=False, failed_users=["x\x1b[2K"]), ["\r\nresult warning"],
                          failure="one user failed", error={"status": 409})
    fields = outcome(body, password=PASSWORD)
    assert fields["failed"] is True and fields["msg"] == "one user failed" and fields["error"] == {"status": 409}
    assert fields["failed_users"] == ["x\\x1b[2K"] and fields["changed"] is False
    assert fields["warnings"] == ["warned with ********", "\\r\\nresult warning"]


def test_the_shared_checks_come_before_the_body():
    called = []
    fields = outcome(lambda context: called.append(1), customer_id="not-a-guid")
    assert fields["option"] == "customer_id" and called == []
    fields = outcome(lambda context: called.append(1), name=["a", "b"])
    assert fields["option"] == "name" and called == []
    seen = outcome(lambda context: dict(id=context.params["customer_id"]),
                   customer_id="AAAAAAAA-1111-2222-3333-444444444444")
    assert seen == dict(id="aaaaaaaa-1111-2222-3333-444444444444")


def test_values_to_mask_are_known_before_validation(monkeypatch):
    monkeypatch.setenv("PARTNERCENTER_AUTHORITY", "https://env-user:env-Pw9@login.example.com")
    task = ModuleTask("test", SPEC, None)
    given = given_inputs(task, dict(api_url="https://admin:url-Pw7@example.com", pasword=PASSWORD, nmae="x"))
    assert sorted(given.masked) == sorted([PASSWORD, "admin:url-Pw7", "env-user:env-Pw9"])
    refusal = given.validation_failure("Unsupported parameters for (test) module: nmae, pasword. Supported: ...")
    assert refusal["msg"].endswith("Did you mean password instead of pasword, name instead of nmae?")
    assert PASSWORD not in repr(refusal) and refusal["failed"] is True


@pytest.mark.parametrize("option", ["client_secret", "refresh_token", "access_token", "password"])
def test_the_context_registers_every_secret_with_the_scrubber(option):
    task = ModuleTask("test", SPEC, None, secrets=lambda p: [p.get("password")])
    given = given_inputs(task, {})
    TaskContext(task, {option: SECRET}, False, given.scrubber)
    assert given.scrubber.clean("it was %s" % SECRET) == "it was ********"
