# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""Declared users: the options of ``partnercenter_user`` and their checks, before any request.

Rule for the many-users form: the top-level options that say *how* to converge a user
(``state``, ``force_change_password``, ``update_password``) are the defaults of every item
of ``users``, and an item's own value wins.  The options that say *who* a user is (its UPN,
attributes, password, roles, licenses) are refused at the top level together with ``users``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.csp.partnercenter.plugins.module_utils._attributes import (
    ATTRIBUTE_NAMES, GRAPH_ATTRIBUTE_NAMES, GRAPH_ATTRIBUTES, USER_ATTRIBUTES, attribute_options,
)
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError
from ansible_collections.csp.partnercenter.plugins.module_utils._planner import DesiredUser
from ansible_collections.csp.partnercenter.plugins.module_utils._validation import (
    check_length, check_not_blank, check_password, check_upn,
)

MEMBERSHIP_OPTIONS = ("directory_roles", "licenses", "groups")
# Options served by Microsoft Graph besides the attributes of its rows: a task that declares none sends no Graph request.
GRAPH_OPTIONS = ("manager", "revoke_sessions", "groups")
GROUP_NAME_MAX = 256  # Entra ID's limit of a group's display name
# Top-level options that are the defaults of the items of ``users``.
ITEM_DEFAULTS = dict(state="present", force_change_password=True, update_password="on_create")
# Top-level options that describe one user, refused together with ``users``.
PER_USER_OPTIONS = ("user_principal_name",) + ATTRIBUTE_NAMES + GRAPH_ATTRIBUTE_NAMES + MEMBERSHIP_OPTIONS + (
    "password", "manager", "revoke_sessions", "previous_user_principal_names", "allow_privileged")
STATES = ["present", "absent", "offboarded"]
# How many users a task may delete, offboard or rename in one customer unless mass_change_limit says otherwise.
MASS_CHANGE_LIMIT = 10


def membership_options(elements):
    return dict(type="dict", options=dict(
        add=dict(type="list", elements=elements),
        remove=dict(type="list", elements="str"),
        set=dict(type="list", elements=elements),
    ))


def _user_options():
    options = attribute_options()
    options.update(
        directory_roles=membership_options("str"),
        licenses=membership_options("raw"),
        groups=membership_options("str"),
        manager=dict(type="str"),
        revoke_sessions=dict(type="bool"),
        password=dict(type="str", no_log=True),
        force_change_password=dict(type="bool", no_log=False),
        update_password=dict(type="str", no_log=False, choices=["on_create", "always"]),
        state=dict(type="str", choices=STATES),
        previous_user_principal_names=dict(type="list", elements="str"),
        allow_privileged=dict(type="bool"),
    )
    return options


def user_argument_spec():
    """The argument spec of ``partnercenter_user`` (the connection options come from the module base)."""
    item = _user_options()
    item["user_principal_name"] = dict(type="str", required=True, aliases=["upn"])
    spec = _user_options()
    # The top level's are the defaults of every item (ansible-doc shows them); an item's have none, so that an
    # item can tell "not given" (the top-level value) from a value of its own.
    for name, default in ITEM_DEFAULTS.items():
        spec[name]["default"] = default
    spec.update(
        customer_id=dict(type="str"),
        customer_domain=dict(type="str"),
        user_principal_name=dict(type="str", aliases=["upn"]),
        users=dict(type="list", elements="dict", options=item),
        parallelism=dict(type="int", default=4),
        purge=dict(type="bool", default=False),
        purge_exclude=dict(type="list", elements="str", default=[]),
        purge_limit=dict(type="int", default=10),
        purge_max_percent=dict(type="int", default=50),
        mass_change_limit=dict(type="int", default=MASS_CHANGE_LIMIT),
        fail_on_undeclared=dict(type="bool", default=False),
        offboard_with_graph=dict(type="bool", default=True),
    )
    return spec


USER_MODULE_RULES = dict(
    required_one_of=[("user_principal_name", "users"), ("customer_id", "customer_domain")],
    # customer_id with customer_domain: checked to name one customer before the first write (check_customer_domain)
    mutually_exclusive=[("users", name) for name in PER_USER_OPTIONS],
)


def normalize_shorthands(params):
    """``licenses: [SPE_E3]`` and ``directory_roles: [...]`` (a list) are short for ``{add: [...]}``.

    Applied to the raw parameters before Ansible's argument checks, top level and every item of ``users``.
    """
    items = [params] + [i for i in params.get("users") or [] if isinstance(i, dict)] \
        if isinstance(params.get("users") or [], list) else [params]
    for values in items:
        for name in MEMBERSHIP_OPTIONS:
            if isinstance(values.get(name), list):
                values[name] = {"add": values[name]}


def _pick(values, defaults, name):
    if values.get(name) is not None:
        return values[name]
    if defaults.get(name) is not None:
        return defaults[name]
    return ITEM_DEFAULTS[name]


def desired_user(values, defaults, prefix=""):
    """Validate one declared user the way Partner Center would, and build a DesiredUser."""
    upn = check_upn(prefix + "user_principal_name", values["user_principal_name"])
    fields = {}
    for attribute in USER_ATTRIBUTES:
        if values.get(attribute.name) is not None:
            fields[attribute.name] = attribute.checked(prefix + attribute.name, values[attribute.name])
    graph_fields = {}
    for attribute in GRAPH_ATTRIBUTES:
        if values.get(attribute.name) is not None:
            graph_fields[attribute.name] = attribute.checked(prefix + attribute.name, values[attribute.name])
    password = check_password(prefix + "password", values.get("password"))
    check_license_items(prefix + "licenses", values.get("licenses"))
    manager = values.get("manager")
    if manager is not None and manager != "":
        manager = check_upn(prefix + "manager", manager)
        if manager.lower() == upn.lower():
            raise InputError(prefix + "manager", "%s cannot be its own manager" % upn)
    groups = check_group_items(prefix + "groups", values.get("groups"))
    state = _pick(values, defaults, "state")
    return DesiredUser(upn, fields, password=password,
                       force_change_password=_pick(values, defaults, "force_change_password"),
                       update_password=_pick(values, defaults, "update_password"),
                       state=state, option_prefix=prefix,
                       directory_roles=values.get("directory_roles"), licenses=values.get("licenses"),
                       graph_fields=graph_fields, manager=manager, groups=groups,
                       revoke_sessions=bool(values.get("revoke_sessions")),
                       previous=previous_names(prefix, upn, values.get("previous_user_principal_names"), state),
                       allow_privileged=bool(values.get("allow_privileged")),
                       offboard_with_graph=defaults.get("offboard_with_graph", True) is not False)


def check_group_items(option, groups):
    """``groups`` with each name or object id checked (not blank, Entra's length); ``None`` when not declared."""
    if groups is None:
        return None
    checked = {}
    for key in ("add", "remove", "set"):
        if groups.get(key) is None:
            continue
        checked[key] = []
        for position, name in enumerate(groups[key]):
            where = "%s.%s[%d]" % (option, key, position)
            check_not_blank(where, name)
            checked[key].append(check_length(where, name.strip(), GROUP_NAME_MAX))
    return checked


def previous_names(prefix, upn, names, state):
    """The checked ``previous_user_principal_names`` of one user: valid UPNs, none of them its own."""
    option = prefix + "previous_user_principal_names"
    result = []
    for position, name in enumerate(names or []):
        previous = check_upn("%s[%d]" % (option, position), name)
        if previous.lower() == upn.lower():
            raise InputError(option, "names %s, the user's own user_principal_name; list only the names it had "
                                     "before" % previous)
        if previous.lower() not in [p.lower() for p in result]:
            result.append(previous)
    if result and state == "absent":
        raise InputError(option, "is for a user declared present or offboarded (renamed in place when only a "
                                 "previous name exists); %s is declared absent" % upn)
    return result


def check_license_items(option, licenses):
    """A license item is a SKU (string) or {sku, disabled_plans}."""
    for key in ("add", "set"):
        for position, item in enumerate((licenses or {}).get(key) or []):
            where = "%s.%s[%d]" % (option, key, position)
            if isinstance(item, str) and item.strip():
                continue
            if not isinstance(item, dict) or not isinstance(item.get("sku"), str) or \
                    set(item) - set(["sku", "disabled_plans"]):
                raise InputError(where, "must be a SKU part number or id, or a dict with sku and disabled_plans")
            plans = item.get("disabled_plans")
            if plans is not None and (not isinstance(plans, list) or not all(isinstance(p, str) for p in plans)):
                raise InputError(where + ".disabled_plans", "must be a list of service plan names or ids")


def declared_users(params):
    """The many-users form: every item validated, no UPN declared twice, a purge with a purpose."""
    if params["parallelism"] < 1 or params["parallelism"] > 32:
        raise InputError("parallelism", "must be between 1 and 32")
    if params["purge_limit"] < 0:
        raise InputError("purge_limit", "must not be negative")
    if not 0 <= params["purge_max_percent"] <= 100:
        raise InputError("purge_max_percent", "must be between 0 and 100")
    seen = {}
    result = []
    for position, item in enumerate(params["users"]):
        prefix = "users[%d]." % position
        user = desired_user(item, params, prefix)
        if user.key in seen:
            raise InputError(prefix + "user_principal_name",
                             "%s is declared twice (also as users[%d]; UPNs are case-insensitive)"
                             % (user.user_principal_name, seen[user.key]))
        seen[user.key] = position
        result.append(user)
    _check_previous_names(result)
    if params["purge"] and not any(u.state == "present" for u in result):
        # An empty list (a misspelt variable, a failed lookup) would otherwise purge the whole customer.
        raise InputError("purge", "purge needs at least one user declared present in users (it has %s); "
                                  "purge soft-deletes every user that is not declared, so with %s it would empty "
                                  "the customer. Nothing was changed"
                         % ("none" if not result else "only users declared absent",
                            "no users" if not result else "these"))
    return result


def _check_previous_names(users):
    """A previous name is no other declared user's name, and names one declared user only."""
    current = dict((u.key, u) for u in users)
    claimed = {}
    for user in users:
        for previous in user.previous:
            key = previous.lower()
            option = user.option_prefix + "previous_user_principal_names"
            if key in current:
                raise InputError(option, "names %s, which is declared as a user of its own (%s): a rename would take "
                                         "that user away; remove one of the two" % (previous, current[key].option_prefix
                                                                                    + "user_principal_name"))
            if key in claimed and claimed[key] is not user:
                raise InputError(option, "names %s, which %s also names as previous: one old account cannot become "
                                         "two users" % (previous, claimed[key].user_principal_name))
            claimed[key] = user


def declared_from_params(params):
    """(desired users, many) from the module's parameters; raises InputError before any request."""
    if (params.get("mass_change_limit") or 0) < 0:
        raise InputError("mass_change_limit", "must not be negative")
    if params.get("users") is not None:
        return declared_users(params), True
    return desired_user(params, params), False


def name_users_in(exc, params):
    """``exc`` with every ``users[N].`` it names followed by that item's UPN: ``users[3] (jane@contoso.com).``."""
    items = params.get("users") or []

    def named(match):
        position = int(match.group(1))
        item = items[position] if position < len(items) and isinstance(items[position], dict) else {}
        upn = item.get("user_principal_name") or item.get("upn")
        return "users[%d] (%s)." % (position, upn) if isinstance(upn, str) and upn else match.group(0)

    text = _ITEM_RE.sub(named, str(exc))
    return exc if text == str(exc) else InputError(exc.option, exc.reason, text=text)


_ITEM_RE = re.compile(r"\busers\[(\d+)\]\.")
