# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""Doing a user's Graph steps (a ``_graph_planner.GraphPlan``), after its Partner Center writes.

The executor calls ``GraphWriter.apply`` in its follow-up pass, for many users in parallel.  The steps of one
user, in order: its attributes (one PATCH, sign-in state included), its manager, the revocation of its sessions
(after a block), its group memberships.  Each step is tried even when an earlier one was refused (another GDAP
role may allow it), and the user fails with every refusal.  A user Graph does not see yet (Partner Center just
created it, or its manager) is waited for within ``retry_budget``; a member already there, or already gone, is
done.  What a failure means it asks the failure.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
import time

from ansible_collections.csp.partnercenter.plugins.module_utils._errors import PartnerCenterError

# Graph is eventually consistent: a user just created may answer 404 for a while.  Waits between tries, within
# retry_budget (the last one repeats).
GRAPH_LAG_WAITS = (1, 2, 4, 8, 10)


class GraphWriter:
    """Applies users' Graph steps in one customer through ``api`` (a ``_graph_users.GraphUsersAPI``)."""

    def __init__(self, api, ids=None, retry_budget=120.0, sleep=time.sleep, clock=time.monotonic):
        self.api = api
        self.retry_budget = retry_budget
        self._ids = dict(ids or {})  # lower-case UPN -> object id: the customer's users, and those created now
        self._new = set()  # lower-case UPNs of the users created (or restored) in this run
        self._lock = threading.Lock()
        self._sleep = sleep
        self._clock = clock

    def learn(self, upn, user_id, is_new=False):
        """A user's object id, once it is known (created in this run: ``is_new``, Graph may not see it yet)."""
        if upn and user_id:
            with self._lock:
                self._ids[upn.lower()] = user_id
                if is_new:
                    self._new.add(upn.lower())

    def is_new(self, upn):
        with self._lock:
            return bool(upn) and upn.lower() in self._new

    def id_of(self, upn):
        with self._lock:
            return self._ids.get(upn.lower())

    def apply(self, plan, user, is_new):
        """Every Graph step of ``plan`` for ``user`` (as Partner Center answered it); raises PartnerCenterError
        naming every step that failed.  ``is_new``: Graph may not see the user yet."""
        graph = plan.graph
        upn = plan.desired.user_principal_name
        user_id = (user or {}).get("id")
        if not user_id:
            raise PartnerCenterError(
                "%s was created, but its object id is not known yet (Partner Center did not return it and it was not "
                "listed within retry_budget), so its Graph options (%s) were not set; run again in a few minutes"
                % (upn, ", ".join(sorted(graph.diff()[1]))), fault="replication lag", origin="Microsoft Graph")
        deadline = self._clock() + self.retry_budget
        failures = []

        def step(call, waits=is_new):
            try:
                self._while_unseen(call, waits, deadline, upn)
            except PartnerCenterError as exc:
                failures.append(exc)

        if graph.changes:
            step(lambda: self.api.update(user_id, graph.changes))
        if graph.manager:
            step(lambda: self._manager(user_id, graph.manager[1], upn), waits=is_new or self.is_new(graph.manager[1]))
        if graph.revoke:
            step(lambda: self.api.revoke_sessions(user_id))
        for group in graph.groups_add:
            step(lambda group=group: self._add(group, user_id))
        for group in graph.groups_remove:
            step(lambda group=group: self._remove(group, user_id), waits=False)
        if failures:
            raise _combined(upn, failures)

    def _manager(self, user_id, manager_upn, upn):
        if manager_upn is None:
            try:
                self.api.remove_manager(user_id)
            except PartnerCenterError as exc:
                if not exc.is_not_found:  # no manager any more: what we wanted
                    raise
            return
        manager_id = self.id_of(manager_upn)
        if manager_id is None:
            raise PartnerCenterError(
                "The manager of %s, %s, has no object id: it was to be created in this run and was not, so the "
                "manager was not set" % (upn, manager_upn), fault="manager not created", origin="Microsoft Graph")
        self.api.set_manager(user_id, manager_id)

    def _add(self, group, user_id):
        try:
            self.api.add_member(group.id, user_id)
        except PartnerCenterError as exc:
            # A member already: what we wanted.  Another 400 (words we do not know, or a resent write that
            # landed) is judged by reading the members again, never by its wording.
            if not (exc.is_member_conflict or exc.is_bad_request and self._is_member(group, user_id)):
                raise

    def _remove(self, group, user_id):
        try:
            self.api.remove_member(group.id, user_id)
        except PartnerCenterError as exc:
            # Not a member any more (404, or a 400 after which the members read without it): what we wanted.
            if not (exc.is_not_found or exc.is_bad_request and not self._is_member(group, user_id)):
                raise

    def _is_member(self, group, user_id):
        return user_id.lower() in self.api.member_ids(group.id)

    def _while_unseen(self, call, waits, deadline, upn):
        """``call()``, tried again while Graph does not see a user just created (404), until ``deadline``."""
        pauses = iter(GRAPH_LAG_WAITS)
        while True:
            try:
                return call()
            except PartnerCenterError as exc:
                if not (waits and exc.is_user_not_visible_yet):
                    raise
                pause = next(pauses, GRAPH_LAG_WAITS[-1])
                if self._clock() + pause > deadline:
                    raise exc.derive(hint="%s (or its manager) is new, and Microsoft Graph did not see it within "
                                          "retry_budget (directory replication lag). Run again in a few minutes"
                                     % upn)
                self._sleep(pause)


def _combined(upn, failures):
    if len(failures) == 1:
        return failures[0]
    first = failures[0]
    return first.derive("%d Microsoft Graph changes of %s failed: %s" % (
        len(failures), upn, "; ".join(f.full_message() for f in failures)))
