# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: role_failure
short_description: A customer's failure as the customer_users role reports it
version_added: 0.2.0
description:
  - Turns the message of a failed M(csp.partnercenter.partnercenter_user) task into one that names the role's
    variables (C(partnercenter_users[3] (jane@contoso.com).usage_location) instead of C(users[3] ...)).
  - An identity failure (the token request, or Partner Center refusing the token) is the same for every customer of
    the run, so it is said in full once, for the first host in play order that met it; each other host names the
    cause in a few words (C(the token has no MFA claim), C(the refresh token has expired)) and refers to that host
    for what to do next.
author:
  - csp.partnercenter contributors (@csp-partnercenter)
options:
  _input:
    description: The registered result of the failed task.
    type: dict
    required: true
  host:
    description: This host, usually C(inventory_hostname).
    type: str
    required: true
  others:
    description: The same registered result of every host of the play, in play order (host name to result).
    type: dict
    default: {}
  check_mode:
    description:
      - When given, and the task got as far as converging users (its result has C(summary)), the customer's summary
        lines follow the message (what was done, or in check mode would be done, before the failure), worded for
        check mode when true.
    type: bool
"""

EXAMPLES = r"""
- name: Fail naming the role's variables
  ansible.builtin.fail:
    msg: "{{ result | csp.partnercenter.role_failure(inventory_hostname, dict(ansible_play_hosts_all | zip(
      ansible_play_hosts_all | map('extract', hostvars, 'result')))) }}"
"""

RETURN = r"""
_value:
  description: The message.
  type: str
"""

from ansible_collections.csp.partnercenter.plugins.plugin_utils._role_failure import identity_key, role_message


def role_failure(result, host, others=None, check_mode=None):
    key = identity_key(result)
    said_by = None
    if key is not None:
        for other, other_result in (others or {}).items():
            if other == host:
                break
            if isinstance(other_result, dict) and identity_key(other_result) == key:
                said_by = other
                break
    return role_message(result, host, said_by, check_mode)


class FilterModule(object):

    def filters(self):
        return {"role_failure": role_failure}
