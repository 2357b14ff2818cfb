# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""A user's lifecycle (issue 29), planned and applied against fake Partner Center and Graph directories: renames,
offboarding (Partner Center's part and Graph's) and its record, the privileged guard, the mass-change limits."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import itertools

import pytest

from ansible_collections.csp.partnercenter.plugins.module_utils._declared import desired_user
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError, PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._executor import Executor
from ansible_collections.csp.partnercenter.plugins.module_utils._graph_lookups import plan_graph_steps
from ansible_collections.csp.partnercenter.plugins.module_utils._graph_planner import GraphGroup
from ansible_collections.csp.partnercenter.plugins.module_utils._graph_writes import GraphWriter
from ansible_collections.csp.partnercenter.plugins.module_utils._guard_rails import (
    refuse_mass_changes, refuse_privileged,
)
from ansible_collections.csp.partnercenter.plugins.module_utils._lookups import (
    MembershipSource, UserDirectory, plan_users,
)
from ansible_collections.csp.partnercenter.plugins.module_utils._planner import NOTHING, OFFBOARD, RENAME
from ansible_collections.csp.partnercenter.plugins.module_utils._policy import password_problem, random_password
from ansible_collections.csp.partnercenter.plugins.module_utils._results import many_result
from ansible_collections.csp.partnercenter.plugins.module_utils._role_names import privileged_role
from ansible_collections.csp.partnercenter.plugins.module_utils._summary import customer_summary
from ansible_collections.csp.partnercenter.plugins.module_utils._users import active_user
from ansible_collections.csp.partnercenter.plugins.plugin_utils import _customer_users as role

IDS = ("10000000-0000-0000-0000-%012d" % n for n in itertools.count(1))
SKU, TEAMS, MAIL = "e3", "teams", "mail"
BILLING, GLOBAL_ADMIN = "b0f54661-2d74-4c50-afa3-1ec803f12efe", "62e90394-69f5-4237-9190-012177145e10"
ROLE_NAMES = {BILLING: "Billing Administrator", GLOBAL_ADMIN: "Company Administrator"}


def upn(name):
    return "%s@contoso.example" % name


class FakePartnerCenter:
    """Users, roles and licenses of one customer, every write recorded."""

    def __init__(self, *names):
        self.users = dict((upn(n), dict(id=next(IDS), user_principal_name=upn(n), state="active", display_name=n,
                                        usage_location="US")) for n in names)
        self.roles, self.licenses, self.passwords, self.writes = {}, {}, {}, []

    def id(self, name):
        return self.users[upn(name)]["id"]

    # users
    def list_active(self):
        return [dict(u) for u in self.users.values()]

    def list_deleted(self):
        return []

    def update(self, user_id, fields, **extra):
        self.writes.append(("update", user_id, dict(fields)))
        user = next(u for u in self.users.values() if u["id"] == user_id)
        if "user_principal_name" in fields:
            del self.users[user["user_principal_name"]]
            self.users[fields["user_principal_name"]] = user
        user.update(fields)
        return dict(user)

    def delete(self, user_id):
        self.writes.append(("delete", user_id))

    def reset_password(self, user_id, password, force_change):
        self.writes.append(("reset password", user_id, force_change))
        self.passwords[user_id] = password

    # directory
    def role_catalogue(self):
        return [{"id": rid, "name": name} for rid, name in ROLE_NAMES.items()]

    def user_roles(self, user_id):
        return [{"id": r, "name": ROLE_NAMES[r]} for r in sorted(self.roles.get(user_id, ()))]

    def remove_role_member(self, role_id, user_id):
        self.writes.append(("remove role", role_id, user_id))
        self.roles[user_id].discard(role_id)

    def add_role_member(self, role_id, user):
        self.writes.append(("add role", role_id, user["id"]))
        self.roles.setdefault(user["id"], set()).add(role_id)

    def subscribed_skus(self):
        return [{"id": SKU, "sku_part_number": "SPE_E3", "license_group_id": "group1", "available_units": 5,
                 "service_plans": [{"id": TEAMS, "service_name": "TEAMS1"}, {"id": MAIL, "service_name": "EXO"}]}]

    def user_licenses(self, user_id):
        return dict(self.licenses.get(user_id, {}))

    def update_licenses(self, user_id, assign, remove):
        self.writes.append(("licenses", user_id, list(assign), list(remove)))
        held = self.licenses.setdefault(user_id, {})
        for sku_id, disabled in assign:
            held[sku_id] = sorted(set([TEAMS, MAIL]) - set(disabled or []))
        for sku_id in remove:
            held.pop(sku_id, None)
        return []


class FakeGraph:
    """Graph's view of the same users: sign-in state and groups; every write recorded."""

    def __init__(self, pc):
        self.pc, self.enabled, self.groups, self.writes = pc, {}, {}, []

    def seed(self, name, **kinds):
        group = GraphGroup(next(IDS), name, members=set(), **kinds)
        self.groups[group.id] = group
        return group

    def granted_roles(self):
        return None

    def list_users(self, fields, manager=False):
        return [dict(id=u["id"], user_principal_name=u["user_principal_name"], business_phones=[],
                     account_enabled=self.enabled.get(u["id"], True), job_title=u.get("job_title"))
                for u in self.pc.users.values()]

    def member_ids(self, group_id):
        return set(self.groups[group_id].members)

    def groups_named(self, name):
        return [g for g in self.groups.values() if g.display_name.lower() == name.lower()]

    def group(self, group_id):
        return self.groups[group_id]

    def add_member(self, group_id, user_id):
        self.writes.append(("add member", group_id, user_id))
        self.groups[group_id].members.add(user_id)

    def direct_groups(self, user_id):
        return [g for g in self.groups.values() if user_id in g.members]

    def update(self, user_id, changes):
        self.writes.append(("update", user_id, dict(changes)))
        if "account_enabled" in changes:
            self.enabled[user_id] = changes["account_enabled"]

    def revoke_sessions(self, user_id):
        self.writes.append(("revoke", user_id))

    def remove_member(self, group_id, user_id):
        self.writes.append(("remove member", group_id, user_id))
        self.groups[group_id].members.discard(user_id)


def converge(pc, items, graph=None, check_mode=False, secrets=None):
    """Plan and apply declared ``items`` as partnercenter_user's many-users form does: (outcomes, plans)."""
    desired = [desired_user(dict(item), {"offboard_with_graph": graph is not None}, "users[%d]." % n)
               for n, item in enumerate(items)]
    directory, memberships = UserDirectory(pc), MembershipSource(pc)
    plans = plan_users(directory, desired, memberships=memberships)
    plans, api = plan_graph_steps(lambda: graph, plans, desired, directory.active)
    plans = refuse_privileged(plans, memberships)
    writer = GraphWriter(api, ids=dict((k, u["id"]) for k, u in directory.active.items())) if api else None
    register = (secrets.append if secrets is not None else None)
    return Executor(pc, check_mode=check_mode, memberships=memberships, graph=writer,
                    register_secret=register).apply_all(plans), plans


def test_offboarding_removes_roles_licenses_groups_blocks_sign_in_and_records_how_to_give_them_back():
    pc = FakePartnerCenter("ada", "bob")
    graph = FakeGraph(pc)
    ada = pc.id("ada")
    pc.roles[ada] = {BILLING}
    pc.licenses[ada] = {SKU: [MAIL]}  # TEAMS1 disabled
    sales, everyone = graph.seed("Sales"), graph.seed("Everyone", group_types=["DynamicMembership"])
    sales.members.add(ada)
    everyone.members.add(ada)
    leaving = [dict(user_principal_name=upn("ada"), state="offboarded", display_name="ada")]

    outcomes, plans = converge(pc, leaving, graph, check_mode=True)
    assert plans[0].kind == OFFBOARD and pc.writes == [] and graph.writes == []
    record = plans[0].offboarding_record()
    assert record["removed"] == {"directory_roles": ["Billing Administrator"], "groups": ["Sales"],
                                 "licenses": [{"sku": "SPE_E3", "disabled_plans": ["TEAMS1"]}]}
    assert record["reactivate"] == {
        "user_principal_name": upn("ada"), "state": "present", "account_enabled": True,
        "directory_roles": {"set": ["Billing Administrator"]}, "groups": {"add": ["Sales"]},
        "licenses": {"set": [{"sku": "SPE_E3", "disabled_plans": ["TEAMS1"]}]}}
    before, after = plans[0].diff()
    assert before["account_enabled"] is True and after["account_enabled"] is False
    assert after["sessions_revoked"] is True and after["password"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    entry = many_result(outcomes, 1).fields["users"][0]
    assert entry["action"] == "offboarded" and entry["offboarding"] == record

    secrets = []
    outcomes, plans = converge(pc, leaving, graph, secrets=secrets)
    assert outcomes[0].error is None and outcomes[0].action == "offboarded"
    assert pc.roles[ada] == set() and pc.licenses[ada] == {} and pc.users[upn("ada")]["state"] == "active"
    assert ("reset password", ada, True) in pc.writes and secrets == [pc.passwords[ada]]
    assert password_problem(pc.passwords[ada]) is None
    assert graph.writes == [("update", ada, {"account_enabled": False}), ("revoke", ada),
                            ("remove member", sales.id, ada)]
    assert everyone.members == {ada}  # dynamic: Graph cannot change it, it is left (with a warning)
    assert pc.passwords[ada] not in repr(many_result(outcomes, 1).fields)

    pc.writes[:], graph.writes[:] = [], []
    outcomes, plans = converge(pc, leaving, graph)
    assert plans[0].kind == NOTHING and pc.writes == [] and graph.writes == []

    # pasted back: the roles, the license with its disabled plan, the group and sign-in come back
    outcomes, plans = converge(pc, [record["reactivate"]], graph)
    assert pc.roles[ada] == {BILLING} and pc.licenses[ada] == {SKU: [MAIL]}
    assert graph.enabled[ada] is True and sales.members == {ada}


def test_a_user_holding_nothing_whose_sign_in_is_enabled_is_still_offboarded_and_then_is_done():
    pc = FakePartnerCenter("ada")
    graph = FakeGraph(pc)
    outcomes, plans = converge(pc, [dict(user_principal_name=upn("ada"), state="offboarded")], graph)
    assert plans[0].kind == OFFBOARD and [w[0] for w in pc.writes] == ["reset password"]
    assert plans[0].offboarding_record()["reactivate"]["account_enabled"] is True
    assert converge(pc, [dict(user_principal_name=upn("ada"), state="offboarded")], graph)[1][0].kind == NOTHING


@pytest.mark.parametrize("entry, doing", [
    (dict(state="offboarded"), "offboarding it"),
    (dict(state="absent"), "deleting it"),
    (dict(account_enabled=False), "blocking its sign-in"),
    (dict(password="Rotated-Passw0rd#", update_password="always"), "resetting its password"),
    (dict(previous_user_principal_names=[upn("boss")], user_principal_name=upn("chief")), "renaming it"),
])
def test_a_privileged_user_is_refused_before_anything_is_sent_unless_allowed(entry, doing):
    pc = FakePartnerCenter("boss")
    graph = FakeGraph(pc)
    pc.roles[pc.id("boss")] = {GLOBAL_ADMIN}
    item = dict(dict(user_principal_name=upn("boss")), **entry)
    outcomes, plans = converge(pc, [item], graph)
    assert outcomes[0].error is not None and pc.writes == [] and graph.writes == []
    message = outcomes[0].error.full_message()
    assert "Global Administrator" in message and doing in message and "allow_privileged: true" in message
    outcomes, plans = converge(pc, [dict(item, allow_privileged=True)], graph)
    assert outcomes[0].error is None and (pc.writes or graph.writes)


def test_privileged_roles_are_known_by_today_s_name_a_legacy_name_or_a_template_id():
    assert privileged_role({"name": "Company Administrator"}) == "Global Administrator"
    assert privileged_role({"name": "user account administrator"}) == "User Administrator"
    assert privileged_role({"id": GLOBAL_ADMIN, "name": "whatever"}) == "Global Administrator"
    assert privileged_role({"id": BILLING, "name": "Billing Administrator"}) is None


def test_a_rename_is_one_patch_of_the_same_user_and_ambiguity_is_refused():
    pc = FakePartnerCenter("jane.doe", "jdoe", "taken")
    ada_id = pc.id("jane.doe")
    outcomes, plans = converge(pc, [dict(user_principal_name=upn("jane.smith"), display_name="Jane Smith",
                                         previous_user_principal_names=[upn("jane.doe")])])
    assert plans[0].kind == RENAME and outcomes[0].user["id"] == ada_id
    assert pc.writes == [("update", ada_id, {"user_principal_name": upn("jane.smith"), "display_name": "Jane Smith"})]
    with pytest.raises(InputError, match="both exist in the customer.*ambiguous"):
        converge(pc, [dict(user_principal_name=upn("j"), previous_user_principal_names=[upn("jane.smith"),
                                                                                        upn("jdoe")])])
    with pytest.raises(InputError, match="cannot be renamed to %s: both exist" % upn("taken")):
        converge(pc, [dict(user_principal_name=upn("taken"), previous_user_principal_names=[upn("jdoe")])])
    with pytest.raises(InputError, match="the user's own user_principal_name"):
        desired_user(dict(user_principal_name=upn("a"), previous_user_principal_names=[upn("A")]), {})


def test_a_user_to_rename_is_known_to_graph_by_its_old_name():
    pc = FakePartnerCenter("jane.doe")
    pc.users[upn("jane.doe")]["job_title"] = "Engineer"
    graph = FakeGraph(pc)
    outcomes, plans = converge(pc, [dict(user_principal_name=upn("jane.smith"), job_title="Engineer",
                                         previous_user_principal_names=[upn("jane.doe")])], graph)
    assert plans[0].kind == RENAME and not plans[0].graph.changed and graph.writes == []


def test_the_mass_change_limit_counts_deletes_offboardings_and_renames_and_names_the_first_users():
    pc = FakePartnerCenter(*["u%02d" % n for n in range(12)])
    for n in range(12):
        pc.licenses[pc.id("u%02d" % n)] = {SKU: [MAIL]}
    items = [dict(user_principal_name=upn("u%02d" % n), state="offboarded" if n % 2 else "absent") for n in range(12)]
    desired = [desired_user(item, {"offboard_with_graph": False}) for item in items]
    plans = plan_users(UserDirectory(pc), desired, memberships=MembershipSource(pc))
    refuse_mass_changes(plans, 12)
    with pytest.raises(InputError) as refused:
        refuse_mass_changes(plans, 11)
    assert "delete 6, offboard 6 and rename 0 users of the customer (12 in all), more than mass_change_limit " \
           "(11)" in str(refused.value)
    assert "First ones: %s, %s" % (upn("u00"), upn("u01")) in str(refused.value) and "and 7 more" in str(refused.value)


def test_the_random_password_meets_entra_s_policy_with_every_class_and_differs_each_time():
    passwords = set(random_password() for dummy in range(50))
    assert len(passwords) == 50 and all(password_problem(p) is None and len(p) == 32 for p in passwords)


def test_the_summary_names_renames_offboardings_and_the_undeclared_users_bounded():
    result = {"summary": dict(created=0, updated=0, restored=0, deleted=0, unchanged=1, purged=0, failed=0,
                              renamed=1, offboarded=1, undeclared=12),
              "users": [dict(user_principal_name=upn("new"), previous_user_principal_name=upn("old"),
                             action="renamed"),
                        dict(user_principal_name=upn("ada"), action="offboarded", offboarding={"removed": {
                            "directory_roles": ["Billing Administrator"], "licenses": [{"sku": "SPE_E3"}]}})],
              "undeclared_users": [upn("x%02d" % n) for n in range(12)]}
    lines = customer_summary("contoso", result, check_mode=True)
    assert lines[0].endswith("1 unchanged, would rename 1, would offboard 1")
    assert "  would rename: %s -> %s" % (upn("old"), upn("new")) in lines
    assert "  would offboard: %s (removed directory roles: Billing Administrator; licenses: SPE_E3)" % upn("ada") \
        in lines
    assert lines[-1] == "  not declared, left active (purge is off): 12: %s and 2 more" % ", ".join(
        upn("x%02d" % n) for n in range(10))


def test_the_play_wide_limit_plans_first_only_when_the_declarations_could_exceed_it():
    few = {"partnercenter_users": [{"user_principal_name": "a", "state": "absent"}, {"user_principal_name": "b"}]}
    renames = {"partnercenter_users": [{"user_principal_name": "c", "previous_user_principal_names": ["d"]}]}
    assert role.batch_needs_planning({"h1": few, "h2": renames}, 2) is False
    assert role.batch_needs_planning({"h1": few, "h2": renames}, 1) is True
    assert role.batch_needs_planning({"h1": dict(few, partnercenter_users_purge=True)}, 100) is True
    assert role.batch_needs_planning({"h1": few}, None) is False
    planned = {"h1": {"summary": {"deleted": 1, "purged": 2, "offboarded": 0, "renamed": 1},
                      "users": [{"user_principal_name": "a", "action": "deleted"},
                                {"user_principal_name": "c", "action": "renamed"}],
                      "purged": [{"user_principal_name": "p1"}, {"user_principal_name": "p2"}]},
               "h2": {"msg": "failed before planning"}}
    assert role.play_mass_change_refusal(planned, 4) == ""
    refusal = role.play_mass_change_refusal(planned, 3)
    assert "delete 3, offboard 0 and rename 1 users (4 in all)" in refusal and "h1: 4 (a, c, p1, ...)" in refusal
    assert "nothing was changed in any customer" in refusal
    assert "check mode predicts" in role.play_mass_change_refusal(planned, 3, check_mode=True)


def test_a_privileged_role_is_known_as_the_planner_shows_it():
    assert privileged_role({"name": "Global Administrator (Company Administrator)"}) == "Global Administrator"
    assert privileged_role({"name": "Billing Administrator (Billing Admin)"}) is None


def test_an_offboarding_record_names_roles_as_a_declaration_accepts_them():
    from ansible_collections.csp.partnercenter.plugins.module_utils._role_names import declarable  # noqa
    assert declarable("Exchange Administrator (Exchange Service Administrator)") == "Exchange Administrator"
    assert declarable("Billing Administrator") == "Billing Administrator"
    assert declarable("Sales (EMEA)") == "Sales (EMEA)"  # not one built-in role under two names: kept


class DeletedMeanwhile(FakePartnerCenter):
    """A customer whose users in ``gone`` another run deleted after this run listed them: their roles and the user
    read as not found (60002), and only ``still_there`` users answer the roles route so after a 404 of it."""

    def __init__(self, *names, gone=(), still_there=()):
        super().__init__(*names)
        self.gone = set(self.id(n) for n in gone)
        self.still_there = set(self.id(n) for n in still_there)

    def user_roles(self, user_id):
        if user_id in self.gone | self.still_there:
            raise PartnerCenterError("not found", status=404, code=60002, description="User object Id is not found")
        return super().user_roles(user_id)

    def get(self, user_id):
        if user_id in self.gone:
            raise PartnerCenterError("not found", status=404, code=60002, description="User object Id is not found")
        return dict(next(u for u in self.users.values() if u["id"] == user_id))


def guarded(pc, items):
    desired = [desired_user(dict(item), {}, "users[%d]." % n) for n, item in enumerate(items)]
    directory, memberships = UserDirectory(pc), MembershipSource(pc)
    plans = plan_users(directory, desired, memberships=memberships)
    return refuse_privileged(plans, memberships, read_user=lambda user_id: active_user(pc, user_id))


def test_a_user_to_delete_that_another_run_deleted_meanwhile_is_no_failure_but_a_404_alone_passes_no_guard():
    leavers = [dict(user_principal_name=upn(n), state="absent") for n in ("ann", "bob")]
    # ann and bob were deleted by someone else since the listing: their deletes go ahead (their 404 says "absent")
    plans = guarded(DeletedMeanwhile("ann", "bob", gone=("ann", "bob")), leavers)
    assert [(p.kind, p.refusal) for p in plans] == [("delete", None), ("delete", None)]
    # the roles route says not found but the user reads as active: the guard cannot tell, so the run fails
    with pytest.raises(PartnerCenterError) as failure:
        guarded(DeletedMeanwhile("ann", "bob", gone=("bob",), still_there=("ann",)), leavers)
    assert failure.value.status == 404
    # without a way to read the user, a 404 of the roles route fails as before
    pc = DeletedMeanwhile("ann", gone=("ann",))
    desired = [desired_user(dict(leavers[0]), {}, "users[0].")]
    memberships = MembershipSource(pc)
    with pytest.raises(PartnerCenterError):
        refuse_privileged(plan_users(UserDirectory(pc), desired, memberships=memberships), memberships)
