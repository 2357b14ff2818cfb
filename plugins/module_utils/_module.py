# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""The module-process adapter: a ``_task.ModuleTask`` run by ``AnsibleModule``.

The in-process adapter is ``plugin_utils._in_process``; the ansible-core touch points of both are
listed in its docstring.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.csp.partnercenter.plugins.module_utils import _http
from ansible_collections.csp.partnercenter.plugins.module_utils._task import TaskContext, given_inputs, run_task


class _TaskModule(AnsibleModule):
    """``AnsibleModule`` for ``task``: what ``given_inputs`` masks is masked before Ansible logs or returns the
    options, and its own argument errors leave as ``GivenInputs.validation_failure`` words them."""

    def __init__(self, task):
        self.task = task
        self.given = None
        super(_TaskModule, self).__init__(argument_spec=task.argument_spec, supports_check_mode=True, **task.rules)

    def _load_params(self):
        super(_TaskModule, self)._load_params()
        self.given = given_inputs(self.task, self.params)
        self.no_log_values.update(self.given.masked)

    def fail_json(self, msg=None, **kwargs):  # pylint: disable=arguments-differ
        """AnsibleModule's own failures: argument errors (before ``given_inputs``, unreadable input)."""
        if self.given is not None:
            kwargs.update(self.given.validation_failure(msg))
            msg = kwargs.pop("msg")
            kwargs.pop("failed")
        super(_TaskModule, self).fail_json(msg=msg, **kwargs)

    def leave(self, fields):
        """Exit with ``fields``, a result of ``_task``: warned, then failed or exited."""
        for warning in fields.pop("warnings", ()):
            self.warn(warning)
        if fields.pop("failed", False):
            super(_TaskModule, self).fail_json(**fields)
        self.exit_json(**fields)


def run_module(task):
    """Run ``task`` as this module process, and exit with its result."""
    module = _TaskModule(task)
    context = TaskContext(task, module.params, module.check_mode, module.given.scrubber)
    if not _http.HAS_REQUESTS:
        module.leave(dict(failed=True, msg=missing_required_lib("requests"),
                          exception=context.scrubber.scrub_value(_http.REQUESTS_IMPORT_ERROR)))
    module.leave(run_task(task, context, module.given))
