# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""What Entra ID refuses, known before any request: country codes and the password policy.

Check mode relies on these to predict the failures of a real run.  The length limit of each user
attribute is on its row in ``_attributes``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import secrets
import string

# ISO 3166-1 alpha-2, the codes Entra ID takes as usageLocation.
COUNTRIES = frozenset((
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ", "BA", "BB", "BD",
    "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV", "BW", "BY", "BZ", "CA",
    "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE",
    "DJ", "DK", "DM", "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA",
    "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK",
    "HM", "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP",
    "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT",
    "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS",
    "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ",
    "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS",
    "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST",
    "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW",
    "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI", "VN", "VU", "WF", "WS", "YE", "YT", "ZA",
    "ZM", "ZW",
))

# The usual mistakes, and what was meant.
COUNTRY_HINTS = {"UK": "GB", "EN": "GB", "EL": "GR", "SP": "ES", "JA": "JP", "KO": "KR", "SW": "SE", "SU": "RU",
                 "YU": "RS", "ZR": "CD", "TP": "TL", "AN": "CW", "DA": "DK", "DU": "NL", "PO": "PL", "EU": None}

PASSWORD_MIN, PASSWORD_MAX = 8, 256
# Entra ID: 3 of these 4 classes; symbols are the printable ASCII characters that are neither letters nor digits.
PASSWORD_CLASSES = 3


def country_problem(code):
    """None if ``code`` (upper case) is a country code, else what to say."""
    if code in COUNTRIES:
        return None
    hint = COUNTRY_HINTS.get(code)
    if hint and hint != code:
        return "%s is not an ISO 3166-1 country code; did you mean %s?" % (code, hint)
    return "%s is not an ISO 3166-1 alpha-2 country code (for example US, GB, DE)" % code


def password_problem(password):
    """None if Entra ID's password policy takes ``password``, else the rule it breaks (never the password).

    No word of the rule is one a weak password may be ("password", "policy"): ansible-core masks every occurrence
    of a no_log value in a message, and the rule must read after that.
    """
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        return "must be %d to %d characters long (Entra ID's sign-in rules)" % (PASSWORD_MIN, PASSWORD_MAX)
    if any(ord(c) < 32 or ord(c) > 126 for c in password):
        return "may hold only printable ASCII characters and spaces (Entra ID's sign-in rules)"
    classes = [any(c.islower() for c in password), any(c.isupper() for c in password),
               any(c.isdigit() for c in password), any(not c.isalnum() for c in password)]
    if sum(classes) < PASSWORD_CLASSES:
        return ("must hold at least three of: lower-case letters, upper-case letters, digits, symbols "
                "(Entra ID's sign-in rules)")
    return None


# An offboarded user's password: random, never output, and taken by Entra ID's policy (all four classes).
RANDOM_PASSWORD_LENGTH = 32
RANDOM_PASSWORD_SYMBOLS = "!#$%&*+-.:=?@^_~"


def random_password(length=RANDOM_PASSWORD_LENGTH):
    """A random password from the system's secure source that ``password_problem`` accepts."""
    alphabet = string.ascii_letters + string.digits + RANDOM_PASSWORD_SYMBOLS
    while True:
        password = "".join(secrets.choice(alphabet) for dummy in range(length))
        if password_problem(password) is None and all(
                any(c in group for c in password) for group in (
                    string.ascii_lowercase, string.ascii_uppercase, string.digits, RANDOM_PASSWORD_SYMBOLS)):
            return password
