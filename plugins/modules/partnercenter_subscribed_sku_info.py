#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: partnercenter_subscribed_sku_info
short_description: List the product SKUs a CSP customer subscribes to, with their license units
version_added: 0.1.0
description:
  - Lists the customer's subscribed SKUs of both license groups (Entra-managed products and Minecraft) with total,
    consumed and available units and their service plans.
author:
  - csp.partnercenter contributors (@csp-partnercenter)
extends_documentation_fragment:
  - csp.partnercenter.customer
  - csp.partnercenter.connection
  - csp.partnercenter.attributes
  - csp.partnercenter.attributes.info_module
seealso:
  - module: csp.partnercenter.partnercenter_user
"""

EXAMPLES = r"""
- name: How many E3 licenses are left?
  csp.partnercenter.partnercenter_subscribed_sku_info:
    customer_id: 0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11
  register: skus

- name: The same customer by its primary domain
  csp.partnercenter.partnercenter_subscribed_sku_info:
    customer_domain: contoso.onmicrosoft.com

- name: Show them
  ansible.builtin.debug:
    msg: "{{ item.sku_part_number }}: {{ item.available_units }} of {{ item.total_units }} available"
  loop: "{{ skus.skus }}"
"""

RETURN = r"""
customer_id:
  description: The customer's tenant id, as given or looked up from O(customer_domain).
  returned: always
  type: str
  sample: 0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11
skus:
  description: The customer's subscribed SKUs.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The SKU id, used to assign licenses.
      type: str
    sku_part_number:
      description: The SKU part number, for example V(SPE_E3).
      type: str
    name:
      description: Product name.
      type: str
    license_group_id:
      description: V(group1) (Entra-managed products) or V(group2) (Minecraft).
      type: str
    total_units:
      description: Units bought.
      type: int
    consumed_units:
      description: Units assigned to users.
      type: int
    available_units:
      description: Units left to assign (total minus consumed).
      type: int
    service_plans:
      description: The SKU's service plans (C(id), C(service_name), C(display_name), and C(target_type), V(User) or V(Tenant)).
      type: list
      elements: dict
"""

from ansible_collections.csp.partnercenter.plugins.module_utils._info_tasks import SUBSCRIBED_SKU_INFO
from ansible_collections.csp.partnercenter.plugins.module_utils._module import run_module


def main():
    # On a local connection the action plugin of the same name runs this task in-process instead.
    run_module(SUBSCRIBED_SKU_INFO)


if __name__ == "__main__":
    main()
