# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""partnercenter_user updates, passwords, absent; the info modules (issue: full user lifecycle)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib

import pytest

from plays import OTHER_PASSWORD, PASSWORD, jane, play, task, user_play
from profiles import deleted_form, prefixes_deleted_upns, restore_writes, the_user

# Run against the emulator's default and entra profiles (conftest.py): a failure names the profile.
pytestmark = pytest.mark.both_profiles

CONTOSO = {"companyName": "Contoso", "domain": "contoso.onmicrosoft.com"}
JANE = {"userPrincipalName": "jane@contoso.onmicrosoft.com", "firstName": "Jane", "lastName": "Doe",
        "displayName": "Jane Doe", "usageLocation": "US", "password": PASSWORD}


@pytest.fixture
def customer(emu):
    cid = emu.seed([dict(CONTOSO, users=[dict(JANE)])])[0]["id"]
    emu.clear_requests()
    return cid


def jane_now(emu, customer_id):
    """Jane in the emulator's state, under either form of her UPN once deleted (profiles.py)."""
    return the_user(emu, customer_id, "jane@contoso.onmicrosoft.com")


def test_rename_display_name_sends_one_patch_with_only_that_field(emu, playbook, customer):
    args = dict(customer_id=customer, upn="jane@contoso.onmicrosoft.com", display_name="Jane Q. Doe")

    run = playbook(user_play(**args), check=True, diff=True)
    result = run.result("user")["result"]
    assert result["changed"] and result["action"] == "updated"
    assert result["diff"] == {"before": {"display_name": "Jane Doe"}, "after": {"display_name": "Jane Q. Doe"}}
    assert result["user"]["display_name"] == "Jane Q. Doe"
    assert emu.writes() == [] and jane_now(emu, customer)["displayName"] == "Jane Doe"

    run = playbook(user_play(**args), diff=True)
    result = run.result("user")["result"]
    assert result["changed"] and result["action"] == "updated"
    (write,) = emu.writes()
    assert (write["method"], write["route"]) == ("PATCH", "update_user")
    assert set(write["body"]) - {"attributes"} == {"displayName"}
    assert write["body"]["displayName"] == "Jane Q. Doe"
    assert jane_now(emu, customer)["displayName"] == "Jane Q. Doe"
    assert jane_now(emu, customer)["firstName"] == "Jane"  # options left out are not touched

    emu.clear_requests()
    assert playbook(user_play(**args), check=True).result("user")["result"]["changed"] is False
    assert playbook(user_play(**args)).result("user")["result"]["changed"] is False
    assert emu.writes() == []


def test_usage_location_compared_case_insensitively(emu, playbook, customer):
    run = playbook(user_play(customer_id=customer, upn="jane@contoso.onmicrosoft.com", usage_location="us"))
    assert run.result("user")["result"]["changed"] is False
    assert emu.writes() == []


def test_update_password_always_resets_every_run_and_never_shows_it(emu, playbook, customer):
    args = dict(customer_id=customer, upn="jane@contoso.onmicrosoft.com", password=OTHER_PASSWORD,
                update_password="always", force_change_password=False)
    run = playbook(user_play(**args), check=True, diff=True, verbosity=3)
    result = run.result("user")["result"]
    assert result["changed"] and result["action"] == "updated"
    assert emu.writes() == []
    assert OTHER_PASSWORD not in run.stdout + run.stderr + repr(run.results)

    for expected_changes in (1, 2):
        run = playbook(user_play(**args), diff=True, verbosity=3)
        result = run.result("user")["result"]
        assert result["changed"] and result["action"] == "updated"
        assert OTHER_PASSWORD not in run.stdout + run.stderr + repr(run.results)
        user = jane_now(emu, customer)
        assert user["passwordChanges"] == expected_changes
        assert user["passwordSha256"] == hashlib.sha256(OTHER_PASSWORD.encode()).hexdigest()
        assert user["forceChangePassword"] is False
    resets = [w for w in emu.writes() if w["route"] in ("reset_password", "update_user")]
    assert len(resets) == 2


def test_on_create_password_is_not_sent_to_an_existing_user(emu, playbook, customer):
    run = playbook(user_play(**jane(customer, password=OTHER_PASSWORD)))
    assert run.result("user")["result"]["changed"] is False
    assert emu.writes() == []
    assert jane_now(emu, customer)["passwordSha256"] == hashlib.sha256(PASSWORD.encode()).hexdigest()


def test_absent_soft_deletes_then_is_ok(emu, playbook, customer):
    args = dict(customer_id=customer, upn="JANE@contoso.onmicrosoft.com", state="absent")
    run = playbook(user_play(**args), check=True, diff=True)
    result = run.result("user")["result"]
    assert result["changed"] and result["action"] == "deleted"
    assert result["diff"] == {"before": {"state": "active"}, "after": {"state": "inactive"}}
    assert emu.writes() == [] and jane_now(emu, customer)["state"] == "active"

    run = playbook(user_play(**args))
    assert run.result("user")["result"]["action"] == "deleted"
    (write,) = emu.writes()
    assert (write["method"], write["route"]) == ("DELETE", "delete_user")
    user = jane_now(emu, customer)
    assert user["state"] == "inactive" and user["softDeletionTime"]

    emu.clear_requests()
    for check in (True, False):
        result = playbook(user_play(**args), check=check).result("user")["result"]
        assert result["changed"] is False and result["action"] == "unchanged"
    assert emu.writes() == []

    # a user that never existed is ok too
    nobody = user_play(customer_id=customer, upn="nobody@contoso.onmicrosoft.com", state="absent")
    result = playbook(nobody).result("user")["result"]
    assert result["changed"] is False and emu.writes() == []


def test_restore_with_changes_is_one_write_reported_once(emu, playbook):
    cid = emu.seed([dict(CONTOSO, users=[dict(JANE, state="inactive")])])[0]["id"]
    emu.clear_requests()
    args = jane(cid, display_name="Jane Returned", usage_location="DE")

    result = playbook(user_play(**args), check=True, diff=True).result("user")["result"]
    assert result["action"] == "restored"
    assert result["diff"]["before"] == {"display_name": "Jane Doe", "usage_location": "US", "state": "inactive"}
    assert result["diff"]["after"]["display_name"] == "Jane Returned"
    assert emu.writes() == []

    result = playbook(user_play(**args)).result("user")["result"]
    assert result["changed"] and result["action"] == "restored"
    # one PATCH; where passwords go only through /resetpassword: refused, restored without it, then reset
    writes = emu.writes()
    assert [(w["route"], w["status"]) for w in writes] == restore_writes(emu, with_password=True)
    write = [w for w in writes if w["route"] == "update_user"][-1]  # the restore that landed
    assert write["body"]["state"] == "active" and write["body"]["displayName"] == "Jane Returned"
    assert "passwordProfile" in writes[-1]["body"]  # the password: in that PATCH, or reset after it
    user = jane_now(emu, cid)
    assert (user["state"], user["displayName"], user["usageLocation"]) == ("active", "Jane Returned", "DE")

    emu.clear_requests()
    assert playbook(user_play(**args), check=True).result("user")["result"]["changed"] is False
    assert playbook(user_play(**args)).result("user")["result"]["changed"] is False
    assert emu.writes() == []


def test_user_info_finds_deleted_user_only_with_state_deleted(emu, playbook):
    (seeded,) = emu.seed([dict(CONTOSO, users=[dict(JANE, state="inactive"), dict(
        JANE, userPrincipalName="bob@contoso.onmicrosoft.com", displayName="Bob")])])
    cid = seeded["id"]
    jane_id = seeded["users"][0]["id"]
    # Entra lists a deleted user under <object id without dashes><UPN>; the look-up by UPN finds it all the same
    listed = JANE["userPrincipalName"]
    if prefixes_deleted_upns(emu):
        listed = deleted_form(jane_id, listed)
    run = playbook(play(
        task("partnercenter_user_info", name="active", customer_id=cid, upn="JANE@contoso.onmicrosoft.com"),
        task("partnercenter_user_info", name="deleted", customer_id=cid, upn="jane@contoso.onmicrosoft.com",
             state="deleted"),
        task("partnercenter_user_info", name="all", customer_id=cid, state="all"),
    ), check=True)
    assert run.result("active")["result"]["users"] == []
    (deleted,) = run.result("deleted")["result"]["users"]
    assert deleted["state"] == "inactive" and deleted["soft_deletion_time"]
    assert deleted["id"] == jane_id and deleted["user_principal_name"] == listed
    assert "password_profile" not in deleted
    assert sorted(u["user_principal_name"] for u in run.result("all")["result"]["users"]) == sorted([
        "bob@contoso.onmicrosoft.com", listed])
    assert emu.writes() == []


def test_user_info_reads_every_page(emu, playbook):
    cid = emu.seed([dict(CONTOSO, generate_users={"count": 1203, "prefix": "p"})])[0]["id"]
    emu.clear_requests()
    run = playbook(play(task("partnercenter_user_info", name="all", customer_id=cid)))
    assert len(run.result("all")["result"]["users"]) == 1203
    assert len(emu.requests(route="list_users")) == 3


def test_customer_info_by_domain_that_prefixes_another(emu, playbook):
    emu.seed([
        {"companyName": "Contoso", "domain": "contoso.onmicrosoft.com"},
        {"companyName": "Contoso Labs", "domain": "contoso.onmicrosoft.com.example"},
        {"companyName": "Fabrikam", "domain": "fabrikam.onmicrosoft.com"},
    ])
    run = playbook(play(
        task("partnercenter_customer_info", name="domain", domain="CONTOSO.onmicrosoft.com"),
        task("partnercenter_customer_info", name="prefix", company_name="contoso"),
        task("partnercenter_customer_info", name="all"),
    ))
    (found,) = run.result("domain")["result"]["customers"]
    assert found["domain"] == "contoso.onmicrosoft.com" and found["company_name"] == "Contoso"
    assert set(found) >= {"id", "company_name", "domain", "tenant_id", "relationship_to_partner"}
    assert sorted(c["company_name"] for c in run.result("prefix")["result"]["customers"]) == [
        "Contoso", "Contoso Labs"]
    assert len(run.result("all")["result"]["customers"]) == 3
    filters = [r["query"].get("filter", [""])[0] for r in emu.requests(route="list_customers")]
    assert any('"Field":"Domain"' in f and "starts_with" in f for f in filters)
