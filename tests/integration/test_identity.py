# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Today's identity: what a token says (partnercenter_auth_info), GDAP refusals explained, app-only refused early."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from contoso import CONTOSO, person, seed_contoso, upn, users_task
from plays import PASSWORD, jane, play, task, user_play
from secret_scan import assert_no_form_in, assert_no_form_of, run_texts


def customer(emu, name, roles):
    return emu.seed([{"companyName": name, "domain": "%s.onmicrosoft.com" % name.lower(), "gdapRoles": roles}])[0]["id"]


def test_auth_info_reports_the_identity_and_what_it_may_do_in_each_customer(emu, playbook):
    full = customer(emu, "Full", "all")
    readers = customer(emu, "Readers", ["Directory Readers"])
    licensing = customer(emu, "Licensing", ["License Administrator"])
    emu.clear_requests()
    run = playbook(play(task("partnercenter_auth_info", name="auth", customer_ids=[full, readers, licensing])),
                   check=True, verbosity=4)
    result = run.result("auth")["result"]
    identity = result["identity"]
    assert identity["kind"] == "app+user" and identity["mfa"] is True and identity["scope"] == "user_impersonation"
    assert identity["user"] == "admin@partner.onmicrosoft.com" and identity["tenant_id"] == emu.tenant_id
    assert identity["expires"].endswith("Z") and identity["token_source"] == "authority"
    ops = dict((c["customer_id"], c["operations"]) for c in result["customers"])
    assert ops[full]["read_users"] == "allowed" and ops[full]["create_users"] == "unknown"
    assert ops[readers]["read_users"] == "allowed" and ops[readers]["read_licenses"] == "allowed"
    assert ops[licensing]["read_users"] == "denied" and ops[licensing]["read_licenses"] == "allowed"
    needs = dict((c["customer_id"], c["needs"]) for c in result["customers"])
    assert "User Administrator" in needs[licensing]["read_users"]
    assert emu.writes() == []  # read calls only
    tokens = [json.loads(p.read_text())["access_token"] for p in playbook.token_cache_dir.glob("*.json")]
    assert tokens
    assert_no_form_of(dict(("token %d" % n, t) for n, t in enumerate(tokens)), run)
    assert_no_form_in(dict(client_secret=emu.client_secret, refresh_token=emu.refresh_token), run_texts(run),
                      runs=False, prefix=12)


def test_auth_info_says_when_the_sign_in_had_no_mfa(emu, playbook):
    emu.config(token_mfa=False)
    run = playbook(play(task("partnercenter_auth_info", name="auth")), env={"PARTNERCENTER_TOKEN_CACHE": "false"})
    assert run.result("auth")["result"]["identity"]["mfa"] is False


def test_a_customer_without_user_administrator_explains_the_403_and_reads_still_work(emu, playbook):
    cid = customer(emu, "Contoso", ["Directory Readers"])
    emu.clear_requests()
    run = playbook(play(
        task("partnercenter_user_info", name="read", customer_id=cid),
        task("partnercenter_user", name="create", ignore_errors=True, **jane(cid)),
    ))
    assert run.result("read")["result"]["users"] == []
    msg = run.result("create")["result"]["msg"]
    assert cid in msg and "may create users" in msg and "Directory Writers, User Administrator" in msg
    assert msg.count("HTTP 403") == 1
    assert [r["status"] for r in emu.requests(route="create_user")] == [403]


def test_after_the_first_403_the_same_operation_is_not_sent_again_for_other_users(emu, playbook):
    cid = customer(emu, "Contoso", ["Directory Readers"])
    emu.clear_requests()
    many = [person(n) for n in ("ann", "bob", "cat", "dan", "eve")]
    run = playbook(play(users_task(cid, many, parallelism=1, ignore_errors=True)))
    result = run.result("users")["result"]
    assert result["summary"]["failed"] == 5
    assert len(emu.requests(route="create_user")) == 1
    assert all("User Administrator" in f["msg"] for f in result["failed_users"])


GDAP_EXPLANATION = "one of these is needed: Directory Writers, User Administrator"


def test_one_refusal_for_many_users_is_explained_once_naming_every_user(emu, playbook):
    cid = customer(emu, "Contoso", ["Directory Readers"])
    names = ("ann", "bob", "cat", "dan", "eve")
    result = playbook(play(users_task(cid, [person(n) for n in names], parallelism=4, ignore_errors=True))) \
        .result("users")["result"]
    msg = result["msg"]
    assert msg.startswith("5 of 5 users failed: 5 users (")
    assert msg.count(GDAP_EXPLANATION) == 1 and msg.count("HTTP 403") == 1
    assert all(upn(n) in msg for n in names)
    # each user keeps its own entry, with the whole explanation
    assert [f["user_principal_name"] for f in result["failed_users"]] == [upn(n) for n in names]
    assert all(GDAP_EXPLANATION in f["msg"] and f["error"]["status"] == 403 for f in result["failed_users"])
    assert 1 <= len(emu.requests(route="create_user")) <= 4 and emu.users(cid) == []


def test_the_role_explains_one_refusal_for_many_users_once(emu, playbook):
    cid = customer(emu, "Contoso", ["Directory Readers"])
    names = ("ann", "bob", "cat", "dan", "eve")
    users = [dict(user_principal_name=upn(n), display_name="%s Tester" % n, usage_location="US", password=PASSWORD)
             for n in names]
    run = playbook(json.dumps([{"hosts": "partnercenter_customers", "gather_facts": False,
                                "roles": [{"role": "csp.partnercenter.customer_users"}]}]),
                   inventory={"partnercenter_customers": {"hosts": {"contoso": {
                       "partnercenter_customer_id": cid, "partnercenter_users": users}}}}, expect_rc=2)
    (said,) = [r["result"]["msg"] for r in run.results if str(r["task"]).endswith("Converge the customer's users")]
    # the module's message, then the customer's summary lines: the explanation once in each
    assert said.count(GDAP_EXPLANATION) == 2, said
    assert all(said.count(upn(n)) == 2 for n in names), said


def test_an_app_only_token_is_refused_before_any_user_request(emu, playbook):
    cid = emu.seed([CONTOSO])[0]["id"]
    emu.clear_requests()
    run = playbook(user_play(ignore_errors=True, **jane(cid)),
                   env={"PARTNERCENTER_REFRESH_TOKEN": None, "PARTNERCENTER_TOKEN_CACHE": "false"})
    msg = run.result("user")["result"]["msg"]
    assert "needs an App+User token" in msg and "refresh_token" in msg
    assert [r["route"] for r in emu.requests() if r["route"] not in ("openid_config", "token")] == []
    assert upn("jane") not in [u["userPrincipalName"] for u in emu.users(cid)]


def test_an_unexpected_failure_of_the_token_request_says_what_and_where(emu, playbook):
    cid = seed_contoso(emu)
    emu.faults([{"route": "openid_config", "kind": "status", "status": 200, "body": "<html>not json</html>",
                 "content_type": "text/html", "times": -1}])
    run = playbook(user_play(ignore_errors=True, **jane(cid)), env={"PARTNERCENTER_TOKEN_CACHE": "false"})
    msg = run.result("user")["result"]["msg"]
    assert emu.authority in msg and "refresh_token grant" in msg
    assert ": " in msg.split("grant", 1)[1]  # the cause follows, not only a class name
