# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""Doing: look users up, plan every declared user, then apply the plans.

All planning (and every input error it finds) happens before the first write, so a bad
declaration never leaves a customer half-converged.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError, PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._planner import (
    CREATE, DELETE, NOTHING, RESTORE, UPDATE, DesiredUser, needs_deleted_lookup, plan_memberships, plan_user,
)

# How long to wait for a user that Partner Center says exists (conflict) to show up in
# listings: directory replication can lag behind the write.
VISIBILITY_DELAYS = (1, 2, 4, 8)


def index_by_upn(users):
    index = {}
    for user in users:
        upn = (user.get("user_principal_name") or "").lower()
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
    """The customer's role catalogue and subscribed SKUs, each read at most once per module run."""

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

    def plan_for(self, plan):
        """Read the user's current roles and licenses and plan the changes."""
        desired = plan.desired
        user_id = plan.current.get("id") if plan.current and plan.kind not in (CREATE, RESTORE) else None
        wants_roles = desired.directory_roles is not None
        wants_licenses = desired.licenses is not None
        catalogue = self.catalogue() if wants_roles else []
        skus = self.skus() if wants_licenses else []
        roles = [r["id"] for r in self.api.user_roles(user_id)] if (wants_roles and user_id) else []
        licenses = self.api.user_licenses(user_id) if (wants_licenses and user_id) else {}
        usage_location = desired.fields.get("usage_location") or (plan.current or {}).get("usage_location")
        return plan_memberships(desired, roles, licenses, catalogue, skus, usage_location)


def _map(func, items, parallelism):
    if parallelism <= 1 or len(items) <= 1:
        return [func(item) for item in items]
    with ThreadPoolExecutor(max_workers=parallelism) as pool:
        return list(pool.map(func, items))


def _raise_collected(errors):
    """One InputError for every declared user that cannot be planned, named by the first option."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InputError(errors[0].option, "; ".join(str(e) for e in errors))


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
            plans.append(plan_user(desired, active.get(desired.key), deleted.get(desired.key)))
        except InputError as exc:
            errors.append(exc)
    _raise_collected(errors)

    with_memberships = [p for p in plans if p.desired.declares_memberships and p.kind != DELETE]
    if with_memberships:
        if memberships is None:
            raise ValueError("directory roles or licenses declared without a MembershipSource")

        def attach(plan):
            try:
                plan.add_memberships(memberships.plan_for(plan))
            except InputError as exc:
                return exc
            return None

        _raise_collected([e for e in _map(attach, with_memberships, parallelism) if e is not None])
    return plans


def purge_plans(active, declared_keys, exclude_patterns, limit):
    """Delete plans for active users nobody declared, except those matching ``exclude_patterns``."""
    patterns = [p.lower() for p in exclude_patterns or []]
    doomed = []
    for key, user in sorted(active.items()):
        if key in declared_keys or any(fnmatch.fnmatchcase(key, p) for p in patterns):
            continue
        doomed.append(user)
    if len(doomed) > limit:
        raise InputError(
            "purge_limit",
            "purge would soft-delete %d users, more than purge_limit (%d); nothing was changed. "
            "Check the declared users and purge_exclude, or raise purge_limit. First ones: %s"
            % (len(doomed), limit, ", ".join(u["user_principal_name"] for u in doomed[:5])))
    return [plan_user(DesiredUser(u["user_principal_name"], state="absent"), u) for u in doomed]


class Outcome:
    """What happened to one user: the user after the run, the action, or an error."""

    def __init__(self, plan, user=None, action=None, error=None, warnings=None):
        self.plan = plan
        self.user = user
        self.action = action or plan.action
        self.error = error
        self.warnings = warnings or []

    @property
    def changed(self):
        return self.error is None and self.action != "unchanged"


class Executor:
    """Applies plans, or in check mode only predicts their result."""

    def __init__(self, api, check_mode=False, sleep=time.sleep, memberships=None):
        self.api = api
        self.check_mode = check_mode
        self.memberships = memberships
        self._sleep = sleep

    def apply(self, plan):
        try:
            outcome = self._apply(plan)
            if outcome.error is None and plan.memberships is not None and not self.check_mode \
                    and outcome.action != "unchanged":
                self._apply_memberships(plan, outcome.user)
                outcome.user = plan.with_memberships(outcome.user)
            return outcome
        except PartnerCenterError as exc:
            return Outcome(plan, user=plan.current, error=exc)

    def _apply_memberships(self, plan, user):
        """Role and license writes for ``user`` (just created, restored or existing)."""
        m = plan.memberships
        if not m.changed:
            return
        api = self.memberships.api
        for role_id in m.roles_add:
            try:
                api.add_role_member(role_id, user)
            except PartnerCenterError as exc:
                if not exc.is_conflict:  # already a member: what we wanted
                    raise
        for role_id in m.roles_remove:
            try:
                api.remove_role_member(role_id, user["id"])
            except PartnerCenterError as exc:
                if not exc.is_not_found:  # not a member any more: what we wanted
                    raise
        # Partner Center takes licenses of one license group per call.
        groups = {}
        for sku_id, disabled in sorted(m.licenses_assign.items()):
            group = (self.memberships.sku(sku_id).get("license_group_id") or "group1").lower()
            groups.setdefault(group, ([], []))[0].append((sku_id, disabled))
        for sku_id in m.licenses_remove:
            group = (self.memberships.sku(sku_id).get("license_group_id") or "group1").lower()
            groups.setdefault(group, ([], []))[1].append(sku_id)
        for group in sorted(groups):
            assign, remove = groups[group]
            try:
                api.update_licenses(user["id"], assign, remove)
            except PartnerCenterError as exc:
                if str(exc.code) == "60012":
                    skus = [self.memberships.sku(sku_id) for sku_id, dummy in assign]
                    exc.message = "Out of licenses for %s: %s" % (user.get("user_principal_name"), ", ".join(
                        "%s (available units: %s)" % (s.get("sku_part_number"), s.get("available_units"))
                        for s in skus))
                raise

    def apply_all(self, plans, parallelism=1):
        """Apply every plan, up to ``parallelism`` writes at a time; results in plan order."""
        if parallelism <= 1 or len([p for p in plans if p.changed]) <= 1 or self.check_mode:
            return [self.apply(p) for p in plans]
        with ThreadPoolExecutor(max_workers=parallelism) as pool:
            return list(pool.map(self.apply, plans))

    def _apply(self, plan):
        if plan.kind == NOTHING:
            return Outcome(plan, user=plan.with_memberships(plan.current))
        if self.check_mode:
            return Outcome(plan, user=plan.predicted_user())
        desired = plan.desired
        if plan.kind == CREATE:
            return self._create(plan)
        if plan.kind == RESTORE:
            user = self.api.update(plan.current["id"], plan.changes, restore=True,
                                   password=desired.password if plan.send_password else None,
                                   force_change=desired.force_change_password)
            return Outcome(plan, user=user)
        if plan.kind == UPDATE:
            user = plan.current
            if plan.changes:
                user = self.api.update(plan.current["id"], plan.changes)
            if plan.reset_password:
                user = self.api.reset_password(plan.current["id"], desired.password, desired.force_change_password)
            return Outcome(plan, user=user)
        if plan.kind == DELETE:
            try:
                self.api.delete(plan.current["id"])
            except PartnerCenterError as exc:
                if not exc.is_not_found:
                    raise
                # Gone already: our own earlier attempt landed (a retry), or another run
                # deleted it since we listed.  Either way "absent" holds.
                return Outcome(plan, user=plan.predicted_user(),
                               action="deleted" if exc.attempts > 1 else "unchanged")
            return Outcome(plan, user=plan.predicted_user())
        raise ValueError("unknown plan kind %r" % plan.kind)

    def _create(self, plan):
        """Create, and after an ambiguous failure or a conflict look up before deciding.

        A POST is never blindly re-sent: if the first one timed out or lost its response,
        the user may exist already.  Partner Center refuses a second user with the same
        UPN, so a conflict means the user exists, perhaps not yet visible in listings.
        """
        desired = plan.desired
        try:
            user = self.api.create(dict(desired.fields, user_principal_name=desired.user_principal_name),
                                   desired.password, desired.force_change_password)
            return Outcome(plan, user=user)
        except PartnerCenterError as exc:
            if not (exc.ambiguous or exc.is_conflict):
                raise
            first_error = exc

        found = self._find_active(desired.key, wait=first_error.is_conflict)
        if found is None and first_error.ambiguous:
            # Not visible: either the create never happened or replication lags.  Sending it
            # again is safe because Partner Center refuses a duplicate UPN.
            try:
                user = self.api.create(dict(desired.fields, user_principal_name=desired.user_principal_name),
                                       desired.password, desired.force_change_password)
                return Outcome(plan, user=user)
            except PartnerCenterError as exc:
                if not exc.is_conflict:
                    raise
            found = self._find_active(desired.key, wait=True)
            return self._created_elsewhere(plan, found, "created", first_error)
        if found is not None and first_error.ambiguous:
            return Outcome(plan, user=found, action="created")
        return self._created_elsewhere(plan, found, "unchanged", first_error)

    def _created_elsewhere(self, plan, found, action, error):
        if found is None:
            warning = ("Partner Center reports that %s already exists but it is not visible in the user "
                       "list yet (directory replication lag, MS-RequestId %s); reported as %s without its id"
                       % (plan.desired.user_principal_name, error.request_id, action))
            user = plan.predicted_user()
            return Outcome(plan, user=user, action=action, warnings=[warning])
        # Someone else (another run) created it: converge its attributes like any existing user.
        follow_up = plan_user(plan.desired, found)
        if follow_up.kind == UPDATE and action == "unchanged":
            outcome = self._apply(follow_up)
            return outcome
        return Outcome(plan, user=found, action=action)

    def _find_active(self, key, wait):
        delays = VISIBILITY_DELAYS if wait else ()
        for attempt in range(len(delays) + 1):
            for user in self.api.list_active():
                if (user.get("user_principal_name") or "").lower() == key:
                    return user
            if attempt < len(delays):
                self._sleep(delays[attempt])
        return None
