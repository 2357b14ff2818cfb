# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hardening: no credential leaves for another host, no typo empties a customer, every form converges.

Each test reproduces one way the collection used to lose data, leak a credential or report ``ok``
for a customer that was not converged, and checks the emulator's state and request log.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import time

import pytest

from catalogue import BILLING, E3, HELPDESK, VISIO
from concurrency import Watcher
from contoso import assert_each_exists_once, person, seed_contoso, seeded_user, upn, users_task
from secret_scan import assert_no_form_of
from plays import PASSWORD, jane, play, task, user_play
from profiles import duplicate_upn_status, the_user
from request_log import look_ups, waits_between

# The tests where the emulator's entra profile answers differently (deleted users' UPNs, duplicate UPNs as 400,
# passwords only through /resetpassword, member routes lagging behind a create, license listings, lean bodies)
# run under the default and entra profiles (conftest.py); the others (redirects, echoed secrets, tokens, input
# checks) send or read nothing the profile changes.
BOTH_PROFILES = pytest.mark.both_profiles


def trap_requests(emu):
    return emu.call("GET", "trap")["requests"]


def state_of(emu, cid, name):
    """The one user object known by the name's UPN, in either form once deleted (profiles.py)."""
    return the_user(emu, cid, upn(name))


# --------------------------------------------------------------------------- 1. redirects


@pytest.mark.parametrize("route", ["create_user", "list_users"])
def test_an_api_redirect_is_an_error_and_nothing_reaches_the_other_host(emu, playbook, route):
    cid = seed_contoso(emu)
    emu.faults([{"route": route, "kind": "redirect", "status": 307, "location": "trap", "times": -1}])
    run = playbook(user_play(register="r", ignore_errors=True, **jane(cid)))
    result = run.result("user")["result"]
    assert result["failed"]
    assert "HTTP 307" in result["msg"] and "redirect" in result["msg"] and emu.info["trap_url"] in result["msg"]
    # nothing was sent to the Location: not the password, not the bearer token
    assert trap_requests(emu) == []
    # and the redirect was not retried: one request to the redirecting route
    assert len(emu.requests(route=route)) == 1
    assert emu.users(cid) == []


@pytest.mark.parametrize("route", ["token", "openid_config"])
def test_a_redirect_from_the_authority_sends_no_secret_anywhere_else(emu, playbook, route):
    cid = seed_contoso(emu)
    emu.faults([{"route": route, "kind": "redirect", "status": 308, "location": "trap", "times": -1}])
    run = playbook(user_play(ignore_errors=True, **jane(cid)), env={"PARTNERCENTER_TOKEN_CACHE": "false"})
    result = run.result("user")["result"]
    assert result["failed"] and "HTTP 308" in result["msg"] and "redirect" in result["msg"]
    assert trap_requests(emu) == []
    assert len(emu.requests(route=route)) == 1
    assert emu.writes() == []


# --------------------------------------------------------------------------- 2. state with users


@BOTH_PROFILES
def test_top_level_state_absent_is_the_default_of_every_item_and_never_restores(emu, playbook):
    cid = seed_contoso(emu, users=[seeded_user("leaver1"),
                                   seeded_user("leaver2", state="inactive", softDeletionTime="2026-11-20T00:00:00Z"),
                                   seeded_user("stayer")])
    items = [{"upn": upn("leaver1")}, {"upn": upn("leaver2")}, {"upn": upn("stayer"), "state": "present"}]
    converge = play(users_task(cid, items, state="absent"))

    check = playbook(converge, check=True).result("users")["result"]
    assert [u["action"] for u in check["users"]] == ["deleted", "unchanged", "unchanged"]
    assert emu.writes() == []

    real = playbook(converge).result("users")["result"]
    assert [u["action"] for u in real["users"]] == ["deleted", "unchanged", "unchanged"]
    assert [(w["method"], w["route"]) for w in emu.writes()] == [("DELETE", "delete_user")]
    assert state_of(emu, cid, "leaver1")["state"] == "inactive"
    assert state_of(emu, cid, "leaver2")["state"] == "inactive"  # never restored
    assert state_of(emu, cid, "stayer")["state"] == "active"

    emu.clear_requests()
    assert playbook(converge, check=True).result("users")["result"]["changed"] is False
    assert playbook(converge).result("users")["result"]["changed"] is False
    assert emu.writes() == []


# --------------------------------------------------------------------------- 3. purge guards


def test_purge_with_no_user_declared_present_is_refused_before_any_request(emu, playbook):
    cid = seed_contoso(emu, users=[seeded_user("a"), seeded_user("b")])
    run = playbook(play(
        users_task(cid, [], name="empty", purge=True, ignore_errors=True),
        users_task(cid, [{"upn": upn("a"), "state": "absent"}], name="only absent", purge=True, ignore_errors=True),
    ))
    for name in ("empty", "only absent"):
        result = run.result(name)["result"]
        assert result["failed"] and result["msg"].startswith("purge:") and "empty the customer" in result["msg"]
    assert emu.requests() == []  # not even a token request
    assert sorted(u["state"] for u in emu.users(cid)) == ["active", "active"]


def test_purge_of_most_of_a_customer_is_refused_by_the_relative_guard(emu, playbook):
    cid = seed_contoso(emu, users=[seeded_user(n) for n in ("keep", "x1", "x2", "x3")])
    converge = play(users_task(cid, [{"upn": upn("keep")}], purge=True, ignore_errors=True))
    result = playbook(converge).result("users")["result"]
    assert result["failed"] and "purge_max_percent" in result["msg"] and "3 of the customer's 4" in result["msg"]
    assert emu.writes() == []
    # raising the guard lets the same purge through
    allowed = play(users_task(cid, [{"upn": upn("keep")}], purge=True, purge_max_percent=100))
    assert playbook(allowed).result("users")["result"]["summary"]["purged"] == 3


def test_role_refuses_a_misspelt_variable_naming_the_right_one(emu, playbook):
    contoso, fabrikam = [c["id"] for c in emu.seed([
        dict(companyName="Contoso", domain="contoso.onmicrosoft.com", users=[seeded_user("a"), seeded_user("b")]),
        dict(companyName="Fabrikam", domain="fabrikam.onmicrosoft.com")])]
    emu.clear_requests()
    inventory = {"all": {"children": {"partnercenter_customers": {"hosts": {
        "contoso": {
            "partnercenter_customer_id": contoso,
            "partnercenter_user": [{"user_principal_name": upn("a")}],  # missing "s"
            "partnercenter_users_purge": True,
            "partnercenter_tenant_label": "kept: not a near miss of any role argument",
        },
        "fabrikam": {"partnercenter_customer_id": fabrikam, "partnercenter_users": [dict(
            user_principal_name="fab@fabrikam.onmicrosoft.com", display_name="Fab Tester", usage_location="US",
            password=PASSWORD)]},
    }}}}}
    run = playbook(_role_play(), inventory=inventory, expect_rc=2)
    text = run.output
    assert "partnercenter_user is not a variable of this role; did you mean partnercenter_users?" in text
    assert "partnercenter_tenant_label" not in text
    # the host with the misspelling sent nothing and kept its users (purge would have deleted both);
    # the other customer converged, as with a failed argument check
    assert [r for r in emu.requests() if contoso in r["path"]] == []
    assert sorted(u["state"] for u in emu.users(contoso)) == ["active", "active"]
    assert [u["userPrincipalName"] for u in emu.users(fabrikam)] == ["fab@fabrikam.onmicrosoft.com"]


def _role_play():
    return json.dumps([{"hosts": "partnercenter_customers", "gather_facts": False,
                        "roles": [{"role": "csp.partnercenter.customer_users"}]}])


# --------------------------------------------------------------------------- 4, 5. memberships


@BOTH_PROFILES
def test_restore_plans_roles_and_licenses_from_what_the_user_holds_again(emu, playbook):
    cid = seed_contoso(emu, subscribedSkus=[E3, VISIO], users=[seeded_user(
        "back", state="inactive", softDeletionTime="2026-11-20T00:00:00Z", directoryRoles=[BILLING],
        licenses=["VISIOCLIENT"])])
    converge = user_play(customer_id=cid, upn=upn("back"), directory_roles={"set": ["Helpdesk Administrator"]},
                         licenses={"set": ["SPE_E3"]})

    check = playbook(converge, check=True, diff=True)
    result = check.result("user")["result"]
    assert result["action"] == "restored" and emu.writes() == []
    assert "read only then" in check.output  # check mode says what it cannot know

    real = playbook(converge, diff=True).result("user")["result"]
    assert real["action"] == "restored"
    user = state_of(emu, cid, "back")
    assert user["state"] == "active" and user["directoryRoles"] == [HELPDESK]
    skus = dict((s["productSku"]["id"], s["productSku"]["skuPartNumber"])
                for s in emu.state(customer=cid)["customers"][0]["subscribedSkus"])
    assert [skus[lic["skuId"]] for lic in user["licenses"]] == ["SPE_E3"]
    # the result and the diff say what really happened
    assert real["user"]["directory_roles"] == ["Helpdesk Administrator"] and real["user"]["licenses"] == ["SPE_E3"]
    assert real["diff"]["before"]["directory_roles"] == ["Billing Administrator"]
    assert real["diff"]["before"]["licenses"] == ["VISIOCLIENT"]

    emu.clear_requests()
    assert playbook(converge, check=True).result("user")["result"]["changed"] is False
    assert playbook(converge).result("user")["result"]["changed"] is False
    assert emu.writes() == []


@BOTH_PROFILES
@pytest.mark.parametrize("license_error", ["not_found", "usage_location"])
def test_memberships_of_a_new_user_are_retried_while_member_routes_lag(emu, playbook, license_error):
    cid = seed_contoso(emu, subscribedSkus=[E3])
    emu.config(member_route_lag=2.5, member_route_lag_license_error=license_error)
    converge = user_play(directory_roles={"add": ["Helpdesk Administrator"]}, licenses={"add": ["SPE_E3"]},
                         **jane(cid))
    result = playbook(converge).result("user")["result"]
    assert result["action"] == "created"
    user = state_of(emu, cid, "jane")
    assert user["directoryRoles"] == [HELPDESK] and len(user["licenses"]) == 1
    refused = [r for r in emu.requests() if r["route"] in ("add_role_member", "update_user_licenses")
               and r["status"] >= 400]
    assert refused, "the lag was not exercised"
    emu.clear_requests()
    assert playbook(converge).result("user")["result"]["changed"] is False
    assert emu.writes() == []


@BOTH_PROFILES
def test_a_user_created_by_another_run_still_gets_its_roles_and_licenses(emu, playbook):
    cid = seed_contoso(emu, subscribedSkus=[E3])
    playbook(user_play(**jane(cid)))  # another run created jane
    emu.clear_requests()
    # this run's planning listing misses her, as a lagging replica would
    emu.faults([{"route": "list_users", "kind": "status", "status": 200, "times": 1,
                 "content_type": "application/json",
                 "body": '{"totalCount": 0, "items": [], "attributes": {"objectType": "Collection"}}'}])
    # the same attributes: only the roles and licenses differ from what the other run created
    converge = user_play(directory_roles={"add": ["Helpdesk Administrator"]}, licenses={"add": ["SPE_E3"]},
                         **jane(cid))
    result = playbook(converge).result("user")["result"]
    assert result["action"] == "updated"
    user = state_of(emu, cid, "jane")
    assert user["directoryRoles"] == [HELPDESK] and user["licenses"]
    assert len([r for r in emu.requests(route="create_user") if r["status"] == duplicate_upn_status(emu)]) == 1
    emu.clear_requests()
    assert playbook(converge).result("user")["result"]["changed"] is False
    assert emu.writes() == []


@BOTH_PROFILES
def test_no_write_is_sent_for_a_user_whose_id_is_unknown(emu, playbook):
    cid = seed_contoso(emu, subscribedSkus=[E3])
    emu.config(replication_lag=600)  # out of the user list for longer than the task looks for it
    emu.faults([{"route": "create_user", "kind": "commit_then_reset", "times": 1}])
    run = playbook(user_play(ignore_errors=True, retry_budget=5, licenses={"add": ["SPE_E3"]}, **jane(cid)))
    result = run.result("user")["result"]
    assert result["failed"] and "replication lag" in result["msg"] and upn("jane") in result["msg"]
    assert not [r for r in emu.requests() if "None" in r["path"]]
    assert [r["route"] for r in emu.writes()] == ["create_user", "create_user"]  # the resend met the duplicate


# --------------------------------------------------------------------------- 6, 7. echoed secrets

# Characters every encoding writes differently, around runs of letters and digits that survive any
# encoding: a leak shows as one of those runs, however many times the text was escaped.
ECHO_PASSWORD = "Qx7Lm2Vb9Rt\"\\+<&>'Kp4Wz8"
ECHO_SECRET = "Cs3Hj8Nq5Tw+\"<&>'Yd6Fg1"
ECHO_REFRESH = "Rt2Mk7Pz4Lq~\"+<&>Bv9Xc3"


def create_body_text(cid_unused, password):
    """The create request's JSON as the collection writes it (for cutting the echo inside the password)."""
    body = {"firstName": "Jane", "lastName": "Doe", "displayName": "Jane Doe", "usageLocation": "US",
            "userPrincipalName": upn("jane"), "passwordProfile": {"password": password, "forceChangePassword": True},
            "attributes": {"objectType": "CustomerUser"}}
    return json.dumps(body)


@pytest.mark.parametrize("style", ["raw", "json", "dotnet", "html", "truncated"])
def test_a_password_echoed_in_any_encoding_never_shows(emu, playbook, style):
    cid = seed_contoso(emu)
    rules = [{"route": "create_user", "kind": "echo", "echo": style, "times": 1}]
    if style == "truncated":
        text = create_body_text(cid, ECHO_PASSWORD)
        start = len("Bad request: ") + text.index(json.dumps(ECHO_PASSWORD)[1:-1])
        rules = [{"route": "create_user", "kind": "echo", "echo": style, "cut": start + cut, "times": 1}
                 for cut in (3, 6, 9, 13)]
    emu.faults(rules)
    tasks = [task("partnercenter_user", name="single %d" % n, ignore_errors=True,
                  **jane(cid, password="{{ lookup('env', 'PC_ECHO_PW') }}")) for n in range(len(rules) - 1)]
    tasks.append(users_task(cid, [person("jane", password="{{ lookup('env', 'PC_ECHO_PW') }}")], name="many",
                            ignore_errors=True))
    run = playbook(play(*tasks), verbosity=4, env={"PC_ECHO_PW": ECHO_PASSWORD})
    failures = [r for r in run.results if r["result"].get("failed")]
    assert len(failures) == len(rules)
    assert all("HTTP 400" in r["result"]["msg"] for r in failures)
    assert_no_form_of({"password": ECHO_PASSWORD}, run)


@pytest.mark.parametrize("style", ["raw", "json", "dotnet", "html", "truncated"])
def test_client_secret_and_refresh_token_echoed_by_the_authority_never_show(emu, playbook, style):
    cid = seed_contoso(emu)
    rule = {"route": "token", "kind": "echo", "echo": style, "times": -1}
    if style == "truncated":
        rule["cut"] = 60  # inside the form body's secrets
    emu.faults([rule])
    run = playbook(user_play(ignore_errors=True, **jane(cid)), verbosity=4,
                   env={"PARTNERCENTER_TOKEN_CACHE": "false", "PARTNERCENTER_CLIENT_SECRET": ECHO_SECRET,
                        "PARTNERCENTER_REFRESH_TOKEN": ECHO_REFRESH})
    assert run.result("user")["result"]["failed"]
    assert_no_form_of({"client secret": ECHO_SECRET, "refresh token": ECHO_REFRESH}, run)


def test_an_echoed_bearer_token_is_redacted(emu, playbook):
    cid = seed_contoso(emu)
    emu.faults([{"route": "list_users", "kind": "echo", "echo": "headers", "times": 1}])
    run = playbook(user_play(ignore_errors=True, **jane(cid)), verbosity=4)
    result = run.result("user")["result"]
    assert result["failed"] and "Bearer ********" in result["msg"]
    tokens = [json.loads(p.read_text())["access_token"] for p in playbook.token_cache_dir.glob("*.json")]
    assert tokens
    assert_no_form_of(dict(("access token %d" % n, t) for n, t in enumerate(tokens)), run)


# --------------------------------------------------------------------------- 8. Retry-After past the budget


def test_a_retry_after_longer_than_the_budget_holds_nobody_back(emu, playbook):
    cid = seed_contoso(emu)
    emu.faults([{"route": "create_user", "kind": "status", "status": 429, "retry_after": 90, "times": 1}])
    # twice as many users as writers: the second four start after the 429 came back
    many = [person("user%d" % n) for n in range(8)]
    started = time.monotonic()
    run = playbook(play(users_task(cid, many, parallelism=4, retry_budget=10, ignore_errors=True)))
    elapsed = time.monotonic() - started
    result = run.result("users")["result"]
    assert elapsed < 70, "a 90 s Retry-After against a 10 s budget took %.0f s" % elapsed
    assert result["summary"]["created"] == 7 and result["summary"]["failed"] == 1
    failed = result["failed_users"][0]
    assert "429" in failed["msg"] and "retry budget" in failed["msg"]
    assert_each_exists_once(emu, cid, [u["upn"] for u in many if u["upn"] != failed["user_principal_name"]])


# --------------------------------------------------------------------------- 10. look-ups after conflicts


@BOTH_PROFILES
def test_conflicting_creates_share_one_listing_per_round(emu, playbook):
    cid = seed_contoso(emu, generate_users={"count": 1100, "prefix": "seeded"})
    names = ["racer%d" % n for n in range(6)]
    # Another run created them; they stay out of the user list until the test moves the emulator clock, after
    # two shared look-ups: nothing here depends on how fast the machine is.
    emu.config(replication_lag=600)
    playbook(play(users_task(cid, [person(n) for n in names])))
    emu.clear_requests()
    pages = 3  # 1,106 users, 500 a page
    reveal = Watcher(lambda: len([p for p in look_ups(emu.requests()) if len(p) == pages]) >= 2,
                     lambda: emu.call("POST", "clock", {"advance_seconds": 600}), timeout=120)
    reveal.start()
    try:
        result = playbook(play(users_task(cid, [person(n) for n in names], parallelism=4))).result("users")["result"]
    finally:
        reveal.stop()
    assert reveal.fired_at is not None
    assert result["summary"]["unchanged"] == 6 and result["summary"]["failed"] == 0
    assert_each_exists_once(emu, cid, [upn(n) for n in names])
    # After the six conflicts, one whole listing per round serves all six users, and each round waits its turn
    # (the waits of _executor.LOOKUP_WAITS, never shorter; longer on a busy machine).
    rounds = look_ups(emu.requests())
    assert len(rounds) >= 3 and all(len(walk) == pages for walk in rounds), [len(walk) for walk in rounds]
    waits = waits_between(rounds)
    assert all(wait >= 0.9 * floor for wait, floor in zip(waits, (1, 2, 4, 8, 10, 10, 10))), waits


# --------------------------------------------------------------------------- 12, 13. tokens


@pytest.mark.parametrize("content", ["[]", "null", '{"access_token": 5, "expires_on": 9999999999}',
                                     '{"access_token": "x y", "expires_on": 9999999999}', '"just a string"'])
def test_a_token_cache_entry_of_the_wrong_shape_is_ignored_and_replaced(emu, playbook, content):
    cid = seed_contoso(emu)
    playbook(user_play(**jane(cid)))
    entries = list(playbook.token_cache_dir.glob("*.json"))
    assert len(entries) == 1
    entries[0].write_text(content)
    emu.clear_requests()
    assert playbook(user_play(**jane(cid))).result("user")["result"]["action"] == "unchanged"
    assert len(emu.requests(route="token")) == 1
    assert [r["status"] for r in emu.requests(route="list_users")] == [200]  # the bad entry was never sent
    assert set(json.loads(entries[0].read_text())) == {"access_token", "expires_on"}


@pytest.mark.parametrize("token_value", [123, "", None, ["a"], "two words"])
def test_a_malformed_token_from_the_authority_is_refused_and_never_cached(emu, playbook, token_value):
    cid = seed_contoso(emu)
    emu.faults([{"route": "token", "kind": "token_shape", "token_value": token_value, "times": -1}])
    run = playbook(user_play(ignore_errors=True, **jane(cid)))
    result = run.result("user")["result"]
    assert result["failed"] and "malformed access token" in result["msg"]
    assert list(playbook.token_cache_dir.glob("*.json")) == []
    assert emu.requests(route="list_users") == []


def test_a_static_token_with_a_trailing_newline_is_refused_at_once(emu, playbook):
    cid = seed_contoso(emu)
    run = playbook(user_play(ignore_errors=True, **jane(cid)),
                   env={"PARTNERCENTER_ACCESS_TOKEN": "emu.sometoken\n", "PARTNERCENTER_CLIENT_SECRET": None,
                        "PARTNERCENTER_REFRESH_TOKEN": None})
    result = run.result("user")["result"]
    assert result["failed"] and result["msg"].startswith("access_token:") and "newline" in result["msg"]
    # refused before any request (the old code retried for about 72 s); no wall-clock bound, which load would break
    assert emu.requests() == []


# --------------------------------------------------------------------------- 14. anchored validation


def test_ids_and_names_with_a_trailing_newline_are_refused_before_any_request(emu, playbook):
    cid = seed_contoso(emu)
    run = playbook(play(
        task("partnercenter_user", name="user", ignore_errors=True, **jane(cid + "\n")),
        task("partnercenter_user_info", name="user_info", ignore_errors=True, customer_id=cid,
             user_principal_name=upn("jane") + "\n"),
        task("partnercenter_customer_info", name="customer_info", ignore_errors=True,
             domain="contoso.onmicrosoft.com\n"),
        task("partnercenter_subscribed_sku_info", name="sku_info", ignore_errors=True, customer_id=cid + "\n"),
    ))
    options = {"user": "customer_id", "user_info": "user_principal_name", "customer_info": "domain",
               "sku_info": "customer_id"}
    for name, option in options.items():
        result = run.result(name)["result"]
        assert result["failed"] and result["msg"].startswith(option + ":"), (name, result["msg"])
    assert emu.requests() == []


# --------------------------------------------------------------------------- 15. unexpected answers


@BOTH_PROFILES
def test_a_create_confirmed_without_a_body_still_converges_every_user(emu, playbook):
    cid = seed_contoso(emu, subscribedSkus=[E3])
    emu.faults([{"route": "create_user", "kind": "commit_then_empty", "after": 1, "times": 1}])
    many = [person(n, licenses={"add": ["SPE_E3"]}) for n in ("ann", "ben", "cat")]
    result = playbook(play(users_task(cid, many))).result("users")["result"]
    assert result["summary"]["created"] == 3 and result["summary"]["failed"] == 0
    for name in ("ann", "ben", "cat"):
        assert len(state_of(emu, cid, name)["licenses"]) == 1


# --------------------------------------------------------------------------- 16. credentials in URLs


@pytest.mark.parametrize("given_as", ["option", "environment"])
def test_a_credential_in_api_url_is_refused_and_never_shown(emu, playbook, given_as):
    cid = seed_contoso(emu)
    url = emu.api_url.replace("https://", "https://partner:Url-Cr3d-Secret@")
    args = jane(cid)
    env = {}
    if given_as == "option":
        args["api_url"] = url
    else:
        env["PARTNERCENTER_API_URL"] = url
    run = playbook(user_play(ignore_errors=True, **args), verbosity=3, env=env)
    result = run.result("user")["result"]
    assert result["failed"] and result["msg"].startswith("api_url:") and "credentials" in result["msg"]
    assert_no_form_of({"URL credential": "Url-Cr3d-Secret"}, run)
    assert emu.requests() == []


# --------------------------------------------------------------------------- 17. odd bodies and values


def test_a_huge_error_body_is_bounded(emu, playbook):
    cid = seed_contoso(emu)
    emu.faults([{"route": "create_user", "kind": "status", "status": 400, "description": "x" * 999 + " ",
                 "description_repeat": 5000, "times": 1}])
    run = playbook(user_play(ignore_errors=True, **jane(cid)))
    result = run.result("user")["result"]
    assert result["failed"] and "more characters" in result["msg"]
    assert len(result["msg"]) < 5000 and len(run.stdout) < 100000


def test_a_list_where_a_name_belongs_is_refused_not_converted(emu, playbook):
    cid = seed_contoso(emu)
    run = playbook(play(
        task("partnercenter_user", name="single", ignore_errors=True, **jane(cid, display_name=["A", "B"])),
        users_task(cid, [person("ann", first_name=7)], name="many", ignore_errors=True),
    ))
    assert run.result("single")["result"]["msg"].startswith("display_name: must be a string, got a list")
    assert run.result("many")["result"]["msg"].startswith("users[0].first_name: must be a string, got a number")
    assert emu.requests() == []


# --------------------------------------------------------------------------- 18. token failures


def test_an_unexpected_failure_of_the_token_request_says_what_and_where(emu, playbook):
    cid = seed_contoso(emu)
    emu.faults([{"route": "openid_config", "kind": "status", "status": 200, "body": "<html>not json</html>",
                 "content_type": "text/html", "times": -1}])
    run = playbook(user_play(ignore_errors=True, **jane(cid)), env={"PARTNERCENTER_TOKEN_CACHE": "false"})
    msg = run.result("user")["result"]["msg"]
    assert emu.authority in msg and "refresh_token grant" in msg
    assert ": " in msg.split("grant", 1)[1]  # the cause follows, not only a class name
