# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""Every Partner Center path the collection calls, in one table.

A call names its route and gives the values; ``Route.path`` checks each value (a GUID
where the API takes a GUID, ids that came back from the server included) and URL-quotes
it, so no call ever builds a path by hand and a value can never add a path segment.
The route's ``label`` ("GET /customers/{customer_id}/users") names it in errors.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from urllib.parse import quote

from ansible_collections.csp.partnercenter.plugins.module_utils._errors import PartnerCenterError

GUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
_PLACEHOLDER_RE = re.compile(r"{([a-z_]+)}")

# Placeholders whose values must be GUIDs; any other placeholder is quoted as one segment.
GUID_VALUES = frozenset(["customer_id", "user_id", "role_id"])


class Route:
    """One API operation: method, path template (relative to ``/v1``), and a name."""

    def __init__(self, name, method, template, query_label=None, expected=None, idempotent=None, app_only=False):
        self.name = name
        self.app_only = app_only  # an app-only token may call it (the customer routes); user routes need App+User
        self.method = method
        self.template = template
        self.expected = expected or _EXPECTED[method]
        # A POST that creates something must not be re-sent blindly after an ambiguous failure;
        # the others are safe to repeat (a repeated membership write answers "already done").
        self.idempotent = method != "POST" if idempotent is None else idempotent
        self.placeholders = tuple(_PLACEHOLDER_RE.findall(template))
        self.label = "%s %s%s" % (method, template, query_label or "")

    def check_value(self, name, value):
        """``value`` if it may stand for ``name`` in this route; raises before anything is sent."""
        if not isinstance(value, str) or not value:
            raise PartnerCenterError(
                "Refusing to call %s: %s is %r, not an id; nothing was sent" % (self.label, name, value),
                route=self.label, fault="invalid id")
        if name in GUID_VALUES and not GUID_RE.match(value):
            raise PartnerCenterError(
                "Refusing to call %s: %s %r is not a GUID; nothing was sent" % (self.label, name, value[:80]),
                route=self.label, fault="invalid id")
        return value

    def path(self, **values):
        """The path with every value checked and quoted.  Raises PartnerCenterError on a bad value."""
        missing = set(self.placeholders) - set(values)
        if missing:
            raise ValueError("route %s needs %s" % (self.name, ", ".join(sorted(missing))))

        def fill(match):
            name = match.group(1)
            return quote(self.check_value(name, values[name]), safe="")

        return _PLACEHOLDER_RE.sub(fill, self.template)


_EXPECTED = {"GET": (200,), "PATCH": (200,), "POST": (200, 201), "DELETE": (200, 204)}


def _table(*routes):
    return dict((r.name, r) for r in routes)


ROUTES = _table(
    Route("list_customers", "GET", "/customers", app_only=True),
    Route("search_customers", "GET", "/customers", "?filter=...", app_only=True),
    Route("get_customer", "GET", "/customers/{customer_id}", app_only=True),
    Route("list_users", "GET", "/customers/{customer_id}/users"),
    Route("list_deleted_users", "GET", "/customers/{customer_id}/users", "?filter=UserState"),
    Route("get_user", "GET", "/customers/{customer_id}/users/{user_id}"),
    Route("create_user", "POST", "/customers/{customer_id}/users"),
    Route("update_user", "PATCH", "/customers/{customer_id}/users/{user_id}"),
    Route("reset_password", "PATCH", "/customers/{customer_id}/users/{user_id}/resetpassword"),
    Route("delete_user", "DELETE", "/customers/{customer_id}/users/{user_id}"),
    Route("list_directory_roles", "GET", "/customers/{customer_id}/directoryroles"),
    Route("list_user_directory_roles", "GET", "/customers/{customer_id}/users/{user_id}/directoryroles"),
    Route("add_role_member", "POST", "/customers/{customer_id}/directoryroles/{role_id}/usermembers",
          idempotent=True),
    Route("remove_role_member", "DELETE", "/customers/{customer_id}/directoryroles/{role_id}/usermembers/{user_id}"),
    Route("list_subscribed_skus", "GET", "/customers/{customer_id}/subscribedskus"),
    Route("list_user_licenses", "GET", "/customers/{customer_id}/users/{user_id}/licenses"),
    Route("update_user_licenses", "POST", "/customers/{customer_id}/users/{user_id}/licenseupdates",
          idempotent=True),
)


def route(name):
    return ROUTES[name]
