# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Runs ``partnercenter_user`` in the worker when the task runs on the controller.

The module's own code (``module_utils._user_task.converge``) runs on an in-process module
object (``plugin_utils._in_process``), so a customer costs no new Python interpreter, no
AnsiballZ payload and no second import of ``requests``: this file's imports run once, in the
strategy's process, and every fork inherits them.  Any other connection, ``become``,
``async``, a controller without ``requests``, or ``PARTNERCENTER_IN_PROCESS=false`` runs the
module as usual; the documentation is the module's.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase

from ansible_collections.csp.partnercenter.plugins.plugin_utils._in_process import (
    in_process_refusal, injects_invocation, run_in_process, warm_up,
)

try:
    from ansible_collections.csp.partnercenter.plugins.module_utils._user_task import converge, user_module_arguments
except ImportError:  # requests missing on the controller: the module reports it, from its own interpreter
    converge = user_module_arguments = None
else:
    warm_up()  # in the strategy's process, where this file is first imported: the forks inherit it


class ActionModule(ActionBase):

    _VALID_ARGS = frozenset()  # the module's options, checked by its own argument spec
    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp  # tmp no longer has any effect
        if converge is None or in_process_refusal(self):
            result.update(self._execute_module(task_vars=task_vars, wrap_async=self._task.async_val))
            return result
        environment = {}
        self._compute_environment_string(environment)
        result.update(run_in_process(converge, user_module_arguments(), self._task.args,
                                     check_mode=self._task.check_mode, diff=self._task.diff,
                                     name=self._task.action, environment=environment,
                                     invocation=injects_invocation(task_vars)))
        return result
