# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""A customer's users as they are, written as the ``customer_users`` role declares them.

``declared_users`` turns what ``partnercenter_user_info`` (``include: [directory_roles, licenses]``)
and ``partnercenter_subscribed_sku_info`` read into ``partnercenter_users`` entries that the role
converges without a write: every attribute Partner Center holds, the admin roles by the Entra
admin center's names (``Global Administrator``, not the listed ``Company Administrator``) as a
``set``, and the licenses as a ``set`` with the service plans the user has disabled; with
``include: [graph, groups]`` too, the Microsoft Graph fields, the manager's UPN and the direct group
memberships (by display name, or by id where two of the customer's groups share one).  Never a
password: Partner Center returns none, and an existing user needs none.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections

from ansible_collections.csp.partnercenter.plugins.module_utils._attributes import ATTRIBUTE_NAMES, GRAPH_ATTRIBUTE_NAMES
from ansible_collections.csp.partnercenter.plugins.module_utils._planner import user_plans
from ansible_collections.csp.partnercenter.plugins.module_utils._role_names import built_in_role


def portal_role_name(name):
    """The Entra admin center's name of a built-in role listed under ``name`` (an older name, or its own)."""
    built_in = built_in_role(name)
    return built_in[1][0] if built_in is not None else name


def declared_license(assigned, skus_by_id):
    """A ``licenses.set`` item: the part number, or {sku, disabled_plans} when the user has plans disabled."""
    sku_id = str(assigned.get("sku_id") or "").lower()
    sku = skus_by_id.get(sku_id)
    name = assigned.get("sku_part_number") or (sku or {}).get("sku_part_number") or sku_id
    if sku is None:
        return name  # a SKU the customer no longer lists: its plans are unknown, so none are declared
    enabled = set(str(p).lower() for p in assigned.get("enabled_service_plans") or [])
    disabled = sorted(p.get("service_name") or p["id"] for p in user_plans(sku)
                      if (p.get("service_name") or "").lower() not in enabled
                      and (p.get("id") or "").lower() not in enabled)
    return {"sku": name, "disabled_plans": disabled} if disabled else name


# What partnercenter_user_info returns with include: graph, under the role's names; account_enabled only when
# false (a blocked user stays blocked; "true" for every user would only be noise).
GRAPH_KEYS = tuple(name for name in GRAPH_ATTRIBUTE_NAMES if name != "account_enabled") + ("manager",)


def group_names(users):
    """{group id: how to declare it}: its display name, or its id where two groups share the display name."""
    names = {}
    for user in users:
        for group in user.get("groups") or ():
            names[group.get("id")] = group.get("display_name") or group.get("id")
    counts = collections.Counter(names.values())
    shared = set(name for name, count in counts.items() if count > 1)
    return dict((gid, gid if name in shared else name) for gid, name in names.items())


def declared_user(user, skus_by_id, groups=None):
    entry = {"user_principal_name": user["user_principal_name"]}
    for name in ATTRIBUTE_NAMES + GRAPH_KEYS:
        if user.get(name) not in (None, "", []):
            entry[name] = user[name]
    if user.get("account_enabled") is False:
        entry["account_enabled"] = False
    if user.get("directory_roles"):
        entry["directory_roles"] = {"set": sorted(portal_role_name(r) for r in user["directory_roles"])}
    if user.get("licenses"):
        # By part number: user_info lists them by SKU id, which says nothing to a reader of the file.
        entry["licenses"] = {"set": sorted((declared_license(lic, skus_by_id) for lic in user["licenses"]),
                                           key=lambda d: (d if isinstance(d, str) else d["sku"]).lower())}
    if user.get("groups"):
        entry["groups"] = {"set": sorted((groups or {}).get(g.get("id")) or g.get("id") for g in user["groups"])}
    return entry


def declared_users(users, skus=()):
    """``partnercenter_users`` entries for the active ``users`` (``partnercenter_user_info``'s), by UPN.

    ``directory_roles``, ``licenses`` and ``groups`` are declared (as ``set``) for a user that holds some; a
    user without any carries no such key, so the role leaves them alone for that user.
    """
    skus_by_id = dict((str(s.get("id") or "").lower(), s) for s in skus or ())
    active = [u for u in users or () if isinstance(u, dict) and u.get("state", "active") == "active"
              and u.get("user_principal_name")]
    groups = group_names(active)
    return [declared_user(u, skus_by_id, groups) for u in sorted(active, key=lambda u: u["user_principal_name"].lower())]
