# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Each way Entra ID may answer behind Partner Center (the emulator's entra variants), one at a time.

The suites marked both_profiles run with all of them at once; here each variant gets a test that
fails without the collection's handling of it.  Evidence for each: the emulator's README,
"Entra variants and the entra profile", and the reference's section 10.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from catalogue import E3, HELPDESK
from contoso import person, seed_contoso, upn, users_task
from plays import PASSWORD, OTHER_PASSWORD, jane, play, user_play


def state_of(emu, cid, name):
    users = [u for u in emu.users(cid) if u["userPrincipalName"].lower().endswith(upn(name))]
    assert len(users) == 1, users
    return users[0]


def seeded(name, **extra):
    user = {"userPrincipalName": upn(name), "displayName": name.capitalize(), "usageLocation": "US",
            "password": PASSWORD}
    user.update(extra)
    return user


def test_1_a_role_member_already_present_answered_400_is_a_member(emu, playbook):
    cid = seed_contoso(emu, users=[seeded("ann")])
    emu.config(role_member_conflict_status=400)
    emu.faults([{"route": "add_role_member", "kind": "commit_then_reset", "times": 1}])
    result = playbook(user_play(customer_id=cid, upn=upn("ann"), directory_roles={"add": [HELPDESK]})) \
        .result("user")["result"]
    assert result["action"] == "updated" and state_of(emu, cid, "ann")["directoryRoles"] == [HELPDESK]
    assert [r["status"] for r in emu.requests(route="add_role_member")] == [None, 400]


def test_2_a_proxy_address_conflict_is_that_users_failure_never_the_user_exists(emu, playbook):
    cid = seed_contoso(emu, customDomains=["contoso.example"], users=[seeded("ann")])
    emu.config(proxy_address_conflicts=True)
    run = playbook(play(users_task(cid, [person("ann", upn="ann@contoso.example"), person("bob")],
                                   ignore_errors=True)))
    result = run.result("users")["result"]
    assert [u["action"] for u in result["users"]] == ["failed", "created"]
    assert "proxyAddresses" in result["failed_users"][0]["msg"]
    assert len(emu.requests(route="create_user")) == 2  # no look-up-and-retry as if it existed


def test_3_a_409_in_progress_is_retried(emu, playbook):
    cid = seed_contoso(emu)
    emu.faults([{"route": "create_user", "kind": "in_progress", "times": 2}])
    assert playbook(user_play(**jane(cid))).result("user")["result"]["action"] == "created"
    assert [r["status"] for r in emu.requests(route="create_user")] == [409, 409, 201]
    assert len(emu.users(cid)) == 1


def test_4_a_deleted_user_listed_under_a_prefixed_upn_is_restored_and_a_new_holder_wins(emu, playbook):
    cid = seed_contoso(emu, users=[seeded("ann", state="inactive", softDeletionTime="2026-11-20T00:00:00Z")])
    emu.config(deleted_upn_style="prefixed")
    result = playbook(user_play(**jane(cid, user_principal_name=upn("ann")))).result("user")["result"]
    assert result["action"] == "restored" and result["user"]["user_principal_name"] == upn("ann")
    assert state_of(emu, cid, "ann")["state"] == "active"
    # a soft-deleted bob whose UPN a new active bob took: the active one is the match, nothing restored
    emu.seed([{"id": cid, "users": [seeded("bob", state="inactive", softDeletionTime="2026-11-20T00:00:00Z")]}])
    playbook(user_play(**jane(cid, user_principal_name=upn("bob"))))  # created anew: Entra freed the UPN
    emu.clear_requests()
    again = playbook(user_play(**jane(cid, user_principal_name=upn("bob")))).result("user")["result"]
    assert again["action"] == "unchanged" and emu.writes() == []


def test_6_passwords_only_through_resetpassword(emu, playbook):
    cid = seed_contoso(emu, users=[seeded("ann", state="inactive", softDeletionTime="2026-11-20T00:00:00Z"),
                                   seeded("bob")])
    emu.config(password_reset_route="resetpassword")
    run = playbook(play(
        users_task(cid, [person("ann"), person("bob", password=OTHER_PASSWORD, update_password="always")]),
    ))
    result = run.result("users")["result"]
    assert [u["action"] for u in result["users"]] == ["restored", "updated"]
    assert state_of(emu, cid, "ann")["state"] == "active" and state_of(emu, cid, "ann")["passwordChanges"] >= 1
    assert [r["route"] for r in emu.writes()].count("reset_password") == 2


def test_7_licenses_listed_with_every_plan_and_status_are_not_reassigned(emu, playbook):
    sku = dict(E3, servicePlans=E3["servicePlans"] + [{"serviceName": "EXCHANGE_S_FOUNDATION",
                                                       "displayName": "Exchange Foundation",
                                                       "targetType": "Tenant"}])
    cid = seed_contoso(emu, subscribedSkus=[sku], users=[seeded("ann")])
    converge = user_play(customer_id=cid, upn=upn("ann"),
                         licenses={"add": [{"sku": "SPE_E3", "disabled_plans": ["TEAMS1"]}]})
    for listing in ("all_with_status", "with_tenant_plans"):
        emu.config(license_plan_listing=listing)
        playbook(converge)
        emu.clear_requests()
        result = playbook(converge).result("user")["result"]
        assert result["changed"] is False and emu.writes() == [], listing


def test_8_lean_bodies_and_license_warnings(emu, playbook):
    cid = seed_contoso(emu, subscribedSkus=[E3])
    emu.config(lean_bodies=True, license_warning="Teams is not available in this region")
    run = playbook(user_play(licenses={"add": ["SPE_E3"]}, **jane(cid)))
    result = run.result("user")["result"]
    assert result["action"] == "created"
    assert any("Teams is not available in this region" in w for w in result["warnings"])
    emu.clear_requests()
    assert playbook(user_play(licenses={"add": ["SPE_E3"]}, **jane(cid))).result("user")["result"]["changed"] is False


EMPTY_LISTING = {"route": "list_users", "kind": "status", "status": 200, "times": 1,
                 "content_type": "application/json",
                 "body": '{"totalCount": 0, "items": [], "attributes": {"objectType": "Collection"}}'}


def test_10_a_duplicate_upn_answered_400_is_the_user_exists(emu, playbook):
    cid = seed_contoso(emu, users=[seeded("jane", displayName="Jane Doe", firstName="Jane", lastName="Doe")])
    emu.config(duplicate_upn_status=400)
    emu.faults([EMPTY_LISTING])  # the planning listing misses jane, as a lagging replica would
    result = playbook(user_play(**jane(cid))).result("user")["result"]
    assert result["action"] == "unchanged"
    assert [r["status"] for r in emu.requests(route="create_user")] == [400]
    assert len(emu.users(cid)) == 1
