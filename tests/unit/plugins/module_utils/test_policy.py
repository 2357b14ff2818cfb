# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""What Entra ID refuses before any request: a country code that is none, a password its policy rejects."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.csp.partnercenter.plugins.module_utils._declared import declared_from_params
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError
from ansible_collections.csp.partnercenter.plugins.module_utils._policy import country_problem, password_problem


@pytest.mark.parametrize("code, problem", [
    ("US", None),
    ("GB", None),
    ("DE", None),
    ("UK", "UK is not an ISO 3166-1 country code; did you mean GB?"),
    ("SP", "SP is not an ISO 3166-1 country code; did you mean ES?"),
    ("EU", "EU is not an ISO 3166-1 alpha-2 country code (for example US, GB, DE)"),  # a hint of None: no guess
    ("XX", "XX is not an ISO 3166-1 alpha-2 country code (for example US, GB, DE)"),
    ("USA", "USA is not an ISO 3166-1 alpha-2 country code (for example US, GB, DE)"),
    ("us", "us is not an ISO 3166-1 alpha-2 country code (for example US, GB, DE)"),  # callers upper-case first
    ("", " is not an ISO 3166-1 alpha-2 country code (for example US, GB, DE)"),
])
def test_country_problem(code, problem):
    assert country_problem(code) == problem


LENGTH = "must be 8 to 256 characters long (Entra ID's sign-in rules)"
PRINTABLE = "may hold only printable ASCII characters and spaces (Entra ID's sign-in rules)"
CLASSES = ("must hold at least three of: lower-case letters, upper-case letters, digits, symbols "
           "(Entra ID's sign-in rules)")


@pytest.mark.parametrize("password, problem", [
    ("Passw0rd", None),  # 8 characters, three classes
    ("passw0rd!", None),  # lower, digit, symbol
    ("PASSWORD 1", None),  # a space is a symbol
    ("Aa1" + "x" * 253, None),  # 256 characters
    ("Pa0rd!", LENGTH),
    ("", LENGTH),
    ("Aa1" + "x" * 254, LENGTH),  # 257 characters
    ("Passw\u00f6rd1", PRINTABLE),
    ("Passw0rd\n", PRINTABLE),
    ("Passw0rd\x7f", PRINTABLE),
    ("password", CLASSES),
    ("password1", CLASSES),  # two classes
    ("PASSWORD!", CLASSES),
    ("12345678!", CLASSES),
])
def test_password_problem(password, problem):
    assert password_problem(password) == problem


def test_a_password_problem_never_holds_the_password():
    for password in ("Sh0rt!", "Tr\u00e4iler-Pw1", "onlylowercase"):
        assert password not in password_problem(password)


@pytest.mark.parametrize("password", ["password", "passwords", "policies", "PASSWORD", "lowercase"])
def test_a_weak_password_message_reads_once_ansible_masks_the_password(password):
    """ansible-core masks every occurrence of a no_log value: a password that is a word of the message or of the
    option's name must leave the rule readable (the option's name is masked, "its value" still says which)."""
    from ansible.module_utils.common.parameters import remove_values  # pylint: disable=import-outside-toplevel

    with pytest.raises(InputError) as caught:
        declared_from_params(dict(user_principal_name="frank@contoso.com", password=password))
    masked = remove_values(str(caught.value), set([password]))
    assert masked.endswith(": its value (not shown) must hold at least three of: lower-case letters, upper-case "
                           "letters, digits, symbols (Entra ID's sign-in rules)"), masked
