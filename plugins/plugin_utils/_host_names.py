# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""Inventory host names for the customers Partner Center lists: names that are only ever data.

Before ansible-core 2.19 a host name is a plain string wherever a play sees it
(``inventory_hostname``, ``ansible_play_batch``, the host lists), so a name holding ``{{ }}``
is templated on the controller; and ``localhost`` (or ``127.0.0.1``) is the controller
itself.  A customer's host is therefore named only by a DNS name that names it alone, else by
its tenant id (a GUID), and a customer whose id is no GUID is left out.  Every refusal is a
note naming the customer, with what Partner Center sent escaped (``shown``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from collections import Counter, namedtuple

from ansible_collections.csp.partnercenter.plugins.module_utils._validation import is_guid

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
# Lower-case DNS labels of 1 to 63 letters, digits and inner hyphens, at most 253 characters in all
# (no trailing dot: "localhost." is no name here).  A GUID is such a name.
HOST_NAME_RE = re.compile(r"(?=.{1,253}\Z)%s(?:\.%s)*\Z" % (_LABEL, _LABEL))
# Names of this machine (Ansible's C.LOCALHOST, /etc/hosts' usual ones, RFC 6761's .localhost) as
# first or last label, and the two groups every inventory has.
LOOPBACK_LABELS = frozenset(("localhost", "localhost4", "localhost6", "ip6-localhost", "ip6-loopback"))
GROUP_NAMES = frozenset(("all", "ungrouped"))
# A last label of digits (127.0.0.1, 2130706433) or 0x and hex digits (0x7f000001) reads as an address.
ADDRESS_LABEL_RE = re.compile(r"(?:[0-9]+|0x[0-9a-f]*)\Z")
SHOWN_MAX = 255  # a whole DNS name (253), and no more
SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _text(value):
    """``value`` in lower case when it is ASCII text (str.lower() maps some other letters, such as
    the Kelvin sign, to ASCII ones, which would make one name of two), '' when it is no text."""
    if not isinstance(value, str):
        return ""
    return value.lower() if value.isascii() else value


def _domain(customer):
    return _text(customer.get("domain"))


NAMERS = {
    "domain": _domain,
    "domain_prefix": lambda customer: _domain(customer).split(".", 1)[0],
    "customer_id": lambda customer: _text(customer.get("id")),
}


def host_name_problem(name):
    """Why the lower-case ``name`` may not be an inventory host name, or None when it may."""
    if not HOST_NAME_RE.match(name):
        return "not a DNS name (letters, digits and hyphens in dot-separated labels of at most 63 characters)"
    labels = name.split(".")
    if labels[0] in LOOPBACK_LABELS or labels[-1] in LOOPBACK_LABELS or ADDRESS_LABEL_RE.match(labels[-1]):
        return "a name of the controller (localhost) to Ansible"
    if name in GROUP_NAMES:
        return "the name of a group every inventory has"
    return None


def shown(value):
    """``value`` quoted for a message: backslashes, quotes and every non-printable character
    (control characters, line and paragraph separators, bidirectional overrides) escaped, and long
    text cut, so that no server text can forge or reorder a line of output."""
    if not isinstance(value, str):
        return "(none)" if value is None else "(a %s, not text)" % type(value).__name__
    cut = value[:SHOWN_MAX]
    escaped = []
    for char in cut:
        if char in '\\"':
            escaped.append("\\" + char)
        elif char in SHORT_ESCAPES:
            escaped.append(SHORT_ESCAPES[char])
        elif char.isprintable():
            escaped.append(char)
        elif ord(char) < 0x100:
            escaped.append("\\x%02x" % ord(char))
        elif ord(char) < 0x10000:
            escaped.append("\\u%04x" % ord(char))
        else:
            escaped.append("\\U%08x" % ord(char))
    more = "... (%d characters)" % len(value) if len(value) > SHOWN_MAX else ""
    return '"%s"%s' % ("".join(escaped), more)


def described(customer):
    """The customer as a message names it: its id, company name and domain, each escaped."""
    cid = customer.get("id")
    return "customer %s (company %s, domain %s)" % (
        cid if is_guid(cid) else shown(cid), shown(customer.get("company_name")), shown(customer.get("domain")))


# One customer's host: ``name`` (None: left out) and ``note`` (None, or why it is not named as configured).
Host = namedtuple("Host", "customer name note")


def _usable(customers):
    """(Hosts left out, the customers to name): a customer needs a GUID as its id; an id listed
    again with the same data counts once, an id listed with differing data is a listing nobody can
    trust for that customer, so none of its entries is used."""
    left_out, by_id = [], {}
    for customer in customers:
        if not is_guid(customer.get("id")):
            left_out.append(Host(customer, None, "%s is left out: its id is not a GUID" % described(customer)))
        else:
            entries = by_id.setdefault(customer["id"].lower(), [])
            if customer not in entries:
                entries.append(customer)
    usable = []
    for entries in by_id.values():
        if len(entries) == 1:
            usable.extend(entries)
        else:
            left_out.extend(Host(c, None, "%s is left out: Partner Center listed its id %d times with differing "
                                          "data" % (described(c), len(entries))) for c in entries)
    return left_out, usable


def _first_name(customer, hostnames, counts, ids):
    """(name, note): the first entry's name that is safe and names this customer alone, with a
    note when an unsafe name was passed over; (None, why) when no entry names it."""
    unsafe = other = None
    for entry in hostnames:
        name = NAMERS[entry](customer)
        if not name:
            continue
        problem = host_name_problem(name)
        subject = "its domain" if entry == "domain" else "its %s %s" % (entry.replace("_", " "), shown(name))
        if problem:
            unsafe = unsafe or "%s is %s" % (subject, problem)
        elif counts[entry][name] > 1:
            other = other or "%s is also the name of another customer" % subject
        elif name in ids and name != customer["id"].lower():
            other = other or "%s is the id of another customer" % subject
        else:
            return name, unsafe
    return None, unsafe or other or "no entry of hostnames (%s) gives it a name" % ", ".join(hostnames)


def choose_host_names(customers, hostnames, taken=()):
    """One ``Host`` per customer: the first ``hostnames`` entry (a key of ``NAMERS``) that gives a
    safe name naming this customer alone, else the customer's id (a GUID, in lower case).

    Uniqueness is judged over every customer of the partner, so a host keeps its name when filters
    change and whatever order Partner Center lists customers in.  Two entries never give one name
    to two customers: a name that is another customer's id is refused, and a domain equal to another
    customer's domain prefix is one label, so that customer's prefix is the same name (not unique).
    ``taken`` holds the names of the hosts and groups earlier inventory sources made: a customer
    never merges into one of those.
    Raises ``ValueError`` when ``hostnames`` is empty.
    """
    if not hostnames:
        raise ValueError("hostnames must name at least one of %s" % ", ".join(sorted(NAMERS)))
    hosts, customers = _usable(customers)
    taken = set(taken)
    ids = set(c["id"].lower() for c in customers)
    counts = dict((entry, Counter(NAMERS[entry](c) for c in customers)) for entry in hostnames)
    for customer in customers:
        name, note = _first_name(customer, hostnames, counts, ids)
        if name in taken:
            name, note = None, "%s is already a host or group of the inventory (an earlier source)" % shown(name)
        if name is None:
            name = customer["id"].lower()
            if name in taken:
                hosts.append(Host(customer, None, "%s is left out: %s, and its id is already a host or group of "
                                                  "the inventory" % (described(customer), note)))
                continue
        hosts.append(Host(customer, name, note and "%s is the host %s: %s" % (described(customer), name, note)))
    return hosts
