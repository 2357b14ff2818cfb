# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One customer's users from the ``customer_users`` role's variables, in one task.

Reads the host's ``partnercenter_*`` variables itself (no templated task arguments to compile per
host), refuses near misses of their names (``_customer_users.near_misses``), invalid values and a purge
without users of the host's own before any request, and runs
``partnercenter_user`` with the arguments they make, in the worker on the controller
(``plugin_utils._task_action``).  In check mode, ``partnercenter_fail_on_drift`` then fails the
customer when it would change (``plugin_utils._drift_gate``).  A failure is said here, once, in the role's
words (``plugin_utils._role_failure``), so the role needs no second task per customer.  The task's own arguments
are connection options only, as ``module_defaults`` for ``group/csp.partnercenter.partnercenter`` supplies them,
and ``plan_batch``: the role's play-wide mass-change limit, run once per batch (``plugin_utils._batch_plan``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

from ansible_collections.csp.partnercenter.plugins.module_utils._connection_options import connection_argument_spec
from ansible_collections.csp.partnercenter.plugins.plugin_utils import _customer_users as role
from ansible_collections.csp.partnercenter.plugins.plugin_utils._batch_plan import batch_plan
from ansible_collections.csp.partnercenter.plugins.plugin_utils._drift_gate import VARIABLE, gate_refusal
from ansible_collections.csp.partnercenter.plugins.plugin_utils._role_failure import failure_message
from ansible_collections.csp.partnercenter.plugins.plugin_utils._task_action import run_module_task

CONNECTION_OPTIONS = frozenset(connection_argument_spec())
PLAN_BATCH = "plan_batch"


class ActionModule(ActionBase):

    _VALID_ARGS = CONNECTION_OPTIONS | frozenset([PLAN_BATCH])
    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)  # refuses any argument but these
        del tmp  # tmp no longer has any effect
        task_vars = task_vars or {}
        connection = dict((k, v) for k, v in self._task.args.items() if k != PLAN_BATCH)
        if boolean(self._task.args.get(PLAN_BATCH, False), strict=False):
            result.update(batch_plan(self, connection, task_vars))
            return result
        result.update(self._converge(connection, task_vars))
        if result.get("failed"):
            # Said once, here, in the role's words: no second task runs for the customers that converged.
            result["converge_msg"] = result.get("msg")  # the report keeps both wordings
            result["msg"] = failure_message(result, task_vars.get("inventory_hostname", "localhost"),
                                            self._task.check_mode)
        result["converge_failed"] = bool(result.get("failed"))
        return result

    def _converge(self, connection, task_vars):
        refusal, values = role.checked_values(task_vars, self._templar.template)
        if refusal:
            return dict(failed=True, changed=False, msg=refusal)
        consent = None
        if values.get("partnercenter_application_consent"):
            # First, so the users' Graph options find the app consented (a consented customer costs no write).
            consent = run_module_task(self, "partnercenter_application_consent",
                                      dict(role.consent_arguments(values), **connection), task_vars)
            if consent.get("failed"):
                consent["msg"] = role.in_role_terms("partnercenter_application_consent: %s" % consent.get("msg"))
                return consent
        args = role.module_arguments(values)
        args.update(connection)
        unpredicted = []
        if consent is not None and consent.get("changed") and self._play_context.check_mode:
            # Not consented yet: no Graph token can be had in check mode, and the real run consents first.
            args, unpredicted = role.without_graph(args)
        result = run_module_task(self, "partnercenter_user", args, task_vars)
        if unpredicted:
            result["warnings"] = list(result.get("warnings") or []) + [
                "partnercenter_application_consent: the app is not consented in this customer yet, so check mode "
                "could not read Microsoft Graph: the Graph options (work details, manager, sign-in, groups) of %d "
                "user(s) (%s) are not predicted; the real run consents first, then applies them"
                % (len(unpredicted), ", ".join(str(u) for u in unpredicted[:10]) + (", ..." if len(unpredicted) > 10
                                                                                    else ""))]
        if consent is not None:
            result["application_consent"] = dict((key, consent.get(key)) for key in ("changed", "consent", "diff"))
            result["changed"] = bool(result.get("changed") or consent.get("changed"))
            if consent.get("warnings"):
                result["warnings"] = list(consent["warnings"]) + list(result.get("warnings") or [])
        if result.get("failed"):
            result["msg"] = role.in_role_terms(result.get("msg"), values)
            if "option" in result:
                result["option"] = role.in_role_terms(result["option"], values)
        else:
            gate = gate_refusal(result, values.get(VARIABLE), self._play_context.check_mode)
            if gate:  # the pipeline gate: the customer fails, its would-be changes kept in the result
                result.update(failed=True, msg=gate)
        return result
