# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""Users and groups of one customer tenant in Microsoft Graph: JSON names, queries, and the snake_case view.

The sibling of ``_users`` for what Partner Center's user contract does not have.  Every call goes through the
Graph client of that customer (``_graph.GraphClient``, which asks 999 a page) by the route names of
``_graph_routes.GRAPH_ROUTES``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.csp.partnercenter.plugins.module_utils._attributes import GRAPH_ATTRIBUTES, GRAPH_ATTRIBUTE_NAMES
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._graph_planner import GraphGroup

GRAPH_JSON = dict((a.name, a.json_name) for a in GRAPH_ATTRIBUTES)
GROUP_FIELDS = ("id", "displayName", "groupTypes", "mailEnabled", "securityEnabled", "onPremisesSyncEnabled",
                "isAssignableToRole")
GROUP_TYPE = "#microsoft.graph.group"


def odata_string(value):
    """``value`` as an OData string literal: quoted, its quotes doubled (no filter injection)."""
    return "'%s'" % value.replace("'", "''")


def user_query(fields, manager):
    """The query of the one user listing: ``$select`` of the declared fields, ``$expand`` of the manager if declared."""
    select = ["id", "userPrincipalName"] + [GRAPH_JSON[name] for name in fields]
    query = {"$select": ",".join(select)}
    if manager:
        query["$expand"] = "manager($select=id,userPrincipalName)"
    return query


def to_snake(user):
    """The collection's view of a Graph user: id, UPN, its Graph attributes, and ``manager`` (its manager's UPN)."""
    if not isinstance(user, dict):
        return None
    result = dict(id=user.get("id"), user_principal_name=user.get("userPrincipalName"))
    for name, json_name in GRAPH_JSON.items():
        if json_name in user:
            result[name] = user[json_name]
    manager = user.get("manager")
    result["manager"] = manager.get("userPrincipalName") if isinstance(manager, dict) else None
    result["manager_id"] = manager.get("id") if isinstance(manager, dict) else None
    return result


def returned_view(user):
    """The Graph keys ``partnercenter_user_info`` returns (``include: graph``) of a ``to_snake`` user: every
    attribute and ``manager``, None for each when Graph does not list the user yet."""
    user = user or {}
    return dict((name, user.get(name)) for name in GRAPH_ATTRIBUTE_NAMES + ("manager",))


def is_group(directory_object):
    """A group among a user's memberships (Graph lists its directory roles and administrative units there too);
    without an ``@odata.type``, what carries ``groupTypes``."""
    kind = directory_object.get("@odata.type")
    return kind == GROUP_TYPE if kind else "groupTypes" in directory_object


def to_group(group, members=None):
    return GraphGroup(group.get("id"), group.get("displayName"), group_types=group.get("groupTypes"),
                      mail_enabled=group.get("mailEnabled"), security_enabled=group.get("securityEnabled"),
                      on_premises_sync_enabled=group.get("onPremisesSyncEnabled"),
                      is_assignable_to_role=group.get("isAssignableToRole"), members=members)


class GraphUsersAPI:
    """One customer tenant's users and groups in Graph; ``client`` is that tenant's Graph client."""

    def __init__(self, client):
        self.client = client  # a _graph.GraphClient

    def granted_roles(self):
        """The directory-role template ids of the partner's token in this tenant (its ``wids``), or None if unknown."""
        wids = self.client.claims().get("wids")
        return [str(w).lower() for w in wids] if isinstance(wids, list) else None

    def list_users(self, fields, manager=False):
        """Every user, with ``fields`` (Graph attribute names) and, if asked, the manager's UPN."""
        for user in self.client.iterate("graph_list_users", {}, params=user_query(fields, manager)):
            yield to_snake(user)

    def user(self, user_id, fields, manager=False):
        """One user (by object id or UPN), as ``list_users`` gives it; None while Graph does not see it (404)."""
        try:
            return to_snake(self.client.get("graph_get_user", {"user": user_id}, params=user_query(fields, manager)))
        except PartnerCenterError as exc:
            if not exc.is_user_not_found:
                raise
            return None  # created a moment ago: Graph does not see it yet

    def groups_named(self, name):
        """Every group whose display name is ``name`` (Graph compares it case-insensitively)."""
        params = {"$filter": "displayName eq %s" % odata_string(name), "$select": ",".join(GROUP_FIELDS)}
        return [to_group(g) for g in self.client.iterate("graph_list_groups", {}, params=params)]

    def group(self, group_id):
        return to_group(self.client.call("graph_get_group", {"group_id": group_id},
                                         params={"$select": ",".join(GROUP_FIELDS)}) or {})

    def member_ids(self, group_id):
        """The object ids (lower case) of the group's direct members."""
        params = {"$select": "id"}
        return set((m.get("id") or "").lower()
                   for m in self.client.iterate("graph_list_group_members", {"group_id": group_id}, params=params))

    def direct_groups(self, user_id):
        """The groups the user is a direct member of (its directory roles left out)."""
        params = {"$select": ",".join(GROUP_FIELDS)}
        return [to_group(g) for g in self.client.iterate("graph_list_member_of", {"user": user_id}, params=params)
                if is_group(g)]

    def update(self, user_id, changes):
        self.client.call("graph_update_user", {"user": user_id},
                         body=dict((GRAPH_JSON[name], value) for name, value in changes.items()))

    def set_manager(self, user_id, manager_id):
        self.client.call("graph_set_manager", {"user": user_id}, body=self.client.reference("users", manager_id))

    def remove_manager(self, user_id):
        self.client.call("graph_remove_manager", {"user": user_id})

    def revoke_sessions(self, user_id):
        self.client.call("graph_revoke_sessions", {"user": user_id})

    def add_member(self, group_id, user_id):
        self.client.call("graph_add_group_member", {"group_id": group_id},
                         body=self.client.reference("directoryObjects", user_id))

    def remove_member(self, group_id, user_id):
        self.client.call("graph_remove_group_member", {"group_id": group_id, "member_id": user_id})
