# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The customer_users role's variables as partnercenter_customer_users reads them: near misses, defaults,
validation and the partnercenter_user arguments they make."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import yaml

from ansible_collections.csp.partnercenter.plugins.plugin_utils import _customer_users as role

CID = "0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11"
ROLE_DEFAULTS = os.path.join(os.path.dirname(role.ROLE_SPEC_PATH), os.pardir, "defaults", "main.yml")


def user(upn, **fields):
    return dict(user_principal_name=upn, **fields)


def test_the_role_options_are_read_from_the_role_argument_spec_at_import():
    assert role.ROLE_OPTIONS_ERROR is None
    assert "partnercenter_users" in role.ROLE_OPTIONS and "partnercenter_users_common" in role.ROLE_OPTIONS
    assert role.ROLE_OPTIONS["partnercenter_users"]["options"]["password"]["no_log"] is True


def test_unset_variables_get_the_spec_defaults_which_are_the_role_defaults():
    with open(ROLE_DEFAULTS) as defaults_file:
        defaults = yaml.safe_load(defaults_file)
    assert role.role_values({}) == defaults
    values = role.role_values({"partnercenter_users_purge": True, "inventory_hostname": "contoso"})
    assert values["partnercenter_users_purge"] is True and "inventory_hostname" not in values


def test_a_name_one_or_two_letters_from_a_role_variable_is_a_near_miss_others_are_not():
    names = ["partnercenter_user", "partnercenter_users_prge", "partnercenter_users", "partnercenter_tenant_label",
             "inventory_hostname", "partnercenter_users_result"]
    assert role.near_misses(names) == [
        "partnercenter_user is not a variable of this role; did you mean partnercenter_users?",
        "partnercenter_users_prge is not a variable of this role; did you mean partnercenter_users_purge?",
    ]


def test_validation_says_what_ansible_core_says_for_the_role():
    values = role.role_values({"partnercenter_users": [user("a@contoso.com", usage_locaton="US")],
                               "partnercenter_users_purge_limit": "many"})
    errors = role.validation_errors(values)
    assert any("usage_locaton" in e for e in errors), errors
    assert any("partnercenter_users_purge_limit" in e for e in errors), errors
    assert role.validation_errors(role.role_values({"partnercenter_users": [user("a@contoso.com")]})) == []


def test_a_host_entry_replaces_the_common_entry_of_the_same_upn_in_any_case():
    mine = [user("Jane@Contoso.com", display_name="Jane (host)")]
    common = [user("jane@contoso.com", display_name="Jane (common)"), user("ops@contoso.com")]
    assert role.merged_users(mine, common) == [mine[0], common[1]]
    assert role.merged_users([], common) == common and role.merged_users(mine, []) == mine


def test_module_arguments_customer_id_wins_over_the_domain_and_empty_ones_are_left_out():
    values = role.role_values({"partnercenter_customer_id": CID, "partnercenter_customer_domain": "contoso.com",
                               "partnercenter_users": [user("a@contoso.com")]})
    args = role.module_arguments(values)
    assert args == dict(customer_id=CID, users=[user("a@contoso.com")], purge=False, purge_exclude=[], purge_limit=10,
                        purge_max_percent=50, parallelism=4)
    by_domain = role.module_arguments(role.role_values({"partnercenter_customer_domain": "contoso.com"}))
    assert by_domain["customer_domain"] == "contoso.com" and "customer_id" not in by_domain
    neither = role.module_arguments(role.role_values({}))
    assert "customer_id" not in neither and "customer_domain" not in neither  # the module says one is required


def test_a_list_variable_set_to_nothing_is_refused_rather_than_read_as_no_users():
    # "partnercenter_users:" with no value is null in YAML; read as [] with purge on it would purge the customer
    errors = role.validation_errors(role.role_values({"partnercenter_users": None, "partnercenter_users_purge": True,
                                                      "partnercenter_users_purge_exclude": None}))
    assert [e.split(" is of type")[0] for e in errors] == [
        "argument 'partnercenter_users'", "argument 'partnercenter_users_purge_exclude'"], errors
