# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: variable_near_misses
short_description: Variable names that look like misspellings of known ones
version_added: 0.2.0
description:
  - Returns one message for each name in the input that is not one of O(known) but is at most two edits (insert,
    delete, replace or swap a character) away from one of them, naming the likely intended variable.
  - The role P(csp.partnercenter.customer_users#role) uses it so that C(partnercenter_user:) (without the C(s)) fails
    instead of converging a customer with an empty user list.
  - Given a dictionary of host names to their variable names instead of a list, checks every host at once and
    prefixes each message with its host; the role does this once per batch of hosts rather than once per host.
author:
  - csp.partnercenter contributors (@csp-partnercenter)
options:
  _input:
    description: The variable names to check, or a dictionary of host names to the variable names of each.
    type: raw
    required: true
  known:
    description: The valid names.
    type: list
    elements: str
    required: true
  prefix:
    description: Only names starting with this are checked.
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: Refuse misspelt role variables
  ansible.builtin.assert:
    that: misspelt | length == 0
    fail_msg: "{{ misspelt | join('; ') }}"
  vars:
    misspelt: "{{ query('ansible.builtin.varnames', '^partnercenter_') | csp.partnercenter.variable_near_misses(['partnercenter_users']) }}"

- name: The same for every host of the batch, once
  ansible.builtin.assert:
    that: misspelt | length == 0
    fail_msg: "{{ misspelt | join('; ') }}"
  run_once: true
  vars:
    misspelt: >-
      {{ dict(ansible_play_batch | zip(ansible_play_batch | map('extract', hostvars) | map('list')))
         | csp.partnercenter.variable_near_misses(['partnercenter_users'], prefix='partnercenter_') }}
"""

RETURN = r"""
_value:
  description: One message per near miss, for example C(partnercenter_user is not a variable of this role; did you mean
    partnercenter_users?).
  type: list
  elements: str
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.csp.partnercenter.plugins.module_utils._suggest import near_miss_messages


def variable_near_misses(names, known, prefix=""):
    if isinstance(names, Mapping):
        return ["%s: %s" % (host, message) for host in names
                for message in variable_near_misses(list(names[host] or []), known, prefix)]
    if not isinstance(names, (list, tuple)) or not isinstance(known, (list, tuple)):
        raise AnsibleFilterError("variable_near_misses takes a list of names (or a dictionary of host names to lists "
                                 "of names) and a list of known names")
    return near_miss_messages(names, known, prefix)


class FilterModule(object):

    def filters(self):
        return {"variable_near_misses": variable_near_misses}
