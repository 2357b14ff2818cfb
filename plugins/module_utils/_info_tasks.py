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
    if params["include"]:
        add_memberships(DirectoryAPI(api.client, customer_id), users, params["include"])
    return dict(changed=False, users=users)


USER_INFO = ModuleTask("partnercenter_user_info", dict(
    customer_id=dict(type="str", required=True),
    user_principal_name=dict(type="str", aliases=["upn"]),
    user_id=dict(type="str"),
    state=dict(type="str", choices=["active", "deleted", "all"], default="active"),
    include=dict(type="list", elements="str", choices=["directory_roles", "licenses"], default=[]),
), _user_info)
