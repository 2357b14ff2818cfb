# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""``partnercenter_user`` from an action plugin: in the worker on the controller, else as a module process.

Both action plugins that converge users (``partnercenter_user`` and ``partnercenter_customer_users``)
run the module through ``run_user_module``, so the choice and its reasons live here once.  This
file is first imported in the strategy's process (it loads the action class before queuing the
task), so its imports and ``warm_up`` are inherited by every fork.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.csp.partnercenter.plugins.plugin_utils._in_process import (
    in_process_refusal, injects_invocation, run_in_process, warm_up,
)

try:
    from ansible_collections.csp.partnercenter.plugins.module_utils._user_task import converge, user_module_arguments
except ImportError:  # requests missing on the controller: the module reports it, from its own interpreter
    converge = USER_MODULE_ARGUMENTS = None
else:
    USER_MODULE_ARGUMENTS = user_module_arguments()  # one object, so its validator is made once (validator_for)
    warm_up()

USER_MODULE = "csp.partnercenter.partnercenter_user"


def run_user_module(action, args, task_vars, name=USER_MODULE):
    """The result of ``partnercenter_user`` with ``args`` for ``action`` (an ``ActionBase``) and its task."""
    task = action._task  # pylint: disable=protected-access
    if converge is None or in_process_refusal(action):
        return action._execute_module(module_name=USER_MODULE, module_args=args,  # pylint: disable=protected-access
                                      task_vars=task_vars, wrap_async=task.async_val)
    environment = {}
    action._compute_environment_string(environment)  # pylint: disable=protected-access
    return run_in_process(converge, USER_MODULE_ARGUMENTS, args, check_mode=task.check_mode, diff=task.diff,
                          name=name, environment=environment, invocation=injects_invocation(task_vars))
