# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The customer_users role and the many-users form (issue: declarative customer provisioning)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import math
from pathlib import Path

import pytest

from contoso import seed_contoso, seeded_user, state_of, upn, users_task
from fleet import role_summaries
from plays import PASSWORD, play
from profiles import restore_writes

# Tests that reach Partner Center run against the emulator's default and entra profiles (conftest.py): a failure
# names the profile.  The argument-spec check sends nothing the profile could change.
BOTH_PROFILES = pytest.mark.both_profiles

PLAYBOOK = Path(__file__).resolve().parents[2] / "playbooks" / "provision_customers.yml"
CONVERGE = "Converge the customer's users"


def person(upn, name, country="US", **extra):
    first, last = name.split(" ", 1)
    user = dict(user_principal_name=upn, first_name=first, last_name=last, display_name=name,
                usage_location=country, password=PASSWORD)
    user.update(extra)
    return user


def seeded(upn, name, country="US", **extra):
    first, last = name.split(" ", 1)
    user = {"userPrincipalName": upn, "firstName": first, "lastName": last, "displayName": name,
            "usageLocation": country, "password": PASSWORD}
    user.update(extra)
    return user


def task_result(run, suffix, host):
    matches = [r for r in run.results if str(r["task"]).endswith(suffix) and r["host"] == host]
    assert len(matches) == 1, [r["task"] for r in run.results]
    return matches[0]["result"]


def inventory(**hosts):
    return {"partnercenter_customers": {"hosts": hosts}}


def active_upns(emu, customer_id):
    return sorted(u["userPrincipalName"] for u in emu.users(customer_id, state="active"))


@BOTH_PROFILES
def test_role_converges_two_customers_then_is_idempotent(emu, playbook):
    contoso, fabrikam = [c["id"] for c in emu.seed([
        {"companyName": "Contoso", "domain": "contoso.onmicrosoft.com",
         "users": [seeded("ada@contoso.onmicrosoft.com", "Ada Lovelace"),
                   seeded("alan@contoso.onmicrosoft.com", "Alan Turing", state="inactive")]},
        {"companyName": "Fabrikam", "domain": "fabrikam.onmicrosoft.com",
         "users": [seeded("grace@fabrikam.onmicrosoft.com", "Grace Old-Name", "DE")]},
    ])]
    emu.clear_requests()
    hosts = inventory(
        contoso={"partnercenter_customer_domain": "contoso.onmicrosoft.com", "partnercenter_users": [
            person("ada@contoso.onmicrosoft.com", "Ada Lovelace"),
            person("alan@contoso.onmicrosoft.com", "Alan Turing"),
            person("edsger@contoso.onmicrosoft.com", "Edsger Dijkstra", "NL")]},
        fabrikam={"partnercenter_customer_id": fabrikam, "partnercenter_users": [
            person("grace@fabrikam.onmicrosoft.com", "Grace Hopper", "DE"),
            person("barbara@fabrikam.onmicrosoft.com", "Barbara Liskov", "DE", state="absent")]},
    )

    # check mode: every change predicted, nothing written
    run = playbook(str(PLAYBOOK), inventory=hosts, check=True, diff=True)
    result = task_result(run, CONVERGE, "contoso")
    assert result["changed"] and result["summary"]["created"] == 1 and result["summary"]["restored"] == 1
    assert [u["action"] for u in result["users"]] == ["unchanged", "restored", "created"]
    assert set(result["diff"]["after"]) == {"alan@contoso.onmicrosoft.com", "edsger@contoso.onmicrosoft.com"}
    fab = task_result(run, CONVERGE, "fabrikam")
    assert fab["summary"]["updated"] == 1 and fab["users"][1]["action"] == "unchanged"
    assert emu.writes() == []

    # real run
    run = playbook(str(PLAYBOOK), inventory=hosts, diff=True)
    assert task_result(run, CONVERGE, "contoso")["summary"] == dict(
        created=1, updated=0, restored=1, deleted=0, unchanged=1, purged=0, failed=0, renamed=0, offboarded=0,
        undeclared=0)
    summary_line = "\n".join(role_summaries(run)["fabrikam"])
    assert "fabrikam: 0 created, 1 updated" in summary_line and "1 unchanged" in summary_line
    assert active_upns(emu, contoso) == ["ada@contoso.onmicrosoft.com", "alan@contoso.onmicrosoft.com",
                                         "edsger@contoso.onmicrosoft.com"]
    assert [u["displayName"] for u in emu.users(fabrikam)] == ["Grace Hopper"]
    # grace's update, edsger's create, and alan's restore (with a password reset where only that route takes it)
    assert sorted((w["route"], w["status"]) for w in emu.writes()) == sorted(
        [("update_user", 200), ("create_user", 201)] + restore_writes(emu, with_password=True))

    # check and real again: all ok, no writes
    emu.clear_requests()
    for check in (True, False):
        run = playbook(str(PLAYBOOK), inventory=hosts, check=check)
        for host in ("contoso", "fabrikam"):
            assert task_result(run, CONVERGE, host)["changed"] is False
    assert emu.writes() == []
    assert "0 created, 0 updated, 0 restored, 0 deleted, 0 purged, 3 unchanged" in \
        role_summaries(run)["contoso"][0]


@BOTH_PROFILES
def test_purge_respects_exclude_and_limit(emu, playbook):
    cid = emu.seed([{"companyName": "Contoso", "domain": "contoso.onmicrosoft.com", "users": [
        seeded("ada@contoso.onmicrosoft.com", "Ada Lovelace"),
        seeded("temp1@contoso.onmicrosoft.com", "Temp One"),
        seeded("temp2@contoso.onmicrosoft.com", "Temp Two"),
        seeded("admin.breakglass@contoso.onmicrosoft.com", "Break Glass")]}])[0]["id"]
    emu.clear_requests()
    host_vars = {"partnercenter_customer_id": cid, "partnercenter_users_purge": True,
                 "partnercenter_users_purge_exclude": ["ADMIN.*@*"],
                 "partnercenter_users": [person("ada@contoso.onmicrosoft.com", "Ada Lovelace")]}

    # over the limit: fails before any write, naming the limit
    run = playbook(str(PLAYBOOK), inventory=inventory(contoso=dict(host_vars, partnercenter_users_purge_limit=1)),
                   expect_rc=2)
    result = task_result(run, CONVERGE, "contoso")
    assert result["converge_failed"] and "purge_limit" in result["msg"] and "2 users" in result["msg"]
    assert emu.writes() == []

    run = playbook(str(PLAYBOOK), inventory=inventory(contoso=host_vars), check=True)
    result = task_result(run, CONVERGE, "contoso")
    assert sorted(u["user_principal_name"] for u in result["purged"]) == [
        "temp1@contoso.onmicrosoft.com", "temp2@contoso.onmicrosoft.com"]
    assert emu.writes() == []

    run = playbook(str(PLAYBOOK), inventory=inventory(contoso=host_vars))
    assert task_result(run, CONVERGE, "contoso")["summary"]["purged"] == 2
    assert [w["route"] for w in emu.writes()] == ["delete_user", "delete_user"]
    assert active_upns(emu, cid) == ["ada@contoso.onmicrosoft.com", "admin.breakglass@contoso.onmicrosoft.com"]

    emu.clear_requests()
    run = playbook(str(PLAYBOOK), inventory=inventory(contoso=host_vars))
    assert task_result(run, CONVERGE, "contoso")["changed"] is False
    assert emu.writes() == []


def test_bad_item_is_rejected_by_argument_specs_before_any_request(emu, playbook):
    cid = emu.seed([{"companyName": "Contoso", "domain": "contoso.onmicrosoft.com"}])[0]["id"]
    bad = person("ada@contoso.onmicrosoft.com", "Ada Lovelace")
    bad["usage_locaton"] = "US"  # the typo
    run = playbook(str(PLAYBOOK), inventory=inventory(contoso={
        "partnercenter_customer_id": cid, "partnercenter_users": [bad]}), expect_rc=2)
    assert "usage_locaton" in run.stdout
    assert "Validating arguments against arg spec" in run.stdout
    assert emu.requests() == []


# Connection options from module_defaults for the action group instead of the environment, with the
# role's converge step in the worker (the default) and as a partnercenter_user module process.
WAYS = {"in-process": {}, "module": {"PARTNERCENTER_IN_PROCESS": "false"}}


@pytest.mark.parametrize("way", sorted(WAYS))
def test_role_takes_connection_options_from_module_defaults_for_the_group(emu, playbook, way):
    cid = emu.seed([{"companyName": "Contoso", "domain": "contoso.onmicrosoft.com",
                     "users": [seeded("ada@contoso.onmicrosoft.com", "Ada Lovelace")]}])[0]["id"]
    emu.clear_requests()
    connection = dict((name[len("PARTNERCENTER_"):].lower(), value) for name, value in emu.env().items())
    env = dict(WAYS[way], **dict((name, None) for name in emu.env()))  # nothing from the environment
    play = [{"hosts": "partnercenter_customers", "gather_facts": False,
             "module_defaults": {"group/csp.partnercenter.partnercenter": connection},
             "roles": [{"role": "csp.partnercenter.customer_users"}]}]
    hosts = inventory(contoso={"partnercenter_customer_id": cid, "partnercenter_users_common": [
        person("ada@contoso.onmicrosoft.com", "Ada Lovelace"), person("ops@contoso.onmicrosoft.com", "Ops Team")],
        "partnercenter_users": [person("ADA@contoso.onmicrosoft.com", "Ada King")]})

    for check in (True, False):  # check, then real: one update (the host's Ada replaces the common one), one create
        result = task_result(playbook(json.dumps(play), inventory=hosts, env=env, check=check), CONVERGE, "contoso")
        assert result["changed"] and [u["action"] for u in result["users"]] == ["updated", "created"], result
        assert (emu.writes() == []) is check
    assert sorted((w["route"], w["status"]) for w in emu.writes()) == [("create_user", 201), ("update_user", 200)]
    assert [u["displayName"] for u in emu.users(cid, state="active")] == ["Ada King", "Ops Team"]
    assert PASSWORD not in json.dumps(result)

    emu.clear_requests()
    for check in (True, False):  # and again: nothing to do, nothing written
        result = task_result(playbook(json.dumps(play), inventory=hosts, env=env, check=check), CONVERGE, "contoso")
        assert result["changed"] is False
    assert emu.writes() == []


def test_users_set_to_nothing_with_purge_is_refused_before_any_request(emu, playbook):
    cid = emu.seed([{"companyName": "Contoso", "domain": "contoso.onmicrosoft.com",
                     "users": [seeded("ada@contoso.onmicrosoft.com", "Ada Lovelace")]}])[0]["id"]
    emu.clear_requests()
    # "partnercenter_users:" with no value is null in YAML; read as [] it would purge Ada
    run = playbook(str(PLAYBOOK), inventory=inventory(contoso={
        "partnercenter_customer_id": cid, "partnercenter_users": None, "partnercenter_users_purge": True,
        "partnercenter_users_purge_max_percent": 100}), expect_rc=2)
    assert "argument 'partnercenter_users' is of type NoneType" in run.output
    assert emu.requests() == []
    assert active_upns(emu, cid) == ["ada@contoso.onmicrosoft.com"]


def test_the_role_converge_step_takes_no_other_arguments(emu, playbook):
    cid = emu.seed([{"companyName": "Contoso", "domain": "contoso.onmicrosoft.com"}])[0]["id"]
    emu.clear_requests()
    play = [{"hosts": "partnercenter_customers", "gather_facts": False, "tasks": [
        {"name": "Converge", "csp.partnercenter.partnercenter_customer_users": {"users": []}}]}]
    run = playbook(json.dumps(play), inventory=inventory(contoso={"partnercenter_customer_id": cid}), expect_rc=2)
    assert "Invalid options for csp.partnercenter.partnercenter_customer_users: users" in run.output
    assert emu.requests() == []


@BOTH_PROFILES
def test_unknown_domain_is_a_clear_failure(emu, playbook):
    emu.seed([{"companyName": "Contoso", "domain": "contoso.onmicrosoft.com"}])
    run = playbook(str(PLAYBOOK), inventory=inventory(contoso={
        "partnercenter_customer_domain": "contoso.onmicrosoft", "partnercenter_users": []}), expect_rc=2)
    message = task_result(run, CONVERGE, "contoso")["msg"]
    assert message.startswith("contoso: partnercenter_customer_domain: contoso.onmicrosoft is the primary domain of "
                              "none of this partner's customers"), message
    # one look-up, by domain, and nothing else
    assert [(r["method"], r["route"]) for r in emu.requests() if r["route"] not in ("token", "openid_config")] == [
        ("GET", "list_customers")]
    assert emu.writes() == []


@BOTH_PROFILES
def test_one_failing_user_does_not_hide_the_others(emu, playbook):
    cid = emu.seed([{"companyName": "Contoso", "domain": "contoso.onmicrosoft.com"}])[0]["id"]
    users = [person("u%02d@contoso.onmicrosoft.com" % i, "User %02d" % i) for i in range(6)]
    # Partner Center refuses the fourth create (one writer, so the fourth is u03); the module cannot know
    # that in advance (a weak password, say, is refused before any request for the whole task instead)
    emu.faults([{"route": "create_user", "kind": "status", "status": 400, "after": 3, "times": 1}])
    run = playbook(str(PLAYBOOK), inventory=inventory(contoso={
        "partnercenter_customer_id": cid, "partnercenter_users": users, "partnercenter_users_parallelism": 1}),
        expect_rc=2)
    result = task_result(run, CONVERGE, "contoso")
    assert result["converge_failed"] and result["summary"]["created"] == 5 and result["summary"]["failed"] == 1
    assert "u03@contoso.onmicrosoft.com" in result["msg"] and "HTTP 400" in result["msg"]
    assert "MS-RequestId" in result["msg"]
    (failure,) = result["failed_users"]
    assert failure["user_principal_name"] == "u03@contoso.onmicrosoft.com"
    assert failure["error"]["status"] == 400 and failure["error"]["code"] is not None
    assert [u["action"] for u in result["users"]] == ["created"] * 3 + ["failed"] + ["created"] * 2
    assert len(active_upns(emu, cid)) == 5
    assert PASSWORD not in run.stdout
    # said with the failure, as this customer gets no line in the summary of those that converged
    summary = task_result(run, CONVERGE, "contoso")["msg"]
    assert "contoso" not in role_summaries(run)
    assert "5 created" in summary and "failed: u03@contoso.onmicrosoft.com" in summary


@BOTH_PROFILES
def test_request_counts_for_large_customer_noop(emu, playbook):
    cid = emu.seed([{"companyName": "Contoso", "domain": "contoso.onmicrosoft.com",
                     "generate_users": {"count": 1200, "prefix": "staff"}}])[0]["id"]
    existing = emu.users(cid)
    declared = [dict(user_principal_name=u["userPrincipalName"], display_name=u["displayName"],
                     usage_location=u["usageLocation"]) for u in existing[::24]][:50]
    assert len(declared) == 50
    emu.clear_requests()
    run = playbook(str(PLAYBOOK), inventory=inventory(contoso={
        "partnercenter_customer_id": cid, "partnercenter_users": declared}))
    assert task_result(run, CONVERGE, "contoso")["summary"]["unchanged"] == 50
    counters = emu.counters()["by_route"]
    assert counters.get("token", 0) <= 1
    assert counters["list_users"] == math.ceil(1200 / 500) == 3
    assert all("filter" not in r["query"] for r in emu.requests(route="list_users"))
    assert emu.writes() == []


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


def test_each_failed_customer_is_said_once_in_the_role_variables(emu, playbook):
    """One failed task per customer, worded in the role's variables: an entry of the common list by its own index,
    an empty partnercenter_customer_domain as the cause of a UPN without domain, the purge limit as its role
    variable, a weak password that is literally "password" readable once masked; the summary says it covers the
    batch, and the recap rescues nothing."""
    cid = seed_contoso(emu, users=[seeded_user("ada"), seeded_user("temp1"), seeded_user("temp2")])
    ada = dict(user_principal_name=upn("ada"), display_name="Ada Tester", usage_location="US")
    new = dict(user_principal_name=upn("new"), display_name="New Tester", usage_location="US", password=PASSWORD)
    hosts = inventory(
        good={"partnercenter_customer_id": cid, "partnercenter_users": [ada]},
        weak={"partnercenter_customer_id": cid, "partnercenter_users": [dict(new, password="password")]},
        common={"partnercenter_customer_id": cid, "partnercenter_users": [ada, new], "partnercenter_users_common": [
            dict(new, user_principal_name=upn("ops"), usage_location="UK")]},
        bare={"partnercenter_customer_id": cid, "partnercenter_users": [ada], "partnercenter_users_common": [
            dict(new, user_principal_name="breakglass@{{ partnercenter_customer_domain }}")]},
        purging={"partnercenter_customer_id": cid, "partnercenter_users": [ada], "partnercenter_users_purge": True,
                 "partnercenter_users_purge_limit": 1, "partnercenter_users_purge_max_percent": 100},
    )
    run = playbook(str(PLAYBOOK), inventory=hosts, check=True, expect_rc=2)

    failing = ("weak", "common", "bare", "purging")
    failed = [(r["host"], r["task"]) for r in run.results if r["failed"]]
    assert sorted(failed) == sorted((host, "csp.partnercenter.customer_users : " + CONVERGE) for host in failing), failed
    for host in failing:
        assert run.stats[host]["failures"] == 1 and run.stats[host]["rescued"] == 0, run.stats[host]
        converge = task_result(run, CONVERGE, host)
        assert converge["converge_failed"] is True and converge["failed"] is True
    assert run.stdout.count("fatal: [") == 4, run.stdout
    # A failed customer's converge is its last task: no second task says it (nor runs for the customers that
    # converged); the argument check and the batch's plan before it aside, the converge is each customer's one task.
    for host in failing:
        assert [r["task"] for r in run.results if r["host"] == host and "Validating" not in r["task"]
                and "Plan the batch" not in r["task"]] == [
            "csp.partnercenter.customer_users : " + CONVERGE], [(r["host"], r["task"]) for r in run.results]
    messages = dict((host, task_result(run, CONVERGE, host)["msg"]) for host in failing)

    assert messages["common"].startswith("common: partnercenter_users_common[0] (%s).usage_location: UK is not an "
                                         "ISO 3166-1 country code; did you mean GB?" % upn("ops")), messages["common"]
    assert messages["bare"].startswith(
        "bare: partnercenter_users_common[0] (breakglass@).user_principal_name: ends with @ and no domain, and "
        "partnercenter_customer_domain is empty on this host"), messages["bare"]
    purging = messages["purging"]
    assert purging.startswith("purging: partnercenter_users_purge_limit: purge would soft-delete 2 users, more than "
                              "partnercenter_users_purge_limit (1)"), purging
    assert "raise partnercenter_users_purge_limit" in purging and " purge_limit" not in purging
    assert "partnercenter_users_purge_exclude" in purging
    # ansible-core masks the password "password" wherever it occurs, inside other text too (the option's name):
    # the rule still reads.  (The simulated marker of test_masking_simulated replaces only whole values.)
    assert "password" not in messages["weak"]
    assert messages["weak"].startswith("weak: partnercenter_users[0] (%s)." % upn("new")), messages["weak"]
    assert messages["weak"].endswith(": its value (not shown) must hold at least three of: lower-case letters, "
                                     "upper-case letters, digits, symbols (Entra ID's sign-in rules)"), messages["weak"]

    (summary,) = [r for r in run.results if r["task"].endswith(
        "Summarise every customer of this batch (one message for all its hosts)")]
    assert list(summary["result"]["msg"]) == ["good"]
    assert emu.writes() == []
