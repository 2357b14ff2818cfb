# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: customer_summary
short_description: What changed in one customer, for a person to read
version_added: 0.2.0
description:
  - Turns the registered result of M(csp.partnercenter.partnercenter_user) with O(csp.partnercenter.partnercenter_user#module:users)
    into lines - the counts, then the users behind every non-zero count (with the fields of each update), the users
    that C(purge_exclude) kept, and every failure with its reason.
  - In check mode every line says what a real run would do ("would create ...").
  - The role P(csp.partnercenter.customer_users#role) prints it for each customer, also when the customer failed.
author:
  - csp.partnercenter contributors (@csp-partnercenter)
options:
  _input:
    description: The registered result.
    type: dict
    required: true
  host:
    description: The name the lines start with, usually C(inventory_hostname).
    type: str
    required: true
  check_mode:
    description: Whether the result is a check-mode prediction, usually C(ansible_check_mode).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Say what changed
  ansible.builtin.debug:
    msg: "{{ result | csp.partnercenter.customer_summary(inventory_hostname, ansible_check_mode) }}"
"""

RETURN = r"""
_value:
  description:
    - "The lines, for example C(contoso: 2 created, 0 updated, 0 restored, 0 deleted (0 by purge), 5 unchanged)
      then C(created: ann@contoso.com, bob@contoso.com)."
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.csp.partnercenter.plugins.module_utils._summary import customer_summary as summarise


def customer_summary(result, host, check_mode=False):
    if not isinstance(result, dict):
        raise AnsibleFilterError("customer_summary takes the registered result of partnercenter_user")
    return summarise(str(host), result, bool(check_mode))


class FilterModule(object):

    def filters(self):
        return {"customer_summary": customer_summary}
