# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""hr_users: an HR export (CSV or YAML rows) as partnercenter_users entries (issue 29, item 5)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.csp.partnercenter.plugins.filter.hr_users import hr_users

COLUMNS = {"user_principal_name": "Email", "display_name": "Name", "usage_location": "Country",
           "force_change_password": "Must change", "licenses": "Licenses", "state": "Status"}
HEADER = "Email,Name,Country,Must change,Licenses,Status,Department\n"


def refused(data, columns=None, **options):
    columns = COLUMNS if columns is None else columns
    with pytest.raises(AnsibleFilterError) as error:
        hr_users(data, columns, **options)
    return str(error.value)


def test_csv_rows_become_entries_with_the_mapped_keys_only():
    text = ("\ufeff" + HEADER + 'ada@x.com,"Lovelace, Ada",GB,yes,SPE_E3; VISIOCLIENT,present,R&D\r\n'
            '\n'
            ' bob@x.com ,"Bob ""B"" Smith",,0,,,"two\nlines"\n')
    assert hr_users(text, COLUMNS, defaults={"usage_location": "US"}) == [
        {"user_principal_name": "ada@x.com", "display_name": "Lovelace, Ada", "usage_location": "GB",
         "force_change_password": True, "licenses": {"set": ["SPE_E3", "VISIOCLIENT"]}, "state": "present"},
        {"user_principal_name": "bob@x.com", "display_name": 'Bob "B" Smith', "usage_location": "US",
         "force_change_password": False}]


def test_yaml_rows_and_other_delimiters():
    rows = [{"Email": "ada@x.com", "Name": "Ada", "Licenses": ["SPE_E3"], "Must change": True}]
    assert hr_users(rows, COLUMNS) == [{"user_principal_name": "ada@x.com", "display_name": "Ada",
                                        "licenses": {"set": ["SPE_E3"]}, "force_change_password": True}]
    assert hr_users("Email;Name\nada@x.com;Ada, L.\n", {"user_principal_name": "Email", "display_name": "Name"},
                    delimiter=";") == [{"user_principal_name": "ada@x.com", "display_name": "Ada, L."}]


@pytest.mark.parametrize("text, message", [
    (HEADER + ",Nobody,US,,,,\n", "line 2, column 'Email' (user_principal_name): empty"),
    (HEADER + "ada@x.com,Ada\nnot-an-upn,B\n", "line 3, column 'Email' (user_principal_name): 'not-an-upn' must "
                                               "contain exactly one '@'"),
    (HEADER + "ada@x.com,Ada,US,maybe\n", "line 2, column 'Must change' (force_change_password): 'maybe' is not a "
                                          "boolean"),
    (HEADER + "ada@x.com,Ada,US,,,gone\n", "line 2, column 'Status' (state): 'gone' is not one of present, absent"),
    (HEADER + "ada@x.com,Ada\nADA@x.com,Ada again\n", "line 3, column 'Email' (user_principal_name): ADA@x.com is "
                                                      "also on line 2"),
    (HEADER + "ada@x.com,Ada,US,,,,Sales,EMEA\n", "line 2: 8 fields, but the header names 7 columns"),
    ("Mail,Name,Country,Must change,Licenses,Status\n", "column 'Email' (mapped to user_principal_name) is not in "
                                                        "the header (did you mean 'Mail'?); the columns are Mail, Name"),
    ("", "the CSV is empty"),
])
def test_a_bad_csv_names_the_line_the_column_and_the_key(text, message):
    assert message in refused(text)


@pytest.mark.parametrize("rows, message", [
    ([{"Email": "nora@x.com", "Country": False}], "item 0, column 'Country' (usage_location): False is a bool where "
                                                  "text is expected; quote it"),
    ([{"Email": "a@x.com"}, "b@x.com"], "item 1: a mapping of column names to values is expected, got str"),
    ([{"Email": "a@x.com", "Licenses": "SPE_E3"}, {"Email": "b@x.com", "Licenses": {"sku": "E3"}}],
     "item 1, column 'Licenses' (licenses): {'sku': 'E3'} is not a list of names"),
    ({"Email": "a@x.com"}, "give the CSV text or a list of rows"),
])
def test_a_bad_yaml_row_names_the_item_and_the_column(rows, message):
    assert message in refused(rows)


@pytest.mark.parametrize("columns, options, message", [
    ({"upn": "Email"}, {}, "'upn' is not a key of partnercenter_users"),
    ({"user_principal_name": "Email", "dispaly_name": "Name"}, {}, "did you mean display_name?"),
    ({"display_name": "Name"}, {}, "columns must name the column of user_principal_name"),
    ({"user_principal_name": "Email", "password": "Password"}, {}, "'password' is not a key"),
    ({"user_principal_name": ["Email"]}, {}, "user_principal_name must name a column"),
    (COLUMNS, {"defaults": {"pasword": "x"}}, "defaults: 'pasword' is not a key"),
    (COLUMNS, {"delimiter": ";;"}, "delimiter must be one character"),
])
def test_a_bad_column_map_is_refused_before_any_row(columns, options, message):
    assert message in refused(HEADER, columns, **options)
