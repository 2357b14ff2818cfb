# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The in-process module object: what AnsibleModule does for the module's code, done in the worker."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import logging
import os
import types

import pytest

from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError
from ansible_collections.csp.partnercenter.plugins.module_utils._user_task import customer_by_domain
from ansible_collections.csp.partnercenter.plugins.plugin_utils import _in_process
from ansible_collections.csp.partnercenter.plugins.plugin_utils._in_process import in_process_refusal, run_in_process
from ansible_collections.csp.partnercenter.tests.integration.masking import ansible_masked, ansible_no_log_marker

SECRET = "s3cret-Value-42"
SPEC = dict(argument_spec=dict(name=dict(type="str", aliases=["label"]), count=dict(type="int", default=1),
                               password=dict(type="str", no_log=True)),
            supports_check_mode=True)
CONNECTION = dict(tenant_id="contoso.onmicrosoft.com", client_id="11111111-1111-1111-1111-111111111111",
                  client_secret="a-client-secret")


def run(body, **args):
    return run_in_process(body, SPEC, dict(CONNECTION, **args), check_mode=False, diff=False, name="csp.test")


def echo(module):
    module.exit_json(changed=False, said="name=%s password=%s" % (module.params["name"], module.params["password"]),
                     count=module.params["count"])


def test_no_log_values_are_masked_in_the_whole_result_invocation_included():
    result = run(echo, name="x", password=SECRET)
    assert SECRET not in repr(result) and CONNECTION["client_secret"] not in repr(result)
    # masked as the running ansible-core masks: a text holding the value, and the value itself
    assert result["said"] == ansible_masked("name=x password=%s" % SECRET, {SECRET})
    assert result["said"].startswith("name=x password=")
    assert result["invocation"]["module_args"]["password"] == ansible_no_log_marker()
    assert result["invocation"]["module_args"]["client_secret"] == ansible_no_log_marker()
    assert result["count"] == 1 and result["changed"] is False


def test_argument_errors_are_worded_as_ansible_module_words_them():
    assert run(echo, colour="red")["msg"].startswith("Unsupported parameters for (csp.test) module: colour.")
    wrong = run(echo, count="many")
    assert wrong["failed"] is True and "count" in wrong["msg"] and "int" in wrong["msg"]
    both = run(echo, name="a", label="b")
    assert "Both option name and its alias label are set." in both["warnings"]


def test_the_task_environment_feeds_the_fallbacks_and_is_restored(monkeypatch):
    monkeypatch.delenv("PARTNERCENTER_CLIENT_SECRET", raising=False)
    seen = {}

    def body(module):
        seen["secret"] = module.params["client_secret"]
        module.exit_json(changed=False)

    args = dict(CONNECTION)
    del args["client_secret"]
    result = run_in_process(body, SPEC, args, False, False, "csp.test",
                            environment={"PARTNERCENTER_CLIENT_SECRET": SECRET})
    assert seen["secret"] == SECRET and SECRET not in repr(result)
    assert "PARTNERCENTER_CLIENT_SECRET" not in os.environ


def test_a_defect_fails_the_task_with_scrubbed_text_and_no_traceback():
    def body(module):
        raise RuntimeError("boom while holding %s" % module.params["password"])

    result = run(body, password=SECRET)
    assert result["failed"] is True and "RuntimeError" in result["msg"] and SECRET not in repr(result)
    assert "exception" not in result


def test_an_input_error_is_one_fail_json_naming_the_option():
    def body(module):
        def refuse():
            raise InputError("count", "must be small")

        module.run(refuse)

    result = run(body)
    assert result["failed"] is True and result["option"] == "count" and result["msg"] == "count: must be small"


def test_library_loggers_stay_out_of_ansibles_log_while_running():
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    root = logging.getLogger()
    handler = Keep()
    root.addHandler(handler)
    try:
        def body(module):
            logging.getLogger("msal.oauth2cli").error("token answer echoing %s", SECRET)
            module.exit_json(changed=False)

        run(body)
        logging.getLogger("msal.oauth2cli").error("after the run")
    finally:
        root.removeHandler(handler)
    assert records == ["after the run"]


def action(transport="local", become=False, async_val=0):
    return types.SimpleNamespace(_connection=types.SimpleNamespace(transport=transport),
                                 _play_context=types.SimpleNamespace(become=become),
                                 _task=types.SimpleNamespace(async_val=async_val))


@pytest.mark.parametrize("kwargs, env, why", [
    (dict(), None, None),
    (dict(transport="ssh"), None, "the connection is not local"),
    (dict(become=True), None, "become is set"),
    (dict(async_val=30), None, "the task is async"),
    (dict(), "false", "PARTNERCENTER_IN_PROCESS is false"),
    (dict(), "0", "PARTNERCENTER_IN_PROCESS is false"),
    (dict(), "true", None),
])
def test_the_module_runs_as_a_process_whenever_it_would_run_elsewhere(monkeypatch, kwargs, env, why):
    if env is None:
        monkeypatch.delenv(_in_process.IN_PROCESS_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(_in_process.IN_PROCESS_VARIABLE, env)
    assert in_process_refusal(action(**kwargs)) == why


class Customers:
    def __init__(self, *ids):
        self.ids = ids

    def by_domain(self, domain):
        return [dict(id=i, domain=domain) for i in self.ids]


def test_a_domain_names_one_customer_or_the_task_fails_naming_customer_domain():
    assert customer_by_domain(Customers("c1"), "contoso.com") == "c1"
    with pytest.raises(InputError) as none:
        customer_by_domain(Customers(), "contoso.com")
    assert none.value.option == "customer_domain" and "none of this partner's customers" in str(none.value)
    with pytest.raises(InputError) as several:
        customer_by_domain(Customers("c1", "c2"), "contoso.com")
    assert "matches 2 customers" in str(several.value) and "c1, c2" in str(several.value)


def test_invocation_is_left_out_when_the_release_would_leave_it_out():
    result = run_in_process(echo, SPEC, dict(CONNECTION, password=SECRET), False, False, "csp.test", invocation=False)
    assert "invocation" not in result and SECRET not in repr(result)


def test_this_release_says_whether_modules_add_the_invocation():
    from ansible.release import __version__  # pylint: disable=import-outside-toplevel

    expected = tuple(int(p) for p in __version__.split(".")[:2]) < (2, 21)  # INJECT_INVOCATION defaults to false
    assert _in_process.injects_invocation({}) is expected
