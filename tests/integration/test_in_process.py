# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every module on the controller: its action plugin runs the module's task in-process (issues 18, 27).

The same playbook runs both ways, in-process (the default for a local connection) and as a
module process (``PARTNERCENTER_IN_PROCESS=false``), against the same emulator state; the
results, the requests and the output must agree: argument checks and their messages, no_log
masking, environment fallbacks, warnings, check and diff mode.  Each module is in it
(``partnercenter_user``, the info modules, ``partnercenter_auth_info`` and the role's step
``partnercenter_customer_users``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
import shutil

import pytest

from contoso import CONTOSO, DOMAIN, person, upn
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
# partnercenter_auth_info's "expires" is the token's, and each way gets its own token.
VOLATILE = {"correlation_id", "request_id", "exception", "expires"}
UNKNOWN_CUSTOMER = "99999999-8888-7777-6666-555555555555"
MODULES = ("partnercenter_user", "partnercenter_user_info", "partnercenter_customer_info",
           "partnercenter_subscribed_sku_info", "partnercenter_auth_info", "partnercenter_customer_users",
           "partnercenter_application_consent")


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
        task("partnercenter_customer_users", name="role-step"),
        # (not echo's: its display name is a password only the user tasks know as one)
        task("partnercenter_user_info", name="users-read", customer_id=customer_id, state="all",
             user_principal_name=upn("cy"), include=["directory_roles", "licenses"]),
        task("partnercenter_user_info", name="user-by-alias", customer_id=customer_id.upper(), upn=upn("jane")),
        task("partnercenter_user_info", name="users-bad-upn", ignore_errors=True, customer_id=customer_id,
             user_principal_name="not-an-upn"),
        task("partnercenter_user_info", name="users-misspelt-secret", ignore_errors=True, customer_id=customer_id,
             client_secert=PASSWORD),
        task("partnercenter_customer_info", name="customers-by-domain", domain=DOMAIN),
        task("partnercenter_customer_info", name="customer-by-id", customer_id=customer_id),
        task("partnercenter_customer_info", name="customer-unknown", customer_id=UNKNOWN_CUSTOMER),
        task("partnercenter_customer_info", name="customers-exclusive", ignore_errors=True, domain=DOMAIN,
             company_name="Contoso"),
        task("partnercenter_customer_info", name="customers-blank-name", ignore_errors=True, company_name=" "),
        task("partnercenter_subscribed_sku_info", name="skus", customer_id=customer_id),
        task("partnercenter_subscribed_sku_info", name="skus-no-customer", ignore_errors=True),
        task("partnercenter_subscribed_sku_info", name="skus-unknown-customer", ignore_errors=True,
             customer_id=UNKNOWN_CUSTOMER),
        task("partnercenter_auth_info", name="auth", customer_ids=[customer_id]),
        task("partnercenter_auth_info", name="auth-bad-customer", ignore_errors=True, customer_ids=["../x"]),
        task("partnercenter_application_consent", name="consent", customer_id=customer_id),
        task("partnercenter_application_consent", name="consent-again", customer_id=customer_id),
        task("partnercenter_application_consent", name="consent-bad-scope", ignore_errors=True,
             customer_id=customer_id, scopes=["User.ReadWrite.All,Directory.Read.All"]),
    ]


def role_variables(customer_id):
    """The role's variables for its converge step (``role-step``): one more user, by the role's defaults."""
    cy = person("cy")
    cy["user_principal_name"] = cy.pop("upn")  # the role's users take no aliases
    return {"partnercenter_customer_id": customer_id, "partnercenter_users": [cy]}


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
        run = runner(play(*tasks(customer_id), vars=role_variables(customer_id)), diff=True, env=env, verbosity=3)
        names = [t["name"] for t in tasks(customer_id)]
        out[way] = dict(
            results=dict((name, run.result(name)["result"]) for name in names),
            requests=[(r["method"], r["route"]) for r in emu.requests()],
            output=run.stdout + run.stderr,
            users=sorted((u["userPrincipalName"], u["displayName"]) for u in emu.users(customer_id)),
        )
    return out


@pytest.mark.parametrize("module", MODULES)
def test_in_process_runs_no_module_process(runs, module):
    # -vvv shows the module file a module task puts on the target and runs; the role's step runs
    # partnercenter_user.
    payload = "AnsiballZ_%s.py" % ("partnercenter_user" if module == "partnercenter_customer_users" else module)
    assert payload not in runs["in-process"]["output"]
    assert payload in runs["module"]["output"]


def test_the_playbook_runs_each_module():
    assert set(m for t in tasks("x") for m in MODULES if "csp.partnercenter." + m in t) == set(MODULES)


@pytest.mark.parametrize("name", [t["name"] for t in tasks("x")])
def test_each_task_returns_the_same_result_both_ways(runs, name):
    ids_a, ids_b = {}, {}
    in_process = normalized(runs["in-process"]["results"][name], ids_a)
    module = normalized(runs["module"]["results"][name], ids_b)
    assert differences(in_process, module) == []


def test_both_ways_make_the_same_requests_and_leave_the_same_users(runs):
    assert runs["in-process"]["requests"] == runs["module"]["requests"]
    assert runs["in-process"]["users"] == runs["module"]["users"]
    assert [u for u, _name in runs["in-process"]["users"]] == sorted(upn(n) for n in ("ann", "bea", "cy", "echo",
                                                                                      "jane"))


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
    # the role's step and the info modules
    assert results["role-step"]["changed"] is True and [u["action"] for u in results["role-step"]["users"]] == [
        "created"]
    assert [u["user_principal_name"] for u in results["users-read"]["users"]] == [upn("cy")]
    assert all("directory_roles" in u and "licenses" in u for u in results["users-read"]["users"])
    assert [u["user_principal_name"] for u in results["user-by-alias"]["users"]] == [upn("jane")]
    assert results["users-bad-upn"]["option"] == "user_principal_name"
    assert "client_secret instead of client_secert" in results["users-misspelt-secret"]["msg"]
    assert results["users-misspelt-secret"]["invocation"]["module_args"]["client_secert"] == \
        ansible_no_log_marker()
    assert [c["domain"] for c in results["customers-by-domain"]["customers"]] == [DOMAIN]
    assert [c["company_name"] for c in results["customer-by-id"]["customers"]] == ["Contoso"]
    assert results["customer-unknown"]["customers"] == []
    assert "mutually exclusive" in results["customers-exclusive"]["msg"]
    assert results["customers-blank-name"]["option"] == "company_name"
    assert isinstance(results["skus"]["skus"], list) and results["skus"]["changed"] is False
    assert "missing required arguments: customer_id" in results["skus-no-customer"]["msg"]
    assert results["skus-unknown-customer"]["error"]["status"] == 404
    assert results["auth"]["identity"]["kind"] == "app+user"
    assert [c["customer_id"] for c in results["auth"]["customers"]] == [results["role-step"]["customer_id"]]
    assert results["auth-bad-customer"]["option"] == "customer_ids[0]"
    if way == "in-process":
        # A module task's EXEC line at -vvv spells out the task's environment; in-process there is none.
        assert URL_SECRET not in runs[way]["output"]


# An interpreter Ansible might pick on an explicit localhost (no implicit ansible_python_interpreter there):
# a broken pyenv shim that prints its complaint and exits 0, so Ansible reads the complaint as the result.
BROKEN_SHIM = "#!/bin/sh\necho 'pyenv: python3: command not found'\n"


@pytest.mark.parametrize("way", list(WAYS))
def test_an_explicit_localhost_with_a_broken_interpreter_runs_every_module_in_process(emu, playbook, tmp_path, way):
    """``-i localhost,`` with a local connection (field report F18): in-process no module is started, so the
    interpreter never matters; as a module the same tasks fail with "Module result deserialization failed"."""
    shim = tmp_path / "python3"
    shim.write_text(BROKEN_SHIM, encoding="utf-8")
    shim.chmod(0o755)
    customer_id = emu.seed([dict(CONTOSO)])[0]["id"]
    reads = [task("partnercenter_user_info", customer_id=customer_id),
             task("partnercenter_customer_info", customer_id=customer_id),
             task("partnercenter_subscribed_sku_info", customer_id=customer_id),
             task("partnercenter_auth_info", customer_ids=[customer_id]),
             task("partnercenter_user", customer_id=customer_id, user_principal_name=upn("dora"), state="absent")]
    for read in reads:
        read["ignore_errors"] = True
    run = playbook(play(*reads, connection="local"), args=["-i", "localhost,"],
                   env=dict(WAYS[way], ANSIBLE_PYTHON_INTERPRETER=str(shim)))
    results = dict((name, run.result(name)["result"]) for name in (t["name"] for t in reads))
    if way == "in-process":
        assert [name for name, result in results.items() if result.get("failed")] == []
        assert results["partnercenter_customer_info"]["customers"][0]["id"] == customer_id
    else:
        # The module process meets the broken interpreter: 2.19+ say "Module result deserialization failed",
        # 2.16 to 2.18 "MODULE FAILURE"; either way every task failed without a result of the module's.
        assert all(result.get("failed") and ("Module result deserialization failed" in result["msg"]
                                             or "MODULE FAILURE" in result["msg"])
                   for result in results.values()), results
