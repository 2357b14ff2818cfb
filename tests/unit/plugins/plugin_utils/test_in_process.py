# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The in-process adapter: a module's task run in the worker, with the result a module process would return."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import logging
import os
import types
from pathlib import Path

import pytest

from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError
from ansible_collections.csp.partnercenter.plugins.module_utils._results import TaskResult
from ansible_collections.csp.partnercenter.plugins.module_utils._task import ModuleTask
from ansible_collections.csp.partnercenter.plugins.module_utils._user_task import (
    check_customer_domain, customer_by_domain,
)
from ansible_collections.csp.partnercenter.plugins.plugin_utils import _in_process
from ansible_collections.csp.partnercenter.plugins.plugin_utils._in_process import in_process_refusal, run_in_process
from ansible_collections.csp.partnercenter.plugins.plugin_utils._task_action import TASKS, TaskAction
from ansible_collections.csp.partnercenter.tests.integration.masking import ansible_masked, ansible_no_log_marker

SECRET = "s3cret-Value-42"
SPEC = dict(name=dict(type="str", aliases=["label"]), count=dict(type="int", default=1),
            password=dict(type="str", no_log=True))
CONNECTION = dict(tenant_id="contoso.onmicrosoft.com", client_id="11111111-1111-1111-1111-111111111111",
                  client_secret="a-client-secret")


def task(body):
    return ModuleTask("test", SPEC, body)


def run(body, **args):
    return run_in_process(task(body), dict(CONNECTION, **args), check_mode=False, name="csp.test")


def echo(context):
    params = context.params
    return dict(changed=False, said="name=%s password=%s" % (params["name"], params["password"]), count=params["count"])


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


def test_the_value_of_a_misspelt_secret_key_is_masked_like_the_secret_it_was_meant_to_be():
    result = run(echo, name="x", pasword=SECRET, client_secert=SECRET + "2")
    assert result["failed"] and "Did you mean" in result["msg"] and "password instead of pasword" in result["msg"]
    assert SECRET not in repr(result)
    assert result["invocation"]["module_args"]["pasword"] == ansible_no_log_marker()
    assert result["invocation"]["module_args"]["client_secert"] == ansible_no_log_marker()
    assert result["invocation"]["module_args"]["name"] == "x"


def test_the_task_environment_feeds_the_fallbacks_and_is_restored(monkeypatch):
    monkeypatch.delenv("PARTNERCENTER_CLIENT_SECRET", raising=False)
    seen = {}

    def body(context):
        seen["secret"] = context.params["client_secret"]
        return dict(changed=False)

    args = dict(CONNECTION)
    del args["client_secret"]
    result = run_in_process(task(body), args, False, "csp.test", environment={"PARTNERCENTER_CLIENT_SECRET": SECRET})
    assert seen["secret"] == SECRET and SECRET not in repr(result)
    assert "PARTNERCENTER_CLIENT_SECRET" not in os.environ


def test_a_defect_fails_the_task_with_scrubbed_text_and_no_traceback():
    def body(context):
        raise RuntimeError("boom while holding %s" % context.params["password"])

    result = run(body, password=SECRET)
    assert result["failed"] is True and "RuntimeError" in result["msg"] and SECRET not in repr(result)
    assert "exception" not in result


SERVER_TEXT = "Bad\x1b[2K\r\nok: [localhost] => all good \u202e " + SECRET


def test_server_text_leaves_scrubbed_then_printable_in_messages_warnings_and_errors():
    def body(context):
        context.warn("Partner Center warned: " + SERVER_TEXT)
        return TaskResult(dict(failed_users=[{"msg": SERVER_TEXT}]), failure="refused: " + SERVER_TEXT,
                          error={"description": SERVER_TEXT, "status": 400})

    result = run(body, password=SECRET)
    shown = "Bad\\x1b[2K\\r\\nok: [localhost] => all good \\u202e ********"
    assert result["msg"] == "refused: " + shown and result["warnings"] == ["Partner Center warned: " + shown]
    assert result["error"] == {"description": shown, "status": 400} and result["failed_users"] == [{"msg": shown}]
    assert result["failed"] is True and result["correlation_id"]


def test_an_input_error_is_one_fail_json_naming_the_option():
    def body(context):
        raise InputError("count", "must be small")

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
        def body(context):
            logging.getLogger("msal.oauth2cli").error("token answer echoing %s", SECRET)
            return dict(changed=False)

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


class OneCustomer(Customers):
    """A customer record as Partner Center answers it (``domain`` None: the answer does not say it)."""

    def __init__(self, domain, *listed):
        super(OneCustomer, self).__init__(*listed)
        self.domain = domain
        self.reads = 0

    def record(self, customer_id):
        self.reads += 1
        return {"id": customer_id, "companyProfile": {"domain": self.domain}} if self.domain else {"id": customer_id}


def test_a_customer_id_given_with_a_domain_must_be_the_customer_of_that_primary_domain():
    check_customer_domain(OneCustomer("Contoso.com"), "c1", "contoso.COM")  # primary domains compare in any case
    check_customer_domain(OneCustomer(None, "c0", "c1"), "c1", "contoso.com")  # not said: the look-up decides
    for customers, said in ((OneCustomer("fabrikam.com"), "whose primary domain is fabrikam.com"),
                            (OneCustomer(None, "c2"), "is the primary domain of c2 (no company name)"),
                            (OneCustomer(None), "is the primary domain of none of this partner's customers")):
        with pytest.raises(InputError) as refused:
            check_customer_domain(customers, "c1", "contoso.com")
        message = str(refused.value)
        assert refused.value.option == "customer_domain" and "not the primary domain of customer_id c1" in message
        assert said in message and "give only one of them" in message, message


def test_invocation_is_left_out_when_the_release_would_leave_it_out():
    result = run_in_process(task(echo), dict(CONNECTION, password=SECRET), False, "csp.test", invocation=False)
    assert "invocation" not in result and SECRET not in repr(result)


def test_this_release_says_whether_modules_add_the_invocation():
    from ansible.release import __version__  # pylint: disable=import-outside-toplevel

    expected = tuple(int(p) for p in __version__.split(".")[:2]) < (2, 21)  # INJECT_INVOCATION defaults to false
    assert _in_process.injects_invocation({}) is expected


def test_every_module_has_an_action_plugin_that_runs_its_task():
    plugins = Path(_in_process.__file__).resolve().parents[1]
    modules = sorted(p.stem for p in (plugins / "modules").glob("partnercenter_*.py"))
    actions = sorted(p.stem for p in (plugins / "action").glob("partnercenter_*.py"))
    assert actions == modules
    for name in modules:
        action = importlib.import_module("ansible_collections.csp.partnercenter.plugins.action." + name).ActionModule
        if name == "partnercenter_customer_users":
            continue  # the role's step: runs partnercenter_user's task from the host's variables
        assert issubclass(action, TaskAction) and action.MODULE == name and TASKS[name].name == name
