# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Roles and SKUs by the names the portals show: accepted, suggested when misspelt, shown as declared, and every
message saying its option once."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError
from ansible_collections.csp.partnercenter.plugins.module_utils._lookups import MembershipSource, plan_users
from ansible_collections.csp.partnercenter.plugins.module_utils._planner import (
    CREATE, UPDATE, DesiredUser, Plan, plan_memberships, resolve_licenses, resolve_roles,
)

GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"
HELPDESK = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
BILLING = "b0f54661-2d74-4c50-afa3-1ec803f12efe"
# as Partner Center lists a customer's roles: by their legacy names
CATALOGUE = [{"id": GLOBAL_ADMIN, "name": "Company Administrator"},
             {"id": USER_ADMIN, "name": "User Account Administrator"},
             {"id": HELPDESK, "name": "Helpdesk Administrator"},
             {"id": BILLING, "name": "Billing Administrator"}]
E3 = {"id": "e3e3e3e3-0000-0000-0000-000000000001", "sku_part_number": "SPE_E3", "name": "Microsoft 365 E3",
      "service_plans": [{"id": "p1", "service_name": "TEAMS1", "target_type": "User"}]}
BP = {"id": "b9b9b9b9-0000-0000-0000-000000000002", "sku_part_number": "O365_BUSINESS_PREMIUM",
      "name": "Microsoft 365 Business Standard", "service_plans": []}
SKUS = [E3, BP]
OPTION = "users[0].directory_roles.add"


def refusal(call, *args):
    with pytest.raises(InputError) as caught:
        call(*args)
    return str(caught.value)


@pytest.mark.parametrize("typed, meant", [
    ("Global Adminstrator", "Global Administrator"),
    ("Helpdesk Admin", "Helpdesk Administrator"),
    ("user admin", "User Administrator"),
    ("Billing Administrators", "Billing Administrator"),
])
def test_a_misspelt_role_gets_a_did_you_mean_and_the_roles_by_their_portal_names(typed, meant):
    message = refusal(resolve_roles, [typed], CATALOGUE, OPTION)
    assert message.startswith("%s: unknown directory role %r. Did you mean %r?" % (OPTION, typed, meant))
    assert message.endswith("The customer's roles are: Billing Administrator, Global Administrator (Company "
                            "Administrator), Helpdesk Administrator, User Administrator (User Account Administrator)")


def test_a_name_far_from_every_role_gets_no_guess():
    message = refusal(resolve_roles, ["Chief Wizard"], CATALOGUE, OPTION)
    assert "did you mean" not in message and "Chief Wizard" in message


def test_a_role_not_activated_is_said_so_with_the_roles_by_their_portal_names():
    message = refusal(resolve_roles, ["Global Administrator"], CATALOGUE[2:], OPTION)
    assert "is not activated" in message
    assert message.endswith("lists only activated roles: Billing Administrator, Helpdesk Administrator. Activate it "
                            "in the customer's tenant (assign it once in the Entra admin center, or POST "
                            "/directoryRoles with its roleTemplateId through Microsoft Graph), then run again")


def test_a_role_is_shown_by_the_name_declared_with_the_listed_name_beside_it():
    user = DesiredUser("jane@contoso.com", directory_roles={"add": ["global administrator", "Helpdesk Administrator",
                                                                    USER_ADMIN]})
    plan = plan_memberships(user, [BILLING], {}, CATALOGUE, SKUS, "US")
    assert plan.roles_before == ["Billing Administrator"]
    assert plan.roles_after == ["Billing Administrator", "Global Administrator (Company Administrator)",
                                "Helpdesk Administrator", "User Administrator (User Account Administrator)"]
    legacy = DesiredUser("jane@contoso.com", directory_roles={"set": ["Company Administrator"]})
    plan = plan_memberships(legacy, [BILLING, USER_ADMIN], {}, CATALOGUE, SKUS, "US")
    assert plan.roles_before == ["Billing Administrator", "User Administrator (User Account Administrator)"]
    assert plan.roles_after == ["Company Administrator"]


@pytest.mark.parametrize("declared", ["SPE_E3", "spe_e3", "Microsoft 365 E3", "microsoft 365 e3", E3["id"].upper()])
def test_a_sku_is_found_by_its_part_number_its_product_name_or_its_id(declared):
    assert resolve_licenses([declared], SKUS, "licenses.add") == {E3["id"]: None}
    assert resolve_licenses([{"sku": declared, "disabled_plans": ["teams1"]}], SKUS, "licenses.add") \
        == {E3["id"]: ["p1"]}


@pytest.mark.parametrize("typed, meant", [
    ("SPE_E5", "SPE_E3 (Microsoft 365 E3)"),
    ("Microsoft 365 E5", "SPE_E3 (Microsoft 365 E3)"),
    ("M365 Business Standard", "O365_BUSINESS_PREMIUM (Microsoft 365 Business Standard)"),
])
def test_a_misspelt_sku_gets_a_did_you_mean_by_part_number_and_product_name(typed, meant):
    message = refusal(resolve_licenses, [typed], SKUS, "users[0].licenses.add")
    assert message == ("users[0].licenses.add: the customer has no subscribed SKU %r. Did you mean %s? It has: "
                       "O365_BUSINESS_PREMIUM (Microsoft 365 Business Standard), SPE_E3 (Microsoft 365 E3)"
                       % (typed, meant))


def test_a_product_name_of_two_skus_is_refused_naming_both():
    twin = dict(E3, id="e3e3e3e3-0000-0000-0000-000000000009", sku_part_number="SPE_E3_USGOV")
    message = refusal(resolve_licenses, ["Microsoft 365 E3"], [E3, twin], "licenses.add")
    assert "several of the customer's subscribed SKUs: SPE_E3 (Microsoft 365 E3), SPE_E3_USGOV (Microsoft 365 E3)" \
        in message


def test_a_misspelt_service_plan_gets_a_did_you_mean():
    message = refusal(resolve_licenses, [{"sku": "SPE_E3", "disabled_plans": ["TEAMS"]}], SKUS, "licenses.add")
    assert message == "licenses.add: SKU SPE_E3 has no service plan 'TEAMS'. Did you mean 'TEAMS1'?"


class _Directory(object):
    """What planning reads of a customer: two users, the catalogue and the SKUs."""

    def __init__(self):
        self.active = dict((upn, {"id": upn, "user_principal_name": upn, "state": "active"})
                           for upn in ("hank@contoso.com", "ida@contoso.com"))
        self.deleted = {}

    def role_catalogue(self):
        return CATALOGUE

    def subscribed_skus(self):
        return SKUS

    def user_roles(self, user_id):
        return []

    def user_licenses(self, user_id):
        return {}


def test_each_refusal_of_several_users_says_its_option_once():
    directory = _Directory()
    users = [DesiredUser("hank@contoso.com", licenses={"add": ["SPE_E5"]}, option_prefix="users[0]."),
             DesiredUser("ida@contoso.com", directory_roles={"add": ["Helpdesk Admin"]}, option_prefix="users[1].")]
    with pytest.raises(InputError) as caught:
        plan_users(directory, users, memberships=MembershipSource(directory))
    message = str(caught.value)
    assert message.count("users[0].licenses.add:") == 1 and message.count("users[1].directory_roles.add:") == 1
    assert message.startswith("users[0].licenses.add: the customer has no subscribed SKU 'SPE_E5'")
    assert caught.value.option == "users[0].licenses.add"


def _diff_of(spec, current_licenses):
    user = DesiredUser("jane@contoso.com", licenses=spec)
    plan = Plan(UPDATE, user, current={"id": "u-1", "user_principal_name": "jane@contoso.com"},
                memberships=plan_memberships(user, [], current_licenses, CATALOGUE, SKUS, "US"))
    return plan.diff()


def test_a_diff_holds_only_what_changes_of_licenses_and_their_plans():
    # only the disabled plans of a kept SKU: no licenses line that would read SPE_E3 -> SPE_E3
    assert _diff_of({"add": [{"sku": "SPE_E3", "disabled_plans": ["TEAMS1"]}]}, {E3["id"]: ["p1"]}) == (
        {"disabled_plans": {"SPE_E3": []}}, {"disabled_plans": {"SPE_E3": ["TEAMS1"]}})
    # a plain swap: no disabled plans line that would read {} -> {SPE_E3: []}
    assert _diff_of({"set": ["SPE_E3"]}, {BP["id"]: []}) == (
        {"licenses": ["O365_BUSINESS_PREMIUM"]}, {"licenses": ["SPE_E3"]})


def test_a_create_shows_the_disabled_plans_it_gives():
    user = DesiredUser("jane@contoso.com", {"display_name": "Jane", "usage_location": "US"}, password="Pw-12345678",
                       licenses={"add": [{"sku": "Microsoft 365 E3", "disabled_plans": ["TEAMS1"]}]})
    plan = Plan(CREATE, user, send_password=True, memberships=plan_memberships(user, [], {}, CATALOGUE, SKUS, "US"))
    before, after = plan.diff()
    assert before == {} and after["licenses"] == ["SPE_E3"] and after["disabled_plans"] == {"SPE_E3": ["TEAMS1"]}
