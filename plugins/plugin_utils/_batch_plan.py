# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""The play-wide mass-change limit of the ``customer_users`` role, in one task run once per batch.

``partnercenter_customer_users`` with ``plan_batch: true``: bounds the batch's deletes, offboardings and renames from
the declarations (no request); only when the bound is above ``partnercenter_users_play_mass_change_limit`` does it
plan every customer of the batch (``ansible_play_batch``, each host's role variables from ``hostvars``) in check
mode, in this one task on parallel threads, sum the plans and refuse the batch before any converge writes.  One
task for the batch, so a batch that needs no planning costs one worker process, not one per host.  A customer
whose variables are refused, or whose plan fails, is left to its converge, which fails it the same way.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible import context

from ansible_collections.csp.partnercenter.plugins.plugin_utils import _customer_users as role
from ansible_collections.csp.partnercenter.plugins.plugin_utils._task_action import run_module_tasks

# The role variables the batch's bound is made of (role.mass_change_bound).
BOUND_BY = ("partnercenter_users", "partnercenter_users_common", "partnercenter_users_purge")


def play_limit(task_vars):
    """The batch's ``partnercenter_users_play_mass_change_limit`` (the role's default among the task's variables;
    ``hostvars`` lack role defaults), or None when it is off."""
    value = task_vars.get(role.PLAY_LIMIT)
    return None if value is None or value == "" else int(value)


def batch_plan(action, connection, task_vars):
    """The result of the batch's task: failed with the refusal when the batch's plans exceed the limit."""
    if action._task.check_mode:  # pylint: disable=protected-access
        return dict(changed=False, planned=[], msg="check mode: each customer's converge is its own plan")
    limit = play_limit(task_vars)
    hosts = [str(host) for host in task_vars.get("ansible_play_batch") or []]
    hostvars = task_vars.get("hostvars") or {}
    if limit is None or not hosts:
        return dict(changed=False, planned=[], msg="%s is off" % role.PLAY_LIMIT)
    # hostvars[host] templates each value in that host's variables on access: the bound reads three of them.
    variables = dict((host, hostvars[host]) for host in hosts)
    declared = dict((host, role.role_values(variables[host], BOUND_BY)) for host in hosts)
    if not role.batch_needs_planning(declared, limit):
        return dict(changed=False, planned=[], msg="the batch's declarations cannot exceed %s (%d)" % (
            role.PLAY_LIMIT, limit))
    checked = dict((host, role.checked_values(variables[host], lambda values: values)) for host in hosts)
    valid = dict((host, values) for host, (refusal, values) in checked.items() if refusal is None)
    planned = sorted(valid, key=hosts.index)
    arguments = [dict(role.module_arguments(valid[host]), **connection) for host in planned]
    forks = int(context.CLIARGS.get("forks") or 5)
    results = run_module_tasks(action, "partnercenter_user", arguments, task_vars, min(forks, len(planned)),
                               check_mode=True)
    by_host = dict(zip(planned, results))
    refusal = role.play_mass_change_refusal(dict((host, by_host.get(host)) for host in hosts), limit)
    result = dict(changed=False, planned=planned)
    if refusal:
        result.update(failed=True, msg=refusal)
    return result
