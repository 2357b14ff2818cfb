# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""partnercenter_user's Graph options (issue 28): onboarding and offboarding through Microsoft Graph in the customer's
tenant, the groups Graph cannot change refused before any write, consent, and GDAP roles, with assertions on the
emulator's state and request log."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from pathlib import Path

import pytest

from contoso import CONTOSO, person, seeded_user, upn, users_task
from plays import play, task

# Run against the emulator's default and entra profiles; these tasks call Microsoft Graph (conftest.py).
pytestmark = [pytest.mark.both_profiles, pytest.mark.uses_graph]

GRAPH_READS = ("graph_list_users", "graph_list_groups", "graph_get_group", "graph_list_group_members",
               "graph_list_member_of")
NO_CACHE = {"PARTNERCENTER_TOKEN_CACHE": "false"}
PROVISION = Path(__file__).resolve().parents[2] / "playbooks" / "provision_customers.yml"


def seed(emu, users=(), groups=(), **extra):
    customer = dict(CONTOSO, users=list(users), groups=list(groups), **extra)
    customer.setdefault("consentedApplications", True)
    customer_id = emu.seed([customer])[0]["id"]
    emu.clear_requests()
    return customer_id


def customer_state(emu, customer_id):
    return emu.state(customer=customer_id)["customers"][0]


def user_state(emu, customer_id, name):
    return [u for u in customer_state(emu, customer_id)["users"] if u["userPrincipalName"] == upn(name)][0]


def members(emu, customer_id):
    """Group display name -> the UPNs of its members, from the emulator's state."""
    state = customer_state(emu, customer_id)
    names = dict((u["id"], u["userPrincipalName"]) for u in state["users"])
    return dict((g["displayName"], sorted(names.get(m, m) for m in g["members"])) for g in state["groups"])


def graph_requests(emu):
    return [r for r in emu.requests() if r.get("api") == "graph"]


def graph_writes(emu):
    return [r for r in graph_requests(emu) if r["method"] != "GET"]


def customer_tokens(emu, customer_id):
    """Token requests made for the customer's tenant (Graph's), as opposed to the partner's."""
    return [r for r in emu.requests(route="token") if (r.get("tenant") or "").lower() == customer_id]


def test_onboarding_a_new_user_with_details_a_new_manager_and_two_groups_check_real_check_real(emu, playbook):
    customer_id = seed(emu, groups=[{"displayName": "Engineering"}, {"displayName": "All Staff"}])
    grace = person("grace")
    ada = person("ada", job_title="Engineer", department="R&D", manager=upn("grace"),
                 groups=["Engineering", "all staff"])
    onboard = play(users_task(customer_id, [ada, grace]))

    checked = playbook(onboard, check=True, diff=True).result("users")["result"]
    assert checked["changed"] and checked["summary"]["created"] == 2 and emu.writes() == []
    after = checked["diff"]["after"][upn("ada")]
    assert after["job_title"] == "Engineer" and after["department"] == "R&D" and after["manager"] == upn("grace")
    assert after["groups"] == ["All Staff", "Engineering"]
    assert sorted(r["route"] for r in graph_requests(emu)) == [
        "graph_list_group_members", "graph_list_group_members", "graph_list_groups", "graph_list_groups",
        "graph_list_users"]

    emu.clear_requests()
    real = playbook(onboard, diff=True).result("users")["result"]
    assert real["changed"] and [u["action"] for u in real["users"]] == ["created", "created"]
    ada_state, grace_state = user_state(emu, customer_id, "ada"), user_state(emu, customer_id, "grace")
    assert ada_state["jobTitle"] == "Engineer" and ada_state["department"] == "R&D"
    assert ada_state["manager"] == grace_state["id"]
    assert members(emu, customer_id) == {"Engineering": [upn("ada")], "All Staff": [upn("ada")]}
    assert real["users"][0]["manager"] == upn("grace") and real["users"][0]["groups"] == ["All Staff", "Engineering"]
    # The manager is set after its create: Partner Center's creates come first, Graph's writes after them.
    creates = [r["seq"] for r in emu.requests(route="create_user")]
    assert max(creates) < min(r["seq"] for r in graph_writes(emu))

    emu.clear_requests()
    rechecked = playbook(onboard, check=True, diff=True).result("users")["result"]
    assert not rechecked["changed"] and rechecked["diff"] == {"before": {}, "after": {}}

    emu.clear_requests()
    again = playbook(onboard, env=NO_CACHE).result("users")["result"]
    assert not again["changed"] and again["summary"]["unchanged"] == 2 and emu.writes() == []
    assert sorted(r["route"] for r in graph_requests(emu)) == [
        "graph_list_group_members", "graph_list_group_members", "graph_list_groups", "graph_list_groups",
        "graph_list_users"]
    listing = emu.requests(route="graph_list_users")[0]["query"]
    assert listing.get("$top") in ("999", ["999"]) and "manager" in str(listing.get("$expand"))
    assert "jobTitle" in str(listing.get("$select")) and "officeLocation" not in str(listing.get("$select"))
    assert len(customer_tokens(emu, customer_id)) == 1


def test_offboarding_blocks_sign_in_revokes_the_sessions_once_and_removes_the_memberships(emu, playbook):
    bob = seeded_user("bob", accountEnabled=True)
    customer_id = seed(emu, users=[bob], groups=[
        {"displayName": "Engineering", "members": [upn("bob")]},
        {"displayName": "All Staff", "members": [upn("bob")]},
        {"displayName": "Everyone", "kind": "dynamic", "members": [upn("bob")]}])
    offboard = play(task("partnercenter_user", name="offboard", customer_id=customer_id, upn=upn("bob"),
                         account_enabled=False, groups={"set": []}))

    result = playbook(offboard, diff=True).result("offboard")["result"]
    assert result["changed"] and result["diff"]["after"]["account_enabled"] is False
    assert result["diff"]["after"]["sessions_revoked"] is True
    assert result["diff"]["before"]["groups"] == ["All Staff", "Engineering", "Everyone"]
    assert result["diff"]["after"]["groups"] == ["Everyone"]
    assert any("Everyone" in w and "dynamic membership" in w for w in result.get("warnings", []))
    assert user_state(emu, customer_id, "bob")["accountEnabled"] is False
    state = customer_state(emu, customer_id)
    assert [r["userPrincipalName"] for r in state["revocations"]] == [upn("bob")]
    assert members(emu, customer_id) == {"Engineering": [], "All Staff": [], "Everyone": [upn("bob")]}

    emu.clear_requests()
    rerun = playbook(offboard).result("offboard")["result"]
    assert not rerun["changed"] and emu.writes() == []
    assert len(customer_state(emu, customer_id)["revocations"]) == 1


def test_a_dynamic_a_synchronised_group_and_an_ambiguous_name_are_each_refused_before_any_write(emu, playbook):
    customer_id = seed(emu, users=[seeded_user("bob")], groups=[
        {"displayName": "Everyone", "kind": "dynamic"}, {"displayName": "HQ", "kind": "synced"},
        {"displayName": "Sales"}, {"displayName": "sales"}, {"displayName": "Engineering"}])
    tasks = [task("partnercenter_user", name=name, ignore_errors=True, customer_id=customer_id, upn=upn("bob"),
                  job_title="Engineer", groups=["Engineering", group])
             for name, group in (("dynamic", "Everyone"), ("synced", "HQ"), ("ambiguous", "Sales"))]
    run = playbook(play(*tasks))
    messages = dict((name, run.result(name)["result"]["msg"]) for name in ("dynamic", "synced", "ambiguous"))
    assert "'Everyone'" in messages["dynamic"] and "dynamic membership" in messages["dynamic"]
    assert "'HQ'" in messages["synced"] and "synchronised from on-premises" in messages["synced"]
    assert "2 groups of this customer are named 'Sales'" in messages["ambiguous"]
    assert all("groups.add[1]" in m and "Nothing was changed" in m for m in messages.values())
    assert emu.writes() == [] and user_state(emu, customer_id, "bob")["jobTitle"] is None


def test_without_consent_the_task_names_the_consent_module_and_after_it_converges(emu, playbook):
    customer_id = seed(emu, users=[seeded_user("bob")], groups=[{"displayName": "Engineering"}],
                       consentedApplications=False)
    converge = task("partnercenter_user", name="converge", customer_id=customer_id, upn=upn("bob"),
                    department="R&D", groups=["Engineering"])

    failed = playbook(play(converge), expect_rc=2).result("converge")["result"]
    assert "partnercenter_application_consent" in failed["msg"] and customer_id in failed["msg"]
    assert emu.writes() == [] and graph_requests(emu) == []

    run = playbook(play(task("partnercenter_application_consent", name="consent", customer_id=customer_id),
                        converge))
    assert run.result("consent")["result"]["changed"] and run.result("converge")["result"]["changed"]
    assert user_state(emu, customer_id, "bob")["department"] == "R&D"
    assert members(emu, customer_id) == {"Engineering": [upn("bob")]}


def test_without_groups_and_user_administrator_memberships_are_refused_naming_them_and_the_rest_converges(
        emu, playbook):
    customer_id = seed(emu, users=[seeded_user("bob")], groups=[{"displayName": "Engineering"}],
                       gdapRoles=["Directory Readers", "Privileged Authentication Administrator"])
    result = playbook(play(task("partnercenter_user", name="converge", customer_id=customer_id, upn=upn("bob"),
                                department="R&D", groups=["Engineering"])), expect_rc=2).result("converge")["result"]
    assert "Groups Administrator" in result["msg"] and "User Administrator" in result["msg"]
    assert result["error"]["status"] == 403
    assert user_state(emu, customer_id, "bob")["department"] == "R&D"
    assert members(emu, customer_id) == {"Engineering": []}
    assert [r["route"] for r in graph_writes(emu)] == ["graph_update_user", "graph_add_group_member"]


def test_the_role_takes_the_graph_options_as_user_keys_common_entries_included(emu, playbook):
    customer_id = seed(emu, users=[seeded_user("bob")], groups=[{"displayName": "All Staff"}])
    ada = person("ada", groups={"add": ["All Staff"]}, business_phones=["+1 555 0100"])
    ada["user_principal_name"] = ada.pop("upn")  # role argument specs have no aliases
    hosts = {"partnercenter_customers": {"hosts": {"contoso": {
        "partnercenter_customer_id": customer_id,
        "partnercenter_users": [{"user_principal_name": upn("bob"), "job_title": "Engineer", "manager": upn("ada")}],
        "partnercenter_users_common": [ada],
    }}}}
    playbook(str(PROVISION), inventory=hosts)
    bob, ada = user_state(emu, customer_id, "bob"), user_state(emu, customer_id, "ada")
    assert bob["jobTitle"] == "Engineer" and bob["manager"] == ada["id"]
    assert ada["businessPhones"] == ["+1 555 0100"] and members(emu, customer_id) == {"All Staff": [upn("ada")]}
    emu.clear_requests()
    playbook(str(PROVISION), inventory=hosts)
    assert emu.writes() == []
