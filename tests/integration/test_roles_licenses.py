# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Directory roles and licenses (issue: a provisioned user can actually work)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from catalogue import BILLING, E3, HELPDESK, MINECRAFT, VISIO_SOLD_OUT as VISIO
from contoso import seed_contoso, state_of
from plays import PASSWORD, jane, play, task, user_play
from profiles import duplicate_upn_status

# Run against the emulator's default and entra profiles (conftest.py): a failure names the profile.
pytestmark = pytest.mark.both_profiles


def seeded(upn, name, **extra):
    first, last = name.split(" ", 1)
    user = {"userPrincipalName": upn, "firstName": first, "lastName": last, "displayName": name,
            "usageLocation": "US", "password": PASSWORD}
    user.update(extra)
    return user


@pytest.fixture
def customer(emu):
    cid = emu.seed([{"companyName": "Contoso", "domain": "contoso.onmicrosoft.com",
                     "subscribedSkus": [E3, VISIO, MINECRAFT],
                     "users": [seeded("jane@contoso.onmicrosoft.com", "Jane Doe", directoryRoles=[BILLING]),
                               seeded("nolo@contoso.onmicrosoft.com", "No Location", usageLocation=None)]}])[0]["id"]
    emu.clear_requests()
    return cid


def state_user(emu, cid, upn):
    customer = emu.state(customer=cid)["customers"][0]
    user = [u for u in customer["users"] if u["userPrincipalName"] == upn][0]
    skus = dict((s["productSku"]["id"], s) for s in customer["subscribedSkus"])
    return user, skus


def test_roles_and_licenses_check_real_check_real(emu, playbook, customer):
    args = dict(customer_id=customer, upn="jane@contoso.onmicrosoft.com",
                directory_roles={"add": ["helpdesk administrator"]},
                licenses={"add": [{"sku": "SPE_E3", "disabled_plans": ["TEAMS1"]}, "MEE_STUDENT"]})

    result = playbook(user_play(**args), check=True, diff=True).result("user")["result"]
    assert result["changed"] and result["action"] == "updated"
    assert result["diff"]["before"]["directory_roles"] == ["Billing Administrator"]
    assert result["diff"]["after"]["directory_roles"] == ["Billing Administrator", "Helpdesk Administrator"]
    assert result["diff"]["after"]["licenses"] == ["MEE_STUDENT", "SPE_E3"]
    assert emu.writes() == []
    catalogue_reads = len(emu.requests(route="list_directory_roles"))
    assert catalogue_reads == 1 and len(emu.requests(route="list_subscribed_skus")) == 1

    result = playbook(user_play(**args), diff=True).result("user")["result"]
    assert result["changed"] and result["user"]["licenses"] == ["MEE_STUDENT", "SPE_E3"]
    writes = emu.writes()
    assert sorted(w["route"] for w in writes) == ["add_role_member", "update_user_licenses", "update_user_licenses"]
    # one license group per licenseupdates call
    groups = [[a["skuId"] for a in w["body"]["licensesToAssign"]] for w in writes if w["route"] == "update_user_licenses"]
    assert sorted(len(g) for g in groups) == [1, 1]
    user, skus = state_user(emu, customer, "jane@contoso.onmicrosoft.com")
    assert sorted(user["directoryRoles"]) == sorted([BILLING, HELPDESK])
    e3 = [s for s in skus.values() if s["productSku"]["skuPartNumber"] == "SPE_E3"][0]
    (e3_assignment,) = [lic for lic in user["licenses"] if lic["skuId"] == e3["productSku"]["id"]]
    teams = [p["id"] for p in e3["servicePlans"] if p["serviceName"] == "TEAMS1"]
    assert e3_assignment["excludedPlans"] == teams
    assert e3["consumedUnits"] == 1

    emu.clear_requests()
    assert playbook(user_play(**args), check=True).result("user")["result"]["changed"] is False
    result = playbook(user_play(**args)).result("user")["result"]
    assert result["changed"] is False and result["action"] == "unchanged"
    assert result["user"]["directory_roles"] == ["Billing Administrator", "Helpdesk Administrator"]
    assert emu.writes() == []


def test_set_removes_an_extra_role_and_license(emu, playbook, customer):
    playbook(user_play(customer_id=customer, upn="jane@contoso.onmicrosoft.com", licenses={"add": ["SPE_E3"]}))
    emu.clear_requests()
    args = dict(customer_id=customer, upn="jane@contoso.onmicrosoft.com",
                directory_roles={"set": ["Helpdesk Administrator"]}, licenses={"set": []})

    result = playbook(user_play(**args), check=True, diff=True).result("user")["result"]
    assert result["diff"]["before"]["directory_roles"] == ["Billing Administrator"]
    assert result["diff"]["after"] == {"directory_roles": ["Helpdesk Administrator"], "licenses": []}
    assert emu.writes() == []

    playbook(user_play(**args))
    assert sorted(w["route"] for w in emu.writes()) == ["add_role_member", "remove_role_member",
                                                        "update_user_licenses"]
    user, dummy = state_user(emu, customer, "jane@contoso.onmicrosoft.com")
    assert user["directoryRoles"] == [HELPDESK] and user["licenses"] == []

    emu.clear_requests()
    assert playbook(user_play(**args), check=True).result("user")["result"]["changed"] is False
    assert playbook(user_play(**args)).result("user")["result"]["changed"] is False
    assert emu.writes() == []


def test_out_of_licenses_is_a_clear_per_user_failure(emu, playbook, customer):
    run = playbook(play(task("partnercenter_user", name="many", customer_id=customer, users=[
        {"upn": "jane@contoso.onmicrosoft.com", "licenses": {"add": ["VISIOCLIENT"]}},
        {"upn": "new@contoso.onmicrosoft.com", "display_name": "New Person", "usage_location": "US",
         "password": PASSWORD, "licenses": {"add": ["SPE_E3"]}},
    ])), expect_rc=2)
    result = run.result("many")["result"]
    assert result["summary"]["failed"] == 1 and result["summary"]["created"] == 1
    (failure,) = result["failed_users"]
    assert failure["user_principal_name"] == "jane@contoso.onmicrosoft.com"
    assert failure["error"]["code"] == 60012 and failure["error"]["status"] == 400
    assert "VISIOCLIENT (available units: 0)" in failure["msg"]
    user, dummy = state_user(emu, customer, "new@contoso.onmicrosoft.com")
    assert len(user["licenses"]) == 1


def test_user_without_usage_location_cannot_be_licensed(emu, playbook, customer):
    run = playbook(user_play(customer_id=customer, upn="nolo@contoso.onmicrosoft.com",
                             directory_roles={"add": ["Helpdesk Administrator"]}, licenses={"add": ["SPE_E3"]}),
                   expect_rc=2)
    result = run.result("user")["result"]
    assert result["option"] == "licenses" and "usage_location" in result["msg"]
    assert emu.writes() == []


def test_unknown_role_name_fails_before_any_write(emu, playbook, customer):
    run = playbook(play(task("partnercenter_user", name="many", customer_id=customer, users=[
        {"upn": "new@contoso.onmicrosoft.com", "display_name": "New Person", "usage_location": "US",
         "password": PASSWORD},
        {"upn": "jane@contoso.onmicrosoft.com", "directory_roles": {"add": ["Chief Wizard"]}},
    ])), expect_rc=2)
    result = run.result("many")["result"]
    assert result["option"] == "users[1].directory_roles.add"
    assert "Chief Wizard" in result["msg"] and "Helpdesk Administrator" in result["msg"]
    assert emu.writes() == []


def test_info_modules_report_roles_licenses_and_units(emu, playbook, customer):
    playbook(user_play(customer_id=customer, upn="jane@contoso.onmicrosoft.com",
                       licenses={"add": [{"sku": "SPE_E3", "disabled_plans": ["TEAMS1"]}]}))
    emu.clear_requests()
    run = playbook(play(
        task("partnercenter_user_info", name="users", customer_id=customer, upn="jane@contoso.onmicrosoft.com",
             include=["directory_roles", "licenses"]),
        task("partnercenter_subscribed_sku_info", name="skus", customer_id=customer),
    ))
    (jane,) = run.result("users")["result"]["users"]
    assert jane["directory_roles"] == ["Billing Administrator"]
    (lic,) = jane["licenses"]
    assert lic["sku_part_number"] == "SPE_E3" and lic["enabled_service_plans"] == ["EXCHANGE_S_ENTERPRISE"]
    skus = dict((s["sku_part_number"], s) for s in run.result("skus")["result"]["skus"])
    assert set(skus) == {"SPE_E3", "VISIOCLIENT", "MEE_STUDENT"}
    assert (skus["SPE_E3"]["total_units"], skus["SPE_E3"]["consumed_units"], skus["SPE_E3"]["available_units"]) \
        == (5, 1, 4)
    assert skus["VISIOCLIENT"]["available_units"] == 0
    assert emu.writes() == []


@pytest.mark.both_profiles
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


@pytest.mark.both_profiles
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
