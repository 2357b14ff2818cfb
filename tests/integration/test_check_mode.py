# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check mode a pipeline can rely on, and messages that say what to do next.

Each ordinary mistake fails in check mode with zero writes, and the real run fails the same
way; the role says which users change ("would create ...") and names its own variables.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time
from pathlib import Path

import pytest

from catalogue import E3
from contoso import CONTOSO, person, seed_contoso, upn, users_task
from fleet import role_summaries
from plays import PASSWORD, jane, play, task, user_play

PLAYBOOK = Path(__file__).resolve().parents[2] / "playbooks" / "provision_customers.yml"
GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"


def role_result(run, name, host):
    matches = [r for r in run.results if str(r["task"]).endswith(name) and r["host"] == host]
    assert len(matches) == 1, [(r["task"], r["host"]) for r in run.results]
    return matches[0]["result"]


# --------------------------------------------------------------------------- the three mistakes


MISTAKES = {
    "foreign domain": (dict(user_principal_name="jane@fabrikam.example"),
                       ["jane@fabrikam.example", "fabrikam.example is not a domain of customer",
                        "contoso.onmicrosoft.com"]),
    "UK for GB": (dict(usage_location="UK"), ["usage_location", "did you mean GB"]),
    "weak password": (dict(password="alllowercase"), ["password", "at least three of"]),
}


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_a_mistake_fails_in_check_mode_with_zero_writes_as_it_does_in_the_real_run(emu, playbook, mistake):
    cid = seed_contoso(emu, customDomains=["contoso.example"])
    overrides, words = MISTAKES[mistake]
    converge = user_play(ignore_errors=True, **jane(cid, **overrides))
    for check in (True, False):
        result = playbook(converge, check=check).result("user")["result"]
        assert result["failed"], result
        for word in words:
            assert word in result["msg"], (word, result["msg"])
        assert "alllowercase" not in result["msg"]
    assert emu.writes() == [] and emu.users(cid) == []


def test_a_foreign_domain_fails_only_that_user_and_costs_one_customer_read(emu, playbook):
    cid = seed_contoso(emu, customDomains=["contoso.example"])
    many = [person("ann"), person("bob", upn="bob@contoso.example"), person("eve", upn="eve@elsewhere.example")]
    converge = play(users_task(cid, many, ignore_errors=True))
    check = playbook(converge, check=True).result("users")["result"]
    assert [u["action"] for u in check["users"]] == ["created", "created", "failed"]
    assert emu.writes() == [] and len(emu.requests(route="get_customer")) == 1
    real = playbook(converge).result("users")["result"]
    assert [u["action"] for u in real["users"]] == ["created", "created", "failed"]
    assert "elsewhere.example is not a domain" in real["failed_users"][0]["msg"]
    created = sorted(u["userPrincipalName"] for u in emu.users(cid))
    assert created == ["ann@contoso.onmicrosoft.com", "bob@contoso.example"]
    emu.clear_requests()
    assert playbook(play(users_task(cid, many[:2]))).result("users")["result"]["changed"] is False
    assert emu.requests(route="get_customer") == []  # a no-op reads no customer


def test_check_mode_predicts_running_out_of_licenses(emu, playbook):
    cid = seed_contoso(emu, subscribedSkus=[dict(E3, totalUnits=2)])
    many = [person(n, licenses=["SPE_E3"]) for n in ("ann", "bob", "cat")]  # a list is short for add
    converge = play(users_task(cid, many, ignore_errors=True, parallelism=1))
    check = playbook(converge, check=True).result("users")["result"]
    assert [u["action"] for u in check["users"]] == ["created", "created", "failed"]
    assert "run out of licenses" in check["failed_users"][0]["msg"] and emu.writes() == []
    real = playbook(converge).result("users")["result"]
    assert real["summary"]["failed"] == 1 and real["failed_users"][0]["user_principal_name"] == upn("cat")


# --------------------------------------------------------------------------- the role's output


def test_the_role_says_what_would_change_then_what_did_and_names_its_variables(emu, playbook):
    cid = emu.seed([dict(CONTOSO, users=[
        {"userPrincipalName": upn("stale"), "displayName": "Stale", "usageLocation": "US"},
        {"userPrincipalName": upn("admin"), "displayName": "Admin", "usageLocation": "US"},
        {"userPrincipalName": upn("keep"), "displayName": "Old Name", "usageLocation": "US"}])])[0]["id"]
    emu.clear_requests()
    users = [dict(person("newbie"), user_principal_name=upn("newbie")),
             dict(user_principal_name=upn("keep"), display_name="Keep Tester")]
    for user in users:
        user.pop("upn", None)
    hosts = {"partnercenter_customers": {"hosts": {"contoso": {
        "partnercenter_customer_id": cid, "partnercenter_users": users, "partnercenter_users_purge": True,
        "partnercenter_users_purge_exclude": ["admin@*"], "partnercenter_users_purge_max_percent": 100}}}}

    check = playbook(str(PLAYBOOK), inventory=hosts, check=True)
    lines = role_summaries(check)["contoso"]
    assert lines[0].startswith("contoso (check mode, nothing was changed): would create 1, would update 1")
    assert "  would create: %s" % upn("newbie") in lines
    assert "  would update: %s (display_name)" % upn("keep") in lines
    assert "  would purge: %s" % upn("stale") in lines and "  kept by purge_exclude: %s" % upn("admin") in lines
    assert emu.writes() == []

    real = playbook(str(PLAYBOOK), inventory=hosts)
    lines = role_summaries(real)["contoso"]
    assert lines[0] == "contoso: 1 created, 1 updated, 0 restored, 0 deleted, 1 purged, 0 unchanged"
    assert "  created: %s" % upn("newbie") in lines and "  purged: %s" % upn("stale") in lines
    assert sorted((w["method"], w["route"]) for w in emu.writes()) == [
        ("DELETE", "delete_user"), ("PATCH", "update_user"), ("POST", "create_user")]

    # a mistake in one user: the message names the role's variable and the user; the summary still prints
    hosts["partnercenter_customers"]["hosts"]["contoso"]["partnercenter_users"] = users + [
        dict(user_principal_name=upn("zed"), display_name="Zed", usage_location="UK", password="Zed-Passw0rd!")]
    emu.clear_requests()
    failed = playbook(str(PLAYBOOK), inventory=hosts, expect_rc=2)
    message = role_result(failed, "Converge the customer's users", "contoso")["msg"]
    assert "partnercenter_users[2] (%s).usage_location" % upn("zed") in message and "did you mean GB" in message
    assert emu.writes() == []


# --------------------------------------------------------------------------- shapes and names


def test_an_unknown_key_gets_did_you_mean_and_a_role_list_is_short_for_add(emu, playbook):
    cid = seed_contoso(emu)
    run = playbook(play(
        users_task(cid, [dict(person("ann"), usage_locaton="US")], name="typo", ignore_errors=True),
        task("partnercenter_user", name="shorthand", directory_roles=["Helpdesk Administrator"], **jane(cid)),
    ))
    typo = run.result("typo")["result"]
    assert typo["failed"] and "Did you mean users[0].usage_location instead of users[0].usage_locaton" in typo["msg"]
    assert run.result("shorthand")["result"]["user"]["directory_roles"] == ["Helpdesk Administrator"]


def test_roles_by_the_names_admins_know_them_are_assigned(emu, playbook):
    cid = seed_contoso(emu)  # the directory lists legacy names: Company Administrator, User Account Administrator
    converge = user_play(directory_roles={"add": ["Global Administrator", "user administrator"]}, **jane(cid))
    check = playbook(converge, check=True, diff=True).result("user")["result"]
    assert check["changed"] and emu.writes() == []
    # shown by the names declared, the directory's own beside them
    shown = ["Global Administrator (Company Administrator)", "User Administrator (User Account Administrator)"]
    assert check["diff"]["after"]["directory_roles"] == shown and check["user"]["directory_roles"] == shown
    result = playbook(converge).result("user")["result"]
    assert result["action"] == "created" and result["user"]["directory_roles"] == shown
    user = [u for u in emu.users(cid) if u["userPrincipalName"] == upn("jane")][0]
    assert sorted(user["directoryRoles"]) == sorted([GLOBAL_ADMIN, USER_ADMIN])
    emu.clear_requests()
    assert playbook(converge).result("user")["result"]["changed"] is False and emu.writes() == []


def test_a_built_in_role_the_directory_does_not_list_is_reported_as_not_activated(emu, playbook):
    cid = seed_contoso(emu, directoryRoles=[{"id": "729827e3-9c14-49f7-bb1b-9608f156bbb8",
                                             "name": "Helpdesk Administrator"}])
    run = playbook(user_play(ignore_errors=True, directory_roles={"add": ["License Administrator"]}, **jane(cid)),
                   check=True)
    msg = run.result("user")["result"]["msg"]
    assert "not activated in this customer's directory" in msg and "4d6ac14f-3453-41d0-bef9-a3e0c569773a" in msg
    assert emu.writes() == []


# --------------------------------------------------------------------------- fail fast


@pytest.mark.parametrize("option", ["api_url", "authority"])
def test_a_host_that_does_not_resolve_fails_within_seconds_naming_it(emu, playbook, option):
    cid = seed_contoso(emu)
    started = time.monotonic()
    run = playbook(user_play(ignore_errors=True, **jane(cid)),
                   env={"PARTNERCENTER_" + option.upper(): "https://partnercenter.invalid",
                        "PARTNERCENTER_TOKEN_CACHE": "false"})
    msg = run.result("user")["result"]["msg"]
    assert time.monotonic() - started < 60  # the retry budget is 120 s: no retries were made
    assert "Cannot resolve partnercenter.invalid" in msg and option in msg


# --------------------------------------------------------------------------- what to do next

IDENTITY_FAILURES = {
    "wrong secret": ({"PARTNERCENTER_CLIENT_SECRET": "not-the-secret"}, "secret's Value"),
    "unknown client": ({"PARTNERCENTER_CLIENT_ID": "33333333-3333-3333-3333-333333333333"}, "Check client_id"),
    "damaged refresh token": ({"PARTNERCENTER_REFRESH_TOKEN": "cut-short"}, "Repeat the consent sign-in"),
    "unknown tenant": ({"PARTNERCENTER_TENANT_ID": "44444444-4444-4444-4444-444444444444"}, "Check tenant_id"),
    "no credentials": ({"PARTNERCENTER_CLIENT_SECRET": None, "PARTNERCENTER_REFRESH_TOKEN": None},
                       "credential_type_partnercenter.yml"),
}


# failures the emulator produces through its knobs (tests/emulator/partnercenter_emulator/README.md)
KNOB_FAILURES = {
    "expired client secret": ({"client_secret_expired": True}, "client secret expired"),
    "consent missing": ({"consent_missing": True}, "not consented"),
}


@pytest.mark.parametrize("failure", list(KNOB_FAILURES))
def test_an_identity_failure_of_the_tenant_says_what_to_do_next(emu, playbook, failure):
    cid = seed_contoso(emu)
    knobs, advice = KNOB_FAILURES[failure]
    emu.config(**knobs)
    msg = playbook(user_play(ignore_errors=True, **jane(cid)), env={"PARTNERCENTER_TOKEN_CACHE": "false"}) \
        .result("user")["result"]["msg"]
    assert advice in msg, msg
    assert emu.writes() == []


def test_a_revoked_refresh_token_says_to_repeat_the_consent(emu, playbook):
    cid = seed_contoso(emu)
    emu.call("POST", "refresh_tokens/revoke", {"all": True})
    msg = playbook(user_play(ignore_errors=True, **jane(cid)), env={"PARTNERCENTER_TOKEN_CACHE": "false"}) \
        .result("user")["result"]["msg"]
    assert "AADSTS50173" in msg and "revoked" in msg and "Repeat the consent sign-in" in msg
    assert emu.writes() == []


@pytest.mark.parametrize("failure", list(IDENTITY_FAILURES))
def test_an_identity_failure_says_what_to_do_next(emu, playbook, failure):
    cid = seed_contoso(emu)
    env, advice = IDENTITY_FAILURES[failure]
    run = playbook(user_play(ignore_errors=True, **jane(cid)), env=dict(env, PARTNERCENTER_TOKEN_CACHE="false"))
    msg = run.result("user")["result"]["msg"]
    assert advice in msg, msg
    assert emu.writes() == []


def test_a_token_without_mfa_fails_with_the_next_step_and_zero_writes(emu, playbook):
    cid = seed_contoso(emu)
    emu.config(mfa_required=True, token_mfa=False)
    run = playbook(user_play(ignore_errors=True, **jane(cid)), env={"PARTNERCENTER_TOKEN_CACHE": "false"})
    msg = run.result("user")["result"]["msg"]
    assert "900421" in msg and "MFA" in msg and "Repeat the consent sign-in" in msg
    assert msg.count("HTTP 401") == 1
    assert emu.writes() == []


def test_an_unknown_customer_says_to_check_the_id_and_the_relationship(emu, playbook):
    seed_contoso(emu)
    missing = "0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11"
    msg = playbook(user_play(ignore_errors=True, **jane(missing))).result("user")["result"]["msg"]
    assert missing in msg and "reseller relationship" in msg and msg.count("HTTP 404") == 1


# failure -> (environment, knobs, the next step said once, the cause every host names)
REPEATED_FAILURES = {
    "wrong secret": ({"PARTNERCENTER_CLIENT_SECRET": "not-the-secret"}, {}, "secret's Value",
                     "the client secret is wrong"),
    "no MFA": ({}, {"token_mfa": False}, "Repeat the consent sign-in", "the token has no MFA claim"),
    "expired refresh token": ({}, {"refresh_token_lifetime_days": 0}, "Repeat the consent sign-in",
                              "the refresh token has expired"),
}


@pytest.mark.parametrize("failure", list(REPEATED_FAILURES))
def test_an_identity_failure_over_many_customers_is_said_in_full_once_and_named_on_each(emu, playbook, failure):
    env, knobs, next_step, cause = REPEATED_FAILURES[failure]
    emu.config(**knobs)
    hosts = {}
    for name in ("alpha", "beta", "gamma"):
        cid = emu.seed([{"companyName": name, "domain": "%s.onmicrosoft.com" % name}])[0]["id"]
        hosts[name] = {"partnercenter_customer_id": cid, "partnercenter_users": [dict(
            user_principal_name="jane@%s.onmicrosoft.com" % name, display_name="Jane Doe", usage_location="US",
            password=PASSWORD)]}
    run = playbook(str(PLAYBOOK), inventory={"partnercenter_customers": {"hosts": hosts}}, expect_rc=2,
                   env=dict(env, PARTNERCENTER_TOKEN_CACHE="false"))
    messages = dict((host, role_result(run, "Converge the customer's users", host)["msg"]) for host in hosts)
    # In full once, by the first customer (of the forks running at once) to meet it; the others refer to it.
    (first,) = [host for host, said in messages.items() if next_step in said]
    assert messages[first].startswith(first + ": ") and "the same identity failure" not in messages[first]
    for host in set(hosts) - set([first]):
        said = messages[host]
        assert "the same identity failure as %s" % first in said and next_step not in said, said
        assert said.startswith("%s: %s" % (host, cause)), said  # in a few words, first
    assert emu.writes() == []
