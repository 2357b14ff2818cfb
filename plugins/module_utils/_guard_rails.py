# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""Guard-rails on a whole plan, before any write: privileged users, mass changes, renames that look like a purge.

``refuse_privileged``: deleting, offboarding, renaming, blocking the sign-in or resetting the password of a user who holds a privileged
directory role (``_role_names.PRIVILEGED_ROLES``) needs ``allow_privileged`` on that user; without it that user's
plan is refused (nothing is sent for it, in check mode too).  ``refuse_mass_changes``: more deletes, offboardings
and renames than ``mass_change_limit`` in one customer refuse the whole task.  ``rename_look_alikes``: a create and
a purge of what looks like one person are warned about, naming ``previous_user_principal_names``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError, PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._parallel import in_parallel
from ansible_collections.csp.partnercenter.plugins.module_utils._planner import (
    CREATE, DELETE, MASS_CHANGES, OFFBOARD, RENAME, with_refusal,
)
from ansible_collections.csp.partnercenter.plugins.module_utils._role_names import privileged_role

# What each guarded plan does to the user, for the refusal.
DOING = {DELETE: "deleting it", OFFBOARD: "offboarding it", RENAME: "renaming it"}
# How many UPNs a refusal names before "and N more".
NAMED = 5


def blocks_sign_in(plan):
    return plan.graph is not None and plan.graph.changes.get("account_enabled") is False


def at_risk(plan):
    """Whether ``plan`` deletes, offboards, renames, blocks or resets the password of an existing user."""
    return plan.refusal is None and plan.current is not None and (
        plan.kind in MASS_CHANGES or plan.reset_password or blocks_sign_in(plan))


def _held_role_names(plan, memberships, read_user=None):
    m = plan.memberships
    if m is not None and m.roles_before is not None:
        return [{"id": name, "name": name} for name in m.roles_before]
    try:
        return memberships.api.user_roles(plan.current["id"])
    except PartnerCenterError as exc:
        # Deleted by someone else since we listed it (another run, a person): "absent" holds and the delete's 404
        # says so.  Only once a read of the user confirms it is gone, so no 404 of the roles route alone lets a
        # delete past this guard.
        gone = plan.kind == DELETE and exc.is_not_found and read_user is not None
        if gone and read_user(plan.current["id"]) is None:
            return []
        raise


def refuse_privileged(plans, memberships, parallelism=1, purged=(), read_user=None):
    """``plans`` with each privileged user's at-risk plan refused unless its declaration allows it.

    Reads the roles of the at-risk users whose roles planning did not read already (one call each); ``purged``
    holds the plans of a purge (no declaration of theirs can allow it).  ``read_user(id)``: the user if it is
    still active, else None; a user to delete whose roles read as not found and who is no longer active holds none.
    """
    risky = [n for n, plan in enumerate(plans) if at_risk(plan) and not plan.desired.allow_privileged]
    if not risky:
        return plans
    held = in_parallel(lambda n: _held_role_names(plans[n], memberships, read_user), risky, parallelism)
    plans = list(plans)
    purged_ids = set(id(p) for p in purged)
    for position, roles in zip(risky, held):
        names = sorted(set(filter(None, (privileged_role(r) for r in roles))))
        if names:
            plans[position] = with_refusal(plans[position], _privileged_refusal(
                plans[position], names, id(plans[position]) in purged_ids))
    return plans


def _privileged_refusal(plan, roles, purged):
    upn = plan.current.get("user_principal_name") or plan.desired.user_principal_name
    doing = DOING.get(plan.kind, "blocking its sign-in" if blocks_sign_in(plan) and not plan.reset_password
                      else "resetting its password")
    if purged:
        fix = ("it is not declared, so the purge would delete it: declare it with state: absent and "
               "allow_privileged: true to delete it, or keep it with purge_exclude")
    else:
        fix = "set allow_privileged: true on its declaration (%suser_principal_name %s) if this is meant" % (
            plan.desired.option_prefix, plan.desired.user_principal_name)
    return PartnerCenterError(
        "Refused before sending: %s holds %s, a privileged directory role (Microsoft labels it PRIVILEGED), and "
        "%s needs allow_privileged: %s. Nothing was sent for it" % (upn, " and ".join(roles), doing, fix),
        fault="refused before sending")


def refuse_mass_changes(plans, limit, option="mass_change_limit"):
    """InputError (before any write) when ``plans`` delete, offboard or rename more than ``limit`` users."""
    counted = [p for p in plans if p.kind in MASS_CHANGES and p.refusal is None]
    if len(counted) <= limit:
        return
    counts = dict((kind, sum(1 for p in counted if p.kind == kind)) for kind in MASS_CHANGES)
    upns = [p.current.get("user_principal_name") or p.desired.user_principal_name for p in counted]
    named = ", ".join(upns[:NAMED]) + (" and %d more" % (len(upns) - NAMED) if len(upns) > NAMED else "")
    raise InputError(option, "this task would delete %d, offboard %d and rename %d users of the customer (%d in all), "
                             "more than %s (%d); nothing was changed. First ones: %s. If this mass change is meant, "
                             "raise %s (the role's partnercenter_users_mass_change_limit) for this run, for example "
                             "-e partnercenter_users_mass_change_limit=%d"
                     % (counts[DELETE], counts[OFFBOARD], counts[RENAME], len(counted), option, limit, named, option,
                        len(counted)))


def rename_look_alikes(plans, purges):
    """Warnings for a create and a purge that look like one person renamed (same display name or immutable_id)."""
    warnings = []
    for plan in plans:
        if plan.kind != CREATE:
            continue
        fields = plan.desired.fields
        for purge in purges:
            gone = purge.current or {}
            same = [name for name in ("display_name", "immutable_id")
                    if fields.get(name) and gone.get(name) and str(fields[name]).lower() == str(gone[name]).lower()]
            if same:
                warnings.append(
                    "%s is to be created and %s purged, and they have the same %s: if this is one person renamed, "
                    "declare previous_user_principal_names: [%s] on the entry of %s to rename the account in place (keeping its "
                    "id, mailbox, roles, licenses and groups) instead of creating a new one and deleting the old"
                    % (plan.desired.user_principal_name, gone.get("user_principal_name"), " and ".join(same),
                       gone.get("user_principal_name"), plan.desired.user_principal_name))
    return warnings
