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
  - The role M(csp.partnercenter.customer_users) uses it so that C(partnercenter_user:) (without the C(s)) fails
    instead of converging a customer with an empty user list.
author:
  - csp.partnercenter contributors (@csp-partnercenter)
options:
  _input:
    description: The variable names to check.
    type: list
    elements: str
    required: true
  known:
    description: The valid names.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Refuse misspelt role variables
  ansible.builtin.assert:
    that: misspelt | length == 0
    fail_msg: "{{ misspelt | join('; ') }}"
  vars:
    misspelt: "{{ query('ansible.builtin.varnames', '^partnercenter_') | csp.partnercenter.variable_near_misses(['partnercenter_users']) }}"
"""

RETURN = r"""
_value:
  description: One message per near miss, for example C(partnercenter_user is not a variable of this role; did you mean
    partnercenter_users?).
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

MAX_EDITS = 2


def edit_distance(first, second):
    """Optimal string alignment distance (Damerau-Levenshtein without repeated edits of one substring)."""
    previous2, previous = None, list(range(len(second) + 1))
    for i in range(1, len(first) + 1):
        current = [i] + [0] * len(second)
        for j in range(1, len(second) + 1):
            cost = 0 if first[i - 1] == second[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and first[i - 1] == second[j - 2] and first[i - 2] == second[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(second)]


def variable_near_misses(names, known):
    if not isinstance(names, (list, tuple)) or not isinstance(known, (list, tuple)):
        raise AnsibleFilterError("variable_near_misses takes a list of names and a list of known names")
    known = [str(k) for k in known]
    messages = []
    for name in sorted(set(str(n) for n in names) - set(known)):
        close = sorted((edit_distance(name, k), k) for k in known)
        if close and close[0][0] <= MAX_EDITS:
            messages.append("%s is not a variable of this role; did you mean %s?" % (name, close[0][1]))
    return messages


class FilterModule(object):

    def filters(self):
        return {"variable_near_misses": variable_near_misses}
