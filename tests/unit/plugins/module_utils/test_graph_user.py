# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""A user's Graph options, planned and written against fake Partner Center and Graph directories: what is read
(at the minimum), what is refused before any write, what is written, waited for and counted as done."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import itertools

import pytest

from ansible_collections.csp.partnercenter.plugins.module_utils._declared import desired_user
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError, PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._executor import Executor
from ansible_collections.csp.partnercenter.plugins.module_utils._graph_errors import GRAPH
from ansible_collections.csp.partnercenter.plugins.module_utils._graph_lookups import plan_graph_steps
from ansible_collections.csp.partnercenter.plugins.module_utils._graph_planner import (
    PRIVILEGED_ROLE_ADMINISTRATOR, REVOKE_ASKED, REVOKE_BLOCKED, GraphGroup,
)
from ansible_collections.csp.partnercenter.plugins.module_utils._graph_writes import GraphWriter
from ansible_collections.csp.partnercenter.plugins.module_utils._lookups import UserDirectory, plan_users
from ansible_collections.csp.partnercenter.plugins.module_utils._planner import CREATE, NOTHING, UPDATE

IDS = ("00000000-0000-0000-0000-%012d" % n for n in itertools.count(1))
DOMAIN = "contoso.example"


def upn(name):
    return "%s@%s" % (name, DOMAIN)


def graph_error(status, code, message):
    return PartnerCenterError(message, status=status, code=code, description=message, vocabulary=GRAPH,
                              origin="Microsoft Graph")


def not_visible():
    return graph_error(404, "Request_ResourceNotFound", "Resource 'x' does not exist or one of its queried "
                                                        "reference-property objects are not present.")


def denied():
    return graph_error(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")


class FakePartnerCenter:
    """Partner Center's users of one customer: listing and create (what the executor's first pass needs)."""

    def __init__(self, *names):
        self.users = dict((upn(n), dict(id=next(IDS), user_principal_name=upn(n), state="active",
                                        display_name=n)) for n in names)
        self.calls = []

    def list_active(self):
        self.calls.append(("list",))
        return [dict(u) for u in self.users.values()]

    def list_deleted(self):
        return []

    def create(self, fields, password, force_change):
        self.calls.append(("create", fields["user_principal_name"]))
        user = dict(fields, id=next(IDS), state="active")
        self.users[fields["user_principal_name"]] = user
        return dict(user)


class FakeGraph:
    """Graph in one customer: users (mirroring Partner Center's unless hidden), groups, and every call recorded."""

    def __init__(self, pc, wids=None):
        self.pc = pc
        self.extra = {}  # upn -> Graph-only attributes
        self.managers = {}  # user id -> manager id
        self.groups = {}  # id -> GraphGroup (members: set of ids)
        self.unseen = {}  # user id -> how many more calls answer 404
        self.script = {}  # method -> exceptions raised in turn
        self.wids = wids
        self.calls = []

    def seed(self, name, **kinds):
        group = GraphGroup(next(IDS), name, members=set(), **kinds)
        self.groups[group.id] = group
        return group

    def _user(self, user):
        view = dict(id=user["id"], user_principal_name=user["user_principal_name"], account_enabled=True,
                    business_phones=[])
        view.update(self.extra.get(user["user_principal_name"], {}))
        manager = self.managers.get(user["id"])
        by_id = dict((u["id"], u) for u in self.pc.users.values())
        view["manager"] = by_id[manager]["user_principal_name"] if manager else None
        return view

    def _touch(self, method, user_id):
        self.calls.append((method, user_id))
        queue = self.script.get(method) or []
        if queue:
            raise queue.pop(0)
        if self.unseen.get(user_id, 0) > 0:
            self.unseen[user_id] -= 1
            raise not_visible()

    # -- the GraphUsersAPI interface ------------------------------------------------------------
    def granted_roles(self):
        return self.wids

    def list_users(self, fields, manager=False):
        self.calls.append(("list users", tuple(fields), manager))
        return [self._user(u) for u in self.pc.users.values() if self.unseen.get(u["id"], 0) == 0]

    def groups_named(self, name):
        self.calls.append(("groups named", name))
        return [GraphGroup(g.id, g.display_name, g.group_types, g.mail_enabled, g.security_enabled,
                           g.on_premises_sync_enabled, g.is_assignable_to_role)
                for g in self.groups.values() if g.display_name.lower() == name.lower()]

    def group(self, group_id):
        self.calls.append(("group", group_id))
        if group_id not in self.groups:
            raise graph_error(404, "Request_ResourceNotFound", "no such group")
        return self.groups[group_id]

    def member_ids(self, group_id):
        self.calls.append(("members", group_id))
        return set(self.groups[group_id].members)

    def direct_groups(self, user_id):
        self.calls.append(("member of", user_id))
        return [g for g in self.groups.values() if user_id in g.members]

    def update(self, user_id, changes):
        self._touch("update", user_id)
        key = next(u["user_principal_name"] for u in self.pc.users.values() if u["id"] == user_id)
        self.extra.setdefault(key, {}).update(changes)

    def set_manager(self, user_id, manager_id):
        self._touch("set manager", user_id)
        if self.unseen.get(manager_id, 0) > 0:
            self.unseen[manager_id] -= 1
            raise not_visible()
        self.managers[user_id] = manager_id

    def remove_manager(self, user_id):
        self._touch("remove manager", user_id)
        if user_id not in self.managers:
            raise not_visible()
        del self.managers[user_id]

    def revoke_sessions(self, user_id):
        self._touch("revoke", user_id)

    def add_member(self, group_id, user_id):
        self._touch("add member", user_id)
        if user_id in self.groups[group_id].members:
            raise graph_error(400, "Request_BadRequest", "One or more added object references already exist for "
                                                         "the following modified properties: 'members'.")
        self.groups[group_id].members.add(user_id)

    def remove_member(self, group_id, user_id):
        self._touch("remove member", user_id)
        if user_id not in self.groups[group_id].members:
            raise graph_error(404, "Request_ResourceNotFound", "not a member")
        self.groups[group_id].members.discard(user_id)


def _fake_graph(pc, wids=None):
    return FakeGraph(pc, wids)


def seed(graph, name, **kinds):
    return graph.seed(name, **kinds)


def declared(*items):
    """Declared users as the module checks them (a list of groups is short for add, as normalize_shorthands says)."""
    items = [dict(item, groups={"add": item["groups"]}) if isinstance(item.get("groups"), list) else item
             for item in items]
    return [desired_user(dict(item), {}, "users[%d]." % n) for n, item in enumerate(items)]


def run(pc, graph, users, check_mode=False, sleeps=None):
    """Plan and apply ``users`` (declared dicts) as the many-users form does: (outcomes, plans)."""
    desired = declared(*users)
    directory = UserDirectory(pc)
    plans = plan_users(directory, desired)
    asked = []

    def graph_for():
        asked.append(True)
        return graph

    plans, api = plan_graph_steps(graph_for, plans, desired, directory.active, parallelism=4)
    writer = None
    if api is not None:
        clock = itertools.count()
        writer = GraphWriter(api, ids=dict((k, u["id"]) for k, u in directory.active.items()), retry_budget=60,
                             sleep=(sleeps.append if sleeps is not None else lambda s: None),
                             clock=lambda: next(clock))
    outcomes = Executor(pc, check_mode=check_mode, parallelism=4, graph=writer).apply_all(plans)
    return outcomes, plans, bool(asked)


NEW = dict(user_principal_name=upn("ada"), display_name="Ada", usage_location="GB", password="Pw-1234567!x")


def test_a_task_that_declares_no_graph_option_never_asks_for_graph():
    pc = FakePartnerCenter("bob")
    graph = _fake_graph(pc)
    outcomes, plans, asked = run(pc, graph, [dict(user_principal_name=upn("bob"), display_name="Bob")])
    assert not asked and graph.calls == [] and plans[0].graph is None and outcomes[0].user.get("job_title") is None
    assert "job_title" not in outcomes[0].user


def test_onboarding_a_new_user_with_details_a_manager_created_with_it_and_two_groups():
    pc = FakePartnerCenter("bob")
    graph = _fake_graph(pc)
    sales, staff = seed(graph, "Sales"), seed(graph, "All Staff")
    boss = dict(NEW, user_principal_name=upn("grace"), display_name="Grace")
    ada = dict(NEW, job_title="Engineer", department="R&D", manager=upn("grace"),
               groups={"add": ["sales", staff.id]})
    outcomes, plans, _asked = run(pc, graph, [ada, boss], check_mode=True)
    assert sorted(c[0] for c in graph.calls) == ["group", "groups named", "list users", "members", "members"]
    assert graph.calls[0] == ("list users", ("department", "job_title"), True)
    before, after = plans[0].diff()
    assert before == {} and after["job_title"] == "Engineer" and after["manager"] == upn("grace")
    assert after["groups"] == ["All Staff", "Sales"] and pc.calls == [("list",)]
    assert outcomes[0].user["groups"] == ["All Staff", "Sales"]

    graph.calls[:] = []
    pc.calls[:] = []
    outcomes, plans, _asked = run(pc, graph, [ada, boss])
    assert all(o.error is None for o in outcomes), [o.error for o in outcomes if o.error]
    ada_id, grace_id = pc.users[upn("ada")]["id"], pc.users[upn("grace")]["id"]
    assert graph.extra[upn("ada")] == {"job_title": "Engineer", "department": "R&D"}
    assert graph.managers == {ada_id: grace_id}
    assert sales.members == {ada_id} and staff.members == {ada_id}
    assert outcomes[0].user["manager"] == upn("grace") and outcomes[0].action == "created"

    graph.calls[:] = []
    pc.calls[:] = []
    outcomes, plans, _asked = run(pc, graph, [ada, boss])
    assert [p.kind for p in plans] == [NOTHING, NOTHING] and not any(o.changed for o in outcomes)
    writes = [c for c in graph.calls if c[0] not in ("list users", "groups named", "group", "members")]
    assert writes == [] and pc.calls == [("list",)]
    assert sorted(c[0] for c in graph.calls) == ["group", "groups named", "list users", "members", "members"]
    assert outcomes[0].user["groups"] == ["All Staff", "Sales"] and outcomes[0].user["job_title"] == "Engineer"


def test_blocking_sign_in_revokes_the_sessions_once_and_set_empty_removes_every_changeable_membership():
    pc = FakePartnerCenter("ada")
    graph = _fake_graph(pc)
    ada_id = pc.users[upn("ada")]["id"]
    sales, staff = seed(graph, "Sales"), seed(graph, "All Staff")
    dynamic = seed(graph, "Everyone", group_types=["DynamicMembership"])
    for group in (sales, staff, dynamic):
        group.members.add(ada_id)
    offboard = dict(user_principal_name=upn("ada"), account_enabled=False, groups={"set": []})
    outcomes, plans, _asked = run(pc, graph, [offboard])
    assert outcomes[0].error is None and plans[0].kind == UPDATE and plans[0].graph.revoke == REVOKE_BLOCKED
    assert ("revoke", ada_id) in graph.calls and graph.extra[upn("ada")] == {"account_enabled": False}
    assert sales.members == set() and staff.members == set() and dynamic.members == {ada_id}
    assert [g.display_name for g, _why in plans[0].graph.left_alone] == ["Everyone"]
    before, after = plans[0].diff()
    assert before == {"account_enabled": True, "groups": ["All Staff", "Everyone", "Sales"]}
    assert after == {"account_enabled": False, "groups": ["Everyone"], "sessions_revoked": True}

    graph.calls[:] = []
    outcomes, plans, _asked = run(pc, graph, [offboard])
    assert plans[0].kind == NOTHING and not [c for c in graph.calls if c[0] == "revoke"]


def test_revoke_sessions_is_sent_whenever_declared_and_check_mode_says_it_would():
    pc = FakePartnerCenter("ada")
    graph = _fake_graph(pc)
    task = [dict(user_principal_name=upn("ada"), revoke_sessions=True)]
    outcomes, plans, _asked = run(pc, graph, task, check_mode=True)
    assert plans[0].graph.revoke == REVOKE_ASKED and outcomes[0].changed
    assert not [c for c in graph.calls if c[0] == "revoke"]
    assert outcomes[0].user["sessions_revoked"] is True
    for _run in range(2):
        outcomes, plans, _asked = run(pc, graph, task)
        assert outcomes[0].changed and outcomes[0].action == "updated"
    assert len([c for c in graph.calls if c[0] == "revoke"]) == 2


@pytest.mark.parametrize("kinds,why", [
    (dict(group_types=["DynamicMembership"]), "dynamic membership"),
    (dict(on_premises_sync_enabled=True), "synchronised from on-premises"),
    (dict(mail_enabled=True, security_enabled=False), "distribution list"),
    (dict(mail_enabled=True, security_enabled=True), "mail-enabled security group"),
    (dict(is_assignable_to_role=True), "only Privileged Role Administrator"),
])
def test_a_group_graph_cannot_change_is_refused_before_any_write_naming_it_and_why(kinds, why):
    pc = FakePartnerCenter("ada")
    graph = _fake_graph(pc, wids=["fe930be7-5e62-47db-91af-98c3a49a38b1"])  # User Administrator only
    seed(graph, "Sales")
    seed(graph, "Special", **kinds)
    with pytest.raises(InputError) as err:
        run(pc, graph, [dict(user_principal_name=upn("ada"), job_title="x", groups=["Sales", "special"])])
    assert err.value.option == "users[0].groups.add[1]" and "'special'" in str(err.value) and why in str(err.value)
    assert [c for c in graph.calls if c[0] in ("update", "add member")] == []


def test_a_role_assignable_group_is_changed_with_privileged_role_administrator_and_a_microsoft_365_group_always():
    pc = FakePartnerCenter("ada")
    graph = _fake_graph(pc, wids=[PRIVILEGED_ROLE_ADMINISTRATOR])
    admins = seed(graph, "Admins", is_assignable_to_role=True)
    team = seed(graph, "Team", group_types=["Unified"], mail_enabled=True)
    outcomes, _plans, _asked = run(pc, graph, [dict(user_principal_name=upn("ada"), groups=["Admins", "Team"])])
    ada_id = pc.users[upn("ada")]["id"]
    assert outcomes[0].error is None and admins.members == {ada_id} and team.members == {ada_id}


def test_an_ambiguous_or_unknown_group_name_and_an_unknown_id_are_refused_naming_each():
    pc = FakePartnerCenter("ada")
    graph = _fake_graph(pc)
    one, two = seed(graph, "Sales"), seed(graph, "SALES")
    with pytest.raises(InputError) as err:
        run(pc, graph, [dict(user_principal_name=upn("ada"),
                             groups={"add": ["Sales", "Nobody", "00000000-0000-0000-0000-00000000ffff"]})])
    text = str(err.value)
    assert "2 groups of this customer are named 'Sales' (%s)" % ", ".join(sorted([one.id, two.id])) in text
    assert "users[0].groups.add[1]: no group of this customer is named 'Nobody'" in text
    assert "no group of this customer has the object id 00000000-0000-0000-0000-00000000ffff" in text


def test_an_unknown_manager_or_one_declared_absent_is_refused_before_any_write():
    pc = FakePartnerCenter("ada", "bob")
    graph = _fake_graph(pc)
    with pytest.raises(InputError) as err:
        run(pc, graph, [dict(user_principal_name=upn("ada"), manager=upn("nobody"))])
    assert err.value.option == "users[0].manager" and "not a user of this customer" in str(err.value)
    with pytest.raises(InputError) as err:
        run(pc, graph, [dict(user_principal_name=upn("ada"), manager=upn("bob")),
                        dict(user_principal_name=upn("bob"), state="absent")])
    assert "declared absent in this task" in str(err.value) and pc.calls == [("list",), ("list",)]


def test_a_new_user_graph_does_not_see_yet_is_waited_for_and_one_already_member_is_done():
    pc = FakePartnerCenter()
    graph = _fake_graph(pc)
    sales = seed(graph, "Sales")
    sleeps = []
    original = pc.create

    def create(fields, password, force_change):
        user = original(fields, password, force_change)
        graph.unseen[user["id"]] = 2  # Graph lags behind Partner Center's create
        sales.members.add(user["id"])  # ... and someone else added it already
        return user
    pc.create = create
    outcomes, _plans, _asked = run(pc, graph, [dict(NEW, job_title="Engineer", groups=["Sales"])], sleeps=sleeps)
    assert outcomes[0].error is None and sleeps == [1, 2]
    assert graph.extra[upn("ada")] == {"job_title": "Engineer"}


def test_a_refused_step_fails_the_user_naming_it_and_the_other_steps_still_converge():
    pc = FakePartnerCenter("ada")
    graph = _fake_graph(pc)
    seed(graph, "Sales")
    graph.script["add member"] = [denied()]
    outcomes, _plans, _asked = run(pc, graph, [dict(user_principal_name=upn("ada"), department="R&D",
                                                    groups=["Sales"])])
    assert outcomes[0].error is not None and outcomes[0].error.is_denied
    assert graph.extra[upn("ada")] == {"department": "R&D"}


def test_a_manager_is_removed_with_an_empty_string_and_one_already_gone_is_done():
    pc = FakePartnerCenter("ada", "bob")
    graph = _fake_graph(pc)
    graph.managers[pc.users[upn("ada")]["id"]] = pc.users[upn("bob")]["id"]
    outcomes, plans, _asked = run(pc, graph, [dict(user_principal_name=upn("ada"), manager="")])
    assert outcomes[0].error is None and graph.managers == {} and plans[0].diff() == (
        {"manager": upn("bob")}, {"manager": None})
    outcomes, plans, _asked = run(pc, graph, [dict(user_principal_name=upn("ada"), manager="")])
    assert plans[0].kind == NOTHING


def test_declared_values_are_checked_before_any_request():
    for item, option, words in (
            (dict(job_title="x" * 129), "job_title", "at most 128"),
            (dict(employee_id="x" * 17), "employee_id", "at most 16"),
            (dict(business_phones=[" "]), "business_phones[0]", "must not be empty"),
            (dict(manager="not a upn"), "manager", ""),
            (dict(manager=upn("ada")), "manager", "its own manager"),
            (dict(groups={"add": [""]}), "groups.add[0]", "must not be empty")):
        with pytest.raises(InputError) as err:
            declared(dict(item, user_principal_name=upn("ada")))
        assert err.value.option == "users[0]." + option and words in str(err.value)
    assert declared(dict(NEW))[0].declares_graph is False
    assert declared(dict(NEW, state="absent", job_title="x"))[0].declares_graph is False
    assert plan_kind_of(dict(NEW)) == CREATE


def plan_kind_of(item):
    pc = FakePartnerCenter()
    return plan_users(UserDirectory(pc), declared(item))[0].kind


def test_a_membership_write_refused_in_unknown_words_is_judged_by_reading_the_members_again():
    pc = FakePartnerCenter("ada")
    graph = _fake_graph(pc)
    ada_id = pc.users[upn("ada")]["id"]
    sales, staff = seed(graph, "Sales"), seed(graph, "Staff")
    staff.members.add(ada_id)
    unknown = graph_error(400, "Request_BadRequest", "One or more removed object references do not exist.")
    graph.script["remove member"] = [unknown]
    graph.script["add member"] = [graph_error(400, "Request_BadRequest", "Something else.")]
    outcomes, _plans, _asked = run(pc, graph, [dict(user_principal_name=upn("ada"),
                                                    groups={"add": ["Sales"], "remove": ["Staff"]})])
    # the remove: still a member after the 400, so the refusal stands; the add: not a member, so it stands too
    assert outcomes[0].error is not None and "2 Microsoft Graph changes" in outcomes[0].error.message
    staff.members.discard(ada_id)
    sales.members.add(ada_id)

    def remove_then_refuse(group_id, user_id):  # a resent remove whose first attempt landed
        graph.groups[group_id].members.discard(user_id)
        raise unknown
    graph.remove_member = remove_then_refuse
    outcomes, plans, _asked = run(pc, graph, [dict(user_principal_name=upn("ada"), groups={"set": []})])
    assert outcomes[0].error is None and sales.members == set() and plans[0].graph.groups_remove == [sales]


class RecordingClient:
    """A Graph client that records what GraphUsersAPI asks and answers from ``pages``."""

    def __init__(self, pages=None):
        self.pages = pages or {}
        self.asked = []

    def iterate(self, route_name, values=None, params=None):
        self.asked.append((route_name, values, params))
        return iter(self.pages.get(route_name, []))

    def call(self, route_name, values=None, body=None, params=None):
        self.asked.append((route_name, values, body))

    def reference(self, kind, object_id):
        return {"@odata.id": "https://graph.example/v1.0/%s/%s" % (kind, object_id)}

    def claims(self):
        return {"wids": [PRIVILEGED_ROLE_ADMINISTRATOR.upper()]}


def test_the_graph_api_selects_only_the_declared_fields_and_expands_the_manager_only_when_declared():
    from ansible_collections.csp.partnercenter.plugins.module_utils._graph_users import GraphUsersAPI
    client = RecordingClient({"graph_list_users": [{"id": "u1", "userPrincipalName": "a@b.c", "jobTitle": "CTO",
                                                    "manager": {"id": "m1", "userPrincipalName": "m@b.c"}}],
                              "graph_list_member_of": [{"@odata.type": "#microsoft.graph.directoryRole", "id": "r"},
                                                       {"@odata.type": "#microsoft.graph.group", "id": "g",
                                                        "displayName": "G", "groupTypes": ["DynamicMembership"]}]})
    api = GraphUsersAPI(client)
    users = list(api.list_users(["job_title", "business_phones"], manager=True))
    assert users == [{"id": "u1", "user_principal_name": "a@b.c", "job_title": "CTO", "manager": "m@b.c",
                      "manager_id": "m1"}]
    list(api.list_users(["department"]))
    assert client.asked[0][2] == {"$select": "id,userPrincipalName,jobTitle,businessPhones",
                                  "$expand": "manager($select=id,userPrincipalName)"}
    assert client.asked[1][2] == {"$select": "id,userPrincipalName,department"}
    api.groups_named("O'Brien's team")
    assert client.asked[2][2]["$filter"] == "displayName eq 'O''Brien''s team'"
    (group,) = api.direct_groups("u1")
    assert group.id == "g" and group.refusal(None).startswith("it has dynamic membership")
    assert api.granted_roles() == [PRIVILEGED_ROLE_ADMINISTRATOR]
    api.update("u1", {"account_enabled": False, "business_phones": ["+1"]})
    api.add_member("g", "u1")
    assert client.asked[-2:] == [
        ("graph_update_user", {"user": "u1"}, {"accountEnabled": False, "businessPhones": ["+1"]}),
        ("graph_add_group_member", {"group_id": "g"}, {"@odata.id": "https://graph.example/v1.0/directoryObjects/u1"})]
