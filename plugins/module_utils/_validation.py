# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""Input checks that mirror what Partner Center and Entra ID would refuse.

They run before any request, so a bad task fails fast with nothing half-done.
Every check raises ``InputError`` naming the option.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re
from urllib.parse import urlsplit

from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError
from ansible_collections.csp.partnercenter.plugins.module_utils._policy import country_problem, password_problem
from ansible_collections.csp.partnercenter.plugins.module_utils._routes import GUID_RE

# Every pattern ends in \Z, never $: "$" also matches before a trailing newline, which would let
# "<guid>\n" through to a path.

# Entra ID: the part before "@" may hold letters, digits and ' . - _ ! # ^ ~ ; the
# domain is a DNS name.  Limits: 64 characters before "@", 113 in all.
UPN_LOCAL_RE = re.compile(r"[A-Za-z0-9'._!#^~-]+\Z")
DOMAIN_RE = re.compile(r"(?=.{1,255}\Z)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}\Z")
UPN_LOCAL_MAX = 64
UPN_MAX = 113
USAGE_LOCATION_RE = re.compile(r"[A-Za-z]{2}\Z")


def is_guid(value):
    return isinstance(value, str) and bool(GUID_RE.match(value))


def check_guid(option, value):
    if not is_guid(value):
        raise InputError(option, "must be a GUID such as 8b6b1d2c-3f0e-4a59-9c4a-0f2d5e6a7b8c, got %r" % (value,))
    return value.lower()


def check_domain(option, value):
    if not isinstance(value, str) or not DOMAIN_RE.match(value):
        raise InputError(option, "%r is not a domain name" % (value,))
    return value


def check_secret_text(option, value):
    """A token or secret as it will be sent: no whitespace or control characters anywhere.

    A value pasted with a trailing newline would otherwise be sent, refused, and retried
    for the whole retry budget.  The value itself is never shown.
    """
    if value is None or value == "":
        return value  # not given (an empty environment variable counts as unset)
    if not isinstance(value, str):
        raise InputError(option, "must be a string")
    if value != value.strip():
        raise InputError(option, "has leading or trailing whitespace (often a newline pasted with it); remove it")
    if any(ord(c) < 33 or ord(c) == 127 for c in value):
        raise InputError(option, "holds whitespace or control characters; a token or secret has none")
    return value


def check_upn(option, value):
    """Return the UPN unchanged if Entra ID would accept it, else raise."""
    if not isinstance(value, str) or not value:
        raise InputError(option, "must be a non-empty user principal name such as jane@contoso.onmicrosoft.com")
    if value != value.strip() or any(c.isspace() for c in value):
        raise InputError(option, "%r must not contain spaces" % (value,))
    if value.count("@") != 1:
        raise InputError(option, "%r must contain exactly one '@' (name@domain)" % (value,))
    local, domain = value.split("@")
    if not local or not domain:
        raise InputError(option, "%r needs a name before and a domain after the '@'" % (value,))
    if not UPN_LOCAL_RE.match(local):
        raise InputError(option, "%r: the part before '@' may only hold letters A-Z, digits and ' . - _ ! # ^ ~" % (value,))
    if local.startswith(".") or local.endswith(".") or ".." in local:
        raise InputError(option, "%r: the part before '@' must not start or end with a dot or hold '..'" % (value,))
    if not DOMAIN_RE.match(domain):
        raise InputError(option, "%r: %r is not a valid domain name" % (value, domain))
    if len(local) > UPN_LOCAL_MAX:
        raise InputError(option, "%r: the part before '@' is longer than %d characters" % (value, UPN_LOCAL_MAX))
    if len(value) > UPN_MAX:
        raise InputError(option, "%r is longer than %d characters" % (value, UPN_MAX))
    return value


def check_usage_location(option, value):
    if not isinstance(value, str) or not USAGE_LOCATION_RE.match(value):
        raise InputError(option, "must be a two-letter ISO 3166-1 country code such as US or DE, got %r" % (value,))
    problem = country_problem(value.upper())
    if problem:
        raise InputError(option, problem)
    return value.upper()


def check_password(option, value):
    """Entra ID's password policy, checked before any request; the message never holds the password."""
    if value is None:
        return value
    if not value:
        raise InputError(option, "must not be empty")
    problem = password_problem(value)
    if problem:
        # "its value" says which option when ansible-core masks the option's name (a password "password")
        raise InputError(option, "its value (not shown) " + problem)
    return value


def check_length(option, value, limit):
    if value is not None and len(value) > limit:
        raise InputError(option, "is %d characters long; Entra ID allows at most %d" % (len(value), limit))
    return value


def check_not_blank(option, value):
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise InputError(option, "must not be empty")
    return value


def check_string(option, value, secret=False):
    """Refuse a non-string where a string is declared, rather than write "['A', 'B']" to a user."""
    if value is not None and not isinstance(value, str):
        raise InputError(option, "must be a string, got %s%s; quote it in YAML if it is meant as text"
                         % (_a_type(value), "" if secret else " " + _short_repr(value)))
    return value


def _a_type(value):
    names = {bool: "a boolean", int: "a number", float: "a number", list: "a list", dict: "a dictionary"}
    return names.get(type(value), "a %s" % type(value).__name__)


def _short_repr(value):
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def is_loopback_host(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_endpoint(option, value):
    """An authority or API URL: https (http only for loopback), no credentials, no query.

    Returns the URL without a trailing slash.
    """
    if not isinstance(value, str) or not value:
        raise InputError(option, "must be a URL such as https://api.partnercenter.microsoft.com")
    try:
        parts = urlsplit(value)
        port = parts.port  # raises ValueError for a bad port
    except ValueError as exc:
        raise InputError(option, "is not a valid URL (%s)" % exc)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InputError(option, "must be an https:// URL, got %r" % (value,))
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        # Never echo the URL: it carries credentials.
        raise InputError(option, "must not carry credentials (user:password@); pass them as options instead")
    if parts.query or parts.fragment:
        raise InputError(option, "must not have a query string or fragment")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise InputError(option, "must use https:// (plain http is accepted only for loopback test servers)")
    del port
    return value.rstrip("/")
