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
  - Given a dictionary of host names to registered results instead, returns a dictionary of host names to their lines;
    the role P(csp.partnercenter.customer_users#role) prints the customers of a batch so, in one task.
author:
  - csp.partnercenter contributors (@csp-partnercenter)
options:
  _input:
    description: The registered result, or a dictionary of host names to registered results.
    type: dict
    required: true
  host:
    description: The name the lines start with, usually C(inventory_hostname). Required for one result.
    type: str
  check_mode:
    description: Whether the result is a check-mode prediction, usually C(ansible_check_mode).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Say what changed
  ansible.builtin.debug:
    msg: "{{ result | csp.partnercenter.customer_summary(inventory_hostname, ansible_check_mode) }}"

- name: Say what changed in every customer of the batch, once
  ansible.builtin.debug:
    msg: "{{ dict(ansible_play_batch | zip(ansible_play_batch | map('extract', hostvars, 'result')))
             | csp.partnercenter.customer_summary(check_mode=ansible_check_mode) }}"
  run_once: true
"""

RETURN = r"""
_value:
  description:
    - "The lines, for example C(contoso: 2 created, 0 updated, 0 restored, 0 deleted, 0 purged, 5 unchanged)
      then C(created: ann@contoso.com, bob@contoso.com)."
    - For a dictionary of results, a dictionary of host names to their lines.
  type: raw
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.csp.partnercenter.plugins.module_utils._summary import customer_summary as summarise


def customer_summary(result, host=None, check_mode=False):
    if not isinstance(result, Mapping):
        raise AnsibleFilterError("customer_summary takes the registered result of partnercenter_user")
    if host is None:  # {host: result}
        return dict((str(name), customer_summary(value, name, check_mode)) for name, value in result.items())
    return summarise(str(host), result, bool(check_mode))


class FilterModule(object):

    def filters(self):
        return {"customer_summary": customer_summary}
