# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""People from an HR export (CSV text, or the rows of a YAML file) as ``partnercenter_users`` entries.

The CSV is read by Python's ``csv`` module (quoting, embedded delimiters and line breaks, a UTF-8
byte order mark as Excel writes it); a column map names, for each key of the role, the column that
holds it. Every row is checked before anything is returned, so a bad row stops the play before
any request: the error names the line (CSV) or item (YAML), the column and the key it maps to.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import io

from ansible_collections.csp.partnercenter.plugins.module_utils._attributes import ATTRIBUTE_NAMES
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError
from ansible_collections.csp.partnercenter.plugins.module_utils._suggest import closest
from ansible_collections.csp.partnercenter.plugins.module_utils._validation import check_upn

BOOLEAN_WORDS = {"true": True, "yes": True, "y": True, "1": True, "false": False, "no": False, "n": False, "0": False}
CHOICES = {"state": ("present", "absent"), "update_password": ("on_create", "always")}
BOOLEANS = ("force_change_password",)
# Keys whose cell is a list (``list_separator`` between items); each becomes the key's ``set``.
LISTS = ("directory_roles", "licenses")
# No password: an HR export holds none, and a shared default is what the per-user password pattern replaces.
KEYS = ("user_principal_name",) + ATTRIBUTE_NAMES + BOOLEANS + tuple(CHOICES) + LISTS


class HRInputError(ValueError):
    """A column map or a row that cannot become a user; the message names where."""


def check_columns(columns):
    if not isinstance(columns, dict) or not columns:
        raise HRInputError("columns must map keys of partnercenter_users to column names, such as "
                           "{user_principal_name: Email, display_name: Full name}")
    for key, column in columns.items():
        if key not in KEYS:
            meant = closest(str(key), KEYS)
            raise HRInputError("columns: %r is not a key of partnercenter_users%s; the keys are %s" % (
                key, " (did you mean %s?)" % meant if meant else "", ", ".join(KEYS)))
        if not isinstance(column, str) or not column.strip():
            raise HRInputError("columns: %s must name a column (text), got %r" % (key, column))
    if "user_principal_name" not in columns:
        raise HRInputError("columns must name the column of user_principal_name (every row is one user)")


def csv_rows(text, columns, delimiter):
    """[(where, {column: cell})] of CSV ``text``, checked against the header."""
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise HRInputError("delimiter must be one character, got %r" % (delimiter,))
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter, strict=True)
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise HRInputError("the CSV is empty; its first line must name the columns")
    except csv.Error as exc:
        raise HRInputError("line 1 (the header): %s" % exc)
    for key, column in columns.items():
        if column not in header:
            meant = closest(column, header)
            raise HRInputError("column %r (mapped to %s) is not in the header%s; the columns are %s" % (
                column, key, " (did you mean %r?)" % meant if meant else "", ", ".join(header)))
    rows = []
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return rows
        except csv.Error as exc:
            raise HRInputError("line %d: %s" % (reader.line_num, exc))
        where = "line %d" % reader.line_num
        if not any(cell.strip() for cell in cells):
            continue  # a blank line
        if len(cells) > len(header):
            raise HRInputError("%s: %d fields, but the header names %d columns (a %r inside a value must be quoted)"
                               % (where, len(cells), len(header), delimiter))
        rows.append((where, dict(zip(header, cells))))


def yaml_rows(items):
    if not isinstance(items, list):
        raise HRInputError("give the CSV text or a list of rows (the YAML file's people), got %s"
                           % type(items).__name__)
    rows = []
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            raise HRInputError("item %d: a mapping of column names to values is expected, got %s"
                               % (position, type(item).__name__))
        rows.append(("item %d" % position, item))
    return rows


def cell_value(key, value, list_separator):
    """The value of ``key`` from one cell, or None for an empty cell; HRInputError text (without where) if wrong."""
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
    elif value is None:
        return None
    if key in BOOLEANS:
        if isinstance(value, bool):
            return value
        if str(value).lower() in BOOLEAN_WORDS:
            return BOOLEAN_WORDS[str(value).lower()]
        raise ValueError("%r is not a boolean (true or false, yes or no, 1 or 0)" % (value,))
    if key in LISTS:
        items = value if isinstance(value, list) else str(value).split(list_separator) \
            if isinstance(value, str) else None
        if items is None or not all(isinstance(i, str) for i in items):
            raise ValueError("%r is not a list of names (in a CSV cell, separated by %r)" % (value, list_separator))
        return {"set": [i.strip() for i in items if i.strip()]}
    if not isinstance(value, str):
        raise ValueError("%r is a %s where text is expected; quote it in YAML (NO, 0012 and true are not text "
                         "there)" % (value, type(value).__name__))
    if key in CHOICES and value not in CHOICES[key]:
        raise ValueError("%r is not one of %s" % (value, ", ".join(CHOICES[key])))
    return value


def hr_users(data, columns, defaults=None, delimiter=",", list_separator=";"):
    """The ``partnercenter_users`` entries of ``data`` (CSV text, or a list of rows from YAML), in order."""
    check_columns(columns)
    defaults = dict(defaults or {})
    unknown = [key for key in defaults if key not in KEYS]
    if unknown:
        raise HRInputError("defaults: %r is not a key of partnercenter_users; the keys are %s"
                           % (unknown[0], ", ".join(KEYS)))
    rows = csv_rows(data, columns, delimiter) if isinstance(data, str) else yaml_rows(data)
    users, seen = [], {}
    for where, row in rows:
        user = {}
        for key, column in sorted(columns.items(), key=lambda item: item[0] != "user_principal_name"):
            try:
                value = cell_value(key, row.get(column), list_separator)
                if key == "user_principal_name":
                    if value is None:
                        raise ValueError("empty; every row is one user and needs one")
                    check_upn(key, value)
            except (ValueError, InputError) as exc:
                reason = exc.reason if isinstance(exc, InputError) else str(exc)
                raise HRInputError("%s, column %r (%s): %s. Nothing was sent; correct the row and run again"
                                   % (where, column, key, reason))
            if value is not None:
                user[key] = value
        for key, value in defaults.items():
            user.setdefault(key, value)
        upn = user["user_principal_name"].lower()
        if upn in seen:
            raise HRInputError("%s, column %r (user_principal_name): %s is also on %s; every user once"
                               % (where, columns["user_principal_name"], user["user_principal_name"], seen[upn]))
        seen[upn] = where
        users.append(user)
    return users
