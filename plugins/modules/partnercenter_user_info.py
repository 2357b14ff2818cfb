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
      - V(graph) adds the user's Microsoft Graph fields C(job_title), C(department), C(office_location),
        C(company_name), C(employee_id), C(mobile_phone), C(business_phones), C(account_enabled) and C(manager) (the
        manager's UPN), from one listing of the customer's users in Graph (one read when one user is returned);
        each is V(null) for a user Graph does not list yet (created a moment ago).
      - V(groups) adds C(groups), the user's direct group memberships (C(id) and C(display_name)), one Graph
        request per user.
      - V(graph) and V(groups) redeem a token in the customer's tenant first; where the partner's app is not
        consented the task fails naming M(csp.partnercenter.partnercenter_application_consent). Without them no
        Microsoft Graph request is sent.
    type: list
    elements: str
    choices: [directory_roles, licenses, graph, groups]
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

- name: Who holds which admin role and license? (the customer by its primary domain)
  csp.partnercenter.partnercenter_user_info:
    customer_domain: contoso.onmicrosoft.com
    include: [directory_roles, licenses]
  register: audit

- name: Jane's job details, manager and groups (Microsoft Graph; the app must be consented in the customer)
  csp.partnercenter.partnercenter_user_info:
    customer_id: 0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11
    user_principal_name: jane@contoso.onmicrosoft.com
    include: [graph, groups]
  register: jane_graph

- name: Every soft-deleted user of the customer
  csp.partnercenter.partnercenter_user_info:
    customer_id: 0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11
    state: deleted
  register: deleted_users
"""

RETURN = r"""
customer_id:
  description: The customer's tenant id, as given or looked up from O(customer_domain).
  returned: always
  type: str
  sample: 0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11
users:
  description:
    - The matching users, from every page, in the shape M(csp.partnercenter.partnercenter_user) returns; never with
      a password. Empty when nothing matches.
    - With O(include=[graph]) each active user also has C(job_title), C(department), C(office_location),
      C(company_name), C(employee_id), C(mobile_phone), C(business_phones) (a list), C(account_enabled) and
      C(manager) (the manager's UPN or V(null)); with O(include=[groups]), C(groups), a list of C(id) and
      C(display_name) of the groups the user is a direct member of, sorted by name.
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
      job_title: Accountant
      department: Finance
      office_location: Building 2
      company_name: Contoso
      employee_id: "4711"
      mobile_phone: +1 555 0100
      business_phones: [+1 555 0101]
      account_enabled: true
      manager: ada@contoso.onmicrosoft.com
      groups:
        - id: 8d1f8b3c-2c4e-4b55-9a0e-6f1c2b3d4e5f
          display_name: Finance
"""

from ansible_collections.csp.partnercenter.plugins.module_utils._info_tasks import USER_INFO
from ansible_collections.csp.partnercenter.plugins.module_utils._module import run_module


def main():
    # On a local connection the action plugin of the same name runs this task in-process instead.
    run_module(USER_INFO)


if __name__ == "__main__":
    main()
