# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.csp.partnercenter.plugins.filter.variable_near_misses import variable_near_misses
from ansible_collections.csp.partnercenter.plugins.module_utils._suggest import edit_distance

KNOWN = ["partnercenter_users", "partnercenter_users_purge", "partnercenter_customer_id"]


def test_a_near_miss_names_the_variable_meant():
    assert variable_near_misses(["partnercenter_user"], KNOWN) == [
        "partnercenter_user is not a variable of this role; did you mean partnercenter_users? (a letter or two apart)"]
    assert variable_near_misses(["partnercenter_users_prgue"], KNOWN)[0].endswith(
        "did you mean partnercenter_users_purge? (a letter or two apart)")


def test_known_names_and_unrelated_ones_pass():
    assert variable_near_misses(KNOWN + ["partnercenter_tenant_id", "partnercenter_company_name"], KNOWN) == []


def test_edit_distance_counts_a_swap_as_one():
    assert (edit_distance("abcd", "abdc"), edit_distance("kitten", "sitting"), edit_distance("", "ab")) == (1, 3, 2)


def test_a_batch_of_hosts_is_checked_at_once_each_message_naming_its_host():
    batch = {"contoso": ["partnercenter_user", "ansible_host", "partnercenter_customer_id"],
             "fabrikam": ["partnercenter_users"], "tailspin": ["partnercenter_users_prgue", "partnercenter_usrs_x"]}
    assert [m.split(" (")[0] for m in variable_near_misses(batch, KNOWN, prefix="partnercenter_")] == [
        "contoso: partnercenter_user is not a variable of this role; did you mean partnercenter_users?",
        "tailspin: partnercenter_users_prgue is not a variable of this role; did you mean partnercenter_users_purge?"]


def test_other_spellings_of_the_prefix_are_refused_unless_the_host_sets_the_variable_meant():
    assert variable_near_misses(["pc_users", "csp_customer_id", "pc_name", "users"], KNOWN) == [
        "csp_customer_id is not a variable of this role; did you mean partnercenter_customer_id? (another spelling of "
        "the partnercenter_ prefix)",
        "pc_users is not a variable of this role; did you mean partnercenter_users? (another spelling of the "
        "partnercenter_ prefix)"]
    assert variable_near_misses({"contoso": {"pc_users": [], "partnercenter_users": []}}, KNOWN) == []
    # names outside the prefix are checked too: the British spelling is a typo whatever is set
    assert len(variable_near_misses(["partnercentre_users", "partnercenter_users"], KNOWN, prefix="other_")) == 1
    # spellings of another prefix, given
    assert variable_near_misses(["xyz_users"], ["acme_users"], prefix="acme_", spellings=["X-Y-Z"]) == [
        "xyz_users is not a variable of this role; did you mean acme_users? (another spelling of the acme_ prefix)"]
    assert variable_near_misses(["pc_users"], ["acme_users"], prefix="acme_") == []
