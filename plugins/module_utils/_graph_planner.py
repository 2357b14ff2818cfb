# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""Deciding, not doing, for what Partner Center cannot do: a user's Graph steps.

Pure functions and values.  ``plan_graph`` compares a declared user's Graph options (the Graph rows of
``_attributes``, ``manager``, ``revoke_sessions``, ``groups``) with what ``_graph_lookups`` read, and makes
a ``GraphPlan``, which ``_planner.Plan`` carries as ``graph`` and the executor applies after the user's
Partner Center writes.  ``refusal`` says why Graph cannot change a group's members; groups are checked
before any write.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.csp.partnercenter.plugins.module_utils._attributes import GRAPH_ATTRIBUTES
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError

# Directory-role template ids read from the token's wids claim.  Source: Entra built-in roles,
# https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference
PRIVILEGED_ROLE_ADMINISTRATOR = "e8611ab8-c189-46e8-94e1-60213ab1f814"

# What a user Graph does not list yet (a user to create, or one Partner Center just created) is, by Entra's defaults.
NEW_USER_DEFAULTS = dict((a.name, None) for a in GRAPH_ATTRIBUTES)
NEW_USER_DEFAULTS.update(account_enabled=True, business_phones=[])

# Why a declared user gets its sessions revoked.
REVOKE_ASKED, REVOKE_BLOCKED = "revoke_sessions", "sign-in blocked"


class GraphGroup:
    """A group as Graph describes it (snake_case); ``members``: the ids (lower case) of its direct members, if read."""

    def __init__(self, group_id, display_name, group_types=(), mail_enabled=False, security_enabled=True,
                 on_premises_sync_enabled=False, is_assignable_to_role=False, members=None):
        self.id = group_id
        self.display_name = display_name
        self.group_types = list(group_types or ())
        self.mail_enabled = bool(mail_enabled)
        self.security_enabled = bool(security_enabled)
        self.on_premises_sync_enabled = bool(on_premises_sync_enabled)
        self.is_assignable_to_role = bool(is_assignable_to_role)
        self.members = members

    @property
    def label(self):
        return "%s (%s)" % (self.display_name, self.id)

    def refusal(self, wids):
        """Why Graph cannot change this group's members with the partner's access, or None.

        ``wids``: the directory-role template ids of the customer tenant's token, or None when unknown (Graph says).
        """
        if "DynamicMembership" in self.group_types:
            return "it has dynamic membership: its members follow its membership rule, and Graph refuses member writes"
        if self.on_premises_sync_enabled:
            return ("it is synchronised from on-premises Active Directory: change its members there, and the next "
                    "sync brings them to Entra ID")
        if self.mail_enabled and "Unified" not in self.group_types:
            return ("it is a %s: Exchange Online manages its members (Exchange admin center or PowerShell), Graph "
                    "cannot" % ("mail-enabled security group" if self.security_enabled else "distribution list"))
        if self.is_assignable_to_role and wids is not None and PRIVILEGED_ROLE_ADMINISTRATOR not in wids:
            return ("it is role-assignable, and only Privileged Role Administrator may change its members; the "
                    "partner's GDAP roles in this customer do not include it")
        return None


class GraphPlan:
    """A user's Graph steps: attribute changes, manager, revocation, group memberships."""

    def __init__(self, changes=None, before=None, manager=None, revoke=None, groups_add=(), groups_remove=(),
                 groups_before=None, groups_after=None, left_alone=(), manager_declared=False):
        self.changes = dict(changes or {})  # attribute -> value to PATCH
        self.before = dict(before or {})  # attribute -> the value Graph had
        self.manager = manager  # (before UPN or None, after UPN or None) when it changes
        self.manager_declared = manager_declared
        self.revoke = revoke  # None, REVOKE_ASKED or REVOKE_BLOCKED
        self.groups_add = list(groups_add)  # GraphGroups
        self.groups_remove = list(groups_remove)
        self.groups_before, self.groups_after = groups_before, groups_after  # display names, when declared
        self.left_alone = list(left_alone)  # (GraphGroup, why) a set could not remove the user from

    @property
    def changed(self):
        return bool(self.changes or self.manager or self.revoke or self.groups_add or self.groups_remove)

    def diff(self):
        """(before, after) of what changes; ``sessions_revoked`` only in ``after``."""
        before = dict((k, self.before.get(k)) for k in self.changes)
        after = dict(self.changes)
        if self.manager:
            before["manager"], after["manager"] = self.manager
        if self.groups_add or self.groups_remove:
            before["groups"], after["groups"] = self.groups_before, self.groups_after
        if self.revoke:
            after["sessions_revoked"] = True
        return before, after

    def applied_to(self, user, current=None):
        """``user`` (a returned user) with its declared Graph keys as they are after this plan."""
        user = dict(user)
        for name, value in (current or {}).items():
            user[name] = value
        user.update(self.changes)
        if self.manager_declared:
            user["manager"] = self.manager[1] if self.manager else (current or {}).get("manager")
        if self.groups_after is not None:
            user["groups"] = self.groups_after
        if self.revoke:
            user["sessions_revoked"] = True
        return user


def _differs(wanted, current):
    return wanted != current


def plan_graph(desired, graph_user, groups, user_groups=None, wids=None):
    """The ``GraphPlan`` that makes Graph match ``desired``; pure.

    ``graph_user``: the user as Graph lists it (snake_case, ``manager`` its manager's UPN), or None when Graph does
    not list it (a user to create, or just created).  ``groups``: {declared name or id (lower case): GraphGroup},
    every group ``desired`` names, its members read.  ``user_groups``: the GraphGroups the user is a direct member
    of, read for ``groups.set`` only.  Raises InputError naming the group for what Graph cannot change.
    """
    prefix = desired.option_prefix
    current = dict(NEW_USER_DEFAULTS)
    if graph_user is not None:
        current.update((k, graph_user.get(k)) for k in NEW_USER_DEFAULTS)
        if current.get("business_phones") is None:
            current["business_phones"] = []
    changes = dict((k, v) for k, v in desired.graph_fields.items() if _differs(v, current.get(k)))
    before = dict((k, current.get(k)) for k in changes)

    manager = None
    if desired.manager is not None:
        had = (graph_user or {}).get("manager")
        wanted = desired.manager or None
        if (had or "").lower() != (wanted or "").lower():
            manager = (had, wanted)

    revoke = None
    if desired.revoke_sessions:
        revoke = REVOKE_ASKED
    elif changes.get("account_enabled") is False:
        revoke = REVOKE_BLOCKED  # blocking sign-in leaves the sessions already open: end them once, with the block

    plan = GraphPlan(changes, before, manager, revoke, manager_declared=desired.manager is not None)
    if desired.groups is not None:
        _plan_groups(plan, desired, (graph_user or {}).get("id"), groups, user_groups, wids, prefix + "groups")
    return plan


def declared_group(groups, option, ref, wids):
    """The GraphGroup ``ref`` names; InputError naming it when Graph cannot change its members."""
    group = groups[ref.lower()]
    why = group.refusal(wids)
    if why is not None:
        raise InputError(option, "group %r is %s, and its members cannot be changed: %s. Nothing was changed"
                         % (ref, group.label, why))
    return group


def _plan_groups(plan, desired, user_id, groups, user_groups, wids, option):
    spec = desired.groups
    user_id = (user_id or "").lower()

    def resolved(key):
        return [declared_group(groups, "%s.%s[%d]" % (option, key, n), ref, wids)
                for n, ref in enumerate(spec.get(key) or ())]

    if spec.get("set") is not None:
        target = dict((g.id.lower(), g) for g in resolved("set"))
        held = dict((g.id.lower(), g) for g in user_groups or ())
        remove, left_alone = [], []
        for group_id, group in sorted(held.items()):
            if group_id in target:
                continue
            why = group.refusal(wids)
            if why is None:
                remove.append(group)
            else:
                left_alone.append((group, why))
        plan.groups_add = [g for i, g in sorted(target.items()) if i not in held]
        plan.groups_remove = remove
        plan.groups_before = sorted(g.display_name for g in held.values())
        plan.groups_after = sorted([g.display_name for g in target.values()] + [g.display_name for g, _w in left_alone])
        plan.left_alone = left_alone
        return
    adds, removes = resolved("add"), resolved("remove")
    removed_ids = set(g.id.lower() for g in removes)

    def member(group):
        return bool(user_id) and user_id in (group.members or ())

    declared = dict((g.id.lower(), g) for g in adds + removes)
    plan.groups_add = [g for i, g in sorted(declared.items()) if g in adds and i not in removed_ids and not member(g)]
    plan.groups_remove = [g for i, g in sorted(declared.items()) if i in removed_ids and member(g)]
    plan.groups_before = sorted(g.display_name for g in declared.values() if member(g))
    plan.groups_after = sorted(g.display_name for i, g in declared.items() if i not in removed_ids)
