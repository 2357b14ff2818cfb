# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The executor, against a fake users API: every branch of the create decision, deletes, memberships."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import itertools

import pytest

from ansible_collections.csp.partnercenter.plugins.module_utils._errors import PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._executor import LOOKUP_WAITS, Executor
from ansible_collections.csp.partnercenter.plugins.module_utils._lookups import (
    MembershipSource, UserDirectory, plan_users,
)
from ansible_collections.csp.partnercenter.plugins.module_utils._planner import DesiredUser

IDS = ("00000000-0000-0000-0000-%012d" % n for n in itertools.count(1))
ROLE = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
SKU = "05e9a617-0261-4cee-bb44-138d3ef5d965"
PLAN = "57ff2da0-773e-42df-b2af-ffb7a2317929"


def conflict():
    return PartnerCenterError("exists", status=409, description="Another object with the same value for property "
                                                                "userPrincipalName already exists.")


def ambiguous():
    return PartnerCenterError("lost", fault="timeout", ambiguous=True)


def not_found(code=60002):
    return PartnerCenterError("nf", status=404, code=code, description="User object Id is not found")


def refused(attempts, description="Invalid request input: in words the collection never saw."):
    """A 400 after ``attempts`` sends of one request (more than one: an earlier one may have landed)."""
    return PartnerCenterError("refused", status=400, code=800002, description=description, attempts=attempts)


class FakeUsers:
    """Users by UPN; ``visible_after`` hides a user from that many listings; scripted failures per call."""

    def __init__(self, *users):
        self.users = dict((u["user_principal_name"], dict(u)) for u in users)
        self.hidden = {}  # upn -> listings still to miss it
        self.script = {}  # method -> list of exceptions (or "commit:" + exception) raised in turn
        self.calls = []

    def _scripted(self, method):
        queue = self.script.get(method) or []
        return queue.pop(0) if queue else None

    def list_active(self):
        self.calls.append(("list",))
        for upn, user in sorted(self.users.items()):
            if self.hidden.get(upn, 0) > 0:
                self.hidden[upn] -= 1
                continue
            if user["state"] == "active":
                yield dict(user)

    def list_deleted(self):
        self.calls.append(("list deleted",))
        return [dict(u) for u in self.users.values() if u["state"] == "inactive"]

    def create(self, fields, password, force_change):
        self.calls.append(("create", fields["user_principal_name"]))
        step = self._scripted("create")
        if isinstance(step, tuple):  # ("commit", exception): the write lands, the answer is lost
            self._store(fields)
            raise step[1]
        if step is not None:
            raise step
        if fields["user_principal_name"] in self.users:
            raise conflict()
        return dict(self._store(fields))

    def _store(self, fields):
        user = dict(fields, id=next(IDS), state="active")
        self.users[fields["user_principal_name"]] = user
        return user

    def get(self, user_id):
        self.calls.append(("get", user_id))
        for user in self.users.values():
            if user["id"] == user_id and user["state"] == "active":
                return dict(user)
        raise not_found()

    def update(self, user_id, fields, restore=False, password=None, force_change=True):
        self.calls.append(("update", user_id, tuple(sorted(fields)), restore))
        step = self._scripted("update")
        if step is not None and not isinstance(step, tuple):
            raise step
        user = [u for u in self.users.values() if u["id"] == user_id][0]
        user.update(fields)
        if restore:
            user["state"] = "active"
        if step is not None:  # ("commit", exception): the write landed, the answer is lost
            raise step[1]
        return dict(user)

    def reset_password(self, user_id, password, force_change):
        self.calls.append(("reset", user_id))

    def delete(self, user_id):
        self.calls.append(("delete", user_id))
        step = self._scripted("delete")
        if step is not None and not isinstance(step, tuple):
            raise step
        [u for u in self.users.values() if u["id"] == user_id][0]["state"] = "inactive"
        if step is not None:
            raise step[1]


class FakeDirectory:
    """Roles and licenses by user id; ``script`` holds exceptions (or ("commit", exception)) for the writes."""

    def __init__(self, roles=None, licenses=None):
        self.roles = roles or {}  # user id -> set of role ids
        self.licenses = licenses or {}  # user id -> {sku id: enabled plan ids}
        self.script = []
        self.calls = []

    def _scripted(self):
        """The next scripted step: (exception, landed) or (None, True)."""
        if not self.script:
            return None, True
        step = self.script.pop(0)
        return (step[1], True) if isinstance(step, tuple) else (step, False)

    def role_catalogue(self):
        return [{"id": ROLE, "name": "Helpdesk Administrator"}]

    def subscribed_skus(self):
        return [{"id": SKU, "sku_part_number": "SPE_E3", "license_group_id": "group1", "available_units": 5,
                 "service_plans": [{"id": PLAN, "service_name": "TEAMS1", "target_type": "User"}]}]

    def user_licenses(self, user_id):
        self.calls.append(("licenses", user_id))
        return dict(self.licenses.get(user_id, {}))

    def update_licenses(self, user_id, assign, remove):
        self.calls.append(("license update", user_id))
        failure, landed = self._scripted()
        if landed:
            held = self.licenses.setdefault(user_id, {})
            for sku_id, disabled in assign:
                held[sku_id] = [] if PLAN in (disabled or []) else [PLAN]
            for sku_id in remove:
                held.pop(sku_id, None)
        if failure is not None:
            raise failure
        return []

    def user_roles(self, user_id):
        self.calls.append(("roles", user_id))
        return [{"id": r, "name": "x"} for r in sorted(self.roles.get(user_id, ()))]

    def add_role_member(self, role_id, user):
        self.calls.append(("add", role_id, user["id"]))
        failure, landed = self._scripted()
        if landed:
            self.roles.setdefault(user["id"], set()).add(role_id)
        if failure is not None:
            raise failure

    def remove_role_member(self, role_id, user_id):
        self.calls.append(("remove", role_id, user_id))
        failure, landed = self._scripted()
        if landed:
            self.roles.get(user_id, set()).discard(role_id)
        if failure is not None:
            raise failure


def jane(**extra):
    extra.setdefault("password", "Pw-12345678")
    return DesiredUser("jane@contoso.com", dict(display_name="Jane", usage_location="US"), **extra)


def existing(upn="jane@contoso.com", state="active", **extra):
    user = dict(user_principal_name=upn, display_name="Jane", usage_location="US", id=next(IDS), state=state)
    user.update(extra)
    return user


def converge(users, desired, directory=None, check_mode=False, retry_budget=120.0):
    slept = []
    memberships = MembershipSource(directory or FakeDirectory())
    plans = plan_users(UserDirectory(users), desired, memberships=memberships)
    executor = Executor(users, check_mode=check_mode, memberships=memberships, sleep=slept.append,
                        clock=lambda: sum(slept), retry_budget=retry_budget)
    return executor.apply_all(plans), slept


def writes(users):
    return [c for c in users.calls if c[0] in ("create", "update", "reset", "delete")]


# -- creates ----------------------------------------------------------------------------


def test_a_missing_user_is_created_once():
    users = FakeUsers()
    (outcome,), slept = converge(users, [jane()])
    assert outcome.action == "created" and outcome.user["id"] and slept == []
    assert writes(users) == [("create", "jane@contoso.com")]


def test_an_ambiguous_create_that_landed_is_found_and_not_sent_again():
    users = FakeUsers()
    users.script["create"] = [("commit", ambiguous())]
    (outcome,), slept = converge(users, [jane()])
    assert outcome.action == "created" and outcome.error is None and outcome.user["id"]
    assert writes(users) == [("create", "jane@contoso.com")] and slept == []


def test_an_ambiguous_create_that_did_not_land_is_sent_again_after_one_look():
    users = FakeUsers()
    users.script["create"] = [ambiguous()]
    (outcome,), slept = converge(users, [jane()])
    assert outcome.action == "created" and outcome.user["id"]
    assert users.calls == [("list",), ("list deleted",), ("create", "jane@contoso.com"), ("list",),
                           ("create", "jane@contoso.com")]


def test_a_conflict_means_someone_else_created_it_and_its_attributes_are_converged():
    users = FakeUsers(existing(display_name="Old"))
    users.hidden["jane@contoso.com"] = 2  # the planning listing and the first look miss it
    (outcome,), slept = converge(users, [jane()])
    assert outcome.action == "updated" and outcome.error is None
    assert slept == [LOOKUP_WAITS[0]]
    assert [c[0] for c in writes(users)] == ["create", "update"] and writes(users)[1][2] == ("display_name",)


def test_a_conflict_never_visible_fails_that_user_clearly_when_the_budget_runs_out_and_sends_nothing_else():
    users = FakeUsers(existing())
    users.hidden["jane@contoso.com"] = 100
    (outcome,), slept = converge(users, [jane()], retry_budget=30)
    message = str(outcome.error)
    assert "replication lag" in message and "jane@contoso.com" in message and "retry_budget (30 s, 7 look(s)" in message
    assert slept == [1, 2, 4, 8, 10, 5]  # the last wait ends with the budget, for one last look
    assert writes(users) == [("create", "jane@contoso.com")]


def test_a_conflict_hidden_longer_than_fifteen_seconds_is_found_within_the_budget():
    users = FakeUsers(existing())
    users.hidden["jane@contoso.com"] = 1 + 6  # the planning listing and six looks (up to 25 s) miss it
    (outcome,), slept = converge(users, [jane()], retry_budget=60)
    assert outcome.error is None and outcome.action == "unchanged"
    assert slept == [1, 2, 4, 8, 10, 10] and writes(users) == [("create", "jane@contoso.com")]


def test_no_budget_means_one_look():
    users = FakeUsers(existing())
    users.hidden["jane@contoso.com"] = 2
    (outcome,), slept = converge(users, [jane()], retry_budget=0)
    assert "retry_budget (0 s, 1 look(s)" in str(outcome.error) and slept == []


def test_a_resent_create_refused_in_other_words_is_judged_by_the_next_look():
    users = FakeUsers()
    users.hidden["jane@contoso.com"] = 1  # the first look after the lost answer misses it
    users.script["create"] = [("commit", ambiguous()), refused(1)]
    (outcome,), slept = converge(users, [jane()])
    assert outcome.error is None and outcome.action == "created" and outcome.user["id"]
    assert slept == [1] and writes(users) == [("create", "jane@contoso.com")] * 2


def test_a_resent_create_refused_for_a_user_nobody_lists_fails_with_that_refusal():
    users = FakeUsers()
    users.script["create"] = [ambiguous(), refused(1, "Invalid request input: the password is too simple.")]
    (outcome,), slept = converge(users, [jane()])
    assert outcome.error.description == "Invalid request input: the password is too simple."
    assert outcome.error.status == 400 and "jane@contoso.com was not in the customer's user list" in str(outcome.error)
    assert slept == [1] and [c[0] for c in users.calls].count("list") == 3  # planning, first look, one more


def test_waiting_users_share_one_listing_per_round():
    users = FakeUsers(*[existing("u%d@contoso.com" % n) for n in range(5)])
    for n in range(5):
        users.hidden["u%d@contoso.com" % n] = 3  # planning listing + two rounds
    desired = [DesiredUser("u%d@contoso.com" % n, dict(display_name="Jane", usage_location="US"), password="P-1234567a")
               for n in range(5)]
    outcomes, slept = converge(users, desired)
    assert all(o.error is None and o.action == "unchanged" for o in outcomes)
    assert len([c for c in users.calls if c == ("list",)]) == 1 + 3


# -- restores, deletes ------------------------------------------------------------------


def test_a_restored_user_gets_its_roles_planned_from_what_it_holds_after_the_restore():
    deleted = existing(state="inactive")
    directory = FakeDirectory(roles={deleted["id"]: {ROLE}})
    users = FakeUsers(deleted)
    (outcome,), slept = converge(users, [jane(directory_roles={"set": []})], directory)
    assert outcome.action == "restored" and outcome.error is None
    assert directory.calls == [("roles", deleted["id"]), ("remove", ROLE, deleted["id"])]
    assert outcome.user["directory_roles"] == []


def test_a_delete_answered_404_is_absent_already():
    users = FakeUsers(existing())
    users.script["delete"] = [not_found()]
    (outcome,), slept = converge(users, [DesiredUser("jane@contoso.com", state="absent")])
    assert outcome.error is None and outcome.action == "unchanged"


def test_a_retried_delete_refused_with_a_400_is_done_when_the_user_reads_as_gone():
    users = FakeUsers(existing())
    users.script["delete"] = [("commit", refused(2))]
    (outcome,), slept = converge(users, [DesiredUser("jane@contoso.com", state="absent")])
    assert outcome.error is None and outcome.action == "deleted"
    assert [c[0] for c in users.calls][-2:] == ["delete", "get"]


def test_a_delete_refused_with_a_400_on_its_first_attempt_fails_without_reading_again():
    users = FakeUsers(existing())
    users.script["delete"] = [refused(1)]
    (outcome,), slept = converge(users, [DesiredUser("jane@contoso.com", state="absent")])
    assert outcome.error.status == 400 and "get" not in [c[0] for c in users.calls]


def test_a_retried_restore_refused_with_a_400_is_done_when_the_user_reads_as_active():
    users = FakeUsers(existing(state="inactive"))
    users.script["update"] = [("commit", refused(2))]
    (outcome,), slept = converge(users, [jane(password=None)])
    assert outcome.error is None and outcome.action == "restored" and outcome.user["state"] == "active"
    assert [c[0] for c in users.calls][-2:] == ["update", "get"]


def test_a_retried_restore_refused_while_the_user_is_still_deleted_fails_with_that_refusal():
    users = FakeUsers(existing(state="inactive"))
    users.script["update"] = [refused(2, "Invalid request input: not now.")]
    (outcome,), slept = converge(users, [jane(password=None)])
    assert outcome.error.description == "Invalid request input: not now."
    assert [c[0] for c in users.calls][-2:] == ["update", "get"]


# -- memberships ------------------------------------------------------------------------


def test_role_writes_for_a_new_user_are_retried_while_the_member_route_does_not_know_it():
    directory = FakeDirectory()
    directory.script = [not_found(), not_found()]
    users = FakeUsers()
    (outcome,), slept = converge(users, [jane(directory_roles={"add": [ROLE]})], directory)
    assert outcome.error is None and slept == [1, 2]
    assert directory.roles[outcome.user["id"]] == {ROLE}


@pytest.mark.parametrize("change", ["add", "remove"])
def test_a_retried_role_write_refused_with_any_400_is_done_when_the_roles_read_as_planned(change):
    user = existing()
    directory = FakeDirectory(roles={user["id"]: set() if change == "add" else {ROLE}})
    directory.script = [("commit", refused(2))]
    (outcome,), slept = converge(FakeUsers(user), [jane(directory_roles={change: [ROLE]})], directory)
    assert outcome.error is None and outcome.action == "updated"
    assert directory.calls == [("roles", user["id"]), (change, ROLE, user["id"]), ("roles", user["id"])]


@pytest.mark.parametrize("change", ["add", "remove"])
def test_a_role_write_refused_with_a_400_fails_when_the_roles_are_not_as_planned(change):
    user = existing()
    directory = FakeDirectory(roles={user["id"]: set() if change == "add" else {ROLE}})
    directory.script = [refused(2)]  # nothing landed
    (outcome,), slept = converge(FakeUsers(user), [jane(directory_roles={change: [ROLE]})], directory)
    assert outcome.error.status == 400 and outcome.error.code == 800002
    first = [refused(1)]  # a first attempt's refusal is not read again: nothing of ours can have landed
    directory.script, directory.calls = first, []
    (outcome,), slept = converge(FakeUsers(user), [jane(directory_roles={change: [ROLE]})], directory)
    assert outcome.error.status == 400 and directory.calls == [("roles", user["id"]), (change, ROLE, user["id"])]


@pytest.mark.parametrize("landed", [True, False])
def test_a_retried_license_update_refused_with_any_400_is_judged_by_the_licenses_read_again(landed):
    user = existing()
    directory = FakeDirectory(licenses={user["id"]: {SKU: [PLAN]}})
    directory.script = [("commit", refused(2)) if landed else refused(2)]
    (outcome,), slept = converge(FakeUsers(user), [jane(licenses={"remove": ["SPE_E3"]})], directory)
    assert (outcome.error is None) is landed
    assert [c[0] for c in directory.calls] == ["licenses", "license update", "licenses"]


def test_a_retried_assignment_is_done_only_with_the_declared_disabled_plans():
    user = existing()
    directory = FakeDirectory(licenses={user["id"]: {}})
    directory.script = [("commit", refused(2))]  # assigned with TEAMS1 enabled
    declared = {"add": [{"sku": "SPE_E3", "disabled_plans": ["TEAMS1"]}]}
    (outcome,), slept = converge(FakeUsers(user), [jane(licenses=declared)], directory)
    assert outcome.error is None  # the fake honours the disabled plans: what was planned holds
    directory = FakeDirectory(licenses={user["id"]: {SKU: [PLAN]}})
    directory.script = [refused(2)]
    (outcome,), slept = converge(FakeUsers(user), [jane(licenses=declared)], directory)
    assert outcome.error is not None  # held, but with TEAMS1 enabled: not what was planned


def test_an_existing_users_role_route_404_is_not_retried():
    user = existing()
    directory = FakeDirectory()
    directory.script = [not_found()]
    (outcome,), slept = converge(FakeUsers(user), [jane(directory_roles={"add": [ROLE]})], directory)
    assert outcome.error is not None and slept == []


def test_an_unexpected_exception_is_that_users_failure_only():
    class Broken(FakeDirectory):
        def add_role_member(self, role_id, user):
            raise RuntimeError("boom")

    users = FakeUsers()
    desired = [jane(directory_roles={"add": [ROLE]}),
               DesiredUser("bob@contoso.com", dict(display_name="Bob", usage_location="US"), password="P-1234567a")]
    outcomes, slept = converge(users, desired, Broken())
    assert "RuntimeError: boom" in str(outcomes[0].error)
    assert outcomes[1].error is None and outcomes[1].action == "created"


def test_check_mode_writes_nothing_and_says_what_it_cannot_know_of_a_restore():
    users = FakeUsers(existing(state="inactive"))
    (outcome,), slept = converge(users, [jane(directory_roles={"set": [ROLE]})], check_mode=True)
    assert outcome.action == "restored" and writes(users) == []
    assert any("read only then" in w for w in outcome.warnings)


def test_a_deleted_user_listed_under_its_id_prefixed_upn_is_restored():
    deleted = existing(state="inactive")
    deleted["user_principal_name"] = deleted["id"].replace("-", "") + "jane@contoso.com"
    users = FakeUsers(deleted)
    (outcome,), slept = converge(users, [jane()])
    assert outcome.action == "restored" and outcome.user["state"] == "active"
    assert [c[0] for c in writes(users)] == ["update"]


def test_a_restore_refused_for_its_password_restores_then_resets():
    class PasswordOnlyByReset(FakeUsers):
        def update(self, user_id, fields, restore=False, password=None, force_change=True):
            if password is not None:
                raise PartnerCenterError("no", status=400, description="Invalid property 'passwordProfile'")
            return super(PasswordOnlyByReset, self).update(user_id, fields, restore, password, force_change)

    users = PasswordOnlyByReset(existing(state="inactive"))
    (outcome,), slept = converge(users, [jane()])
    assert outcome.error is None and outcome.action == "restored"
    assert [c[0] for c in writes(users)] == ["update", "reset"]


def test_roles_of_a_user_another_run_just_created_are_read_again_while_the_member_route_does_not_know_it():
    class Lagging(FakeDirectory):
        lag = [not_found(), not_found()]

        def user_roles(self, user_id):
            if self.lag:
                self.calls.append(("roles", user_id))
                raise self.lag.pop(0)
            return super(Lagging, self).user_roles(user_id)

    users = FakeUsers(existing())
    users.hidden["jane@contoso.com"] = 1  # the planning listing misses it: the create conflicts
    directory = Lagging()
    (outcome,), slept = converge(users, [jane(directory_roles={"add": [ROLE]})], directory)
    assert outcome.error is None and outcome.action == "updated"
    assert [c[0] for c in writes(users)] == ["create"] and slept == [1, 2]
    assert directory.roles[outcome.user["id"]] == {ROLE}


# -- threads ------------------------------------------------------------------------------


def test_no_more_writer_threads_than_writes_and_none_for_a_converged_customer(monkeypatch):
    from ansible_collections.csp.partnercenter.plugins.module_utils import _parallel
    pools = []
    real_pool = _parallel.ThreadPoolExecutor

    def counting_pool(max_workers):
        pools.append(max_workers)
        return real_pool(max_workers=max_workers)

    monkeypatch.setattr(_parallel, "ThreadPoolExecutor", counting_pool)
    names = ["u%d@contoso.com" % n for n in range(5)]
    users = FakeUsers(*[existing(name) for name in names])
    desired = [DesiredUser(name, dict(display_name="Jane", usage_location="US")) for name in names]

    def run(parallelism):
        plans = plan_users(UserDirectory(users), desired)
        return Executor(users, sleep=lambda s: None, parallelism=parallelism).apply_all(plans)

    assert [o.action for o in run(4)] == ["unchanged"] * 5 and pools == [] and writes(users) == []
    desired[1] = DesiredUser(names[1], dict(display_name="Renamed", usage_location="US"))
    desired[3] = DesiredUser(names[3], dict(display_name="Renamed", usage_location="US"))
    assert [o.action for o in run(4)] == ["unchanged", "updated", "unchanged", "updated", "unchanged"]
    assert pools == [2, 2] and len(writes(users)) == 2  # two writes: two threads, for each pass
