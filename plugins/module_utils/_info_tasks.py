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

from ansible_collections.csp.partnercenter.plugins.module_utils._auth_probe import check_identity
from ansible_collections.csp.partnercenter.plugins.module_utils._lookups import listed_upn
from ansible_collections.csp.partnercenter.plugins.module_utils._customers import CustomersAPI
from ansible_collections.csp.partnercenter.plugins.module_utils._directory import DirectoryAPI
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError, PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._task import ModuleTask
from ansible_collections.csp.partnercenter.plugins.module_utils._users import UsersAPI
from ansible_collections.csp.partnercenter.plugins.module_utils._validation import check_domain, check_guid, check_upn


def _auth_info(context):
    graph_for = context.graph if context.params["graph"] else None
    return check_identity(context.client(), context.params["customer_ids"], graph_for=graph_for)


AUTH_INFO = ModuleTask("partnercenter_auth_info", dict(customer_ids=dict(type="list", elements="str", default=[]),
                                                       graph=dict(type="bool", default=False)),
                       _auth_info)


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
                           dict(customer_id=dict(type="str"), domain=dict(type="str"), company_name=dict(type="str")),
                           _customer_info, rules=dict(mutually_exclusive=[("customer_id", "domain", "company_name")]))


def _subscribed_sku_info(context):
    skus = DirectoryAPI(context.client(), context.params["customer_id"]).subscribed_skus()
    return dict(changed=False, skus=skus)


SUBSCRIBED_SKU_INFO = ModuleTask("partnercenter_subscribed_sku_info",
                                 dict(customer_id=dict(type="str", required=True)), _subscribed_sku_info)


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


# The Graph fields user_info returns with include: graph (snake_case name, Graph's JSON name); manager is the
# manager's UPN, from $expand.
GRAPH_FIELDS = (("job_title", "jobTitle"), ("department", "department"), ("office_location", "officeLocation"),
                ("company_name", "companyName"), ("employee_id", "employeeId"), ("mobile_phone", "mobilePhone"),
                ("business_phones", "businessPhones"), ("account_enabled", "accountEnabled"))
GRAPH_QUERY = {"$select": ",".join(["id"] + [json_name for _name, json_name in GRAPH_FIELDS]),
               "$expand": "manager($select=id,userPrincipalName)"}
GROUP_TYPE = "#microsoft.graph.group"


def graph_view(graph_user):
    """The snake_case Graph fields of a Graph user (None for each when Graph does not list the user yet)."""
    graph_user = graph_user or {}
    view = dict((name, graph_user.get(json_name)) for name, json_name in GRAPH_FIELDS)
    manager = graph_user.get("manager")
    view["manager"] = manager.get("userPrincipalName") if isinstance(manager, dict) else None
    return view


def add_graph(graph, users, include):
    """Each active user's Graph fields (one listing of the customer, or one read for one user) and direct group
    memberships (one memberOf listing per user); deleted users are not in Graph."""
    active = [user for user in users if user.get("state") == "active"]
    if "graph" in include and active:
        if len(active) == 1:
            try:
                found = {active[0]["id"].lower(): graph.get("graph_get_user", {"user": active[0]["id"]},
                                                            params=GRAPH_QUERY)}
            except PartnerCenterError as exc:
                if not exc.is_user_not_found:
                    raise
                found = {}  # created a moment ago: Graph does not see it yet
        else:
            found = dict(((u.get("id") or "").lower(), u) for u in graph.iterate("graph_list_users", params=GRAPH_QUERY))
        for user in active:
            user.update(graph_view(found.get(user["id"].lower())))
    if "groups" in include:
        for user in active:
            groups = graph.iterate("graph_list_member_of", {"user": user["id"]},
                                   params={"$select": "id,displayName"})
            user["groups"] = sorted((dict(id=g.get("id"), display_name=g.get("displayName")) for g in groups
                                     if g.get("@odata.type", GROUP_TYPE) == GROUP_TYPE),
                                    key=lambda g: ((g["display_name"] or "").lower(), g["id"] or ""))


def _user_info(context):
    params = context.params
    customer_id = params["customer_id"]
    upn = check_upn("user_principal_name", params["user_principal_name"]) \
        if params["user_principal_name"] is not None else None
    user_id = check_guid("user_id", params["user_id"]) if params["user_id"] is not None else None
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
    return dict(changed=False, users=users)


USER_INFO = ModuleTask("partnercenter_user_info", dict(
    customer_id=dict(type="str", required=True),
    user_principal_name=dict(type="str", aliases=["upn"]),
    user_id=dict(type="str"),
    state=dict(type="str", choices=["active", "deleted", "all"], default="active"),
    include=dict(type="list", elements="str", choices=["directory_roles", "licenses", "graph", "groups"], default=[]),
), _user_info)
