# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Modules that read one customer tenant, chosen by id or by primary domain.
    DOCUMENTATION = r"""
options:
  customer_id:
    description:
      - The customer's tenant id, a GUID such as V(0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11). Checked before any request
        and sent in lower case.
      - Exactly one of O(customer_id) and O(customer_domain) is required.
      - M(csp.partnercenter.partnercenter_customer_info) finds it by domain or company name.
    type: str
  customer_domain:
    description:
      - The customer's primary (default) domain, for example V(contoso.onmicrosoft.com), instead of O(customer_id),
        looked up with one request before anything else as
        O(csp.partnercenter.partnercenter_user#module:customer_domain) is; the task fails unless exactly one customer
        of the partner has it. The id found is returned as RV(customer_id).
    type: str
"""
