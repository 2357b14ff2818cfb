# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""The read-only modules' tasks (``_task.ModuleTask``): options and body of each ``*_info`` module.

Their documentation stays in ``plugins/modules``; both adapters (a module process, or in-process
through the action plugin of the module's name) run the same task.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.csp.partnercenter.plugins.module_utils._attributes import GRAPH_ATTRIBUTE_NAMES
from ansible_collections.csp.partnercenter.plugins.module_utils._auth_probe import check_identity
from ansible_collections.csp.partnercenter.plugins.module_utils._lookups import listed_upn
from ansible_collections.csp.partnercenter.plugins.module_utils._customers import CustomersAPI
from ansible_collections.csp.partnercenter.plugins.module_utils._graph_users import GraphUsersAPI, returned_view
from ansible_collections.csp.partnercenter.plugins.module_utils._directory import DirectoryAPI
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError, PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._task import ModuleTask
from ansible_collections.csp.partnercenter.plugins.module_utils._user_task import customer_by_domain
from ansible_collections.csp.partnercenter.plugins.module_utils._users import UsersAPI
from ansible_collections.csp.partnercenter.plugins.module_utils._validation import check_domain, check_guid, check_upn


def _auth_info(context):
    params = context.params
    domains = [check_domain("customer_domains[%d]" % n, d) for n, d in enumerate(params["customer_domains"])]
    client = context.client()
    customers = CustomersAPI(client)
    graph_for = context.graph if params["graph"] else None
    return check_identity(client, params["customer_ids"], domains, lambda domain: customer_by_domain(customers, domain),
                          fail_on_unreadable=params["fail_on_unreadable"], graph_for=graph_for)


AUTH_INFO = ModuleTask("partnercenter_auth_info", dict(
    customer_ids=dict(type="list", elements="str", default=[]),
    customer_domains=dict(type="list", elements="str", default=[]),
    fail_on_unreadable=dict(type="bool", default=False),
    graph=dict(type="bool", default=False),
), _auth_info)


def selected_customer(context):
    """The customer id of an info module's O(customer_id), or of its O(customer_domain) through the look-up
    partnercenter_user makes (one request, failing unless exactly one customer has that primary domain)."""
    params = context.params
    if params["customer_id"]:
        return params["customer_id"]  # checked (and lower-cased) by _task.check_inputs
    check_domain("customer_domain", params["customer_domain"])
    return customer_by_domain(CustomersAPI(context.client()), params["customer_domain"])


# customer_id or customer_domain: the options and rules of an info module that reads one customer
CUSTOMER_SELECTOR = dict(customer_id=dict(type="str"), customer_domain=dict(type="str"))
ONE_CUSTOMER = dict(mutually_exclusive=[("customer_id", "customer_domain")],
                    required_one_of=[("customer_id", "customer_domain")])


def _customer_info(context):
    params = context.params
    customer_id = params["customer_id"]  # checked (and lower-cased) by _task.check_inputs
    if params["domain"] is not None:
        check_domain("domain", params["domain"])
    if params["company_name"] is not None and not params["company_name"].strip():
        raise InputError("company_name", "must not be empty")
    api = CustomersAPI(context.client())
    if customer_id:
        try:
            customers = [api.get(customer_id)]
        except PartnerCenterError as exc:  # an unknown customer is an empty answer, not a failure
            if not exc.is_not_found:
                raise
            customers = []
    elif params["domain"] is not None:
        customers = api.by_domain(params["domain"])
    elif params["company_name"] is not None:
        customers = api.by_company_prefix(params["company_name"])
    else:
        customers = api.list()
    return dict(changed=False, customers=customers)


CUSTOMER_INFO = ModuleTask("partnercenter_customer_info",
                           dict(customer_id=dict(type="str"), domain=dict(type="str", aliases=["customer_domain"]),
                                company_name=dict(type="str")),
                           _customer_info, rules=dict(mutually_exclusive=[("customer_id", "domain", "company_name")]))


def _subscribed_sku_info(context):
    customer_id = selected_customer(context)
    skus = DirectoryAPI(context.client(), customer_id).subscribed_skus()
    return dict(changed=False, customer_id=customer_id, skus=skus)


SUBSCRIBED_SKU_INFO = ModuleTask("partnercenter_subscribed_sku_info", dict(CUSTOMER_SELECTOR), _subscribed_sku_info,
                                 rules=ONE_CUSTOMER)


def matches(user, upn, user_id):
    # listed_upn: Entra may list a soft-deleted user under <object id without dashes><UPN>.
    if upn is not None and listed_upn(user) != upn.lower():
        return False
    if user_id is not None and (user.get("id") or "").lower() != user_id:
        return False
    return True


def add_memberships(directory, users, include):
    skus = None
    for user in users:
        if user.get("state") != "active":
            continue  # Partner Center keeps no readable roles or licenses for a deleted user
        if "directory_roles" in include:
            user["directory_roles"] = sorted(r["name"] for r in directory.user_roles(user["id"]))
        if "licenses" in include:
            if skus is None:
                skus = dict((s["id"].lower(), s) for s in directory.subscribed_skus())
            user["licenses"] = []
            for sku_id, plan_ids in sorted(directory.user_licenses(user["id"]).items()):
                sku = skus.get(sku_id, {})
                names = dict((p["id"].lower(), p["service_name"]) for p in sku.get("service_plans") or [])
                user["licenses"].append({"sku_id": sku_id, "sku_part_number": sku.get("sku_part_number"),
                                         "enabled_service_plans": sorted(names.get(p, p) for p in plan_ids)})


def add_graph(graph, users, include):
    """Each active user's Graph fields (one listing of the customer, or one read for one user) and direct group
    memberships (one memberOf listing per user); deleted users are not in Graph."""
    api = GraphUsersAPI(graph)
    active = [user for user in users if user.get("state") == "active"]
    if "graph" in include and active:
        if len(active) == 1:
            found = {active[0]["id"].lower(): api.user(active[0]["id"], GRAPH_ATTRIBUTE_NAMES, manager=True)}
        else:
            found = dict(((u.get("id") or "").lower(), u) for u in api.list_users(GRAPH_ATTRIBUTE_NAMES, manager=True))
        for user in active:
            user.update(returned_view(found.get(user["id"].lower())))
    if "groups" in include:
        for user in active:
            user["groups"] = sorted((dict(id=g.id, display_name=g.display_name) for g in api.direct_groups(user["id"])),
                                    key=lambda g: ((g["display_name"] or "").lower(), g["id"] or ""))


def _user_info(context):
    params = context.params
    upn = check_upn("user_principal_name", params["user_principal_name"]) \
        if params["user_principal_name"] is not None else None
    user_id = check_guid("user_id", params["user_id"]) if params["user_id"] is not None else None
    customer_id = selected_customer(context)
    api = UsersAPI(context.client(), customer_id)
    users = []
    if params["state"] in ("active", "all"):
        users.extend(u for u in api.list_active() if matches(u, upn, user_id))
    if params["state"] in ("deleted", "all"):
        users.extend(u for u in api.list_deleted() if matches(u, upn, user_id))
    include = params["include"]
    if "graph" in include or "groups" in include:
        graph = context.graph(customer_id)
        graph.claims()  # the customer-tenant token first: missing consent fails here, naming the module to run
    if "directory_roles" in include or "licenses" in include:
        add_memberships(DirectoryAPI(api.client, customer_id), users, include)
    if "graph" in include or "groups" in include:
        add_graph(graph, users, include)
    return dict(changed=False, customer_id=customer_id, users=users)


USER_INFO = ModuleTask("partnercenter_user_info", dict(
    CUSTOMER_SELECTOR,
    user_principal_name=dict(type="str", aliases=["upn"]),
    user_id=dict(type="str"),
    state=dict(type="str", choices=["active", "deleted", "all"], default="active"),
    include=dict(type="list", elements="str", choices=["directory_roles", "licenses", "graph", "groups"], default=[]),
), _user_info, rules=ONE_CUSTOMER)
