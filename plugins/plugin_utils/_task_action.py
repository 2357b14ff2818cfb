# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""A module's task from an action plugin: in the worker on the controller, else as a module process.

Every module has an action plugin of its name, one line: ``ActionModule = module_action(name)``.
It runs the module's task (``TASKS``) in-process (``_in_process.run_in_process``) on a local
connection, and the module as usual elsewhere, as another user (``become``), in the background
(``async``), without ``requests`` on the controller, or with ``PARTNERCENTER_IN_PROCESS=false``;
the documentation is the module's.  The role's action plugin (``partnercenter_customer_users``)
runs ``partnercenter_user`` through ``run_module_task`` too, so the choice lives here once.  This
file is first imported in the strategy's process (it loads the action class before queuing the
task), so its imports and ``warm_up`` are inherited by every fork, and so is the run's correlation id
(``_correlation.start_run``: one ``MS-CorrelationId`` for every request of the run).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.plugins.action import ActionBase

from ansible_collections.csp.partnercenter.plugins.module_utils import _correlation
from ansible_collections.csp.partnercenter.plugins.module_utils._consent import CONSENT
from ansible_collections.csp.partnercenter.plugins.module_utils._info_tasks import (
    AUTH_INFO, CUSTOMER_INFO, SUBSCRIBED_SKU_INFO, USER_INFO,
)
from ansible_collections.csp.partnercenter.plugins.module_utils._parallel import in_parallel
from ansible_collections.csp.partnercenter.plugins.module_utils._user_task import USER
from ansible_collections.csp.partnercenter.plugins.plugin_utils._in_process import (
    in_process_refusal, injects_invocation, quiet_libraries, run_in_process, task_environment, warm_up,
)

TASKS = dict((task.name, task) for task in (AUTH_INFO, CONSENT, CUSTOMER_INFO, SUBSCRIBED_SKU_INFO, USER, USER_INFO))
warm_up()
_correlation.start_run()


def run_module_task(action, module, args, task_vars, name=None):
    """The result of the module ``module`` (a name of ``TASKS``) with ``args`` for ``action`` (an ``ActionBase``)
    and its task; ``name`` is the module's name in messages (the fully qualified one unless given)."""
    task = action._task  # pylint: disable=protected-access
    fqcn = "csp.partnercenter." + module
    if in_process_refusal(action):
        pass_correlation_id(task)
        return action._execute_module(module_name=fqcn, module_args=args,  # pylint: disable=protected-access
                                      task_vars=task_vars, wrap_async=task.async_val)
    environment = {}
    action._compute_environment_string(environment)  # pylint: disable=protected-access
    return run_in_process(TASKS[module], args, check_mode=task.check_mode, name=name or fqcn,
                          environment=environment, invocation=injects_invocation(task_vars))


def run_module_tasks(action, module, args_list, task_vars, parallelism, check_mode):
    """The results of ``module`` with each arguments of ``args_list``, in order, in ``check_mode``: in-process on up
    to ``parallelism`` threads (the task's environment set once around them all), else one module process after
    another through ``action``'s connection."""
    task = action._task  # pylint: disable=protected-access
    if in_process_refusal(action):
        saved, task.check_mode = task.check_mode, check_mode
        try:
            return [run_module_task(action, module, args, task_vars) for args in args_list]
        finally:
            task.check_mode = saved
    environment = {}
    action._compute_environment_string(environment)  # pylint: disable=protected-access
    fqcn = "csp.partnercenter." + module
    with task_environment(environment), quiet_libraries():
        return in_parallel(lambda args: run_in_process(TASKS[module], args, check_mode=check_mode, name=fqcn,
                                                       invocation=False), args_list, parallelism)


def pass_correlation_id(task):
    """The run's correlation id in the environment of the module process (on another host, or through
    ``become``, it would not inherit the controller's); the task's own ``environment`` may override it."""
    value = os.environ.get(_correlation.VARIABLE)
    if value:
        environments = task.environment if isinstance(task.environment, list) else [task.environment]
        task.environment = [{_correlation.VARIABLE: value}] + [e for e in environments if e]


class TaskAction(ActionBase):
    """The action plugin of a module: its task in-process where it can (``run_module_task``)."""

    MODULE = None  # the module's name in TASKS, set by module_action
    _VALID_ARGS = frozenset()  # the module's options, checked by its own argument spec
    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        result = super(TaskAction, self).run(tmp, task_vars)
        del tmp  # tmp no longer has any effect
        result.update(run_module_task(self, self.MODULE, self._task.args, task_vars, name=self._task.action))
        return result


def module_action(module):
    """The ``ActionModule`` class of ``module``'s action plugin: a class of its own per plugin, as the plugin
    loader sets attributes on the class it loads."""
    return type("ActionModule", (TaskAction,), {"MODULE": module})
