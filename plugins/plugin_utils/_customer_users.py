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

import yaml

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.csp.partnercenter.plugins.module_utils._suggest import near_miss_messages

PREFIX = "partnercenter_"
ROLE_SPEC_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir,
                              "roles", "customer_users", "meta", "argument_specs.yml")

# role variable -> partnercenter_user option, for the options passed as they are
PASSED_AS_IS = (
    ("partnercenter_users_purge", "purge"),
    ("partnercenter_users_purge_exclude", "purge_exclude"),
    ("partnercenter_users_purge_limit", "purge_limit"),
    ("partnercenter_users_purge_max_percent", "purge_max_percent"),
    ("partnercenter_users_parallelism", "parallelism"),
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


def near_misses(variable_names):
    """Messages for the host's variables one or two letters from a role variable (partnercenter_user for
    partnercenter_users): left alone, such a variable would be ignored and the customer converged without it."""
    return near_miss_messages(variable_names, sorted(ROLE_OPTIONS), prefix=PREFIX)


def role_values(variables):
    """The role variables among ``variables`` (a host's variables, not yet templated); unset ones get the
    argument spec's default, as the role's defaults/main.yml gives them."""
    values = {}
    for name, option in ROLE_OPTIONS.items():
        if name in variables:
            values[name] = variables[name]
        elif option.get("default") is not None:
            values[name] = option["default"]
    return values


def validation_errors(values):
    """What ansible-core's role argument validation says of ``values`` (templated), or [] when they are valid."""
    result = ROLE_VALIDATOR.validate(values, validate_role_argument_spec=True)
    return list(result.error_messages)


def merged_users(users, common):
    """The host's users, then each common user whose UPN (any case) the host does not declare itself:
    a host entry replaces the common entry of the same UPN entirely."""
    users = list(users or [])
    declared = set(_upn_key(user) for user in users)
    return users + [user for user in (common or []) if _upn_key(user) not in declared]


def _upn_key(user):
    return str((user or {}).get("user_principal_name") or "").lower() if isinstance(user, dict) else None


def module_arguments(values):
    """The ``partnercenter_user`` arguments for the role's (templated, valid) ``values``."""
    args = dict(users=merged_users(values.get("partnercenter_users"), values.get("partnercenter_users_common")))
    if values.get("partnercenter_customer_id"):
        args["customer_id"] = values["partnercenter_customer_id"]
    elif values.get("partnercenter_customer_domain"):
        args["customer_domain"] = values["partnercenter_customer_domain"]
    for variable, option in PASSED_AS_IS:
        if values.get(variable) is not None:
            args[option] = values[variable]
    return args
