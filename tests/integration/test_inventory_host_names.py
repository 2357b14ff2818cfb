# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""What Partner Center lists is data: it never runs on the controller, nor names it (issue 25, item 1).

A compromised or misbehaving Partner Center (the emulator's ``uncheckedDomain`` seed) lists a
customer whose primary domain is a Jinja expression, one whose domain is ``localhost`` and two
that share a domain.  Before ansible-core 2.19, a host name holding ``{{ }}`` is templated as
soon as a play uses ``inventory_hostname`` or ``ansible_play_batch``; ``localhost`` is the
controller.  Each of these customers becomes the host of its tenant id, with a warning naming
it, whether the listing comes from Partner Center or from the inventory cache.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from fleet import GROUP, ansible_inventory, said, write_config

CONTOSO = "contoso.onmicrosoft.com"
FABRIKAM = "fabrikam.onmicrosoft.com"


def pipe_touch(path):
    return "{{ lookup('pipe', 'touch %s') }}" % path


def seed_hostile(emu, markers, duplicate=False):
    """{role: customer id}: Contoso (a DNS name), a Jinja domain and company name, localhost, and
    (``duplicate``) Fabrikam twice."""
    customers = [
        ("contoso", {"companyName": "Contoso", "domain": CONTOSO}),
        ("hostile", {"companyName": "Hostile %s" % pipe_touch(markers / "company"),
                     "domain": "%s.example" % pipe_touch(markers / "host"), "uncheckedDomain": True}),
        ("loopback", {"companyName": "Loopback", "domain": "localhost", "uncheckedDomain": True}),
    ]
    if duplicate:
        customers += [
            ("fabrikam", {"companyName": "Fabrikam", "domain": FABRIKAM}),
            ("twin", {"companyName": "Fabrikam twin", "domain": "Fabrikam.onmicrosoft.com", "uncheckedDomain": True}),
        ]
    seeded = emu.seed([customer for _role, customer in customers])
    emu.clear_requests()
    return dict((role, c["id"]) for (role, _customer), c in zip(customers, seeded))


def injection_play():
    """A play over the customers using every host list a template sees, then one on the controller."""
    return [
        {"name": "every customer", "hosts": GROUP, "connection": "local", "gather_facts": False, "tasks": [
            {"name": "name", "ansible.builtin.debug": {
                "msg": "{{ inventory_hostname }} is {{ partnercenter_customer_domain }} "
                       "({{ partnercenter_company_name }})"}},
            {"name": "batch", "run_once": True, "ansible.builtin.debug": {
                "msg": "{{ ansible_play_batch | join(',') }} of {{ ansible_play_hosts_all | join(',') }}"}},
        ]},
        {"name": "the controller", "hosts": "localhost", "gather_facts": False, "tasks": [
            {"name": "localhost is no customer", "ansible.builtin.assert": {
                "that": ["partnercenter_customer_id is not defined",
                         "'localhost' not in groups['%s']" % GROUP]}}]},
    ]


def add_to_cached_listing(entry, customer):
    """Add ``customer`` to the listing in a jsonfile cache file (ansible-core 2.19 wraps it in ``__payload__``)."""
    stored = json.loads(entry.read_text(encoding="utf-8"))
    if isinstance(stored, dict):
        stored["__payload__"] = json.dumps(json.loads(stored["__payload__"]) + [customer])
    else:
        stored.append(customer)
    entry.write_text(json.dumps(stored), encoding="utf-8")


def assert_nothing_ran(markers):
    assert sorted(p.name for p in markers.iterdir()) == [], "a template from Partner Center ran on the controller"


def assert_named_by_id(output, cid, reason):
    """A warning names the customer by its id and says why it is named so."""
    assert said("customer %s (company" % cid, output) and said("is the host %s: %s" % (cid, reason), output), output


def test_a_hostile_listing_never_runs_on_the_controller(emu, playbook, tmp_path):
    markers = tmp_path / "markers"
    markers.mkdir()
    ids = seed_hostile(emu, markers)

    # The plays first: on ansible-core 2.16 to 2.18 a host name holding {{ }} runs here.
    result = playbook(injection_play(), inventory=str(write_config(tmp_path / "config", {})), expect_rc=None)
    assert_nothing_ran(markers)
    assert result.rc == 0, result.describe()
    hosts = sorted([CONTOSO, ids["hostile"], ids["loopback"]])
    assert sorted(r["host"] for r in result.results if r["task"] == "name") == hosts
    (batch,) = [r["result"]["msg"] for r in result.results if r["task"] == "batch"]
    assert batch == "%s of %s" % (",".join(hosts), ",".join(hosts))
    assert_named_by_id(result.stderr, ids["hostile"], "its domain is not a DNS name")

    run = ansible_inventory(playbook, {})
    assert run.hosts() == hosts and "localhost" not in run.hostvars
    hostile = run.hostvars[ids["hostile"]]
    assert hostile["partnercenter_customer_domain"] == "%s.example" % pipe_touch(markers / "host"), "kept as data"
    message = run.stderr
    assert_named_by_id(message, ids["hostile"], "its domain is not a DNS name")
    assert said('domain "{{ lookup(\'pipe\', \'touch /', message), "what Partner Center sent, as it sent it"
    assert_named_by_id(message, ids["loopback"], "its domain is a name of the controller (localhost)")
    assert not said(CONTOSO, message)


def test_colliding_names_fall_back_to_ids_also_when_read_from_the_cache(emu, playbook, tmp_path):
    markers = tmp_path / "markers"
    markers.mkdir()
    ids = seed_hostile(emu, markers, duplicate=True)
    cache_dir = tmp_path / "inventory-cache"
    config = write_config(tmp_path / "config", {
        "cache": True, "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(cache_dir),
        "cache_timeout": 600})
    expected = sorted([CONTOSO, ids["hostile"], ids["loopback"], ids["fabrikam"], ids["twin"]])

    run = ansible_inventory(playbook, config)
    assert run.hosts() == expected
    for twin in ("fabrikam", "twin"):
        assert_named_by_id(run.stderr, ids[twin], "its domain is also the name of another customer")
    assert len(emu.requests(route="list_customers")) == 1

    # Read back from the cache: no request, the same hosts and warnings, nothing runs.
    emu.clear_requests()
    cached = "".join(p.read_text(encoding="utf-8") for p in cache_dir.iterdir() if p.is_file())
    assert pipe_touch(markers / "host") in cached, "the cache holds the listing as it came"
    result = playbook(injection_play(), inventory=str(config))
    assert emu.requests() == []
    assert_nothing_ran(markers)
    assert sorted(r["host"] for r in result.results if r["task"] == "name") == expected
    message = result.stderr
    assert_named_by_id(message, ids["hostile"], "its domain is not a DNS name")
    assert_named_by_id(message, ids["loopback"], "its domain is a name of the controller (localhost)")
    for twin in ("fabrikam", "twin"):
        assert_named_by_id(message, ids[twin], "its domain is also the name of another customer")

    # A cache edited by someone else: a customer whose id is no GUID is left out, whatever it claims.
    (entry,) = [p for p in cache_dir.iterdir() if p.is_file()]
    add_to_cached_listing(entry, {"id": pipe_touch(markers / "id"), "domain": "forged.example.com",
                                  "company_name": "Forged", "tenant_id": None, "relationship_to_partner": "reseller"})
    run = ansible_inventory(playbook, config)
    assert run.hosts() == expected and emu.requests() == []
    message = run.stderr
    assert said('domain "forged.example.com") is left out: its id is not a GUID', message)
    assert_nothing_ran(markers)


def test_a_host_of_an_earlier_source_is_not_merged_with_a_customer(emu, playbook, tmp_path):
    ids = seed_hostile(emu, tmp_path)
    static = tmp_path / "static.yml"
    static.write_text(json.dumps({"all": {"hosts": {CONTOSO: {"partnercenter_users": []}}}}), encoding="utf-8")
    config = write_config(tmp_path / "config", {})

    run = ansible_inventory(playbook, str(static), args=["-i", str(config)])
    contoso_id = ids["contoso"]
    assert run.hosts() == sorted([contoso_id, ids["hostile"], ids["loopback"]])
    assert "partnercenter_customer_id" not in run.hostvars[CONTOSO], "the static host keeps only its own variables"
    assert run.hostvars[contoso_id]["partnercenter_customer_domain"] == CONTOSO
    assert_named_by_id(run.stderr, contoso_id, '"contoso.onmicrosoft.com" is already a host or group of the inventory')
