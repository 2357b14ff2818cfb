# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""declared_users: a customer's users as the role declares them (issue 29, item 4)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.csp.partnercenter.plugins.filter.declared_users import declared_users

E3_ID = "05e9a617-0261-4cee-bb44-138d3ef5d965"
E3 = {"id": E3_ID.upper(), "sku_part_number": "SPE_E3", "service_plans": [
    {"id": "57FF2DA0-773E-42DF-B2AF-FFB7A2317929", "service_name": "TEAMS1", "target_type": "User"},
    {"id": "efb87545-963c-4e0d-99df-69c6916d9eb0", "service_name": "EXCHANGE_S_ENTERPRISE", "target_type": "User"},
    {"id": "41781fb2-bc02-4b7c-bd55-b576c07bb09d", "service_name": "TENANT_PLAN", "target_type": "Tenant"}]}


def user(upn, **extra):
    found = {"user_principal_name": upn, "first_name": "Ada", "last_name": "", "display_name": "Ada",
             "usage_location": "GB", "immutable_id": None, "id": "x", "state": "active", "user_domain_type": "none"}
    found.update(extra)
    return found


def test_attributes_roles_by_portal_name_and_licenses_with_disabled_plans():
    users = [user("b@contoso.com", directory_roles=["Company Administrator", "Helpdesk Administrator"],
                  licenses=[{"sku_id": E3_ID, "sku_part_number": "SPE_E3",
                             "enabled_service_plans": ["EXCHANGE_S_ENTERPRISE"]}]),
             user("A@contoso.com", immutable_id="anchor", directory_roles=[], licenses=[
                 {"sku_id": E3_ID, "sku_part_number": "SPE_E3",
                  "enabled_service_plans": ["TEAMS1", "efb87545-963c-4e0d-99df-69c6916d9eb0"]},
                 {"sku_id": "0000", "sku_part_number": "GONE", "enabled_service_plans": []}]),
             user("deleted@contoso.com", state="inactive")]
    assert declared_users(users, [E3]) == [
        {"user_principal_name": "A@contoso.com", "first_name": "Ada", "display_name": "Ada", "usage_location": "GB",
         "immutable_id": "anchor", "licenses": {"set": ["GONE", "SPE_E3"]}},
        {"user_principal_name": "b@contoso.com", "first_name": "Ada", "display_name": "Ada", "usage_location": "GB",
         "directory_roles": {"set": ["Global Administrator", "Helpdesk Administrator"]},
         "licenses": {"set": [{"sku": "SPE_E3", "disabled_plans": ["TEAMS1"]}]}}]


def test_licenses_are_declared_by_part_number_whatever_the_order_of_their_sku_ids():
    visio = {"sku_id": "00000000-0000-0000-0000-000000000001", "sku_part_number": "VISIOCLIENT",
             "enabled_service_plans": []}
    e3 = {"sku_id": E3_ID, "sku_part_number": "SPE_E3", "enabled_service_plans": ["TEAMS1"]}
    for listed in ([visio, e3], [e3, visio]):
        (entry,) = declared_users([user("a@contoso.com", licenses=listed)], [E3])
        assert entry["licenses"] == {"set": [{"sku": "SPE_E3", "disabled_plans": ["EXCHANGE_S_ENTERPRISE"]},
                                             "VISIOCLIENT"]}


def test_never_a_password_nor_a_key_the_role_does_not_know():
    (entry,) = declared_users([user("a@contoso.com", password="Secret-1234", soft_deletion_time=None)])
    assert set(entry) == {"user_principal_name", "first_name", "display_name", "usage_location"}


def test_not_a_user_list_is_a_clear_error():
    with pytest.raises(AnsibleFilterError, match="users of partnercenter_user_info"):
        declared_users({"users": []})


def test_graph_fields_manager_blocked_sign_in_and_groups_by_name_or_id():
    groups_a = [{"id": "g1", "display_name": "Sales"}, {"id": "g2", "display_name": "Team"}]
    users = [user("a@contoso.com", job_title="Engineer", department="", business_phones=[], mobile_phone=None,
                  manager="boss@contoso.com", account_enabled=True, groups=groups_a),
             user("b@contoso.com", business_phones=["+44 20 7946 0000"], account_enabled=False,
                  groups=[{"id": "g3", "display_name": "Team"}]),
             user("c@contoso.com", groups=[])]
    a, b, c = declared_users(users)
    assert (a["job_title"], a["manager"], a["groups"]) == ("Engineer", "boss@contoso.com", {"set": ["Sales", "g2"]})
    assert "department" not in a and "business_phones" not in a and "account_enabled" not in a
    assert (b["business_phones"], b["account_enabled"], b["groups"]) == (["+44 20 7946 0000"], False, {"set": ["g3"]})
    assert "groups" not in c, "two groups named Team: each by its id; no groups: left alone"
