# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Inventory host names from a Partner Center listing: only safe names, each naming one customer."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.csp.partnercenter.plugins.plugin_utils import _host_names as names

A = "0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11"
B = "5d2f8a47-3b1e-4c9a-8f60-7e1d2c3b4a51"
C = "8b6b1d2c-3f0e-4a59-9c4a-0f2d5e6a7b8c"
PAYLOAD = "{{ lookup('pipe', 'touch /tmp/pwned') }}"


def customer(domain, cid, name="Company"):
    return {"id": cid, "domain": domain, "company_name": name, "tenant_id": cid, "relationship_to_partner": "reseller"}


def named(customers, hostnames=("domain",), taken=()):
    """{customer id: host name} (None: left out), and the notes."""
    hosts = names.choose_host_names(customers, list(hostnames), taken)
    return dict((h.customer["id"], h.name) for h in hosts), [h.note for h in hosts if h.note]


@pytest.mark.parametrize("name", [
    "contoso.onmicrosoft.com", "contoso", "a", "a-b.c-d.example", "xn--bcher-kva.example", "123abc.example",
    "contoso.example.123abc", A, "x" * 63 + ".example", ".".join(["a" * 63] * 3 + ["b" * 61]),
    "localhostess.example", "my-localhost.example", "allied.example",
])
def test_names_that_may_be_hosts(name):
    assert names.host_name_problem(name) is None


@pytest.mark.parametrize("name, problem", [
    ("", "not a DNS name"),
    (PAYLOAD + ".example", "not a DNS name"),
    ("{{7*7}}", "not a DNS name"),
    ("{% raw %}x", "not a DNS name"),
    ("contoso.onmicrosoft.com\n", "not a DNS name"),
    ("contoso\x1b[2j.example", "not a DNS name"),
    ("contoso com", "not a DNS name"),
    ("Contoso.com", "not a DNS name"),  # names are lower-cased before the check
    ("bücher.example", "not a DNS name"),
    ("conto_so.example", "not a DNS name"),
    ("-contoso.example", "not a DNS name"),
    ("contoso-.example", "not a DNS name"),
    ("contoso..example", "not a DNS name"),
    (".contoso.example", "not a DNS name"),
    ("contoso.example.", "not a DNS name"),
    ("localhost.", "not a DNS name"),
    ("x" * 64 + ".example", "not a DNS name"),
    (".".join(["a" * 63] * 3 + ["b" * 62]), "not a DNS name"),  # 254 characters
    ("::1", "not a DNS name"),
    ("localhost", "the controller"),
    ("localhost.localdomain", "the controller"),
    ("localhost6.localdomain6", "the controller"),
    ("ip6-localhost", "the controller"),
    ("ip6-loopback", "the controller"),
    ("evil.localhost", "the controller"),
    ("127.0.0.1", "the controller"),
    ("127.1", "the controller"),
    ("2130706433", "the controller"),
    ("0x7f000001", "the controller"),
    ("10.0.0.1", "the controller"),
    ("all", "group every inventory has"),
    ("ungrouped", "group every inventory has"),
])
def test_names_that_may_not_be_hosts(name, problem):
    assert problem in names.host_name_problem(name)


def test_shown_escapes_what_could_forge_or_reorder_a_line():
    assert names.shown("contoso.onmicrosoft.com") == '"contoso.onmicrosoft.com"'
    assert names.shown('a"b\\c') == r'"a\"b\\c"'
    assert names.shown("x\x1b[31m\r\nPLAY RECAP\u2028\u202etxt.exe\x00") == \
        r'"x\x1b[31m\r\nPLAY RECAP\u2028\u202etxt.exe\x00"'
    assert names.shown(None) == "(none)" and names.shown(42) == "(a int, not text)"
    long = names.shown("a" * 5000)
    assert long == '"%s"... (5000 characters)' % ("a" * names.SHOWN_MAX)


def test_unique_names_whatever_the_listing_order():
    a = customer("contoso.onmicrosoft.com", A)
    b = customer("Contoso.example.de", B)
    c = customer("fabrikam.onmicrosoft.com", C)
    for order in ([a, b, c], [c, b, a]):
        assert named(order) == ({A: "contoso.onmicrosoft.com", B: "contoso.example.de",
                                 C: "fabrikam.onmicrosoft.com"}, [])
        assert named(order, ["domain_prefix", "customer_id"]) == ({A: A, B: B, C: "fabrikam"}, []), \
            "a configured fallback says nothing"
        assert named(order, ["domain_prefix", "domain"])[0][B] == "contoso.example.de"
    with pytest.raises(ValueError, match="at least one"):
        names.choose_host_names([a], [], ())


def test_a_name_nobody_owns_alone_falls_back_to_the_ids_with_a_note():
    a = customer("contoso.onmicrosoft.com", A)
    b = customer("contoso.example.de", B)
    hosts, notes = named([a, b], ["domain_prefix"])
    assert hosts == {A: A, B: B}
    assert len(notes) == 2 and all('its domain prefix "contoso" is also the name of another customer' in n
                                   for n in notes)
    assert notes[0].startswith('customer %s (company "Company", domain "contoso.onmicrosoft.com") is the host %s'
                               % (A, A))

    twin = customer("CONTOSO.onmicrosoft.com", B, "Twin")
    hosts, notes = named([a, twin])
    assert hosts == {A: A, B: B} and "its domain is also the name of another customer" in notes[1]


def test_a_name_that_is_another_customers_id_is_refused():
    # A's domain prefix is B's id: with it, A and B would share a host.
    a = customer("%s.onmicrosoft.com" % B, A)
    b = customer("contoso.onmicrosoft.com", B)
    c = customer("contoso.example.com", C)
    assert named([a, b, c], ["domain_prefix", "customer_id"]) == ({A: A, B: B, C: C}, [])
    hosts, notes = named([a, b, c], ["domain_prefix"])
    assert hosts == {A: A, B: B, C: C}
    assert 'its domain prefix "%s" is the id of another customer' % B in notes[0]


def test_unsafe_names_fall_back_to_the_id_and_say_so_even_when_a_later_entry_names_them():
    hostile = customer(PAYLOAD + ".Example", A, "Hostile " + PAYLOAD)
    loopback = customer("LocalHost", B)
    hosts, notes = named([hostile, loopback])
    assert hosts == {A: A, B: B}
    assert notes[0] == ('customer %s (company "Hostile %s", domain "%s.Example") is the host %s: its domain is not '
                        'a DNS name (letters, digits and hyphens in dot-separated labels of at most 63 characters)'
                        % (A, PAYLOAD, PAYLOAD, A))
    assert "its domain is a name of the controller (localhost) to Ansible" in notes[1]

    hosts, notes = named([hostile, customer("localhost.evil.example", B)], ["domain_prefix", "customer_id"])
    assert hosts == {A: A, B: B}
    assert 'its domain prefix "{{ lookup(\'pipe\', \'touch /tmp/pwned\') }}" is not a DNS name' in notes[0]
    assert 'its domain prefix "localhost" is a name of the controller' in notes[1]


def test_names_of_earlier_sources_are_taken():
    a = customer("contoso.onmicrosoft.com", A)
    b = customer("fabrikam.onmicrosoft.com", B)
    hosts, notes = named([a, b], taken=["contoso.onmicrosoft.com", "fabrikam.onmicrosoft.com", B, "all"])
    assert hosts == {A: A, B: None}
    assert '"contoso.onmicrosoft.com" is already a host or group of the inventory (an earlier source)' in notes[0]
    assert notes[1].endswith("is left out: \"fabrikam.onmicrosoft.com\" is already a host or group of the "
                             "inventory (an earlier source), and its id is already a host or group of the inventory")


def test_a_customer_without_a_guid_or_listed_twice_differently_is_left_out():
    good = customer("contoso.onmicrosoft.com", A.upper())
    no_guid = customer("fabrikam.onmicrosoft.com", PAYLOAD)
    no_id = customer("northwind.onmicrosoft.com", None)
    again = dict(good)
    first, second = customer("adatum.example", B), customer("adatum.example", B, "Someone else")
    hosts = names.choose_host_names([good, no_guid, no_id, again, first, second], ["domain"], ())
    kept = [(h.customer["domain"], h.name) for h in hosts if h.name]
    assert kept == [("contoso.onmicrosoft.com", "contoso.onmicrosoft.com")], "the copy of good counts once"
    notes = [h.note for h in hosts if h.note]
    assert notes[0] == 'customer "%s" (company "Company", domain "fabrikam.onmicrosoft.com") is left out: its id is ' \
                       'not a GUID' % PAYLOAD
    assert notes[1].startswith("customer (none) (company") and "left out: its id is not a GUID" in notes[1]
    assert len(notes) == 4 and all("listed its id 2 times with differing data" in n for n in notes[2:])

    hosts, notes = named([customer("contoso.onmicrosoft.com", A, "Contoso"), customer("x.example", B, 42)],
                         ["customer_id"])
    assert hosts == {A: A, B: B} and notes == []


def test_values_that_are_no_text_name_nobody():
    odd = {"id": A, "domain": {"nested": PAYLOAD}, "company_name": ["x"], "tenant_id": 7}
    kelvin = customer("fabri\u212aam.onmicrosoft.com", B)  # lower-cases to the ASCII k
    hosts, notes = named([odd, kelvin, customer("fabrikam.onmicrosoft.com", C)])
    assert hosts == {A: A, B: B, C: "fabrikam.onmicrosoft.com"}
    assert 'domain (a dict, not text)) is the host %s: no entry of hostnames (domain) gives it a name' % A in notes[0]
    assert 'domain "fabri\u212aam.onmicrosoft.com") is the host %s: its domain is not a DNS name' % B in notes[1]
