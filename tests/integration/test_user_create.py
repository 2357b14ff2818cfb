# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""partnercenter_user: create only when the UPN is missing, restore, check and diff mode (issue: foundation)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from catalogue import BILLING, E3, HELPDESK, VISIO
from contoso import seed_contoso, seeded_user, state_of, upn
from plays import PASSWORD, jane, user_play
from profiles import restore_writes, users_known_as

# Tests that reach Partner Center run against the emulator's default and entra profiles (conftest.py): a failure
# names the profile.  Those refused before any request have nothing the profile could change.
BOTH_PROFILES = pytest.mark.both_profiles

CONTOSO = {"companyName": "Contoso", "domain": "contoso.onmicrosoft.com"}


@pytest.fixture
def customer(emu):
    return emu.seed([dict(CONTOSO)])[0]["id"]


def find(emu, customer_id, upn, state=None):
    """The user objects known by ``upn``: a deleted one may be listed under Entra's prefixed form (profiles.py)."""
    return users_known_as(emu, customer_id, upn, state=state)


@BOTH_PROFILES
def test_create_check_real_check_real(emu, playbook, customer):
    # check mode: predicts the create, writes nothing
    run = playbook(user_play(**jane(customer)), check=True, diff=True)
    result = run.result("user")["result"]
    assert result["changed"] is True and result["action"] == "created"
    assert result["user"]["user_principal_name"] == "jane@contoso.onmicrosoft.com"
    assert result["diff"]["before"] == {} and result["diff"]["after"]["display_name"] == "Jane Doe"
    assert emu.writes() == []
    assert find(emu, customer, "jane@contoso.onmicrosoft.com") == []
    assert PASSWORD not in run.stdout + run.stderr

    # real run: one POST, and the user exists with the declared fields
    emu.clear_requests()
    run = playbook(user_play(**jane(customer)), diff=True)
    result = run.result("user")["result"]
    assert result["changed"] is True and result["action"] == "created"
    assert "password_profile" not in result["user"] and "passwordProfile" not in repr(result)
    assert PASSWORD not in run.stdout + run.stderr + repr(run.results)
    writes = emu.writes()
    assert [(w["method"], w["route"]) for w in writes] == [("POST", "create_user")]
    body = writes[0]["body"]
    assert body["userPrincipalName"] == "jane@contoso.onmicrosoft.com" and body["usageLocation"] == "US"
    assert body["passwordProfile"]["forceChangePassword"] is True
    (user,) = find(emu, customer, "jane@contoso.onmicrosoft.com")
    assert (user["firstName"], user["lastName"], user["displayName"], user["usageLocation"], user["state"]) == \
        ("Jane", "Doe", "Jane Doe", "US", "active")
    assert result["user"]["id"] == user["id"]

    # check mode again: nothing to do
    emu.clear_requests()
    run = playbook(user_play(**jane(customer)), check=True)
    assert run.result("user")["result"]["changed"] is False
    assert run.result("user")["result"]["action"] == "unchanged"

    # real run again: ok, and no write request at all
    run = playbook(user_play(**jane(customer)), diff=True)
    result = run.result("user")["result"]
    assert result["changed"] is False and result["action"] == "unchanged"
    assert result["user"]["id"] == user["id"]
    assert emu.writes() == []
    assert len(find(emu, customer, "jane@contoso.onmicrosoft.com")) == 1


@BOTH_PROFILES
def test_upn_in_other_letter_case_is_the_same_user(emu, playbook):
    customer = emu.seed([dict(CONTOSO, users=[{
        "userPrincipalName": "Jane@Contoso.onmicrosoft.com", "firstName": "Jane", "lastName": "Doe",
        "displayName": "Jane Doe", "usageLocation": "US", "password": PASSWORD}])])[0]["id"]
    emu.clear_requests()
    run = playbook(user_play(**jane(customer, user_principal_name="JANE@contoso.ONMICROSOFT.com")))
    result = run.result("user")["result"]
    assert result["changed"] is False and result["action"] == "unchanged"
    assert emu.writes() == []
    assert len(emu.users(customer)) == 1


@BOTH_PROFILES
def test_user_on_the_third_page_is_found(emu, playbook):
    cid = emu.seed([dict(CONTOSO, generate_users={"count": 1100, "prefix": "staff"})])[0]["id"]
    target = emu.users(cid)[1050]
    emu.clear_requests()
    run = playbook(user_play(customer_id=cid, user_principal_name=target["userPrincipalName"].upper()))
    result = run.result("user")["result"]
    assert result["changed"] is False and result["user"]["id"] == target["id"]
    lists = emu.requests(route="list_users")
    assert len(lists) == 3  # 500 + 500 + 100
    assert lists[0]["query"]["size"] == ["500"]
    assert emu.writes() == []


@BOTH_PROFILES
def test_soft_deleted_user_is_restored_not_recreated(emu, playbook):
    customer = emu.seed([dict(CONTOSO, users=[{
        "userPrincipalName": "jane@contoso.onmicrosoft.com", "firstName": "Jane", "lastName": "Doe",
        "displayName": "Jane Doe", "usageLocation": "US", "password": PASSWORD, "state": "inactive"}])])[0]["id"]
    (deleted,) = find(emu, customer, "jane@contoso.onmicrosoft.com", state="inactive")
    emu.clear_requests()

    run = playbook(user_play(**jane(customer)), check=True, diff=True)
    result = run.result("user")["result"]
    assert result["changed"] is True and result["action"] == "restored"
    assert result["diff"]["before"]["state"] == "inactive" and result["diff"]["after"]["state"] == "active"
    assert emu.writes() == []

    run = playbook(user_play(**jane(customer)))
    result = run.result("user")["result"]
    assert result["changed"] is True and result["action"] == "restored"
    # one PATCH; where passwords go only through /resetpassword: refused, restored without it, then reset
    writes = emu.writes()
    assert [(w["route"], w["status"]) for w in writes] == restore_writes(emu, with_password=True)
    assert all(w["method"] == "PATCH" for w in writes)
    assert [w for w in writes if w["route"] == "update_user"][-1]["body"]["state"] == "active"
    (user,) = find(emu, customer, "jane@contoso.onmicrosoft.com")
    assert user["id"] == deleted["id"] and user["state"] == "active"

    emu.clear_requests()
    run = playbook(user_play(**jane(customer)), check=True)
    assert run.result("user")["result"]["changed"] is False
    run = playbook(user_play(**jane(customer)))
    assert run.result("user")["result"]["action"] == "unchanged"
    assert emu.writes() == []
    assert emu.requests(route="list_users") and all(
        "filter" not in r["query"] for r in emu.requests(route="list_users")), "no deleted listing for an active user"


def test_missing_password_fails_before_any_write(emu, playbook, customer):
    args = jane(customer)
    del args["password"]
    run = playbook(user_play(**args), expect_rc=2)
    result = run.result("user")["result"]
    assert result["failed"] is True
    assert "password" in result["msg"] and result["option"] == "password"
    assert emu.writes() == []


def test_non_guid_customer_id_fails_before_any_request(emu, playbook):
    run = playbook(user_play(**jane("contoso")), expect_rc=2)
    result = run.result("user")["result"]
    assert "customer_id" in result["msg"] and "GUID" in result["msg"]
    assert emu.requests() == []


@pytest.mark.both_profiles
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
