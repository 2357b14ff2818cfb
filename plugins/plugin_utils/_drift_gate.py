# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""The pipeline gate of the ``customer_users`` role (``partnercenter_fail_on_drift``): whether a check-mode run
fails the customer because of what it would change.

A pure decision on the registered result of the many-users ``partnercenter_user`` form; the role's converge step
(``plugins/action/partnercenter_customer_users.py``) asks it after a check-mode run that did not fail otherwise.
A customer the gate fails is a failed host, so ``ansible-playbook`` exits 2.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

VARIABLE = "partnercenter_fail_on_drift"
POLICIES = ("never", "destructive", "any")
# The summary's kinds that remove a user or its access: a purge, a declared state=absent, an offboarding.
DESTRUCTIVE = ("purged", "deleted", "offboarded")
# The summary's counts that are no change (every other kind, present or added later, is drift).
NO_CHANGE = ("unchanged", "failed")
# Active users no declaration names (purge off): no change, but drift from the repository (under "any").
UNDECLARED = "undeclared"


def drift(result, policy):
    """Kind of change -> the UPNs it would apply to, for the kinds ``policy`` gates on (empty: the gate passes)."""
    if policy not in ("destructive", "any"):
        return {}
    summary = (result or {}).get("summary") or {}
    kinds = [kind for kind, count in sorted(summary.items())
             if kind not in NO_CHANGE and isinstance(count, int) and count > 0
             and (policy == "any" or kind in DESTRUCTIVE)]
    found = {}
    for kind in kinds:
        if kind == UNDECLARED:
            found[kind] = [str(upn) for upn in result.get("undeclared_users") or []] or ["%d user(s)" % summary[kind]]
            continue
        users = result.get("purged") or [] if kind == "purged" else \
            [u for u in result.get("users") or [] if u.get("action") == kind]
        found[kind] = [str(u.get("user_principal_name")) for u in users] or ["%d user(s)" % summary[kind]]
    return found


def gate_refusal(result, policy, check_mode):
    """The failure message when the gate trips on ``result`` (a check-mode run's), else None.

    Outside check mode the gate never trips: a run that applies has made its changes already, and the report
    (or the summary) says what they were.
    """
    if not check_mode or (result or {}).get("failed"):
        return None
    found = drift(result, policy)
    if not found:
        return None
    said = "; ".join(("%s left active though no declaration names them" if kind == UNDECLARED else
                      "would %s %%s" % _verb(kind)) % ", ".join(upns) for kind, upns in sorted(found.items()))
    return ("drift gate (%s: %s): check mode found %s: %s. Nothing was changed. Review the change (the diff and the "
            "report say what it is) and apply it after merge, or set %s to %s" % (
                VARIABLE, policy, "a change that removes users or their access" if policy == "destructive"
                else "drift", said, VARIABLE,
                "never to allow it" if policy == "destructive" else "destructive to fail only on removals"))


def _verb(kind):
    return {"created": "create", "updated": "update", "restored": "restore", "deleted": "delete",
            "purged": "purge", "offboarded": "offboard", "renamed": "rename"}.get(kind, kind)
