# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""Doing: apply plans that the planner made whole, or in check mode only predict them.

The executor applies plans in three passes: the user writes (in parallel), then one shared
look-up per round for every user whose create was ambiguous or refused as a duplicate, then
each user's follow-up writes (attributes of a user someone else created, roles and licenses)
in parallel.  Where a user is there only after a write (a restore, a create someone else made),
the planner plans it again (``_planner.replan``) from what is read then.  What a failure means
it asks the failure (``_pc_errors``); it reads no code and no description.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time
import traceback

from ansible_collections.csp.partnercenter.plugins.module_utils._errors import PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._lookups import index_by_upn
from ansible_collections.csp.partnercenter.plugins.module_utils._parallel import in_parallel
from ansible_collections.csp.partnercenter.plugins.module_utils._planner import (
    CREATE, DELETE, NOTHING, OFFBOARD, RENAME, RESTORE, UPDATE, disabled_plans, replan,
)
from ansible_collections.csp.partnercenter.plugins.module_utils._policy import random_password
from ansible_collections.csp.partnercenter.plugins.module_utils._users import active_user

# A user that Partner Center says exists (conflict) may be missing from listings for a while:
# directory replication lags behind the write, for seconds or minutes.  It is looked for until
# retry_budget runs out, with these waits between looks (the last one repeats); one listing per
# round serves every waiting user.
LOOKUP_WAITS = (1, 2, 4, 8, 10)
# Role and license routes may not know a user for a while after its create: retry with
# these waits, within the retry budget.
MEMBER_LAG_DELAYS = (1, 2, 4, 8, 16, 32, 64)

# Why a create did not settle on its first answer.  REFUSED_AFTER_RETRY: the create sent again after
# an ambiguous first one was refused in words that do not say "duplicate"; the next look decides.
CONFLICT, AMBIGUOUS, NO_BODY, CONFLICT_AFTER_RETRY = "conflict", "ambiguous", "no body", "conflict after retry"
REFUSED_AFTER_RETRY = "refused after retry"


def lookup_waits():
    """The waits between looks for users not listed yet: ``LOOKUP_WAITS``, then its last one again and again."""
    yield from LOOKUP_WAITS
    while True:
        yield LOOKUP_WAITS[-1]


class Outcome:
    """What happened to one user: the user after the run, the action, or an error."""

    def __init__(self, plan, user=None, action=None, error=None, warnings=None, pending=None):
        self.plan = plan
        self.user = user
        self.action = action or plan.action
        self.error = error
        self.warnings = list(warnings or [])
        self.pending = pending  # why a create is waiting for a look-up (CONFLICT, AMBIGUOUS, ...)
        self.first_error = None  # the answer that made it pending
        self.refusal = None  # REFUSED_AFTER_RETRY: the resent create's refusal, which stands unless it is listed
        self.found_elsewhere = False  # someone else created the user: converge it like an existing one
        self.is_new = plan.kind in (CREATE, RESTORE)  # role and license routes may not know it yet

    @property
    def changed(self):
        return self.error is None and self.action != "unchanged"


def unexpected_error(plan, exc):
    """An exception nobody planned for, as that user's failure (the other users go on)."""
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = " at %s:%s" % (frame.filename.rsplit("/", 1)[-1], frame.lineno) if frame else ""
    return PartnerCenterError("Unexpected error while converging %s: %s: %s%s. The other users went on; please "
                              "report this with the module output" % (
                                  plan.desired.user_principal_name, type(exc).__name__, exc, where),
                              fault="unexpected error")


class Executor:
    """Applies plans, or in check mode only predicts their result."""

    def __init__(self, api, check_mode=False, sleep=time.sleep, memberships=None, parallelism=1,
                 retry_budget=120.0, clock=time.monotonic, graph=None, register_secret=None):
        self.api = api
        self.graph = graph  # a _graph_writes.GraphWriter when a user declares Graph options
        # The scrubber's add: a password the executor makes (offboarding's) is a secret of the run from its birth.
        self.register_secret = register_secret or (lambda secret: None)
        self.check_mode = check_mode
        self.memberships = memberships
        self.parallelism = parallelism
        self.retry_budget = retry_budget
        self._sleep = sleep
        self._clock = clock

    # -- the three passes ----------------------------------------------------------------

    def apply(self, plan):
        return self.apply_all([plan])[0]

    def apply_all(self, plans, parallelism=None):
        """Apply every plan, up to ``parallelism`` writes at a time; outcomes in plan order."""
        parallelism = self.parallelism if parallelism is None else parallelism
        # No more threads than writes: a converged customer's plans run inline, without a pool.
        parallelism = min(parallelism, max(1, sum(1 for p in plans if p.refusal is None and p.kind != NOTHING)))
        outcomes = in_parallel(self._guarded(self._write_user), plans, parallelism)
        self._settle_pending([o for o in outcomes if o.error is None and o.pending])
        if self.graph is not None:
            # A manager created in this run is known by the id its create returned.
            for outcome in outcomes:
                if outcome.error is None and outcome.user:
                    self.graph.learn(outcome.plan.desired.user_principal_name, outcome.user.get("id"),
                                     outcome.is_new)
        in_parallel(self._guarded_follow_up, [o for o in outcomes if o.error is None], parallelism)
        return outcomes

    def _guarded(self, step):
        def run(plan):
            try:
                return step(plan)
            except PartnerCenterError as exc:
                return Outcome(plan, user=plan.current, error=exc)
            except Exception as exc:  # pylint: disable=broad-except
                return Outcome(plan, user=plan.current, error=unexpected_error(plan, exc))
        return run

    def _guarded_follow_up(self, outcome):
        try:
            self._follow_up(outcome)
        except PartnerCenterError as exc:
            outcome.error = exc
        except Exception as exc:  # pylint: disable=broad-except
            outcome.error = unexpected_error(outcome.plan, exc)

    # -- pass 1: the user itself -----------------------------------------------------------

    def _write_user(self, plan):
        if plan.refusal is not None:
            return Outcome(plan, user=plan.current, error=plan.refusal)
        if plan.kind == NOTHING:
            return Outcome(plan, user=plan.with_memberships(plan.current))
        if self.check_mode:
            outcome = Outcome(plan, user=plan.predicted_user())
            if plan.kind == RESTORE and plan.memberships is not None:
                outcome.warnings.append(
                    "Check mode: %s is soft-deleted; the roles and licenses it held come back with the restore and "
                    "are read only then, so this prediction assumes it holds none"
                    % plan.desired.user_principal_name)
            return outcome
        desired = plan.desired
        if plan.kind == CREATE:
            return self._create(plan)
        if plan.kind == RESTORE:
            return Outcome(plan, user=self._restore(plan) or plan.predicted_user())
        if plan.kind in (UPDATE, RENAME, OFFBOARD):
            return Outcome(plan, user=self._update(plan))
        if plan.kind == DELETE:
            try:
                self.api.delete(plan.current["id"])
            except PartnerCenterError as exc:
                if not (exc.is_not_found or exc.refused_after_resend and self._read_user(plan.current["id"]) is None):
                    raise
                # Gone already: our own earlier attempt landed (a retry), or another run
                # deleted it since we listed.  Either way "absent" holds.
                return Outcome(plan, user=plan.predicted_user(),
                               action="deleted" if exc.attempts > 1 else "unchanged")
            return Outcome(plan, user=plan.predicted_user())
        raise ValueError("unknown plan kind %r" % plan.kind)

    def _restore(self, plan):
        """Restore with the changed fields (and the password) in one PATCH.

        Where Partner Center takes passwords only through ``/resetpassword``, it refuses that PATCH:
        then restore without the password and reset it.  A UPN another user took since the deletion
        is Entra's conflict, said as such.
        """
        desired = plan.desired
        user_id = plan.current["id"]
        password = desired.password if plan.send_password else None
        try:
            return self._send_restore(user_id, plan.changes, password, desired.force_change_password)
        except PartnerCenterError as exc:
            if exc.is_restore_conflict:
                raise exc.derive(hint="Another user now holds %s, so the soft-deleted user cannot be restored "
                                      "under it; rename or remove that user, or declare this one absent"
                                      % desired.user_principal_name)
            if password is None or not exc.refuses_password:
                raise
        user = self._send_restore(user_id, plan.changes)
        return self.api.reset_password(user_id, password, desired.force_change_password) or user

    def _send_restore(self, user_id, changes, password=None, force_change=True):
        """The restoring PATCH; a retry refused with a 400 is done if the user reads as active again."""
        try:
            return self.api.update(user_id, changes, restore=True, password=password, force_change=force_change)
        except PartnerCenterError as exc:
            user = self._read_user(user_id) if exc.refused_after_resend else None
            if user is None:
                raise
            return user

    def _read_user(self, user_id):
        """The user as Partner Center reads it now if it is active, else None (a deleted user may read as 404)."""
        return active_user(self.api, user_id)

    def _update(self, plan):
        user = plan.current
        if plan.changes:
            user = self.api.update(plan.current["id"], plan.changes) or plan.predicted_user()
        if plan.reset_password:
            desired = plan.desired
            password, force_change = desired.password, desired.force_change_password
            if plan.kind == OFFBOARD:
                # Nobody should sign in with it, nor know it: random, never output, never kept.
                password, force_change = random_password(), True
                self.register_secret(password)
            user = self.api.reset_password(plan.current["id"], password, force_change) or user
        return user

    def _send_create(self, plan):
        desired = plan.desired
        return self.api.create(dict(desired.fields, user_principal_name=desired.user_principal_name),
                               desired.password, desired.force_change_password)

    def _create(self, plan):
        """Create; after an ambiguous failure, a conflict or an empty answer, wait for a look-up.

        A POST is never blindly re-sent: if the first one timed out or lost its response,
        the user may exist already.  Partner Center refuses a second user with the same
        UPN, so a conflict means the user exists, perhaps not yet visible in listings.
        """
        try:
            user = self._send_create(plan)
        except PartnerCenterError as exc:
            if not (exc.ambiguous or exc.is_upn_conflict):
                raise
            outcome = Outcome(plan, pending=AMBIGUOUS if exc.ambiguous else CONFLICT)
            outcome.first_error = exc
            return outcome
        if not user or not user.get("id"):
            return Outcome(plan, pending=NO_BODY)  # created, but its id must be looked up
        return Outcome(plan, user=user)

    # -- pass 2: one look-up per round for every waiting user ------------------------------

    def _settle_pending(self, waiting):
        """Look for the waiting users, one listing per round, until each is found or retry_budget runs out."""
        deadline = self._clock() + self.retry_budget
        waits = lookup_waits()
        looks = 0
        while waiting:
            if looks:
                left = deadline - self._clock()
                if left <= 0:
                    break
                self._sleep(min(next(waits), left))
            active = index_by_upn(self.api.list_active())
            looks += 1
            for outcome in list(waiting):
                found = active.get(outcome.plan.desired.key)
                if found is not None:
                    self._found(outcome, found)
                    waiting.remove(outcome)
                elif outcome.pending == REFUSED_AFTER_RETRY:
                    self._refusal_stands(outcome)
                    waiting.remove(outcome)
            if looks == 1:
                # Not visible after an ambiguous failure: either the create never happened or
                # replication lags.  Sending it again is safe: Partner Center refuses a duplicate.
                resend = [o for o in waiting if o.pending == AMBIGUOUS]
                for outcome, settled in zip(resend, in_parallel(self._resend_create, resend, self.parallelism)):
                    if settled:
                        waiting.remove(outcome)
        for outcome in waiting:
            self._not_visible(outcome, looks)

    def _resend_create(self, outcome):
        """True when the outcome is settled (created, or failed); False to keep waiting."""
        try:
            user = self._send_create(outcome.plan)
        except PartnerCenterError as exc:
            if exc.is_upn_conflict:
                outcome.pending = CONFLICT_AFTER_RETRY  # our first create landed after all
                return False
            if exc.is_bad_request:
                # Perhaps a duplicate in words we do not know (the first create landed), perhaps not:
                # the next look decides.
                outcome.pending, outcome.refusal = REFUSED_AFTER_RETRY, exc
                return False
            outcome.error = exc
            return True
        except Exception as exc:  # pylint: disable=broad-except
            outcome.error = unexpected_error(outcome.plan, exc)
            return True
        if not user or not user.get("id"):
            outcome.pending = NO_BODY
            return False
        outcome.user, outcome.pending = user, None
        return True

    def _found(self, outcome, found):
        outcome.user = found
        if outcome.pending == CONFLICT:
            # Someone else (another run) created it: converge it like any existing user.  It is
            # new all the same (the listing missed it): the role and license routes may not know it yet.
            outcome.found_elsewhere = True
            outcome.action = "unchanged"
        outcome.pending = None

    def _refusal_stands(self, outcome):
        """The resent create's refusal, when the user it may have been about is not listed."""
        exc = outcome.refusal
        outcome.error = exc.derive(hint=" ".join(filter(None, (exc.hint, (
            "The first create of %s lost its answer, so this refusal of the create sent again might have been "
            "about a user that already exists, but %s was not in the customer's user list at the next look: if "
            "it shows up there later, run again" % ((outcome.plan.desired.user_principal_name,) * 2))))))
        outcome.pending = None

    def _not_visible(self, outcome, looks):
        plan = outcome.plan
        if outcome.pending == REFUSED_AFTER_RETRY:
            self._refusal_stands(outcome)
            return
        error = outcome.first_error
        request_id = error.request_id if error is not None else None
        if outcome.pending == CONFLICT or plan.desired.declares_memberships:
            outcome.error = PartnerCenterError(
                "%s exists (Partner Center %s) but did not appear in the customer's user list within retry_budget "
                "(%g s, %d look(s); directory replication lag), so its attributes, roles and licenses could not be "
                "checked or set. Nothing else was sent for it; run again in a few minutes, or raise retry_budget"
                % (plan.desired.user_principal_name,
                   "refused the create as a duplicate" if outcome.pending == CONFLICT else "confirmed the create",
                   self.retry_budget, looks), status=error.status if error is not None else None,
                request_id=request_id, route=error.route if error is not None else None, fault="replication lag")
            return
        outcome.warnings.append(
            "Partner Center reports that %s was created but it is not visible in the user list yet (directory "
            "replication lag%s); reported as created without its id"
            % (plan.desired.user_principal_name, ", MS-RequestId %s" % request_id if request_id else ""))
        outcome.user = plan.predicted_user()
        outcome.pending = None

    # -- pass 3: follow-up writes ----------------------------------------------------------

    def _follow_up(self, outcome):
        plan = outcome.plan
        if self.check_mode or plan.kind == DELETE or not outcome.user or plan.refusal is not None:
            return
        if outcome.found_elsewhere or plan.kind == RESTORE:
            plan = outcome.plan = replan(plan, outcome.user, self._held_now(outcome))
            if outcome.found_elsewhere and (plan.changes or plan.reset_password):
                outcome.user = self._update(plan)
                outcome.action = "updated"
        if plan.memberships is not None and plan.memberships.changed:
            outcome.warnings.extend(self._apply_memberships(plan, outcome.user, outcome.is_new))
            if outcome.action == "unchanged":
                outcome.action = "updated"
        if plan.graph is not None and plan.graph.changed:
            self.graph.apply(plan, outcome.user, outcome.is_new or outcome.found_elsewhere)
            if outcome.action == "unchanged":
                outcome.action = "updated"
        outcome.user = plan.with_memberships(outcome.user)

    def _held_now(self, outcome):
        """What the user holds now, for ``replan`` (None when it declares no memberships): a restored user has its
        old roles and licenses back, and the member routes may not know a new one yet."""
        desired, user = outcome.plan.desired, outcome.user
        if not desired.declares_memberships or self.memberships is None:
            return None
        return self._while_user_unknown(lambda: self.memberships.held(desired, user.get("id"), user),
                                        outcome.is_new, user)

    def _apply_memberships(self, plan, user, is_new):
        """Role and license writes for ``user``; returns Partner Center's license warnings."""
        m = plan.memberships
        api = self.memberships.api
        warnings = []
        for role_id in m.roles_add:
            try:
                self._while_user_unknown(lambda: api.add_role_member(role_id, user), is_new, user)
            except PartnerCenterError as exc:
                # already a member: what we wanted
                if not (exc.is_member_conflict or exc.refused_after_resend and role_id in self._role_ids(user["id"])):
                    raise
        for role_id in m.roles_remove:
            try:
                self._while_user_unknown(lambda: api.remove_role_member(role_id, user["id"]), is_new, user)
            except PartnerCenterError as exc:
                # not a member any more: what we wanted
                if not (exc.is_not_found or exc.refused_after_resend and role_id not in self._role_ids(user["id"])):
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
                answer = self._while_user_unknown(lambda: api.update_licenses(user["id"], assign, remove),
                                                  is_new, user, licenses=True)
            except PartnerCenterError as exc:
                if exc.is_out_of_licenses:
                    skus = [self.memberships.sku(sku_id) for sku_id, dummy in assign]
                    raise exc.derive("Out of licenses for %s: %s" % (user.get("user_principal_name"), ", ".join(
                        "%s (available units: %s)" % (s.get("sku_part_number"), s.get("available_units"))
                        for s in skus)))
                if exc.refused_after_resend and self._licenses_settled(user["id"], assign, remove):
                    continue  # a retried update whose first attempt landed: what we wanted
                raise
            warnings.extend(_license_warnings(user, answer))
        return warnings

    def _role_ids(self, user_id):
        return set((r.get("id") or "").lower() for r in self.memberships.api.user_roles(user_id))

    def _licenses_settled(self, user_id, assign, remove):
        """The user's licenses, read again, are as planned: assigned (with the declared disabled plans), removed."""
        held = self.memberships.api.user_licenses(user_id)
        for sku_id, disabled in assign:
            enabled = held.get(sku_id.lower())
            if enabled is None:
                return False
            if disabled is not None and disabled_plans(self.memberships.sku(sku_id), enabled) != sorted(disabled):
                return False
        return not any(sku_id.lower() in held for sku_id in remove)

    def _while_user_unknown(self, call, is_new, user, licenses=False):
        """``call()``, retried while the role and license routes do not know a just-created user yet."""
        deadline = self._clock() + self.retry_budget
        waits = iter(MEMBER_LAG_DELAYS)
        while True:
            try:
                return call()
            except PartnerCenterError as exc:
                if not (is_new and (exc.is_user_not_visible_yet or licenses and exc.lacks_usage_location)):
                    raise
                wait = next(waits, None)
                if wait is None or self._clock() + wait > deadline:
                    raise exc.derive(hint="%s is new; Partner Center's role and license routes did not know it yet "
                                          "after the retry budget (replication lag). Run again in a few minutes"
                                     % user.get("user_principal_name"))
                self._sleep(wait)


def _license_warnings(user, texts):
    return ["Partner Center warned about the licenses of %s: %s" % (user.get("user_principal_name"), text)
            for text in texts]
