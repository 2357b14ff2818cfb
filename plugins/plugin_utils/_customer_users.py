# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""The ``customer_users`` role's variables, read from a host's variables and turned into module arguments.

The role's options are those of its ``meta/argument_specs.yml`` (entry point ``main``), read once
when this file is imported (in the strategy's process, so every fork has them).  What a
``partnercenter_customer_users`` task does with a host's variables is decided here, as pure
functions: which names look like misspellings of a role variable, whether the values are
valid, and the ``partnercenter_user`` arguments they make.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

import yaml

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.csp.partnercenter.plugins.module_utils._suggest import (
    PARTNERCENTER_SPELLINGS, near_miss_messages,
)

PREFIX = "partnercenter_"
ROLE_SPEC_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir,
                              "roles", "customer_users", "meta", "argument_specs.yml")

# role variable -> partnercenter_user option: the customer, given by either or both (the customers inventory plugin
# sets both; the module then checks before its first write that they name one customer)
SELECTORS = (
    ("partnercenter_customer_id", "customer_id"),
    ("partnercenter_customer_domain", "customer_domain"),
)
# role variables that do one job: one of them set, a look-alike of the other is not what the host lacks
STAND_INS = {
    "partnercenter_customer_id": ("partnercenter_customer_domain",),
    "partnercenter_customer_domain": ("partnercenter_customer_id",),
}
# role variable -> partnercenter_user option, for the options passed as they are
PASSED_AS_IS = (
    ("partnercenter_users_purge", "purge"),
    ("partnercenter_users_purge_exclude", "purge_exclude"),
    ("partnercenter_users_purge_limit", "purge_limit"),
    ("partnercenter_users_purge_max_percent", "purge_max_percent"),
    ("partnercenter_users_parallelism", "parallelism"),
    ("partnercenter_users_mass_change_limit", "mass_change_limit"),
    ("partnercenter_users_fail_on_undeclared", "fail_on_undeclared"),
    ("partnercenter_users_offboard_with_graph", "offboard_with_graph"),
)


def load_role_options(path=ROLE_SPEC_PATH):
    """The ``options`` of the role's entry point ``main``."""
    with open(path, "rb") as spec_file:
        return yaml.safe_load(spec_file)["argument_specs"]["main"]["options"]


try:
    ROLE_OPTIONS = load_role_options()
    ROLE_OPTIONS_ERROR = None
except (IOError, OSError, KeyError, TypeError, yaml.YAMLError) as exc:  # said by the task, not at import
    ROLE_OPTIONS, ROLE_OPTIONS_ERROR = {}, "cannot read the customer_users role's %s: %s" % (ROLE_SPEC_PATH, exc)
# Made once, here in the strategy's process: the constructor deep-copies the spec (milliseconds per host).
ROLE_VALIDATOR = ArgumentSpecValidator(ROLE_OPTIONS)


def near_misses(variables):
    """Messages for the host's ``variables`` (a task's variables, the role's defaults among them) that look like a
    role variable: left alone, such a variable would be ignored and the customer converged without it.

    Refused always: a role variable in other capitals or separators (PartnerCenter_Users, partner_center_users),
    its words in another order, a letter or two from it (partnercenter_user, partnercentre_users).  Refused
    when the host leaves the role variable meant at its default (a variable of somebody else's may look so):
    another spelling of the prefix (pc_users, csp_customer_id) and a word missing (partnercenter_purge_exclude).
    """
    def set_by_host(name):
        return name in variables and variables[name] != ROLE_OPTIONS[name].get("default")

    def is_set(name):
        return any(set_by_host(n) for n in (name,) + STAND_INS.get(name, ()))

    return near_miss_messages(variables, sorted(ROLE_OPTIONS), prefix=PREFIX, spellings=PARTNERCENTER_SPELLINGS,
                              is_set=is_set)


near_misses({})  # the rule's forms of the role variables, made once here in the strategy's process for every fork


def near_miss_refusal(variables):
    """The task's message for the host's near misses (``near_misses``), or None."""
    said = near_misses(variables)
    if not said:
        return None
    return ("%s. The customer_users role reads only its own variables (its meta/argument_specs.yml lists them) and "
            "would converge this customer without these: rename each to the role variable meant, or remove it; "
            "nothing was sent to Partner Center." % "; ".join(said))


def checked_values(variables, template):
    """(refusal, values) for a host's ``variables``: the near misses, the role options file, the argument spec and
    the refusals before any request say why the host is refused (values None), else the role's values, templated
    with ``template``."""
    refusal = ROLE_OPTIONS_ERROR or near_miss_refusal(variables)
    if refusal:
        return refusal, None
    values = template(role_values(variables))
    errors = validation_errors(values)
    if errors:
        return "Validation of the customer_users role's variables failed:\n%s" % "\n".join(errors), None
    refusal = purge_refusal(values) or empty_domain_refusal(values)
    return (refusal, None) if refusal else (None, values)


def role_values(variables, names=None):
    """The role variables among ``variables`` (a host's variables, not yet templated), or those of ``names``; unset
    ones get the argument spec's default, as the role's defaults/main.yml gives them."""
    values = {}
    for name in ROLE_OPTIONS if names is None else names:
        option = ROLE_OPTIONS[name]
        if name in variables:
            values[name] = variables[name]
        elif option.get("default") is not None:
            values[name] = option["default"]
    return values


def validation_errors(values):
    """What ansible-core's role argument validation says of ``values`` (templated), or [] when they are valid."""
    result = ROLE_VALIDATOR.validate(values, validate_role_argument_spec=True)
    return list(result.error_messages)


def merged_entries(users, common):
    """[(role variable entry, user)]: the host's users (``partnercenter_users[i]``), then each common user whose
    UPN (any case) the host does not declare itself (``partnercenter_users_common[j]``): a host entry replaces the
    common entry of the same UPN entirely."""
    users = list(users or [])
    declared = set(_upn_key(user) for user in users)
    return [("partnercenter_users[%d]" % position, user) for position, user in enumerate(users)] + [
        ("partnercenter_users_common[%d]" % position, user) for position, user in enumerate(common or [])
        if _upn_key(user) not in declared]


def merged_users(users, common):
    """The users of ``merged_entries``, as the module's ``users`` takes them."""
    return [user for _entry, user in merged_entries(users, common)]


def _upn_key(user):
    return str((user or {}).get("user_principal_name") or "").lower() if isinstance(user, dict) else None


def purge_refusal(values):
    """Why a purge of the role's (templated, valid) ``values`` is refused, or None.

    A purge deletes every user the two lists do not declare, so the host must declare users present of its own:
    ``partnercenter_users_common`` alone (a break-glass administrator, say) is no declaration of this customer.
    """
    if not values.get("partnercenter_users_purge"):
        return None
    own = [user for user in values.get("partnercenter_users") or []
           if isinstance(user, dict) and user.get("state", "present") != "absent"]
    if own:
        return None
    common = len(values.get("partnercenter_users_common") or [])
    return ("partnercenter_users_purge is true, but this host's own partnercenter_users declares no user present: "
            "partnercenter_users_common (%d %s) is every customer's standard, no declaration of this customer's "
            "users, and the purge would delete every other user of the customer: declare partnercenter_users for "
            "this host (repeat a common user there to keep only it), or set partnercenter_users_purge to false for "
            "it. Nothing was sent to Partner Center." % (common, "user" if common == 1 else "users"))


def consent_arguments(values):
    """The arguments of ``partnercenter_application_consent`` (the role's ``partnercenter_application_consent``): the
    customer, as the role's selectors name it."""
    return dict((option, values[variable]) for variable, option in SELECTORS if values.get(variable))


def empty_domain_refusal(values):
    """Why the role's (templated, valid) ``values`` are refused when a UPN has no domain while
    ``partnercenter_customer_domain`` is empty (``breakglass@{{ partnercenter_customer_domain }}`` in a static
    inventory renders ``breakglass@``), or None."""
    if values.get("partnercenter_customer_domain"):
        return None
    bare = ["%s (%s)" % (entry, user.get("user_principal_name"))
            for entry, user in merged_entries(values.get("partnercenter_users"), values.get("partnercenter_users_common"))
            if isinstance(user, dict) and str(user.get("user_principal_name") or "").endswith("@")]
    if not bare:
        return None
    return ("%s.user_principal_name: ends with @ and no domain, and partnercenter_customer_domain is empty on this "
            "host: a UPN such as breakglass@{{ partnercenter_customer_domain }} needs it. Set "
            "partnercenter_customer_domain for this host (the csp.partnercenter.customers inventory plugin sets it "
            "for every customer), or write the domain in the UPN. Nothing was sent to Partner Center."
            % ", ".join(bare))


def module_arguments(values):
    """The ``partnercenter_user`` arguments for the role's (templated, valid) ``values``."""
    args = dict(users=merged_users(values.get("partnercenter_users"), values.get("partnercenter_users_common")))
    for variable, option in SELECTORS:
        if values.get(variable):
            args[option] = values[variable]
    for variable, option in PASSED_AS_IS:
        if values.get(variable) is not None:
            args[option] = values[variable]
    return args


# partnercenter_user option -> role variable, where a message names the option (not a user's key of that name)
_OPTION_VARIABLES = dict([(option, variable) for variable, option in SELECTORS + PASSED_AS_IS])
_OPTION_RE = re.compile(r"(?<![\w.\[])(%s)\b(?!\])" % "|".join(sorted(
    (re.escape(option) for option in _OPTION_VARIABLES if option != "purge"), key=len, reverse=True)))
_PURGE_OPTION_RE = re.compile(r"^purge(?=:)|(?<=\()purge(?=\))")
_ITEM_RE = re.compile(r"(?<![\w.])users\[(\d+)\]")


def in_role_terms(text, values=None):
    """``text`` (the module's message) in the role's variables: the options as their role variables
    (purge_limit as partnercenter_users_purge_limit), and each ``users[N]`` as the entry of the host's own or the
    common list it came from (``values`` are the role's, as ``module_arguments`` took them)."""
    if not isinstance(text, str):
        return text
    entries = [entry for entry, _user in merged_entries((values or {}).get("partnercenter_users"),
                                                        (values or {}).get("partnercenter_users_common"))]

    def entry(match):
        position = int(match.group(1))
        return entries[position] if position < len(entries) else "partnercenter_users[%d]" % position

    text = _ITEM_RE.sub(entry, text)
    text = _PURGE_OPTION_RE.sub("partnercenter_users_purge", text)
    return _OPTION_RE.sub(lambda match: _OPTION_VARIABLES[match.group(1)], text)


# -- the play-wide mass-change limit (partnercenter_users_play_mass_change_limit) ----------------------------------
#
# Forks converge customers at the same time, so no fork can know what the others will do.  The role therefore
# bounds the batch's deletes, offboardings and renames from the declarations first (no request); only when that
# bound is above the limit does it plan every customer in check mode, sum the plans here, and refuse the batch
# before any converge writes.

MASS_CHANGE_STATES = ("absent", "offboarded")
PLAY_LIMIT = "partnercenter_users_play_mass_change_limit"
# How many customers, and UPNs of each, the refusal names.
CUSTOMERS_NAMED, UPNS_NAMED = 5, 3


def mass_change_bound(values):
    """At most how many users one host's (templated) role values could delete, offboard or rename; None when only
    planning can say (a purge deletes whoever is not declared)."""
    if values.get("partnercenter_users_purge"):
        return None
    users = merged_users(values.get("partnercenter_users"), values.get("partnercenter_users_common"))
    return sum(1 for user in users if isinstance(user, dict) and (
        user.get("state") in MASS_CHANGE_STATES or user.get("previous_user_principal_names")))


def batch_needs_planning(values_by_host, limit):
    """Whether the batch must be planned before it converges: the limit is set and the declarations could exceed it."""
    if limit is None:
        return False
    total = 0
    for values in values_by_host.values():
        bound = mass_change_bound(values)
        if bound is None:
            return True
        total += bound
    return total > limit


def planned_mass_changes(result):
    """(deleted, offboarded, renamed, UPNs) of one host's planned (check-mode) result; zeros when it has no plan."""
    summary = (result or {}).get("summary") if isinstance(result, dict) else None
    if not isinstance(summary, dict):
        return 0, 0, 0, []
    upns = [u.get("user_principal_name") for u in result.get("users") or []
            if isinstance(u, dict) and u.get("action") in ("deleted", "offboarded", "renamed")]
    upns += [u.get("user_principal_name") for u in result.get("purged") or [] if isinstance(u, dict)]
    return (int(summary.get("deleted") or 0) + int(summary.get("purged") or 0), int(summary.get("offboarded") or 0),
            int(summary.get("renamed") or 0), upns)


def play_mass_change_refusal(results_by_host, limit, check_mode=False):
    """The batch's refusal when its planned deletes, offboardings and renames together exceed ``limit``, else ""."""
    if limit is None:
        return ""
    per_host = dict((host, planned_mass_changes(result)) for host, result in results_by_host.items())
    deleted, offboarded, renamed = (sum(counts[n] for counts in per_host.values()) for n in range(3))
    total = deleted + offboarded + renamed
    if total <= limit:
        return ""
    busiest = sorted(((len(c[3]), host) for host, c in per_host.items() if c[3]), reverse=True)
    named = "; ".join("%s: %d (%s%s)" % (host, count, ", ".join(per_host[host][3][:UPNS_NAMED]),
                                         ", ..." if count > UPNS_NAMED else "")
                      for count, host in busiest[:CUSTOMERS_NAMED])
    if len(busiest) > CUSTOMERS_NAMED:
        named += "; and %d more customers" % (len(busiest) - CUSTOMERS_NAMED)
    return ("%s: the %d customers of this batch together %s delete %d, offboard %d and rename %d users (%d in all), "
            "more than %s (%d); %s. Customers: %s. If this mass change is meant, raise %s for this run, for example "
            "-e %s=%d" % (
                PLAY_LIMIT, len(results_by_host), "would" if check_mode else "were planned to", deleted, offboarded,
                renamed, total, PLAY_LIMIT, limit,
                "check mode predicts this refusal" if check_mode else "nothing was changed in any customer",
                named, PLAY_LIMIT, PLAY_LIMIT, total))


def without_graph(args):
    """``partnercenter_user`` ``args`` with every user's Microsoft Graph options left out, and the UPNs that had
    some: what check mode can predict in a customer whose app consent the real run grants first (no Graph token
    can be had there before it)."""
    from ansible_collections.csp.partnercenter.plugins.module_utils._attributes import GRAPH_ATTRIBUTE_NAMES
    from ansible_collections.csp.partnercenter.plugins.module_utils._declared import GRAPH_OPTIONS
    graph_keys = set(GRAPH_ATTRIBUTE_NAMES) | set(GRAPH_OPTIONS)
    args, had = dict(args), []
    users = []
    for user in args.get("users") or []:
        if isinstance(user, dict) and graph_keys.intersection(user):
            had.append(user.get("user_principal_name"))
            user = dict((k, v) for k, v in user.items() if k not in graph_keys)
        users.append(user)
    if "users" in args:
        args["users"] = users
    args["offboard_with_graph"] = False
    return args, had
