# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: play_mass_changes
short_description: The play-wide mass-change limit of the customer_users role
version_added: 0.3.0
description:
  - Given the hosts of a batch and C(hostvars), says what the role P(csp.partnercenter.customer_users#role) needs for
    C(partnercenter_users_play_mass_change_limit).
  - With O(register) unset, whether the batch must be planned first - V(true) when the limit is set and the hosts'
    declarations (users declared absent or offboarded or with previous names, and any purge) could exceed it.
  - With O(register), the batch's refusal - the deletes, offboardings and renames the registered results (of a
    check-mode planning pass, or of the converge in check mode) plan together, when above the limit - or an empty
    string.
author:
  - csp.partnercenter contributors (@csp-partnercenter)
options:
  _input:
    description: The hosts of the batch, usually C(ansible_play_batch).
    type: list
    elements: str
    required: true
  hostvars:
    description: C(hostvars).
    type: dict
    required: true
  register:
    description: The name of the registered result to sum, for the refusal.
    type: str
  check_mode:
    description: Whether the results are check mode's own prediction (the refusal then says so).
    type: bool
    default: false
  limit:
    description:
      - The limit. When not given, the first host's C(partnercenter_users_play_mass_change_limit) in O(hostvars),
        which holds no role default; the role passes its variable.
    type: raw
"""

EXAMPLES = r"""
- name: Bound the batch's mass changes
  ansible.builtin.set_fact:
    plan_first: "{{ ansible_play_batch | csp.partnercenter.play_mass_changes(hostvars) }}"
  run_once: true
"""

RETURN = r"""
_value:
  description: Without O(register), a boolean; with it, the refusal message, or an empty string.
  type: raw
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.csp.partnercenter.plugins.plugin_utils import _customer_users as role

_UNSET = object()


def _limit(value):
    return None if value is None or value == "" else int(value)


def play_mass_changes(hosts, hostvars, register=None, check_mode=False, limit=_UNSET):
    if not isinstance(hosts, (list, tuple)):
        raise AnsibleFilterError("play_mass_changes takes the list of the batch's hosts (ansible_play_batch)")
    hosts = [str(h) for h in hosts]
    if not hosts:
        return False if register is None else ""
    limit = _limit(hostvars[hosts[0]].get(role.PLAY_LIMIT) if limit is _UNSET else limit)
    if register is None:
        values = dict((host, dict((name, hostvars[host].get(name)) for name in (
            "partnercenter_users", "partnercenter_users_common", "partnercenter_users_purge"))) for host in hosts)
        return role.batch_needs_planning(values, limit)
    results = dict((host, hostvars[host].get(register)) for host in hosts)
    return role.play_mass_change_refusal(results, limit, bool(check_mode))


class FilterModule(object):

    def filters(self):
        return {"play_mass_changes": play_mass_changes}
