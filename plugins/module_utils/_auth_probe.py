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

from ansible_collections.csp.partnercenter.plugins.module_utils._claims import (
    describe_identity, granted_scopes, token_claims,
)
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError, PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._graph_routes import GRAPH_ROUTES
from ansible_collections.csp.partnercenter.plugins.module_utils._results import TaskResult
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
    try:
        consented, claims, why_not = graph.consent()
    except PartnerCenterError as exc:
        return dict(consented=None, roles=None, mfa=None, scopes=None, error=exc.full_message())
    if not consented:
        return dict(consented=consented, roles=None, mfa=None, scopes=None, error=why_not)
    return dict(consented=True, roles=role_names_of(claims.get("wids")), mfa=describe_identity(claims)["mfa"],
                scopes=granted_scopes(claims), error=None)


# a customer's status -> its verdict, from what the read probes met
READY, DENIED, NOT_FOUND, UNREADABLE = "ready", "denied", "not found", "unreadable"
READS = tuple(operation for operation, route in PROBES if route is not None)


def check_identity(client, customer_ids, customer_domains=(), lookup=None, fail_on_unreadable=False, graph_for=None):
    """The token's identity and, for each customer (by id, or by primary domain through ``lookup``), what it may do.

    ``lookup(domain)`` is the customer id of a primary domain (``_user_task.customer_by_domain``), raising
    InputError when no customer has it.  With ``fail_on_unreadable``, a customer whose status is not ``ready``
    fails the task (the result keeps every customer's entry).  ``graph_for(customer_id)``: that customer's
    ``GraphClient``, or None not to ask Graph.
    """
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
    customers = [_probe(client, customer_id, graph_for) for customer_id in customer_ids]
    for domain in customer_domains or []:
        try:
            customer_id = lookup(domain)
        except InputError as exc:
            customers.append(_not_found(None, domain, exc.reason))
            continue
        customers.append(dict(_probe(client, customer_id, graph_for), customer_domain=domain))
    result = dict(changed=False, identity=identity, refresh_token_rotation=rotation, customers=customers,
                  verdict=run_verdict(customers))
    unreadable = [c for c in customers if c["status"] != READY]
    if fail_on_unreadable and unreadable:  # every customer's entry stays in the failed result
        return TaskResult(result, failure="%s, and fail_on_unreadable is true: %s" % (result["verdict"], "; ".join(
            "%s: %s" % (_name(c), c["verdict"]) for c in unreadable)))
    return result


def run_verdict(customers):
    """One line for the run: in how many of the customers probed this identity can manage users."""
    if not customers:
        return "the credential works; no customer was probed (give customer_ids or customer_domains)"
    ready = [c for c in customers if c["status"] == READY]
    plural = "" if len(customers) == 1 else "s"
    line = "ready for user management in %d of %d customer%s" % (len(ready), len(customers), plural)
    others = []
    for status in (NOT_FOUND, DENIED, UNREADABLE):
        named = [_name(c) for c in customers if c["status"] == status]
        if named:
            others.append("%s: %s" % (status, ", ".join(named)))
    return line + (" (%s)" % "; ".join(others) if others else "")


def _name(customer):
    return customer.get("customer_domain") or customer.get("customer_id")


def _not_found(customer_id, domain, reason):
    entry = dict(customer_id=customer_id, status=NOT_FOUND, operations=dict((o, "unknown") for o, _r in PROBES),
                 needs={}, errors={}, verdict="not found: %s" % reason)
    if domain is not None:
        entry["customer_domain"] = domain
    return entry


def _probe(client, customer_id, graph_for=None):
    operations, needs, errors, failures = {}, {}, {}, {}
    graph = None
    for operation, route in PROBES:
        if route is None:
            if graph is None and graph_for is not None:  # after the reads: an unknown customer has no tenant
                graph = graph_view(graph_for(customer_id))
            roles = graph["roles"] if graph and graph["consented"] else None
            operations[operation] = _verdict(roles, _roles_of(ROUTES[ROUTE_OF[operation]])) if roles is not None \
                else "unknown"
        else:
            try:
                client.call(route, {"customer_id": customer_id}, params={"size": 1} if route == "list_users" else None)
                operations[operation] = "allowed"
            except PartnerCenterError as exc:
                if exc.is_unknown_customer:  # 404, or 403 "no relationship": no customer of this partner
                    return _not_found(customer_id, None, "Partner Center knows no customer %s of this partner (%s). "
                                                         "Check the id, or find it with "
                                                         "csp.partnercenter.partnercenter_customer_info"
                                      % (customer_id, exc.full_message()))
                operations[operation] = "denied" if exc.is_denied else "unknown"
                failures[operation] = exc
                if not exc.is_denied:
                    errors[operation] = exc.full_message()
        if operations[operation] != "allowed":
            needs[operation] = _roles_of(ROUTES[ROUTE_OF[operation]])
    status, verdict = _customer_verdict(operations, needs, errors)
    result = dict(customer_id=customer_id, status=status, verdict=verdict, operations=operations, needs=needs,
                  errors=errors)
    if graph_for is not None:
        graph = graph if graph is not None else graph_view(graph_for(customer_id))
        roles = graph["roles"] if graph["consented"] else None
        for operation, route in GRAPH_OPERATIONS:
            operations[operation] = _verdict(roles, _roles_of(GRAPH_ROUTES[route])) if roles is not None \
                else "unknown"
            if operations[operation] != "allowed":
                needs[operation] = _roles_of(GRAPH_ROUTES[route])
        result["graph"] = graph
    return result


def _customer_verdict(operations, needs, errors):
    denied = [o for o in READS if operations[o] == "denied"]
    failed = [o for o in READS if o in errors]
    if failed:
        return UNREADABLE, "unreadable: %s" % "; ".join("%s failed: %s" % (o, errors[o]) for o in failed)
    if denied:
        return DENIED, "not ready: Partner Center refused (HTTP 403) %s; the partner's GDAP relationship with " \
                       "this customer lacks a role that allows it (any one of those named)" % "; ".join(
                           "%s (%s)" % (o, ", ".join(needs[o])) for o in denied)
    return READY, "ready for user management: users, licenses and directory roles can be read; writes are not " \
                  "probed (any one of these GDAP roles allows them: %s)" % ", ".join(needs.get("create_users") or [])
