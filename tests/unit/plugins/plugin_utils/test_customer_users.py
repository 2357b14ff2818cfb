# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The customer_users role's variables as partnercenter_customer_users reads them: near misses, defaults,
validation and the partnercenter_user arguments they make."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest
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
        "partnercenter_user is not a variable of this role; did you mean partnercenter_users? (a letter or two apart)",
        "partnercenter_users_prge is not a variable of this role; did you mean partnercenter_users_purge? (a letter or "
        "two apart)",
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


def test_module_arguments_pass_the_customer_selectors_given_and_leave_out_empty_ones():
    values = role.role_values({"partnercenter_customer_id": CID, "partnercenter_users": [user("a@contoso.com")]})
    args = role.module_arguments(values)
    assert args == dict(customer_id=CID, users=[user("a@contoso.com")], purge=False, purge_exclude=[], purge_limit=10,
                        purge_max_percent=50, parallelism=4, mass_change_limit=10,
                        fail_on_undeclared=False, offboard_with_graph=True)
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


# What a host may hold -> the role variable it is refused for, or None: somebody else's variable, left alone.
# Each name is checked on a host that sets nothing else (role defaults only), as a task sees it.
NEAR_MISSES = {
    # another spelling of the prefix
    "partnercentre_users": "partnercenter_users",
    "partner_center_users": "partnercenter_users",
    "partner_centre_users": "partnercenter_users",
    "partner-center-users": "partnercenter_users",
    "pc_users": "partnercenter_users",
    "pcenter_users": "partnercenter_users",
    "csp_users_common": "partnercenter_users_common",
    "mpc_users_purge": "partnercenter_users_purge",
    "ms_partnercenter_users": "partnercenter_users",
    "microsoft_partner_center_users": "partnercenter_users",
    "csp_partnercentre_users": "partnercenter_users",
    "pc_customer_id": "partnercenter_customer_id",
    "csp_customer_domain": "partnercenter_customer_domain",
    # case and separators
    "PartnerCenter_Users": "partnercenter_users",
    "PARTNERCENTER_USERS_PURGE": "partnercenter_users_purge",
    "partnercenterusers": "partnercenter_users",
    "Partnercenter_Customer_Id": "partnercenter_customer_id",
    # letters and words
    "partnercenter_user": "partnercenter_users",
    "partnercneter_users": "partnercenter_users",
    "partnercentre_user": "partnercenter_users",
    "partner_centre_user": "partnercenter_users",
    "partnercenter_users_purge_max_percnt": "partnercenter_users_purge_max_percent",
    "partnercenter_purge_users": "partnercenter_users_purge",
    "partnercenter_common_users": "partnercenter_users_common",
    "partnercenter_purge": "partnercenter_users_purge",
    "partnercenter_purge_exclude": "partnercenter_users_purge_exclude",
    "partnercenter_max_percent": "partnercenter_users_purge_max_percent",
    "partnercenter_domain": "partnercenter_customer_domain",
    # somebody else's
    "pc_name": None,
    "pc_user": None,
    "pc_username": None,
    "users": None,
    "customer_id": None,
    "customer_domain": None,
    "purge": None,
    "users_purge": None,
    "csp_policy": None,
    "csp_tenant_id": None,
    "partnercenter_users_result": None,
    "partnercenter_tenant_id": None,
    "partnercenter_company_name": None,
    "partnercenter_relationship": None,
    "partnercenter_client_secret": None,
    "partnercenter_refresh_token": None,
    "partnercenter_tenant_label": None,
    "partnercenter_users_extra": None,
    "partnercenter_customer": None,
    "partnercenter_customers": None,
    "partnercenter_usrs_x": None,
    "partner_name": None,
    "inventory_hostname": None,
    "ansible_connection": None,
    "group_names": None,
}


def task_vars(**host):
    """A host's variables as a task of the role sees them: the role's defaults, then the host's own."""
    return dict(role.role_values({}), **host)


@pytest.mark.parametrize("name", sorted(NEAR_MISSES))
def test_near_misses_of_a_role_variable_are_refused_and_other_variables_are_not(name):
    meant = NEAR_MISSES[name]
    said = role.near_misses(task_vars(**{name: "x"}))
    if meant is None:
        assert said == [], said
    else:
        assert len(said) == 1 and said[0].startswith(
            "%s is not a variable of this role; did you mean %s?" % (name, meant)), said


def test_another_spelling_of_the_prefix_is_somebody_elses_when_the_host_sets_the_role_variable_itself():
    mine = [user("a@contoso.com")]
    # pc_users beside a partnercenter_users of the host's own; a role variable templated from a csp_ variable
    assert role.near_misses(task_vars(pc_users=mine, partnercenter_users=mine)) == []
    assert role.near_misses(task_vars(csp_customer_id=CID, partnercenter_customer_id="{{ csp_customer_id }}")) == []
    # the customer is named by the other selector: csp_customer_id is not what the role lacks
    assert role.near_misses(task_vars(csp_customer_id=CID, partnercenter_customer_domain="contoso.com")) == []
    # a role variable left at its default does not count as set
    assert len(role.near_misses(task_vars(pc_users=mine, partnercenter_users=[]))) == 1
    # a typo of the whole name is refused whatever else the host sets
    assert len(role.near_misses(task_vars(partnercentre_users=mine, partnercenter_users=mine))) == 1
    assert len(role.near_misses(task_vars(partnercenter_user=mine, partnercenter_users=mine))) == 1


def test_a_purge_needs_users_of_the_hosts_own_whatever_the_common_list_holds():
    common = [user("breakglass@contoso.com")]
    for own in ([], [user("old@contoso.com", state="absent")]):
        refusal = role.purge_refusal(role.role_values({
            "partnercenter_users": own, "partnercenter_users_common": common, "partnercenter_users_purge": True}))
        assert refusal and "declare partnercenter_users for this host" in refusal, refusal
        for name in ("partnercenter_users_purge", "partnercenter_users_common", "partnercenter_users_purge to false"):
            assert name in refusal
    assert role.purge_refusal(role.role_values({"partnercenter_users_purge": True})) is not None
    assert role.purge_refusal(role.role_values({"partnercenter_users_common": common})) is None  # no purge
    assert role.purge_refusal(role.role_values({
        "partnercenter_users": [user("a@contoso.com")], "partnercenter_users_purge": True})) is None


def test_both_customer_selectors_go_to_the_module_which_checks_them_against_each_other():
    args = role.module_arguments(role.role_values({"partnercenter_customer_id": CID,
                                                   "partnercenter_customer_domain": "contoso.com"}))
    assert (args["customer_id"], args["customer_domain"]) == (CID, "contoso.com")


def test_a_message_of_the_module_names_the_customer_selectors_as_role_variables():
    said = role.in_role_terms("customer_domain: contoso.com is the primary domain of another customer than "
                              "customer_id %s; partnercenter_customer_id stays" % CID)
    assert said == ("partnercenter_customer_domain: contoso.com is the primary domain of another customer than "
                    "partnercenter_customer_id %s; partnercenter_customer_id stays" % CID)


def test_a_message_of_the_module_names_each_entry_by_the_list_it_came_from():
    values = {"partnercenter_users": [{"user_principal_name": "ada@contoso.com"},
                                      {"user_principal_name": "OPS@contoso.com"}],
              "partnercenter_users_common": [{"user_principal_name": "ops@contoso.com"},
                                             {"user_principal_name": "breakglass@contoso.com"}]}
    # merged: ada, OPS (the host's replaces the common ops), breakglass (common[1])
    said = role.in_role_terms("2 of 3 users failed: users[1] (OPS@contoso.com).usage_location: UK; "
                              "users[2] (breakglass@contoso.com).password: its value", values)
    assert said == ("2 of 3 users failed: partnercenter_users[1] (OPS@contoso.com).usage_location: UK; "
                    "partnercenter_users_common[1] (breakglass@contoso.com).password: its value")


def test_a_message_of_the_module_names_the_purge_options_as_role_variables():
    said = role.in_role_terms(
        "purge_limit: purge would soft-delete 15 users, more than purge_limit (10); nothing was changed. Check the "
        "declared users and purge_exclude, or raise purge_limit. First ones: a@b.c", {})
    assert said == (
        "partnercenter_users_purge_limit: purge would soft-delete 15 users, more than partnercenter_users_purge_limit "
        "(10); nothing was changed. Check the declared users and partnercenter_users_purge_exclude, or raise "
        "partnercenter_users_purge_limit. First ones: a@b.c")
    assert role.in_role_terms("purge: purge needs at least one user; parallelism: must be between 1 and 32") == (
        "partnercenter_users_purge: purge needs at least one user; partnercenter_users_parallelism: must be between "
        "1 and 32")


def test_a_upn_without_domain_names_the_empty_customer_domain_as_the_cause():
    common = [{"user_principal_name": "breakglass@"}]
    values = {"partnercenter_customer_id": CID, "partnercenter_customer_domain": "",
              "partnercenter_users": [{"user_principal_name": "ada@contoso.com"}], "partnercenter_users_common": common}
    said = role.empty_domain_refusal(values)
    assert said.startswith("partnercenter_users_common[0] (breakglass@).user_principal_name: ends with @ and no "
                           "domain, and partnercenter_customer_domain is empty on this host")
    assert role.empty_domain_refusal(dict(values, partnercenter_customer_domain="contoso.com")) is None
    assert role.empty_domain_refusal(dict(values, partnercenter_users_common=[])) is None
