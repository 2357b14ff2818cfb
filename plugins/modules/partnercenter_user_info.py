#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: partnercenter_user_info
short_description: Look up user accounts of a CSP customer through Partner Center
version_added: 0.1.0
description:
  - Lists the users of a customer tenant from every page, or finds one by user principal name or id.
  - Soft-deleted users are returned with O(state=deleted) or O(state=all).
author:
  - csp.partnercenter contributors (@csp-partnercenter)
options:
  user_principal_name:
    description:
      - Return only the user with this sign-in name, compared case-insensitively and exactly.
      - A soft-deleted user that Entra ID lists under its object id without dashes followed by its sign-in name
        matches its sign-in name too; its C(user_principal_name) is returned as listed.
    type: str
    aliases: [upn]
  user_id:
    description:
      - Return only the user with this object id (a GUID).
    type: str
  state:
    description:
      - V(active) returns active users, V(deleted) soft-deleted users (kept 30 days), V(all) both.
    type: str
    choices: [active, deleted, all]
    default: active
  include:
    description:
      - Extra facts to read for each returned active user; each costs one request per user.
      - V(directory_roles) adds C(directory_roles), the names of the user's admin roles.
      - V(licenses) adds C(licenses), the user's licenses with their SKU and enabled service plans.
    type: list
    elements: str
    choices: [directory_roles, licenses]
    default: []
extends_documentation_fragment:
  - csp.partnercenter.customer
  - csp.partnercenter.connection
  - csp.partnercenter.attributes
  - csp.partnercenter.attributes.info_module
seealso:
  - module: csp.partnercenter.partnercenter_user
"""

EXAMPLES = r"""
- name: Is Jane there, and in which state?
  csp.partnercenter.partnercenter_user_info:
    customer_id: 0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11
    user_principal_name: jane@contoso.onmicrosoft.com
    state: all
  register: jane

- name: Who holds which admin role and license?
  csp.partnercenter.partnercenter_user_info:
    customer_id: 0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11
    include: [directory_roles, licenses]
  register: audit

- name: Every soft-deleted user of the customer
  csp.partnercenter.partnercenter_user_info:
    customer_id: 0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11
    state: deleted
  register: deleted_users
"""

RETURN = r"""
users:
  description:
    - The matching users, from every page, in the shape M(csp.partnercenter.partnercenter_user) returns; never with
      a password. Empty when nothing matches.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 4b10bf41-ab11-40e3-8c53-cd67849b50de
      user_principal_name: jane@contoso.onmicrosoft.com
      first_name: Jane
      last_name: Doe
      display_name: Jane Doe
      usage_location: US
      immutable_id: null
      state: active
      user_domain_type: none
      soft_deletion_time: null
      last_directory_sync_time: null
      directory_roles: [Helpdesk Administrator]
      licenses:
        - sku_id: 05e9a617-0261-4cee-bb44-138d3ef5d965
          sku_part_number: SPE_E3
          enabled_service_plans: [EXCHANGE_S_ENTERPRISE]
"""

from ansible_collections.csp.partnercenter.plugins.module_utils._lookups import listed_upn
from ansible_collections.csp.partnercenter.plugins.module_utils._directory import DirectoryAPI
from ansible_collections.csp.partnercenter.plugins.module_utils._module import PartnerCenterModule
from ansible_collections.csp.partnercenter.plugins.module_utils._users import UsersAPI
from ansible_collections.csp.partnercenter.plugins.module_utils._validation import check_guid, check_upn


def matches(user, upn, user_id):
    # listed_upn: Entra may list a soft-deleted user under <object id without dashes><UPN>.
    if upn is not None and listed_upn(user) != upn.lower():
        return False
    if user_id is not None and (user.get("id") or "").lower() != user_id:
        return False
    return True


def add_memberships(directory, users, include):
    skus = None
    for user in users:
        if user.get("state") != "active":
            continue  # Partner Center keeps no readable roles or licenses for a deleted user
        if "directory_roles" in include:
            user["directory_roles"] = sorted(r["name"] for r in directory.user_roles(user["id"]))
        if "licenses" in include:
            if skus is None:
                skus = dict((s["id"].lower(), s) for s in directory.subscribed_skus())
            user["licenses"] = []
            for sku_id, plan_ids in sorted(directory.user_licenses(user["id"]).items()):
                sku = skus.get(sku_id, {})
                names = dict((p["id"].lower(), p["service_name"]) for p in sku.get("service_plans") or [])
                user["licenses"].append({"sku_id": sku_id, "sku_part_number": sku.get("sku_part_number"),
                                         "enabled_service_plans": sorted(names.get(p, p) for p in plan_ids)})


def main():
    module = PartnerCenterModule(
        argument_spec=dict(
            customer_id=dict(type="str", required=True),
            user_principal_name=dict(type="str", aliases=["upn"]),
            user_id=dict(type="str"),
            state=dict(type="str", choices=["active", "deleted", "all"], default="active"),
            include=dict(type="list", elements="str", choices=["directory_roles", "licenses"], default=[]),
        ),
        supports_check_mode=True,
    )

    def run():
        params = module.params
        customer_id = params["customer_id"]
        upn = check_upn("user_principal_name", params["user_principal_name"]) \
            if params["user_principal_name"] is not None else None
        user_id = check_guid("user_id", params["user_id"]) if params["user_id"] is not None else None
        api = UsersAPI(module.client(), customer_id)
        users = []
        if params["state"] in ("active", "all"):
            users.extend(u for u in api.list_active() if matches(u, upn, user_id))
        if params["state"] in ("deleted", "all"):
            users.extend(u for u in api.list_deleted() if matches(u, upn, user_id))
        if params["include"]:
            add_memberships(DirectoryAPI(api.client, customer_id), users, params["include"])
        module.exit_json(changed=False, users=users)

    module.run(run)


if __name__ == "__main__":
    main()
