# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Runs ``partnercenter_user`` in the worker when the task runs on the controller.

The module's own code (``module_utils._user_task.converge``) runs on an in-process module
object (``plugin_utils._in_process``), so a customer costs no new Python interpreter, no
AnsiballZ payload and no second import of ``requests``.  Any other connection, ``become``,
``async``, a controller without ``requests``, or ``PARTNERCENTER_IN_PROCESS=false`` runs the
module as usual (``plugin_utils._user_action``); the documentation is the module's.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase

from ansible_collections.csp.partnercenter.plugins.plugin_utils._user_action import run_user_module


class ActionModule(ActionBase):

    _VALID_ARGS = frozenset()  # the module's options, checked by its own argument spec
    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp  # tmp no longer has any effect
        result.update(run_user_module(self, self._task.args, task_vars, name=self._task.action))
        return result
