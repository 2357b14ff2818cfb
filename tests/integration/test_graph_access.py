# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The collection's access to Microsoft Graph in each customer tenant: a token per customer (and missing consent
told before anything is sent), each token only to its own audience, next links followed on graph_url only, the
partner's GDAP roles read from the token's wids (partnercenter_auth_info), and the Graph fields and groups of
partnercenter_user_info."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from contoso import seeded_user, upn
from plays import play, task

pytestmark = pytest.mark.uses_graph

CONSENT_MODULE = "csp.partnercenter.partnercenter_application_consent"


def seed(emu, name="Contoso", roles="all", consented=True, **extra):
    raw = {"companyName": name, "domain": "%s.onmicrosoft.com" % name.lower(), "gdapRoles": roles}
    if consented:
        raw["consentedApplications"] = True
    raw.update(extra)
    return emu.seed([raw])[0]["id"]


def graph_requests(emu):
    return [r for r in emu.requests() if r.get("api") == "graph"]


def token_requests(emu):
    return [(r["tenant"], r["status"]) for r in emu.requests(route="token")]


def test_auth_info_reads_the_gdap_roles_of_each_customer_from_its_token(emu, playbook):
    admins = seed(emu, "Admins", roles=["User Administrator", "Groups Administrator"])
    readers = seed(emu, "Readers", roles=["Directory Readers"])
    unconsented = seed(emu, "Later", roles=["User Administrator"], consented=False)
    emu.clear_requests()
    run = playbook(play(task("partnercenter_auth_info", name="auth", graph=True,
                             customer_ids=[admins, readers, unconsented])))
    customers = dict((c["customer_id"], c) for c in run.result("auth")["result"]["customers"])
    assert customers[admins]["graph"]["consented"] is True
    assert customers[admins]["graph"]["roles"] == ["Groups Administrator", "User Administrator"]
    assert customers[admins]["graph"]["mfa"] is True and "User.ReadWrite.All" in customers[admins]["graph"]["scopes"]
    ops = customers[admins]["operations"]
    assert ops["create_users"] == ops["update_user_details"] == ops["change_group_memberships"] == "allowed"
    assert ops["change_directory_roles"] == "denied"
    assert customers[admins]["needs"]["change_directory_roles"] == ["Privileged Role Administrator"]
    ops = customers[readers]["operations"]
    assert customers[readers]["graph"]["roles"] == ["Directory Readers"]
    assert ops["read_users"] == "allowed" and ops["create_users"] == ops["update_user_details"] == "denied"
    assert "User Administrator" in customers[readers]["needs"]["update_user_details"]
    later = customers[unconsented]
    assert later["graph"]["consented"] is False and later["graph"]["roles"] is None
    assert CONSENT_MODULE in later["graph"]["error"] and later["operations"]["create_users"] == "unknown"
    # One token per customer tenant besides the partner's, and no Graph call: the roles come from the token.
    assert sorted(token_requests(emu)) == sorted([(emu.tenant_id, 200), (admins, 200), (readers, 200),
                                                  (unconsented, 400)])
    assert graph_requests(emu) == [] and emu.writes() == []


def test_user_info_returns_graph_fields_and_groups_each_token_to_its_own_audience(emu, playbook):
    cid = seed(emu, users=[
        seeded_user("ada", jobTitle="CFO", department="Finance"),
        seeded_user("bob", jobTitle="Accountant", department="Finance", officeLocation="B2", companyName="Contoso",
                    employeeId="4711", mobilePhone="+1 555 0100", businessPhones=["+1 555 0101"],
                    manager=upn("ada")),
        seeded_user("cat", accountEnabled=False)],
        groups=[{"displayName": "Finance", "members": [upn("ada"), upn("bob")]},
                {"displayName": "All staff", "members": [upn("bob")]}])
    emu.clear_requests()
    run = playbook(play(
        task("partnercenter_user_info", name="all", customer_id=cid, include=["graph", "groups"]),
        task("partnercenter_user_info", name="one", customer_id=cid, user_principal_name=upn("bob"),
             include=["graph"])))
    users = dict((u["user_principal_name"], u) for u in run.result("all")["result"]["users"])
    bob = users[upn("bob")]
    assert (bob["job_title"], bob["department"], bob["office_location"], bob["company_name"], bob["employee_id"],
            bob["mobile_phone"], bob["business_phones"], bob["account_enabled"], bob["manager"]) == (
        "Accountant", "Finance", "B2", "Contoso", "4711", "+1 555 0100", ["+1 555 0101"], True, upn("ada"))
    assert [g["display_name"] for g in bob["groups"]] == ["All staff", "Finance"]
    assert users[upn("ada")]["manager"] is None and users[upn("ada")]["job_title"] == "CFO"
    assert users[upn("cat")]["account_enabled"] is False and users[upn("cat")]["groups"] == []
    (one,) = run.result("one")["result"]["users"]
    assert one["job_title"] == "Accountant" and one["manager"] == upn("ada") and "groups" not in one

    graph = graph_requests(emu)
    # The first task: one listing of the users and one memberOf per user; the second: one read of Bob.
    assert [r["route"] for r in graph].count("graph_list_users") == 1
    assert [r["route"] for r in graph].count("graph_list_member_of") == 3
    assert [r["route"] for r in graph].count("graph_get_user") == 1
    assert len(graph) == 5
    # Each token went to its own audience: the emulator refuses a token of the other audience with 401, and
    # every Graph request came with a token of the customer's tenant.
    assert all(r["status"] == 200 and r["tenant"] == cid for r in graph)
    assert all(r["status"] == 200 for r in emu.requests() if r.get("api") == "partner_center")
    assert sorted(token_requests(emu)) == sorted([(cid, 200), (emu.tenant_id, 200)])  # cached for the second task
    assert emu.writes() == []


def test_missing_consent_fails_naming_the_module_before_any_graph_request(emu, playbook):
    cid = seed(emu, consented=False, users=[seeded_user("ada")])
    emu.clear_requests()
    run = playbook(play(task("partnercenter_user_info", name="info", customer_id=cid, include=["groups"],
                             ignore_errors=True)))
    result = run.result("info")["result"]
    assert result["failed"] and cid in result["msg"] and CONSENT_MODULE in result["msg"]
    assert result["error"]["fault"] == "consent missing"
    assert graph_requests(emu) == [] and emu.writes() == []
    assert (cid, 400) in token_requests(emu)


def test_a_next_link_to_another_host_is_not_followed(emu, playbook):
    cid = seed(emu, users=[seeded_user("ada"), seeded_user("bob")])
    page = {"value": [{"id": "00000000-0000-0000-0000-000000000001", "userPrincipalName": upn("ada")}],
            "@odata.nextLink": "https://graph.attacker.example/v1.0/users?$skiptoken=stolen"}
    emu.faults([{"route": "graph_list_users", "kind": "status", "status": 200, "body": json.dumps(page),
                 "content_type": "application/json"}])
    emu.clear_requests()
    run = playbook(play(task("partnercenter_user_info", name="info", customer_id=cid, include=["graph"],
                             ignore_errors=True)))
    result = run.result("info")["result"]
    assert result["failed"] and "graph.attacker.example" in result["msg"] and "graph_url" in result["msg"]
    assert "stolen" not in result["msg"] and result["error"]["fault"] == "foreign next link"
    assert [r["route"] for r in graph_requests(emu)] == ["graph_list_users"]  # nothing sent to the link


def test_app_only_credentials_are_refused_for_graph_before_any_request(emu, playbook):
    cid = seed(emu, users=[seeded_user("ada")])
    emu.clear_requests()
    run = playbook(play(task("partnercenter_auth_info", name="auth", graph=True, customer_ids=[cid])),
                   env={"PARTNERCENTER_REFRESH_TOKEN": ""})
    (probed,) = run.result("auth")["result"]["customers"]
    assert probed["graph"]["consented"] is None and "App+User" in probed["graph"]["error"]
    assert cid in probed["graph"]["error"] and probed["operations"]["update_user_details"] == "unknown"
    assert graph_requests(emu) == [] and [t for t, _status in token_requests(emu) if t == cid] == []
