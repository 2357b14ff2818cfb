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
  - Returns one message for each name in the input that is not one of O(known) but looks like one of them, naming
    the likely intended variable.
  - Always reported, as nobody names a variable of their own so; a known name in other capitals or with other
    separators (C(PartnerCenter_Users), C(partner_center_users)), its words in another order
    (C(partnercenter_purge_users)), or at most two edits (insert, delete, replace or swap a character; fewer for
    names under eight letters) away from it (C(partnercenter_user), C(partnercentre_users)).
  - Reported only when the host does not set the known name itself, as a variable of somebody else's may look so; a
    known name that starts with O(prefix) written with one of O(spellings) instead (C(pc_users), C(csp_users_common)),
    or with a word after O(prefix) missing (C(partnercenter_purge_exclude)). A host "sets" a name that is among its
    variables.
  - The role P(csp.partnercenter.customer_users#role) applies the same rule (there a variable at the role's default
    counts as not set), so that C(partnercentre_users:) fails instead of converging a customer with an empty user
    list.
  - Given a dictionary of host names to their variable names (or variables) instead of a list, checks every host at
    once and prefixes each message with its host.
author:
  - csp.partnercenter contributors (@csp-partnercenter)
options:
  _input:
    description: The variable names to check, or a dictionary of host names to the variable names (or the
      variables) of each.
    type: raw
    required: true
  known:
    description: The valid names.
    type: list
    elements: str
    required: true
  prefix:
    description:
      - The prefix of the known names whose other spellings O(spellings) lists.
      - Names that do not start with it are checked too.
    type: str
    default: partnercenter_
  spellings:
    description:
      - Other spellings of O(prefix), in lower case and without separators (C(pc) matches C(pc_users) and
        C(PC-Users)). After a spelling of four letters or fewer the rest of a known name must follow exactly.
      - By default the ones people type for C(partnercenter_) when O(prefix) is C(partnercenter_) (C(partnercentre),
        C(pc), C(pcenter), C(csp), C(mpc), C(microsoftpartnercenter) ...), and none otherwise.
    type: list
    elements: str
"""

EXAMPLES = r"""
- name: Refuse misspelt role variables
  ansible.builtin.assert:
    that: misspelt | length == 0
    fail_msg: "{{ misspelt | join('; ') }}"
  vars:
    misspelt: "{{ query('ansible.builtin.varnames', '.') | csp.partnercenter.variable_near_misses(['partnercenter_users']) }}"

- name: The same for every host of the batch, once
  ansible.builtin.assert:
    that: misspelt | length == 0
    fail_msg: "{{ misspelt | join('; ') }}"
  run_once: true
  vars:
    misspelt: >-
      {{ dict(ansible_play_batch | zip(ansible_play_batch | map('extract', hostvars) | map('list')))
         | csp.partnercenter.variable_near_misses(['partnercenter_users', 'partnercenter_users_purge']) }}
"""

RETURN = r"""
_value:
  description: One message per near miss, for example C(pc_users is not a variable of this role; did you mean
    partnercenter_users? (another spelling of the partnercenter_ prefix)).
  type: list
  elements: str
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.csp.partnercenter.plugins.module_utils._suggest import (
    PARTNERCENTER_SPELLINGS, near_miss_messages, squeezed,
)

PREFIX = "partnercenter_"


def variable_near_misses(names, known, prefix=PREFIX, spellings=None):
    if isinstance(names, Mapping):
        return ["%s: %s" % (host, message) for host in names
                for message in variable_near_misses(list(names[host] or []), known, prefix, spellings)]
    if not isinstance(names, (list, tuple)) or not isinstance(known, (list, tuple)):
        raise AnsibleFilterError("variable_near_misses takes a list of names (or a dictionary of host names to lists "
                                 "of names) and a list of known names")
    if spellings is None:
        spellings = PARTNERCENTER_SPELLINGS if prefix == PREFIX else ()
    return near_miss_messages(names, known, prefix, [squeezed(s) for s in spellings])


class FilterModule(object):

    def filters(self):
        return {"variable_near_misses": variable_near_misses}
