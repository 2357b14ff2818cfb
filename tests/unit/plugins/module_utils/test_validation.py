# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError
from ansible_collections.csp.partnercenter.plugins.module_utils._validation import (
    check_endpoint, check_guid, check_upn, check_usage_location,
)


@pytest.mark.parametrize("value", ["", " ", "../", "%2F", "abc", "0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b1",
                                   "0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11/../x", None])
def test_bad_guids_are_refused(value):
    with pytest.raises(InputError) as err:
        check_guid("customer_id", value)
    assert err.value.option == "customer_id"


def test_guid_is_normalised_to_lower_case():
    assert check_guid("customer_id", "0F9C1C1E-6A0B-4C7F-9A53-2F7D3A9E1B11") == "0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11"


@pytest.mark.parametrize("value", ["jane", "jane@", "@contoso.com", "ja ne@contoso.com", "jane@@contoso.com",
                                   "a@b@contoso.com", "jöhn@contoso.com", "jane@contoso", "." + "a" * 10 + "@c.com",
                                   "a" * 65 + "@contoso.com", "a" * 60 + "@" + "b" * 50 + ".com", " jane@contoso.com"])
def test_bad_upns_are_refused(value):
    with pytest.raises(InputError) as err:
        check_upn("user_principal_name", value)
    assert err.value.option == "user_principal_name"


@pytest.mark.parametrize("value", ["jane@contoso.onmicrosoft.com", "J.Doe_1@Contoso.COM", "o'brien@contoso.ie"])
def test_good_upns_pass(value):
    assert check_upn("user_principal_name", value) == value


@pytest.mark.parametrize("value", ["U", "USA", "1A", "", "u s"])
def test_bad_usage_locations(value):
    with pytest.raises(InputError):
        check_usage_location("usage_location", value)


def test_usage_location_upper_cased():
    assert check_usage_location("usage_location", "de") == "DE"


@pytest.mark.parametrize("value", ["http://api.example.com", "ftp://x", "https://user:pw@api.example.com",
                                   "https://api.example.com/?x=1", "api.example.com", ""])
def test_bad_endpoints(value):
    with pytest.raises(InputError) as err:
        check_endpoint("api_url", value)
    assert "pw" not in str(err.value)


@pytest.mark.parametrize("value", ["https://api.partnercenter.microsoft.com/", "http://127.0.0.1:8443",
                                   "http://localhost:1", "https://[::1]:8443"])
def test_good_endpoints(value):
    assert not check_endpoint("api_url", value).endswith("/")
