# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The executor, against a fake users API: every branch of the create decision, deletes, memberships, purge."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import itertools

import pytest

from ansible_collections.csp.partnercenter.plugins.module_utils._converge import (
    VISIBILITY_DELAYS, Executor, MembershipSource, UserDirectory, plan_users, purge_plans,
)
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError, PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._planner import DesiredUser

IDS = ("00000000-0000-0000-0000-%012d" % n for n in itertools.count(1))
ROLE = "729827e3-9c14-49f7-bb1b-9608f156bbb8"


def conflict():
    return PartnerCenterError("exists", status=409, description="Another object with the same value for property "
                                                                "userPrincipalName already exists.")


def ambiguous():
    return PartnerCenterError("lost", fault="timeout", ambiguous=True)


def not_found(code=60002):
    return PartnerCenterError("nf", status=404, code=code, description="User object Id is not found")


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

    def update(self, user_id, fields, restore=False, password=None, force_change=True):
        self.calls.append(("update", user_id, tuple(sorted(fields)), restore))
        user = [u for u in self.users.values() if u["id"] == user_id][0]
        user.update(fields)
        if restore:
            user["state"] = "active"
        return dict(user)

    def reset_password(self, user_id, password, force_change):
        self.calls.append(("reset", user_id))

    def delete(self, user_id):
        self.calls.append(("delete", user_id))
        step = self._scripted("delete")
        if step is not None:
            raise step
        [u for u in self.users.values() if u["id"] == user_id][0]["state"] = "inactive"


class FakeDirectory:
    def __init__(self, roles=None):
        self.roles = roles or {}  # user id -> set of role ids
        self.script = []
        self.calls = []

    def role_catalogue(self):
        return [{"id": ROLE, "name": "Helpdesk Administrator"}]

    def subscribed_skus(self):
        return []

    def user_roles(self, user_id):
        self.calls.append(("roles", user_id))
        return [{"id": r, "name": "x"} for r in sorted(self.roles.get(user_id, ()))]

    def add_role_member(self, role_id, user):
        self.calls.append(("add", role_id, user["id"]))
        if self.script:
            raise self.script.pop(0)
        self.roles.setdefault(user["id"], set()).add(role_id)

    def remove_role_member(self, role_id, user_id):
        self.calls.append(("remove", role_id, user_id))
        self.roles.get(user_id, set()).discard(role_id)


def jane(**extra):
    return DesiredUser("jane@contoso.com", dict(display_name="Jane", usage_location="US"), password="Pw-12345678",
                       **extra)


def existing(upn="jane@contoso.com", state="active", **extra):
    user = dict(user_principal_name=upn, display_name="Jane", usage_location="US", id=next(IDS), state=state)
    user.update(extra)
    return user


def converge(users, desired, directory=None, check_mode=False):
    slept = []
    memberships = MembershipSource(directory or FakeDirectory())
    plans = plan_users(UserDirectory(users), desired, memberships=memberships)
    executor = Executor(users, check_mode=check_mode, memberships=memberships, sleep=slept.append,
                        clock=lambda: sum(slept))
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
    assert slept == [VISIBILITY_DELAYS[0]]
    assert [c[0] for c in writes(users)] == ["create", "update"] and writes(users)[1][2] == ("display_name",)


def test_a_conflict_never_visible_fails_that_user_clearly_and_sends_nothing_else():
    users = FakeUsers(existing())
    users.hidden["jane@contoso.com"] = 100
    (outcome,), slept = converge(users, [jane()])
    assert outcome.error is not None and "replication lag" in str(outcome.error)
    assert slept == list(VISIBILITY_DELAYS) and writes(users) == [("create", "jane@contoso.com")]


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


# -- memberships ------------------------------------------------------------------------


def test_role_writes_for_a_new_user_are_retried_while_the_member_route_does_not_know_it():
    directory = FakeDirectory()
    directory.script = [not_found(), not_found()]
    users = FakeUsers()
    (outcome,), slept = converge(users, [jane(directory_roles={"add": [ROLE]})], directory)
    assert outcome.error is None and slept == [1, 2]
    assert directory.roles[outcome.user["id"]] == {ROLE}


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


# -- purge ------------------------------------------------------------------------------


def test_purge_spares_excluded_and_refuses_too_many_or_too_large_a_share():
    active = dict((u, existing(u)) for u in ("admin@c.com", "a@c.com", "b@c.com", "keep@c.com"))
    plans = purge_plans(active, {"keep@c.com"}, ["admin@*"], limit=10, max_percent=100)
    assert sorted(p.current["user_principal_name"] for p in plans) == ["a@c.com", "b@c.com"]
    with pytest.raises(InputError, match="purge_limit"):
        purge_plans(active, {"keep@c.com"}, [], limit=2)
    with pytest.raises(InputError, match="purge_max_percent"):
        purge_plans(active, {"keep@c.com"}, [], limit=10, max_percent=50)


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
    from ansible_collections.csp.partnercenter.plugins.module_utils import _converge
    pools = []
    real_pool = _converge.ThreadPoolExecutor

    def counting_pool(max_workers):
        pools.append(max_workers)
        return real_pool(max_workers=max_workers)

    monkeypatch.setattr(_converge, "ThreadPoolExecutor", counting_pool)
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
