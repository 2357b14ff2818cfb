# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""What ``partnercenter_user`` returns: one builder for the single-user and many-users forms."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.csp.partnercenter.plugins.module_utils._summary import failure_groups, failure_text

ACTIONS = ("created", "updated", "restored", "deleted", "unchanged", "renamed", "offboarded")
# The result lists at most this many undeclared users (summary.undeclared counts them all).
UNDECLARED_LISTED = 100


class TaskResult:
    """The module's result (``fields``), its warnings, and ``failure``: a message when the task must fail."""

    def __init__(self, fields, warnings=(), failure=None, error=None):
        self.fields = fields
        self.warnings = list(warnings)
        self.failure = failure
        self.error = error  # the error (PartnerCenterError.to_dict()) of a single-user failure


def _entry(outcome):
    entry = dict(outcome.user or {"user_principal_name": outcome.plan.desired.user_principal_name})
    entry["action"] = outcome.action if outcome.error is None else "failed"
    if entry["action"] == "offboarded":
        entry["offboarding"] = outcome.plan.offboarding_record()
    elif entry["action"] == "renamed":
        entry["previous_user_principal_name"] = outcome.plan.current.get("user_principal_name")
    return entry


def _diff(outcome):
    """(before, after) of one outcome; empty unless what happened is what was planned."""
    if outcome.changed and outcome.action == outcome.plan.action:
        return outcome.plan.diff()
    return {}, {}


def single_result(outcome):
    warnings = list(outcome.warnings)
    if outcome.error is not None:
        return TaskResult({}, warnings, failure=outcome.error.full_message(), error=outcome.error.to_dict())
    before, after = _diff(outcome)
    fields = dict(changed=outcome.changed, action=outcome.action, user=outcome.user,
                  diff=dict(before=before, after=after))
    if outcome.action == "offboarded":
        fields["offboarding"] = outcome.plan.offboarding_record()
    return TaskResult(fields, warnings)


def many_result(outcomes, declared_count, undeclared=()):
    """``outcomes``: the declared users' (in declared order), then the purged ones; ``undeclared``: the active users
    nobody declared that a purge left (purge off)."""
    declared, purged = outcomes[:declared_count], outcomes[declared_count:]
    summary = dict((action, 0) for action in ACTIONS)
    summary.update(purged=0, failed=0, undeclared=len(undeclared))
    before, after = {}, {}
    warnings = []
    for position, outcome in enumerate(outcomes):
        warnings.extend(outcome.warnings)
        if outcome.error is not None:
            summary["failed"] += 1
            continue
        summary["purged" if position >= declared_count else outcome.action] += 1
        if outcome.changed and outcome.action == outcome.plan.action:
            upn = outcome.plan.desired.user_principal_name
            before[upn], after[upn] = outcome.plan.diff()
    fields = dict(
        changed=any(o.changed for o in outcomes),
        users=[_entry(o) for o in declared],
        purged=[_entry(o) for o in purged if o.error is None],
        summary=summary,
        diff=dict(before=before, after=after),
        undeclared_users=[u["user_principal_name"] for u in undeclared[:UNDECLARED_LISTED]],
    )
    failures = [o for o in outcomes if o.error is not None]
    if not failures:
        return TaskResult(fields, warnings)
    fields["failed_users"] = [dict(user_principal_name=o.plan.desired.user_principal_name,
                                   msg=o.error.full_message(), error=o.error.to_dict()) for o in failures]
    # One refusal met by many users (a GDAP 403 for every create) is explained once, naming them.
    failure = "%d of %d users failed: %s" % (len(failures), len(outcomes), "; ".join(
        failure_text(group) for group in failure_groups(fields["failed_users"])))
    return TaskResult(fields, warnings, failure=failure)
