# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""Every Microsoft Graph path the collection calls in a customer tenant, in one table.

The sibling of ``_routes.ROUTES``: a call names its route and gives the values, ``path`` checks and
URL-quotes each (a GUID where Graph takes an object id; ``user`` is an object id or a UPN, one
segment), so no call builds a path by hand.  Templates are relative to ``{graph_url}/v1.0``.

``gdap`` on each row: what the operation does, and the Entra roles that allow it through the
partner's GDAP relationship (any one), least privileged first.  Source, for the whole table:
Microsoft's "least privileged roles by task",
https://learn.microsoft.com/entra/identity/role-based-access-control/delegate-by-task
(Users, Groups and Roles sections), and each Graph v1.0 reference page's "Permissions" section.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.csp.partnercenter.plugins.module_utils._routes import GUID_RE, Route
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import PartnerCenterError

# Placeholders whose values must be GUIDs (object ids); ``user`` takes an id or a UPN.
GRAPH_GUID_VALUES = frozenset(["user_id", "group_id", "member_id", "manager_id"])

# The roles, by task (delegate-by-task).
READ_DIRECTORY = ("Directory Readers", "Global Reader", "User Administrator")
# A user without an admin role: details, manager and sign-in state.
USER_ADMIN = ("User Administrator",)
# An admin's sign-in state and sessions: only Privileged Authentication Administrator may change them.
PRIVILEGED_AUTH_ADMIN = "Privileged Authentication Administrator"
# Memberships of groups that are not role-assignable.
GROUP_MEMBERS = ("Groups Administrator", "User Administrator")
# Memberships of role-assignable groups (isAssignableToRole).
ROLE_ASSIGNABLE_GROUP_MEMBERS = ("Privileged Role Administrator",)

_GRAPH_EXPECTED = {"GET": (200,), "PATCH": (200, 204), "PUT": (200, 204), "POST": (200, 201, 204),
                   "DELETE": (200, 204)}


class GraphRoute(Route):
    """A Graph operation: ``Route`` with Graph's placeholders and answers (PATCH and $ref writes answer 204)."""

    def __init__(self, name, method, template, query_label=None, idempotent=None, gdap=None, denied_per_user=False):
        super(GraphRoute, self).__init__(name, method, template, query_label=query_label,
                                         expected=_GRAPH_EXPECTED[method], idempotent=idempotent, gdap=gdap,
                                         denied_per_user=denied_per_user)

    def check_value(self, name, value):
        if not isinstance(value, str) or not value:
            raise PartnerCenterError(
                "Refusing to call Microsoft Graph %s: %s is %r, not an id; nothing was sent" % (self.label, name, value),
                route=self.label, fault="invalid id", origin="Microsoft Graph")
        if name in GRAPH_GUID_VALUES and not GUID_RE.match(value):
            raise PartnerCenterError(
                "Refusing to call Microsoft Graph %s: %s %r is not a GUID; nothing was sent"
                % (self.label, name, value[:80]), route=self.label, fault="invalid id", origin="Microsoft Graph")
        if name == "user" and (len(value) > 1024 or any(ord(c) < 0x21 for c in value)):
            raise PartnerCenterError(
                "Refusing to call Microsoft Graph %s: user %r is neither an object id nor a UPN; nothing was sent"
                % (self.label, value[:80]), route=self.label, fault="invalid id", origin="Microsoft Graph")
        return value


def _table(*routes):
    return dict((r.name, r) for r in routes)


GRAPH_ROUTES = _table(
    # Users.  Reading: Directory Readers (delegate-by-task: "Read basic configuration").
    GraphRoute("graph_list_users", "GET", "/users", gdap=("read users", READ_DIRECTORY)),
    GraphRoute("graph_get_user", "GET", "/users/{user}", gdap=("read users", READ_DIRECTORY)),
    # Details and accountEnabled: User Administrator for a user without an admin role; for an admin, Privileged
    # Authentication Administrator (so a 403 may depend on the user: never assumed for the next one).
    GraphRoute("graph_update_user", "PATCH", "/users/{user}", denied_per_user=True,
               gdap=("update users' details and sign-in state (of admins: Privileged Authentication Administrator)",
                     USER_ADMIN + (PRIVILEGED_AUTH_ADMIN,))),
    GraphRoute("graph_get_manager", "GET", "/users/{user}/manager", gdap=("read users' managers", READ_DIRECTORY)),
    GraphRoute("graph_set_manager", "PUT", "/users/{user}/manager/$ref", denied_per_user=True,
               gdap=("set users' managers", USER_ADMIN)),
    GraphRoute("graph_remove_manager", "DELETE", "/users/{user}/manager/$ref", denied_per_user=True,
               gdap=("remove users' managers", USER_ADMIN)),
    # Invalidate refresh tokens: User Administrator for non-admins, Privileged Authentication Administrator for
    # admins.  Safe to repeat: it only moves a date.
    GraphRoute("graph_revoke_sessions", "POST", "/users/{user}/revokeSignInSessions", idempotent=True,
               denied_per_user=True,
               gdap=("revoke users' sign-in sessions (of admins: Privileged Authentication Administrator)",
                     USER_ADMIN + (PRIVILEGED_AUTH_ADMIN,))),
    GraphRoute("graph_list_member_of", "GET", "/users/{user}/memberOf",
               gdap=("read users' group memberships", READ_DIRECTORY)),
    # Groups.
    GraphRoute("graph_list_groups", "GET", "/groups", "?$filter=displayName eq ...",
               gdap=("read groups", READ_DIRECTORY)),
    GraphRoute("graph_get_group", "GET", "/groups/{group_id}", gdap=("read groups", READ_DIRECTORY)),
    GraphRoute("graph_list_group_members", "GET", "/groups/{group_id}/members",
               gdap=("read group members", READ_DIRECTORY)),
    # Memberships: Groups Administrator or User Administrator; of a role-assignable group only Privileged Role
    # Administrator (ROLE_ASSIGNABLE_GROUP_MEMBERS), so the 403 depends on the group.  Adding a member already there
    # answers 400 "... already exist", which means done: safe to repeat.
    GraphRoute("graph_add_group_member", "POST", "/groups/{group_id}/members/$ref", idempotent=True,
               denied_per_user=True,
               gdap=("change group memberships (of role-assignable groups: Privileged Role Administrator)",
                     GROUP_MEMBERS + ROLE_ASSIGNABLE_GROUP_MEMBERS)),
    GraphRoute("graph_remove_group_member", "DELETE", "/groups/{group_id}/members/{member_id}/$ref",
               denied_per_user=True,
               gdap=("change group memberships (of role-assignable groups: Privileged Role Administrator)",
                     GROUP_MEMBERS + ROLE_ASSIGNABLE_GROUP_MEMBERS)),
)


def object_reference(graph_base, kind, object_id):
    """The ``{"@odata.id": ...}`` body of a $ref write: ``{graph_url}/v1.0/{kind}/{id}`` (id checked as a GUID)."""
    if not isinstance(object_id, str) or not GUID_RE.match(object_id):
        raise PartnerCenterError("Refusing to reference %r in Microsoft Graph: not an object id; nothing was sent"
                                 % (object_id,), fault="invalid id", origin="Microsoft Graph")
    return {"@odata.id": "%s/%s/%s" % (graph_base.rstrip("/"), kind, object_id)}
