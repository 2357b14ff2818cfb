# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""``partnercenter_auth_info``: the token's identity, and what it may do in each customer, by read calls only.

With ``graph``, each customer's tenant is asked for a Microsoft Graph token too (``TaskContext.graph``): its
``wids`` claim lists the directory roles the partner user holds there through GDAP, so the operations no read
call can tell (creating, updating, deleting users ...) are "allowed" or "denied" by the roles of their route
rows instead of "unknown".  A customer without consent says so (``graph.consented: false``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.csp.partnercenter.plugins.module_utils._claims import describe_identity, token_claims
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._graph_routes import GRAPH_ROUTES
from ansible_collections.csp.partnercenter.plugins.module_utils._role_names import role_names_of
from ansible_collections.csp.partnercenter.plugins.module_utils._routes import ROUTES
from ansible_collections.csp.partnercenter.plugins.module_utils._validation import check_guid

# operation reported -> the read call that tells (None: no read call can tell)
PROBES = (
    ("read_users", "list_users"),
    ("read_licenses", "list_subscribed_skus"),
    ("read_directory_roles", "list_directory_roles"),
    ("create_users", None),
    ("update_users", None),
    ("delete_users", None),
    ("assign_licenses", None),
    ("change_directory_roles", None),
)
ROUTE_OF = {"read_users": "list_users", "read_licenses": "list_subscribed_skus",
            "read_directory_roles": "list_directory_roles", "create_users": "create_user",
            "update_users": "update_user", "delete_users": "delete_user", "assign_licenses": "update_user_licenses",
            "change_directory_roles": "add_role_member"}
# Microsoft Graph operations, reported with ``graph`` only: operation -> the Graph route whose roles allow it.
GRAPH_OPERATIONS = (("update_user_details", "graph_update_user"), ("revoke_sessions", "graph_revoke_sessions"),
                    ("change_group_memberships", "graph_add_group_member"))
# Holds every directory permission, so every operation.
ALL_POWERFUL = "Global Administrator"


def _roles_of(route):
    return list(route.gdap[1]) if route.gdap else []


def _verdict(roles_held, roles_needed):
    held = set(roles_held)
    return "allowed" if ALL_POWERFUL in held or held.intersection(roles_needed) else "denied"


def graph_view(graph):
    """What the customer tenant's Graph token says (``graph``: a ``GraphClient``), and the roles held there."""
    unusable = getattr(graph.token_provider, "unusable", None)
    if unusable:
        return dict(consented=None, roles=None, mfa=None, scopes=None, error=unusable)
    try:
        claims = graph.claims()
    except PartnerCenterError as exc:
        if exc.lacks_consent:
            return dict(consented=False, roles=None, mfa=None, scopes=None, error=exc.full_message())
        return dict(consented=None, roles=None, mfa=None, scopes=None, error=exc.full_message())
    scope = claims.get("scp")
    return dict(consented=True, roles=role_names_of(claims.get("wids")), mfa="mfa" in (claims.get("amr") or []),
                scopes=sorted(scope.split()) if isinstance(scope, str) else [], error=None)


def check_identity(client, customer_ids, graph_for=None):
    """``graph_for(customer_id)``: that customer's ``GraphClient``, or None not to ask Graph."""
    customer_ids = [check_guid("customer_ids[%d]" % n, c) for n, c in enumerate(customer_ids or [])]
    tokens = client.token_provider
    fetched_before = tokens.tokens_fetched
    token = tokens.get_token()
    identity = describe_identity(token_claims(token))
    if tokens.can_refresh:
        identity["token_source"] = "authority" if tokens.tokens_fetched > fetched_before else "cache"
    else:
        identity["token_source"] = "given"
    rotation = tokens.rotation or {"stored": False, "path": tokens.token_file.path if tokens.token_file else None,
                                   "problem": None if tokens.token_file else "no refresh_token_file"}
    return dict(changed=False, identity=identity, refresh_token_rotation=rotation,
                customers=[_probe(client, customer_id, graph_for) for customer_id in customer_ids])


def _probe(client, customer_id, graph_for=None):
    operations, needs, errors = {}, {}, {}
    graph = graph_view(graph_for(customer_id)) if graph_for is not None else None
    roles = graph["roles"] if graph and graph["consented"] else None
    for operation, route in PROBES:
        if route is None:
            operations[operation] = _verdict(roles, _roles_of(ROUTES[ROUTE_OF[operation]])) if roles is not None \
                else "unknown"
        else:
            try:
                client.call(route, {"customer_id": customer_id}, params={"size": 1} if route == "list_users" else None)
                operations[operation] = "allowed"
            except PartnerCenterError as exc:
                operations[operation] = "denied" if exc.is_denied else "unknown"
                if not exc.is_denied:
                    errors[operation] = exc.full_message()
        if operations[operation] != "allowed":
            needs[operation] = _roles_of(ROUTES[ROUTE_OF[operation]])
    result = dict(customer_id=customer_id, operations=operations, needs=needs, errors=errors)
    if graph is not None:
        for operation, route in GRAPH_OPERATIONS:
            operations[operation] = _verdict(roles, _roles_of(GRAPH_ROUTES[route])) if roles is not None \
                else "unknown"
            if operations[operation] != "allowed":
                needs[operation] = _roles_of(GRAPH_ROUTES[route])
        result["graph"] = graph
    return result
