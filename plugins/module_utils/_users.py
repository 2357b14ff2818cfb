# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""Customer users in Partner Center: paths, JSON field names, and the snake_case view."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.csp.partnercenter.plugins.module_utils._attributes import READ_ONLY, USER_ATTRIBUTES
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import PartnerCenterError

# snake_case name -> Partner Center JSON name, for what a task may set and what is returned.
# passwordProfile is deliberately absent from the returned fields: Partner Center echoes the
# password in create and PATCH responses.
WRITABLE_JSON = dict([("user_principal_name", "userPrincipalName")] + [(a.name, a.json_name) for a in USER_ATTRIBUTES])
RETURNED_FIELDS = tuple(WRITABLE_JSON.items()) + READ_ONLY

# The documented filter is UserState; the doc's own response link and an older Microsoft
# module use UserStatus, so that name is the fallback.
DELETED_FILTER_FIELDS = ("UserState", "UserStatus")


def deleted_filter(field):
    return json.dumps({"Field": field, "Value": "Inactive", "Operator": "equals"}, separators=(",", ":"))


def to_snake(user):
    """The collection's view of a Partner Center user: snake_case, no password, no links."""
    if not isinstance(user, dict):
        return None
    result = dict((snake, user.get(camel)) for snake, camel in RETURNED_FIELDS)
    if isinstance(result.get("state"), str):
        result["state"] = result["state"].lower()
    return result


def _password_profile(password, force_change):
    return {"password": password, "forceChangePassword": bool(force_change)}


def active_user(api, user_id):
    """The user as Partner Center reads it now (``api.get``) if it is active, else None (a deleted user may read as
    404)."""
    try:
        user = api.get(user_id)
    except PartnerCenterError as exc:
        if exc.is_not_found:
            return None
        raise
    return user if (user or {}).get("state") == "active" else None


class UsersAPI:
    """The users of one customer tenant."""

    def __init__(self, client, customer_id):
        self.client = client
        self.customer_id = customer_id
        self._deleted_filter_field = None
        self._reset_route = None

    def _ids(self, user_id=None):
        values = {"customer_id": self.customer_id}
        if user_id is not None:
            values["user_id"] = user_id
        return values

    def list_active(self):
        """Every active user, in snake_case, from every page."""
        for user in self.client.iterate("list_users", self._ids()):
            yield to_snake(user)

    def list_deleted(self):
        """Every soft-deleted user (state inactive), from every page."""
        fields = [self._deleted_filter_field] if self._deleted_filter_field else list(DELETED_FILTER_FIELDS)
        for position, field in enumerate(fields):
            try:
                users = [to_snake(u) for u in self.client.iterate(
                    "list_deleted_users", self._ids(), params={"filter": deleted_filter(field)})]
            except PartnerCenterError as exc:
                if exc.is_bad_request and position + 1 < len(fields):
                    continue  # this service does not know that filter name; try the other
                raise
            self._deleted_filter_field = field
            return users
        return []

    def get(self, user_id):
        return to_snake(self.client.call("get_user", self._ids(user_id)))

    def active(self, user_id):
        return active_user(self, user_id)

    def create(self, fields, password, force_change):
        """The created user, or ``None`` when Partner Center confirmed the create without a body."""
        body = dict((WRITABLE_JSON[k], v) for k, v in fields.items() if v is not None)
        body["passwordProfile"] = _password_profile(password, force_change)
        body["attributes"] = {"objectType": "CustomerUser"}
        return to_snake(self.client.call("create_user", self._ids(), body=body))

    def update(self, user_id, fields, restore=False, password=None, force_change=True):
        """One PATCH with only ``fields``; ``restore`` adds ``state: active`` to the same body."""
        body = dict((WRITABLE_JSON[k], v) for k, v in fields.items())
        if restore:
            body["state"] = "active"
        if password is not None:
            body["passwordProfile"] = _password_profile(password, force_change)
        body["attributes"] = {"objectType": "CustomerUser"}
        return to_snake(self.client.call("update_user", self._ids(user_id), body=body))

    def reset_password(self, user_id, password, force_change):
        """Reset through ``/resetpassword`` (current docs); fall back to PATCH on the user (2021 docs)."""
        body = {"passwordProfile": _password_profile(password, force_change),
                "attributes": {"objectType": "CustomerUser"}}
        if self._reset_route != "user":
            try:
                user = self.client.call("reset_password", self._ids(user_id), body=body)
                self._reset_route = "resetpassword"
                return to_snake(user)
            except PartnerCenterError as exc:
                route_missing = exc.status in (404, 405) and not exc.is_user_not_found
                if not route_missing or self._reset_route == "resetpassword":
                    raise
                self._reset_route = "user"
        return to_snake(self.client.call("update_user", self._ids(user_id), body=body))

    def delete(self, user_id):
        self.client.call("delete_user", self._ids(user_id))
