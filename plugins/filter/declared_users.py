# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: declared_users
short_description: A customer's users as they are, as entries of the customer_users role's partnercenter_users
version_added: 0.3.0
description:
  - Turns the users that M(csp.partnercenter.partnercenter_user_info) read with C(include=[directory_roles, licenses])
    into entries of C(partnercenter_users) of the role P(csp.partnercenter.customer_users#role) that declare them as
    they are, so that the role converges the customer without a write. The playbook
    C(csp.partnercenter.export_customer_users) writes them to a file per customer.
  - Each entry has C(user_principal_name) and every attribute Partner Center holds for the user (C(first_name),
    C(last_name), C(display_name), C(usage_location), C(immutable_id)); empty ones are left out.
  - A user with admin roles gets C(directory_roles.set), the roles by the Entra admin center's names
    (C(Global Administrator), where Partner Center lists C(Company Administrator)). A user with licenses gets
    C(licenses.set), each license its SKU part number, or C(sku) and C(disabled_plans) (service plan names) when the
    user has plans of it disabled. A user without roles or licenses carries no such key, so the role leaves them
    alone; give it an empty C(set) to pin none.
  - Users read with C(include=[graph, groups]) as well also get the Microsoft Graph fields Graph holds (C(job_title),
    C(department), C(office_location), C(company_name), C(employee_id), C(mobile_phone), C(business_phones)),
    C(manager) (the manager's UPN), C(account_enabled=false) for a user whose sign-in is blocked, and C(groups.set),
    the direct group memberships by display name (by object id where two of the customer's groups share a display
    name).
  - Never a password (Partner Center returns none; an existing user needs none). Soft-deleted users are left out.
author:
  - csp.partnercenter contributors (@csp-partnercenter)
options:
  _input:
    description: The C(users) of M(csp.partnercenter.partnercenter_user_info).
    type: list
    elements: dict
    required: true
  skus:
    description:
      - The C(skus) of M(csp.partnercenter.partnercenter_subscribed_sku_info) for the same customer, to tell which
        service plans a user has disabled. Without them licenses are declared by part number only.
    type: list
    elements: dict
    default: []
"""

EXAMPLES = r"""
- name: Read the customer's users with their roles and licenses
  csp.partnercenter.partnercenter_user_info:
    customer_id: "{{ partnercenter_customer_id }}"
    include: [directory_roles, licenses]
  register: found

- name: Read the customer's SKUs
  csp.partnercenter.partnercenter_subscribed_sku_info:
    customer_id: "{{ partnercenter_customer_id }}"
  register: subscribed

- name: Write them as the role's host variables
  ansible.builtin.copy:
    content: "{{ {'partnercenter_users': found.users | csp.partnercenter.declared_users(subscribed.skus)}
                 | to_nice_yaml(indent=2, sort_keys=false) }}"
    dest: "exported/{{ inventory_hostname }}.yml"
    mode: "0600"
  delegate_to: localhost
"""

RETURN = r"""
_value:
  description: The entries, sorted by user principal name.
  type: list
  elements: dict
  sample:
    - user_principal_name: ada@contoso.onmicrosoft.com
      first_name: Ada
      last_name: Lovelace
      display_name: Ada Lovelace
      usage_location: GB
      directory_roles:
        set: [Global Administrator]
      licenses:
        set:
          - sku: SPE_E3
            disabled_plans: [TEAMS1]
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.csp.partnercenter.plugins.plugin_utils._export import declared_users as _declared_users


def declared_users(users, skus=None):
    if not isinstance(users, list) or not isinstance(skus or [], list):
        raise AnsibleFilterError("declared_users takes the users of partnercenter_user_info (a list) and the skus of "
                                 "partnercenter_subscribed_sku_info (a list)")
    return _declared_users(users, skus or [])


class FilterModule(object):

    def filters(self):
        return {"declared_users": declared_users}
