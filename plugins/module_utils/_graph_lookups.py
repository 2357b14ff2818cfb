# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""What Graph planning reads in one customer, at the minimum, and ``plan_graph_steps``, which hands it to the planner.

Only when a declared user declares a Graph option: one user listing (``$select`` of the declared fields,
``$expand`` of the manager only where one is declared, 999 a page); per declared group one look-up (by display
name, or by id for its kind) and, for ``add`` and ``remove``, one member listing; for a user declaring
``groups.set``, its direct memberships.  Every group is checked, and every manager found, before the first
write of the task.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError, PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._graph_planner import declared_group, plan_graph
from ansible_collections.csp.partnercenter.plugins.module_utils._parallel import in_parallel
from ansible_collections.csp.partnercenter.plugins.module_utils._planner import DELETE, plan_with_graph
from ansible_collections.csp.partnercenter.plugins.module_utils._validation import is_guid


class GraphState:
    """What was read: the users by lower-case UPN, the declared groups by lower-case name or id, the token's roles."""

    def __init__(self, users=None, groups=None, wids=None):
        self.users = dict(users or {})
        self.groups = dict(groups or {})
        self.wids = wids


def _refs(desired, keys=("add", "remove", "set")):
    spec = desired.groups or {}
    return [ref for key in keys for ref in spec.get(key) or ()]


def _resolve(api, ref):
    """(GraphGroup, None) or (None, why it names no single group)."""
    if is_guid(ref):
        try:
            return api.group(ref.lower()), None
        except PartnerCenterError as exc:
            if exc.is_not_found:
                return None, "no group of this customer has the object id %s" % ref
            raise
    found = api.groups_named(ref)
    if not found:
        return None, "no group of this customer is named %r (display names are compared case-insensitively)" % ref
    if len(found) > 1:
        return None, "%d groups of this customer are named %r (%s): give the object id of the one meant" % (
            len(found), ref, ", ".join(sorted(g.id for g in found)))
    return found[0], None


def _raise_collected(errors):
    """One InputError for every refusal, named by the first option."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InputError(errors[0].option, "", text="; ".join(str(e) for e in errors))


def check_managers(declaring, desired_users, graph_users, active_upns):
    """Every declared manager is a user of the customer (listed by Graph or Partner Center) or declared present in
    the same task (created in the same run); InputError naming the option otherwise."""
    declared = dict((d.key, d) for d in desired_users)
    errors = []
    for plan in declaring:
        desired = plan.desired
        if not desired.manager:
            continue
        key = desired.manager.lower()
        in_task = declared.get(key)
        if in_task is not None and in_task.state == "absent":
            errors.append(InputError(desired.option_prefix + "manager", "%s is declared absent in this task, so it "
                                     "cannot be the manager of %s" % (desired.manager, desired.user_principal_name)))
        elif in_task is None and key not in graph_users and key not in active_upns:
            errors.append(InputError(desired.option_prefix + "manager", "%s is not a user of this customer, nor "
                                     "declared in this task; a manager is a user of the same customer"
                                     % desired.manager))
    _raise_collected(errors)


def read_graph_state(api, declaring, parallelism):
    """The users, the declared groups (checked, members read for add and remove), and the token's roles."""
    fields = sorted(set(name for plan in declaring for name in plan.desired.graph_fields))
    manager = any(plan.desired.manager is not None for plan in declaring)
    state = GraphState()
    for user in api.list_users(fields, manager):
        state.users[(user.get("user_principal_name") or "").lower()] = user
    state.wids = api.granted_roles()
    spelt = {}  # one look-up per group, whatever the letter case of its declarations; the first spelling shown
    for plan in declaring:
        for ref in _refs(plan.desired):
            spelt.setdefault(ref.lower(), ref)
    refs = sorted(spelt)
    resolved = dict(zip(refs, in_parallel(lambda ref: _resolve(api, spelt[ref]), refs, parallelism)))
    errors = []
    for plan in declaring:
        spec = plan.desired.groups or {}
        option = plan.desired.option_prefix + "groups"
        for key in ("add", "remove", "set"):
            for position, ref in enumerate(spec.get(key) or ()):
                group, why = resolved[ref.lower()]
                where = "%s.%s[%d]" % (option, key, position)
                if group is None:
                    errors.append(InputError(where, "%s. Nothing was changed" % why))
                    continue
                state.groups[ref.lower()] = group
                try:
                    declared_group(state.groups, where, ref, state.wids)
                except InputError as exc:
                    errors.append(exc)
    _raise_collected(errors)
    # Members of the groups added to or removed from: one listing each, whoever declares them.
    changed = [ref for plan in declaring for ref in _refs(plan.desired, ("add", "remove"))]
    listed = sorted(set(state.groups[ref.lower()].id for ref in changed))
    members = dict(zip(listed, in_parallel(api.member_ids, listed, parallelism)))
    for group in state.groups.values():
        if group.id in members:
            group.members = members[group.id]
    return state


def plan_graph_steps(graph_for, plans, desired_users, active, parallelism=1):
    """``plans`` with the Graph steps of every user that declares a Graph option; no Graph request when none does.

    ``graph_for()`` gives the customer's ``GraphUsersAPI`` (its client, token and consent are needed only now).
    ``active``: Partner Center's active users by lower-case UPN.  Raises InputError before any write.
    """
    # (a user declared offboarded that is not there has nothing to block)
    declaring = [n for n, plan in enumerate(plans) if plan.desired.declares_graph and plan.kind != DELETE
                 and not (plan.desired.state == "offboarded" and plan.current is None)]
    if not declaring:
        return plans, None
    api = graph_for()
    state = read_graph_state(api, [plans[n] for n in declaring], parallelism)
    check_managers([plans[n] for n in declaring], desired_users, state.users, active)

    # The direct memberships of each listed user declaring groups.set (a user Graph does not list has none).
    setting = [state.users[graph_key(plans[n])]["id"] for n in declaring
               if (plans[n].desired.groups or {}).get("set") is not None and graph_key(plans[n]) in state.users]
    held = dict(zip(setting, in_parallel(api.direct_groups, setting, parallelism)))
    errors = []
    for position in declaring:
        plan = plans[position]
        user = state.users.get(graph_key(plan))
        try:
            graph = plan_graph(plan.desired, user, state.groups, held.get((user or {}).get("id")), state.wids)
        except InputError as exc:
            errors.append(exc)
            continue
        plans[position] = plan_with_graph(plan, graph, current_graph_keys(plan.desired, user, graph))
    _raise_collected(errors)
    return plans, api


def graph_key(plan):
    """The UPN Graph lists the user by now: the one it has in Partner Center (a user to rename has its old one)."""
    return ((plan.current or {}).get("user_principal_name") or plan.desired.key).lower()


def current_graph_keys(desired, user, graph):
    """The declared Graph keys as Graph has them now: what an unchanged user returns."""
    user = user or {}
    current = dict((name, user.get(name)) for name in desired.graph_fields)
    if desired.manager is not None:
        current["manager"] = user.get("manager")
    if graph.groups_before is not None:
        current["groups"] = graph.groups_before
    return current
