# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: hr_users
short_description: People from an HR export (CSV or YAML) as entries of the customer_users role's partnercenter_users
version_added: 0.3.0
description:
  - Reads an HR export, one user per row, and returns entries of C(partnercenter_users) of the role
    P(csp.partnercenter.customer_users#role), in the order of the rows.
  - Given text (for example C(lookup('ansible.builtin.file', 'hr/contoso.csv'))), reads it as CSV with Python's
    C(csv) module; the first line names the columns. Quoted values may hold the delimiter, quotes and line breaks; a
    UTF-8 byte order mark (as Excel writes it) is ignored; blank lines are skipped. Given a list (the rows of a YAML
    file, C(lookup('ansible.builtin.file', 'hr/contoso.yml') | from_yaml)), reads each item as a row.
  - O(columns) maps each key of C(partnercenter_users) to the column that holds it; other columns are ignored. An
    empty cell leaves the key out (then O(defaults) gives it, or the role's default applies). Values are stripped of
    surrounding spaces.
  - Keys C(directory_roles) and C(licenses) take a list (in a CSV cell, names separated by O(list_separator)) and
    become that key's C(set), so the export is the truth for them; C(force_change_password) takes true or false
    (also yes or no, 1 or 0); C(state) and C(update_password) one of their choices; the other keys text.
  - Every row is checked before anything is returned, so a bad export fails the host before any request to Partner
    Center. The error names the line (CSV, counting the header as line 1) or the item (YAML, from 0), the column and
    the key, for a column missing from the header, a missing or malformed user principal name, a UPN given twice, a
    value of the wrong type (in YAML an unquoted C(NO), number or C(true) where text is expected) or choice, or a row
    with more fields than the header.
  - There is no password key; give each user an initial password of its own with the C(ansible.builtin.password)
    lookup (see the collection's guide to HR input and initial passwords).
author:
  - csp.partnercenter contributors (@csp-partnercenter)
options:
  _input:
    description: The CSV text, or a list of rows (mappings of column names to values).
    type: raw
    required: true
  columns:
    description:
      - For each key of C(partnercenter_users), the name of the column (or YAML key) that holds it; it must name the
        column of C(user_principal_name).
      - 'Keys: C(user_principal_name), C(first_name), C(last_name), C(display_name), C(usage_location),
        C(immutable_id), C(force_change_password), C(state), C(update_password), C(directory_roles), C(licenses).'
    type: dict
    required: true
  defaults:
    description: Keys every user gets unless its row gives them, such as C(usage_location) or C(force_change_password).
    type: dict
    default: {}
  delimiter:
    description: The CSV delimiter, one character.
    type: str
    default: ","
  list_separator:
    description: What separates the names in a CSV cell of C(directory_roles) or C(licenses).
    type: str
    default: ";"
"""

EXAMPLES = r"""
# inventory/host_vars/contoso.onmicrosoft.com.yml: the users are the rows of the HR export
hr_columns:
  user_principal_name: Email
  first_name: First name
  last_name: Last name
  display_name: Full name
  usage_location: Country
  licenses: Licenses
partnercenter_users: >-
  {{ lookup('ansible.builtin.file', inventory_dir ~ '/hr/contoso.csv')
     | csp.partnercenter.hr_users(columns=hr_columns, defaults={'usage_location': 'US'}) }}

# The same from YAML (a list of mappings with the same column names)
partnercenter_users_from_yaml: >-
  {{ lookup('ansible.builtin.file', inventory_dir ~ '/hr/contoso.yml') | from_yaml
     | csp.partnercenter.hr_users(columns=hr_columns) }}
"""

RETURN = r"""
_value:
  description: One entry of C(partnercenter_users) per row.
  type: list
  elements: dict
  sample:
    - user_principal_name: ada@contoso.com
      first_name: Ada
      last_name: Lovelace
      display_name: Ada Lovelace
      usage_location: GB
      licenses:
        set: [SPE_E3]
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.csp.partnercenter.plugins.plugin_utils._hr_input import HRInputError
from ansible_collections.csp.partnercenter.plugins.plugin_utils._hr_input import hr_users as _hr_users


def hr_users(data, columns=None, defaults=None, delimiter=",", list_separator=";"):
    try:
        return _hr_users(data, columns, defaults, delimiter, list_separator)
    except HRInputError as exc:
        raise AnsibleFilterError("csp.partnercenter.hr_users: %s" % exc)


class FilterModule(object):

    def filters(self):
        return {"hr_users": hr_users}
