# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""partnercenter_user on the controller: the action plugin runs the module's code in-process (issue 18).

The same playbook runs both ways, in-process (the default for a local connection) and as a
module process (``PARTNERCENTER_IN_PROCESS=false``), against the same emulator state; the
results, the requests and the output must agree: argument checks and their messages, no_log
masking, environment fallbacks, warnings, check and diff mode.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
import shutil

import pytest

from contoso import CONTOSO, person, upn
from masking import ansible_no_log_marker
from plays import PASSWORD, play, task
from secret_scan import assert_no_form_in

# ANSIBLE_INJECT_INVOCATION: from ansible-core 2.21 results carry the invocation (checked for masking below)
# only when asked; older releases always add it.
WAYS = {"in-process": {"ANSIBLE_INJECT_INVOCATION": "true"},
        "module": {"PARTNERCENTER_IN_PROCESS": "false", "ANSIBLE_INJECT_INVOCATION": "true"}}
URL_SECRET = "url-Pw7qX3"
GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
# What differs on every run, whichever way it runs; and the traceback a module adds to a failure at -vvv
# on ansible-core 2.16 to 2.18 (in-process never returns one: it would be the worker's).
VOLATILE = {"correlation_id", "request_id", "exception"}


def but(base, **changes):
    out = dict(base)
    out.update(changes)
    return out


def tasks(customer_id):
    jane = dict(customer_id=customer_id, user_principal_name=upn("jane"), first_name="Jane", last_name="Doe",
                display_name="Jane Doe", usage_location="US", password=PASSWORD)
    # A display name that is the password: a no_log value, masked wherever it shows.
    echo = but(jane, user_principal_name=upn("echo"), display_name=PASSWORD)
    return [
        task("partnercenter_user", name="create", **jane),
        task("partnercenter_user", name="again", **jane),
        task("partnercenter_user", name="echo", **echo),
        task("partnercenter_user", name="many", customer_id=customer_id, users=[person("ann"), person("bea")],
             parallelism=2),
        task("partnercenter_user", name="alias", customer_id=customer_id, upn=upn("jane"),
             user_principal_name=upn("jane")),
        task("partnercenter_user", name="unknown-option", ignore_errors=True, colour="red", **jane),
        task("partnercenter_user", name="wrong-type", ignore_errors=True, **but(jane, parallelism="many")),
        task("partnercenter_user", name="exclusive", ignore_errors=True, users=[person("ann")], **jane),
        task("partnercenter_user", name="missing-required", ignore_errors=True, customer_id=customer_id),
        task("partnercenter_user", name="bad-customer", ignore_errors=True, **but(jane, customer_id="../x")),
        dict(task("partnercenter_user", name="env-fallback", ignore_errors=True, **jane),
             environment={"PARTNERCENTER_API_URL": "https://admin:%s@example.com" % URL_SECRET}),
    ]


def differences(a, b, path=""):
    """The paths at which ``a`` and ``b`` differ, for a readable failure."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b))
                for d in differences(a.get(k, "<absent>"), b.get(k, "<absent>"), "%s.%s" % (path, k))]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, "%s[%d]" % (path, i))]
    return [] if a == b else ["%s: %r != %r" % (path or "result", a, b)]


def normalized(value, ids):
    """``value`` with every GUID replaced by its order of appearance and the per-run ids dropped."""
    if isinstance(value, dict):
        return dict((k, normalized(v, ids)) for k, v in sorted(value.items()) if k not in VOLATILE)
    if isinstance(value, list):
        return [normalized(v, ids) for v in value]
    if isinstance(value, str):
        return GUID.sub(lambda m: "<guid %d>" % ids.setdefault(m.group(0).lower(), len(ids)), value)
    return value


@pytest.fixture(scope="module")
def runs(emulator, tmp_path_factory):
    """Each way on a fresh copy of the same customer, at -vvv: results, requests, output."""
    import harness  # pylint: disable=import-outside-toplevel

    out = {}
    cache = tmp_path_factory.mktemp("in-process-cache")  # the same path both ways (it is in the invocation)
    for way, env in WAYS.items():
        shutil.rmtree(str(cache))
        emu = emulator.clean()
        customer_id = emu.seed([dict(CONTOSO, id="11111111-2222-3333-4444-555555555555")])[0]["id"]
        emu.clear_requests()
        runner = harness.PlaybookRunner(tmp_path_factory.mktemp("in-process-" + way), emulator=emu,
                                        token_cache_dir=cache)
        run = runner(play(*tasks(customer_id)), diff=True, env=env, verbosity=3)
        names = [t["name"] for t in tasks(customer_id)]
        out[way] = dict(
            results=dict((name, run.result(name)["result"]) for name in names),
            requests=[(r["method"], r["route"]) for r in emu.requests()],
            output=run.stdout + run.stderr,
            users=sorted((u["userPrincipalName"], u["displayName"]) for u in emu.users(customer_id)),
        )
    return out


def test_in_process_runs_no_module_process(runs):
    # -vvv shows the module file a module task puts on the target and runs.
    assert "AnsiballZ_partnercenter_user" not in runs["in-process"]["output"]
    assert "AnsiballZ_partnercenter_user" in runs["module"]["output"]


@pytest.mark.parametrize("name", [t["name"] for t in tasks("x")])
def test_each_task_returns_the_same_result_both_ways(runs, name):
    ids_a, ids_b = {}, {}
    in_process = normalized(runs["in-process"]["results"][name], ids_a)
    module = normalized(runs["module"]["results"][name], ids_b)
    assert differences(in_process, module) == []


def test_both_ways_make_the_same_requests_and_leave_the_same_users(runs):
    assert runs["in-process"]["requests"] == runs["module"]["requests"]
    assert runs["in-process"]["users"] == runs["module"]["users"]
    assert [u for u, _name in runs["in-process"]["users"]] == sorted(upn(n) for n in ("ann", "bea", "echo", "jane"))


@pytest.mark.parametrize("way", list(WAYS))
def test_results_say_what_a_module_run_says(runs, way):
    results = runs[way]["results"]
    assert results["create"]["changed"] is True and results["create"]["action"] == "created"
    assert results["create"]["diff"]["after"]["display_name"] == "Jane Doe"
    assert results["again"]["changed"] is False and results["again"]["action"] == "unchanged"
    assert [u["action"] for u in results["many"]["users"]] == ["created", "created"]
    # no_log: the password shows nowhere, in no encoding, and is masked wherever it would show, the
    # invocation included, as the running ansible-core masks a no_log value
    assert_no_form_in({"password": PASSWORD}, {"output": runs[way]["output"], "results": json.dumps(results)},
                      runs=False)
    assert results["echo"]["user"]["display_name"] == ansible_no_log_marker()
    assert results["create"]["invocation"]["module_args"]["password"] == ansible_no_log_marker()
    # Ansible's own argument checks, worded as ansible-core words them
    assert "Both option user_principal_name and its alias upn are set." in results["alias"]["warnings"]
    assert results["unknown-option"]["msg"].startswith(
        "Unsupported parameters for (csp.partnercenter.partnercenter_user) module: colour")
    assert "parallelism" in results["wrong-type"]["msg"] and "int" in results["wrong-type"]["msg"]
    assert "mutually exclusive" in results["exclusive"]["msg"]
    assert "one of the following is required" in results["missing-required"]["msg"]
    assert results["bad-customer"]["option"] == "customer_id"
    # the task's environment reaches the fallbacks, and the URL's credential is masked
    assert results["env-fallback"]["option"] == "api_url"
    assert URL_SECRET not in repr(results)
    if way == "in-process":
        # A module task's EXEC line at -vvv spells out the task's environment; in-process there is none.
        assert URL_SECRET not in runs[way]["output"]
