# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""``partnercenter_auth_info``: the token's identity, and what it may do in each customer, by read calls only."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.csp.partnercenter.plugins.module_utils._claims import describe_identity, token_claims
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import PartnerCenterError
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


def check_identity(client, customer_ids):
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
                customers=[_probe(client, customer_id) for customer_id in customer_ids])


def _probe(client, customer_id):
    operations, needs, errors = {}, {}, {}
    for operation, route in PROBES:
        if route is None:
            operations[operation] = "unknown"
        else:
            try:
                client.call(route, {"customer_id": customer_id}, params={"size": 1} if route == "list_users" else None)
                operations[operation] = "allowed"
            except PartnerCenterError as exc:
                operations[operation] = "denied" if exc.is_denied else "unknown"
                if not exc.is_denied:
                    errors[operation] = exc.full_message()
        if operations[operation] != "allowed":
            needs[operation] = list(ROUTES[ROUTE_OF[operation]].gdap[1])
    return dict(customer_id=customer_id, operations=operations, needs=needs, errors=errors)
