# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""partnercenter_application_consent's scopes: Microsoft Graph permission names, one per item, checked before sending."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.csp.partnercenter.plugins.module_utils._consent import DEFAULT_SCOPES, checked_scopes
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError


def test_scopes_are_kept_in_order_without_duplicates_of_any_case():
    assert checked_scopes(["User.ReadWrite.All", " Directory.Read.All ", "user.readwrite.all"]) == [
        "User.ReadWrite.All", "Directory.Read.All"]
    assert checked_scopes(list(DEFAULT_SCOPES)) == list(DEFAULT_SCOPES)


@pytest.mark.parametrize("scopes, option", [
    ([], "scopes"),
    (["User.ReadWrite.All,GroupMember.ReadWrite.All"], "scopes[0]"),  # one per item, not Partner Center's comma list
    (["User.ReadWrite.All", "User ReadWrite"], "scopes[1]"),
    (["openid"], "scopes[0]"),
    ([5], "scopes[0]"),
])
def test_a_scope_that_is_no_permission_name_is_refused(scopes, option):
    with pytest.raises(InputError) as caught:
        checked_scopes(scopes)
    assert caught.value.option == option
