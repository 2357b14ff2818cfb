# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""state: offboarded (issue 29): access taken away, account kept, and a record that gives it back.

Check -> real -> check -> real: roles and licenses removed and the password replaced (never shown), the
user kept active, a rerun writing nothing; the record pasted back as the user's entry re-activates it
exactly (the same roles, the same SKUs with the same disabled plans); the run report holds the record.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from catalogue import BILLING, E3, MINECRAFT
from contoso import seed_contoso, seeded_user, upn, users_task
from fleet import load_report, report_env
from plays import play

EXCHANGE_ADMIN = "29232cdf-9323-42fd-ade2-1d097af3e4de"  # not a privileged role
TEAMS = "57ff2da0-773e-42df-b2af-ffb7a2317929"
# E3 with a known Teams plan id, so a seeded license can have it disabled.
E3_KNOWN = dict(E3, servicePlans=[dict(E3["servicePlans"][0], id=TEAMS)] + E3["servicePlans"][1:])


@pytest.fixture
def customer(emu):
    return seed_contoso(emu, subscribedSkus=[E3_KNOWN, MINECRAFT], users=[
        seeded_user("jane", directoryRoles=[BILLING, EXCHANGE_ADMIN],
                    licenses=[{"sku": "SPE_E3", "excludedPlans": [TEAMS]}, "MEE_STUDENT"]),
        seeded_user("bob")])


def jane_in(emu, cid):
    (jane,) = [u for u in emu.users(cid) if u["userPrincipalName"] == upn("jane")]
    return jane


def converge(cid, *entries):
    # The emulator does not serve Graph's users and groups yet: Partner Center's part of offboarding only.
    return play(users_task(cid, [dict(upn=upn("bob"))] + list(entries), name="users", offboard_with_graph=False))


def test_offboarding_takes_access_away_keeps_the_user_and_its_record_gives_it_back(emu, playbook, customer, tmp_path):
    before = jane_in(emu, customer)
    offboard = converge(customer, dict(upn=upn("jane"), state="offboarded"))

    predicted = playbook(offboard, check=True, diff=True).result("users")["result"]
    assert emu.writes() == []
    (entry,) = [u for u in predicted["users"] if u["user_principal_name"] == upn("jane")]
    assert entry["action"] == "offboarded" and predicted["summary"]["offboarded"] == 1
    exchange = [r for r in ("Exchange Administrator", "Exchange Service Administrator")
                if r in entry["offboarding"]["removed"]["directory_roles"]]  # the profile's name for it
    removed = {"directory_roles": ["Billing Administrator"] + exchange,
               "licenses": [{"sku": "MEE_STUDENT", "disabled_plans": []},
                            {"sku": "SPE_E3", "disabled_plans": ["TEAMS1"]}]}
    assert entry["offboarding"]["removed"] == removed
    diff = predicted["diff"]
    assert diff["before"][upn("jane")] == removed
    assert diff["after"][upn("jane")] == {"directory_roles": [], "licenses": [], "password": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"}

    run = playbook(offboard, diff=True, env=report_env(tmp_path / "real"))
    result = run.result("users")["result"]
    (entry,) = [u for u in result["users"] if u["user_principal_name"] == upn("jane")]
    assert entry["action"] == "offboarded" and entry["offboarding"]["removed"] == removed
    jane = jane_in(emu, customer)
    assert jane["state"] == "active" and jane["id"] == before["id"]  # kept, not deleted
    assert jane["directoryRoles"] == [] and jane["licenses"] == []
    assert jane["passwordChanges"] == before["passwordChanges"] + 1 and jane["forceChangePassword"] is True
    assert jane["passwordSha256"] != before["passwordSha256"]
    assert sorted(w["route"] for w in emu.writes()) == [
        "remove_role_member", "remove_role_member", "reset_password", "update_user_licenses", "update_user_licenses"]
    # The run report records what was removed, as the entry that gives it back.
    report, markdown = load_report(tmp_path / "real")
    (change,) = [c for cust in report["customers"] for c in cust["changes"]]
    assert change["action"] == "offboarded" and change["offboarding"] == entry["offboarding"]
    assert "Offboarded %s" % upn("jane").replace("_", "\\_") in markdown and "- user_principal_name: " in markdown

    emu.clear_requests()
    assert playbook(offboard, check=True).result("users")["result"]["changed"] is False
    again = playbook(offboard).result("users")["result"]
    assert again["changed"] is False and again["summary"]["unchanged"] == 2 and emu.writes() == []

    # Pasted back: the same roles, the same SKUs with the same disabled plans.
    reactivate = entry["offboarding"]["reactivate"]
    assert reactivate["state"] == "present" and reactivate["user_principal_name"] == upn("jane")
    back = converge(customer, reactivate)
    emu.clear_requests()
    assert playbook(back, check=True).result("users")["result"]["summary"]["updated"] == 1
    assert emu.writes() == []
    assert playbook(back).result("users")["result"]["users"][1]["action"] == "updated"
    jane = jane_in(emu, customer)
    assert sorted(jane["directoryRoles"]) == sorted(before["directoryRoles"])
    assert sorted(jane["licenses"], key=str) == sorted(before["licenses"], key=str)
    emu.clear_requests()
    assert playbook(back).result("users")["result"]["changed"] is False and emu.writes() == []


@pytest.mark.uses_graph
def test_offboarding_through_graph_blocks_sign_in_revokes_once_removes_groups_and_is_given_back(emu, playbook):
    cid = seed_contoso(emu, subscribedSkus=[E3_KNOWN], consentedApplications=True, users=[
        seeded_user("jane", directoryRoles=[BILLING], licenses=[{"sku": "SPE_E3", "excludedPlans": [TEAMS]}]),
        seeded_user("bob")], groups=[{"displayName": "Sales", "members": [upn("jane")]},
                                     {"displayName": "Everyone", "kind": "dynamic", "members": [upn("jane")]}])
    before = jane_in(emu, cid)
    offboard = play(users_task(cid, [dict(upn=upn("bob")), dict(upn=upn("jane"), state="offboarded")], name="users"))

    predicted = playbook(offboard, check=True, diff=True).result("users")["result"]
    assert emu.writes() == [] and predicted["users"][1]["action"] == "offboarded"
    record = predicted["users"][1]["offboarding"]
    assert record["removed"]["groups"] == ["Sales"] and record["reactivate"]["account_enabled"] is True
    assert predicted["diff"]["after"][upn("jane")]["sessions_revoked"] is True

    result = playbook(offboard).result("users")["result"]
    assert result["users"][1]["offboarding"] == record
    assert any("Everyone" in w for w in result.get("warnings", []))  # dynamic: left, and said
    state = emu.state(customer=cid)["customers"][0]
    jane = jane_in(emu, cid)
    assert jane["accountEnabled"] is False and jane["directoryRoles"] == [] and jane["licenses"] == []
    assert jane["passwordChanges"] == before["passwordChanges"] + 1 and jane["state"] == "active"
    assert [r["userPrincipalName"] for r in state["revocations"]] == [upn("jane")]
    assert dict((g["displayName"], len(g["members"])) for g in state["groups"]) == {"Sales": 0, "Everyone": 1}

    emu.clear_requests()
    assert playbook(offboard).result("users")["result"]["changed"] is False and emu.writes() == []

    back = play(users_task(cid, [dict(upn=upn("bob")), record["reactivate"]], name="users"))
    assert playbook(back).result("users")["result"]["users"][1]["action"] == "updated"
    state = emu.state(customer=cid)["customers"][0]
    jane = jane_in(emu, cid)
    assert jane["accountEnabled"] is True and jane["directoryRoles"] == before["directoryRoles"]
    assert jane["licenses"] == before["licenses"] and len(state["revocations"]) == 1
    assert dict((g["displayName"], len(g["members"])) for g in state["groups"]) == {"Sales": 1, "Everyone": 1}
    emu.clear_requests()
    assert playbook(back).result("users")["result"]["changed"] is False and emu.writes() == []
