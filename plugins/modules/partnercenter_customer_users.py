#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: partnercenter_customer_users
short_description: Converge one customer's users from the customer_users role's variables
version_added: 0.2.0
description:
  - The converge step of the role P(csp.partnercenter.customer_users#role), one task per customer (inventory host).
  - Reads the host's role variables itself (C(partnercenter_customer_id), C(partnercenter_customer_domain),
    C(partnercenter_users), C(partnercenter_users_common), C(partnercenter_users_purge) and the other
    C(partnercenter_users_*)), exactly as the role's argument specification documents them, with its defaults for those
    not set; then converges the customer as M(csp.partnercenter.partnercenter_user) with O(csp.partnercenter.partnercenter_user#module:users)
    does, and returns its result.
  - An entry of C(partnercenter_users) replaces the entry of C(partnercenter_users_common) with the same user principal
    name (compared case-insensitively) entirely.
  - Before any request the task fails when a host variable is one or two letters from a role variable
    (C(partnercenter_user) for C(partnercenter_users)), which would otherwise be ignored, or when a role variable has
    a value its specification refuses.
  - Messages name the role's variables, not the module's options. C(partnercenter_users_common[1]) names the second
    common entry, and C(partnercenter_users_purge_limit) names the purge limit.
  - Before any request, the task also fails when a user principal name ends with C(@) while
    C(partnercenter_customer_domain) is empty. A static inventory gives C(breakglass@{{ partnercenter_customer_domain }})
    for such a host.
  - A failed customer fails the task in the role's words, prefixed with the host's name and followed, when the
    converge got that far, by the customer's summary lines. An identity failure (the token request, or Partner Center
    refusing the token) is said in full once per run, by the first host to meet it; each other host names the cause
    in a few words and refers to that host.
  - Usable outside the role in any play whose hosts carry those variables.
author:
  - csp.partnercenter contributors (@csp-partnercenter)
options:
  plan_batch:
    description:
      - With V(true), the task does not converge this host; run it once per batch (C(run_once)) before the converge,
        as the role does, for C(partnercenter_users_play_mass_change_limit). It bounds the batch's deletes,
        offboardings and renames from the declarations of every host of C(ansible_play_batch) (no request); only
        when the bound is above the limit does it plan every customer in check mode (reads only, on parallel
        threads, up to C(forks) at a time) and fail, before any converge writes, when their plans together exceed it.
        In check mode it does nothing (each converge is its own plan).
    type: bool
    default: false
extends_documentation_fragment:
  - csp.partnercenter.connection
  - csp.partnercenter.attributes
  - csp.partnercenter.attributes.action
attributes:
  action:
    details: The role variables are read on the controller; on a local connection the whole task runs there, in the
      worker process, otherwise M(csp.partnercenter.partnercenter_user) runs as a module on the target.
  check_mode:
    support: full
    details: As M(csp.partnercenter.partnercenter_user) - nothing is written and the result predicts what a real run
      would do.
  diff_mode:
    support: full
    details: As M(csp.partnercenter.partnercenter_user).
notes:
  - The task's only arguments are the connection options, usually from C(module_defaults) for
    C(group/csp.partnercenter.partnercenter) or from the E(PARTNERCENTER_*) environment variables.
    C(module_defaults) for M(csp.partnercenter.partnercenter_user) alone do not apply to this task.
  - The variables are those of the role's C(meta/argument_specs.yml), read from the installed collection.
seealso:
  - module: csp.partnercenter.partnercenter_user
  - name: The customer_users role
    description: The role whose converge step this is, with its summary; see C(ansible-doc -t role csp.partnercenter.customer_users).
    link: https://github.com/csp-partnercenter/csp.partnercenter/blob/main/roles/customer_users/README.md
"""

EXAMPLES = r"""
- name: Converge every customer of the inventory group, without the role's summary
  hosts: partnercenter_customers
  connection: local
  gather_facts: false
  tasks:
    - name: Converge the customer's users
      csp.partnercenter.partnercenter_customer_users:
      register: result
"""

RETURN = r"""
customer_id:
  description: The customer's tenant id, given or looked up from C(partnercenter_customer_domain).
  returned: when the task got that far
  type: str
  sample: 0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11
users:
  description: One entry per declared user in declared order, the user's fields plus C(action).
  returned: when the task got that far
  type: list
  elements: dict
purged:
  description: With C(partnercenter_users_purge), the users soft-deleted (or, in check mode, to be deleted).
  returned: when the task got that far
  type: list
  elements: dict
purge_excluded:
  description: With C(partnercenter_users_purge), the undeclared users that C(partnercenter_users_purge_exclude) kept.
  returned: when the task got that far
  type: list
  elements: str
summary:
  description: How many users got each action (and how many failed).
  returned: when the task got that far
  type: dict
  sample: {created: 2, updated: 0, restored: 1, deleted: 0, unchanged: 40, purged: 1, failed: 0}
failed_users:
  description: The users whose write failed, each with the Partner Center error. The task fails if any.
  returned: failure
  type: list
  elements: dict
error:
  description: The Partner Center error that failed the task, as M(csp.partnercenter.partnercenter_user) returns it.
  returned: failure
  type: dict
converge_msg:
  description:
    - The failure as the converge step said it, before the role's framing of C(msg) (the host's name, an identity
      failure referring to the host that said it in full, the customer's summary lines).
  returned: failure
  type: str
planned:
  description: With O(plan_batch), the hosts planned in check mode; empty when the batch needed no planning.
  returned: with O(plan_batch)
  type: list
  elements: str
converge_failed:
  description:
    - Whether the converge failed, kept where C(failed_when) or C(ignore_errors) hide it.
  returned: always
  type: bool
  sample: false
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.csp.partnercenter.plugins.module_utils._connection_options import connection_argument_spec


def main():
    # Only the action plugin of the same name can read the host's variables; a module process cannot.
    module = AnsibleModule(argument_spec=dict(connection_argument_spec(), plan_batch=dict(type="bool", default=False)),
                           supports_check_mode=True)
    module.fail_json(msg="csp.partnercenter.partnercenter_customer_users runs through its action plugin only")


if __name__ == "__main__":
    main()
