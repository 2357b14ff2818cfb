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
         "immutable_id": "anchor", "licenses": {"set": ["SPE_E3", "GONE"]}},
        {"user_principal_name": "b@contoso.com", "first_name": "Ada", "display_name": "Ada", "usage_location": "GB",
         "directory_roles": {"set": ["Global Administrator", "Helpdesk Administrator"]},
         "licenses": {"set": [{"sku": "SPE_E3", "disabled_plans": ["TEAMS1"]}]}}]


def test_never_a_password_nor_a_key_the_role_does_not_know():
    (entry,) = declared_users([user("a@contoso.com", password="Secret-1234", soft_deletion_time=None)])
    assert set(entry) == {"user_principal_name", "first_name", "display_name", "usage_location"}


def test_not_a_user_list_is_a_clear_error():
    with pytest.raises(AnsibleFilterError, match="users of partnercenter_user_info"):
        declared_users({"users": []})
