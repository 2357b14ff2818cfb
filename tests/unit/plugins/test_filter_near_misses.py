# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.csp.partnercenter.plugins.filter.variable_near_misses import variable_near_misses
from ansible_collections.csp.partnercenter.plugins.module_utils._suggest import edit_distance

KNOWN = ["partnercenter_users", "partnercenter_users_purge", "partnercenter_customer_id"]


def test_a_near_miss_names_the_variable_meant():
    assert variable_near_misses(["partnercenter_user"], KNOWN) == [
        "partnercenter_user is not a variable of this role; did you mean partnercenter_users?"]
    assert variable_near_misses(["partnercenter_users_prgue"], KNOWN)[0].endswith("partnercenter_users_purge?")


def test_known_names_and_unrelated_ones_pass():
    assert variable_near_misses(KNOWN + ["partnercenter_tenant_id", "partnercenter_company_name"], KNOWN) == []


def test_edit_distance_counts_a_swap_as_one():
    assert (edit_distance("abcd", "abdc"), edit_distance("kitten", "sitting"), edit_distance("", "ab")) == (1, 3, 2)


def test_a_batch_of_hosts_is_checked_at_once_each_message_naming_its_host():
    batch = {"contoso": ["partnercenter_user", "ansible_host", "partnercenter_customer_id"],
             "fabrikam": ["partnercenter_users"], "tailspin": ["partnercenter_users_prgue", "partnercenter_usrs_x"]}
    assert variable_near_misses(batch, KNOWN, prefix="partnercenter_") == [
        "contoso: partnercenter_user is not a variable of this role; did you mean partnercenter_users?",
        "tailspin: partnercenter_users_prgue is not a variable of this role; did you mean partnercenter_users_purge?"]


def test_the_prefix_leaves_other_names_alone():
    assert variable_near_misses(["partnercenter_user"], KNOWN, prefix="other_") == []
