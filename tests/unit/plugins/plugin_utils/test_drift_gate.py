# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The pipeline gate's decision (partnercenter_fail_on_drift) on a check-mode result of the many-users form."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.csp.partnercenter.plugins.plugin_utils._drift_gate import drift, gate_refusal


def result(purged=(), failed=False, **actions):
    summary = dict(created=0, updated=0, restored=0, deleted=0, unchanged=1, purged=len(purged), failed=0)
    users = []
    for action, upns in actions.items():
        summary[action] = len(upns)
        users += [{"user_principal_name": upn, "action": action} for upn in upns]
    return dict(summary=summary, users=users, purged=[{"user_principal_name": u} for u in purged], failed=failed)


@pytest.mark.parametrize("changes, any_kinds, destructive_kinds", [
    (dict(), [], []),
    (dict(created=["a@x.com"]), ["created"], []),
    (dict(updated=["a@x.com"], restored=["b@x.com"]), ["restored", "updated"], []),
    (dict(purged=["p@x.com"]), ["purged"], ["purged"]),
    (dict(deleted=["d@x.com"], created=["a@x.com"]), ["created", "deleted"], ["deleted"]),
    # a kind added later (offboarding) is drift by its count, and destructive by name
    (dict(offboarded=["o@x.com"]), ["offboarded"], ["offboarded"]),
    (dict(renamed=["r@x.com"]), ["renamed"], []),
])
def test_what_each_policy_gates_on(changes, any_kinds, destructive_kinds):
    checked = result(**changes)
    assert sorted(drift(checked, "any")) == any_kinds
    assert sorted(drift(checked, "destructive")) == destructive_kinds
    assert drift(checked, "never") == {}


def test_the_message_names_the_gate_the_kinds_and_the_users():
    checked = result(purged=["p@x.com", "q@x.com"], created=["a@x.com"])
    message = gate_refusal(checked, "destructive", check_mode=True)
    assert message.startswith("drift gate (partnercenter_fail_on_drift: destructive): check mode found a change that "
                              "removes users or their access: would purge p@x.com, q@x.com. Nothing was changed.")
    assert "a@x.com" not in message and "set partnercenter_fail_on_drift to never" in message
    message = gate_refusal(checked, "any", check_mode=True)
    assert "found drift: would create a@x.com; would purge p@x.com, q@x.com" in message
    assert "destructive to fail only on removals" in message


def test_the_gate_trips_only_in_check_mode_and_not_on_a_failed_task():
    checked = result(purged=["p@x.com"])
    assert gate_refusal(checked, "any", check_mode=False) is None
    assert gate_refusal(dict(checked, failed=True), "any", check_mode=True) is None
    assert gate_refusal(result(), "any", check_mode=True) is None
    assert gate_refusal(checked, "never", check_mode=True) is None
    assert gate_refusal(checked, None, check_mode=True) is None


def test_undeclared_users_are_drift_said_as_such_only_under_any():
    result = {"summary": {"unchanged": 3, "undeclared": 1}, "users": [],
              "undeclared_users": ["ada@contoso.onmicrosoft.com"]}
    assert gate_refusal(result, "destructive", True) is None
    message = gate_refusal(result, "any", True)
    assert "ada@contoso.onmicrosoft.com left active though no declaration names them" in message
    assert "would undeclared" not in message
