# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""What planning reads, and ``plan_users``, which reads it and hands it to the planner.

The customer's users by UPN (deleted ones only when a declared user needs them), its role
catalogue and SKUs (each at most once a run), and the roles and licenses each declaring user
holds.  Every plan (and every input error planning finds) is made before the first write, so a
bad declaration never leaves a customer half-converged.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading

from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError
from ansible_collections.csp.partnercenter.plugins.module_utils._parallel import in_parallel
from ansible_collections.csp.partnercenter.plugins.module_utils._planner import (
    DELETE, Held, needs_deleted_lookup, plan_user, plan_with_memberships,
)


def listed_upn(user):
    """The UPN a user is known by; Entra lists a soft-deleted user as ``<object id without dashes><UPN>``."""
    upn = (user.get("user_principal_name") or "").lower()
    prefix = (user.get("id") or "").replace("-", "").lower()
    if user.get("state") == "inactive" and len(prefix) == 32 and upn.startswith(prefix) and "@" in upn[32:]:
        return upn[32:]
    return upn


def index_by_upn(users):
    index = {}
    for user in users:
        upn = listed_upn(user)
        previous = index.get(upn)
        # Several soft-deleted users can share a UPN; the latest deletion is the one to restore.
        if previous is None or (user.get("soft_deletion_time") or "") > (previous.get("soft_deletion_time") or ""):
            index[upn] = user
    return index


class UserDirectory:
    """The customer's users by lowercase UPN.  Deleted users are listed only on demand."""

    def __init__(self, api):
        self.api = api
        self.active = None
        self.deleted = None

    def load_active(self):
        self.active = index_by_upn(self.api.list_active())
        return self.active

    def load_deleted(self):
        self.deleted = index_by_upn(self.api.list_deleted())
        return self.deleted


class MembershipSource:
    """The customer's role catalogue and subscribed SKUs, each read at most once per module run, and what a user
    holds.  ``api`` (a ``DirectoryAPI``) is the executor's way to the role and license writes too."""

    def __init__(self, directory_api):
        self.api = directory_api
        self._lock = threading.Lock()
        self._catalogue = None
        self._skus = None

    def catalogue(self):
        with self._lock:
            if self._catalogue is None:
                self._catalogue = self.api.role_catalogue()
            return self._catalogue

    def skus(self):
        with self._lock:
            if self._skus is None:
                self._skus = self.api.subscribed_skus()
            return self._skus

    def sku(self, sku_id):
        for sku in self.skus():
            if (sku.get("id") or "").lower() == sku_id.lower():
                return sku
        return {"id": sku_id, "sku_part_number": sku_id}

    def held(self, desired, user_id, user=None):
        """A ``_planner.Held``: what ``desired``'s memberships are planned from.  ``user_id`` None: it holds none.

        Reads only what ``desired`` declares: the catalogue and the user's roles for directory roles, the SKUs
        and its licenses for licenses.  ``user``: the user as read after a write (a restore), if any.
        """
        wants_roles = desired.directory_roles is not None
        wants_licenses = desired.licenses is not None
        catalogue = self.catalogue() if wants_roles else []
        skus = self.skus() if wants_licenses else []
        roles = [r["id"] for r in self.api.user_roles(user_id)] if (wants_roles and user_id) else []
        licenses = self.api.user_licenses(user_id) if (wants_licenses and user_id) else {}
        return Held(roles, licenses, catalogue, skus, user)


def _raise_collected(errors):
    """One InputError for every declared user that cannot be planned, named by the first option."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        # each error's text names its own option: the first's is not said again before them
        raise InputError(errors[0].option, errors[0].reason, text="; ".join(str(e) for e in errors))


def previously_named(desired, active, deleted):
    """The active user ``desired`` names as previous (``previous_user_principal_names``), when it is the one to
    rename: its own name is free and exactly one previous name is taken.  InputError when that is ambiguous."""
    if not desired.previous:
        return None
    found = [active[key] for key in desired.previous_keys if key in active]
    if not found:
        return None
    option = desired.option_prefix + "previous_user_principal_names"
    upn = desired.user_principal_name
    if len(found) > 1:
        raise InputError(option, "%s and %s both exist in the customer, so which one becomes %s is ambiguous; "
                                 "nothing was changed. Keep in previous_user_principal_names only the account to "
                                 "rename, and declare the other on its own (absent, offboarded or present)"
                         % (found[0]["user_principal_name"], found[1]["user_principal_name"], upn))
    if active.get(desired.key) is not None:
        if desired.state == "offboarded":
            return None
        raise InputError(option, "%s cannot be renamed to %s: both exist (two accounts, %s and %s); nothing was "
                                 "changed. If %s is the person's account now, remove previous_user_principal_names "
                                 "(and declare %s on its own); otherwise rename or remove the account holding %s first"
                         % (found[0]["user_principal_name"], upn, found[0].get("id"), active[desired.key].get("id"),
                            upn, found[0]["user_principal_name"], upn))
    if deleted.get(desired.key) is not None and desired.state != "offboarded":
        raise InputError(option, "%s cannot be renamed to %s: a soft-deleted user (%s) still holds that name for its "
                                 "30 days; nothing was changed. Remove previous_user_principal_names to restore that "
                                 "user instead, or purge it first" % (
                                     found[0]["user_principal_name"], upn, deleted[desired.key].get("id")))
    return found[0]


def plan_users(directory, desired_users, memberships=None, parallelism=1):
    """One listing of active users (and of deleted ones only if needed), then a plan each.

    With ``memberships`` (a MembershipSource), users that declare directory roles or
    licenses get those planned too; that reads each such user's current roles/licenses.
    """
    active = directory.active if directory.active is not None else directory.load_active()
    deleted = {}
    if any(needs_deleted_lookup(d, active.get(d.key)) for d in desired_users):
        deleted = directory.deleted if directory.deleted is not None else directory.load_deleted()
    plans, errors = [], []
    for desired in desired_users:
        try:
            renamed = previously_named(desired, active, deleted)
            plans.append(plan_user(desired, active.get(desired.key), deleted.get(desired.key), renamed))
        except InputError as exc:
            errors.append(exc)
    _raise_collected(errors)

    declaring = [n for n, p in enumerate(plans) if p.desired.declares_memberships and p.kind != DELETE]
    if not declaring:
        return plans
    if memberships is None:
        raise ValueError("directory roles or licenses declared without a MembershipSource")

    def with_memberships(position):
        plan = plans[position]
        try:
            return plan_with_memberships(plan, memberships.held(plan.desired, plan.member_id)), None
        except InputError as exc:
            return plan, exc

    planned = in_parallel(with_memberships, declaring, parallelism)
    _raise_collected([error for plan, error in planned if error is not None])
    for position, (plan, error) in zip(declaring, planned):
        plans[position] = plan
    return plans
