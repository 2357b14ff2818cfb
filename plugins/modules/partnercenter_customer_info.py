#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: partnercenter_customer_info
short_description: Look up the CSP partner's customers through Partner Center
version_added: 0.1.0
description:
  - Finds customers by tenant id, by exact primary domain, or by company name prefix, or lists every customer
    (every page).
author:
  - csp.partnercenter contributors (@csp-partnercenter)
options:
  customer_id:
    description:
      - The customer's tenant id (a GUID). An unknown customer returns an empty list.
    type: str
  domain:
    description:
      - The customer's primary domain, for example V(contoso.onmicrosoft.com), matched exactly and case-insensitively.
      - Partner Center only searches by prefix, so the module keeps just the exact matches.
      - O(customer_domain) is the name the other modules give this option.
    type: str
    aliases: [customer_domain]
  company_name:
    description:
      - A prefix of the company name, matched case-insensitively (as Partner Center does).
    type: str
extends_documentation_fragment:
  - csp.partnercenter.connection
  - csp.partnercenter.attributes
  - csp.partnercenter.attributes.info_module
notes:
  - Give at most one of O(customer_id), O(domain) and O(company_name); with none, every customer is returned.
seealso:
  - module: csp.partnercenter.partnercenter_user
"""

EXAMPLES = r"""
- name: Resolve a customer by its domain
  csp.partnercenter.partnercenter_customer_info:
    domain: contoso.onmicrosoft.com
  register: found

- name: Use its tenant id
  ansible.builtin.debug:
    msg: "{{ found.customers[0].id }}"
  when: found.customers | length == 1
"""

RETURN = r"""
customers:
  description: The matching customers.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The customer's tenant id, used as O(csp.partnercenter.partnercenter_user#module:customer_id).
      type: str
    company_name:
      description: Company name.
      type: str
    domain:
      description: Primary domain.
      type: str
    tenant_id:
      description: Tenant id from the company profile.
      type: str
    relationship_to_partner:
      description: V(reseller), V(advisor) and so on.
      type: str
    commerce_id:
      description: Commerce id.
      type: str
    custom_domains:
      description: Other domains of the tenant, where Partner Center reports them.
      type: list
      elements: str
"""

from ansible_collections.csp.partnercenter.plugins.module_utils._info_tasks import CUSTOMER_INFO
from ansible_collections.csp.partnercenter.plugins.module_utils._module import run_module


def main():
    # On a local connection the action plugin of the same name runs this task in-process instead.
    run_module(CUSTOMER_INFO)


if __name__ == "__main__":
    main()
