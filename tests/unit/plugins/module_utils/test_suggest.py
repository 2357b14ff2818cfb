# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which unsupported keys hold a secret: near misses of a no_log option, and names that say so (issue 25, item 10)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.csp.partnercenter.plugins.module_utils._connection_options import connection_argument_spec
from ansible_collections.csp.partnercenter.plugins.module_utils._suggest import misspelt_secret_values
from ansible_collections.csp.partnercenter.plugins.module_utils._user_task import user_argument_spec

SPEC = dict(connection_argument_spec(), **user_argument_spec())
VALUE = "Typo-Qx7Zw2Vb-9911!"

# an unsupported key of the user module (top level, or of an item of users) -> whether its value is masked
TOP_LEVEL = {
    "pasword": True, "passwrd": True, "Password": True, "PASSWORD": True, "pass_word": True, "passwd": True,
    "pwd": True, "pass": True, "initial_password": True, "client_secert": True, "clientsecret": True,
    "Client-Secret": True, "secret": True, "refresh_tokne": True, "refreshtoken": True, "acces_token": True,
    "token": True, "bearer_token": True,
    # near misses of options that hold no secret, and names that say nothing of one
    "colour": False, "usage_locaton": False, "display_nmae": False, "token_cache_dri": False, "purge_limt": False,
    "customer_idd": False, "refresh_token_fiel": False,
}
ITEM = {"pasword": True, "Password": True, "pwd": True, "client_secret": True, "passwort": True,
        "usage_locaton": False, "colour": False, "upnn": False}


@pytest.mark.parametrize("key", sorted(TOP_LEVEL))
def test_an_unsupported_top_level_key_is_a_secret_when_its_name_says_so(key):
    assert (misspelt_secret_values(SPEC, {key: VALUE, "customer_id": "x"}) == [VALUE]) is TOP_LEVEL[key]


@pytest.mark.parametrize("key", sorted(ITEM))
def test_an_unsupported_key_of_a_users_item_is_a_secret_when_its_name_says_so(key):
    users = [{"upn": "a@contoso.com"}, {"upn": "b@contoso.com", key: VALUE}]
    assert (misspelt_secret_values(SPEC, {"users": users}) == [VALUE]) is ITEM[key]


def test_every_value_inside_a_misspelt_secret_is_masked_and_items_given_as_text_are_read():
    assert sorted(misspelt_secret_values(SPEC, {"pasword": {"a": "one", "b": ["two", 3, True, None]}})) == [
        "3", "one", "two"]
    assert misspelt_secret_values(SPEC, {"users": ["upn=a@contoso.com pasword=%s" % VALUE.replace("!", "")]}) == [
        VALUE.replace("!", "")]
    assert misspelt_secret_values(SPEC, {"users": ["not key=value text of any kind='"]}) == []
    assert misspelt_secret_values(SPEC, {"password": VALUE, "users": "text"}) == []  # known keys are Ansible's
