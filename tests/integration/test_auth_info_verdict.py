# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""partnercenter_auth_info, the first step the docs suggest: one verdict for the run and one per customer, a customer
that does not exist as "not found" (not "unknown" with the 404 in errors), customers by primary domain, and
fail_on_unreadable."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from plays import play, task

GHOST = "0badc0de-0000-4000-8000-000000000001"


def customer(emu, name, roles):
    return emu.seed([{"companyName": name, "domain": "%s.onmicrosoft.com" % name.lower(), "gdapRoles": roles}])[0]["id"]


def test_auth_info_gives_a_verdict_per_run_and_customer_and_names_a_customer_that_does_not_exist(emu, playbook):
    full = customer(emu, "Full", "all")
    licensing = customer(emu, "Licensing", ["License Administrator"])
    customer(emu, "Byname", "all")
    emu.clear_requests()
    probe = dict(customer_ids=[full, licensing, GHOST],
                 customer_domains=["byname.onmicrosoft.com", "nobody.onmicrosoft.com"])
    run = playbook(play(task("partnercenter_auth_info", name="auth", **probe),
                        task("partnercenter_auth_info", name="strict", ignore_errors=True, fail_on_unreadable=True,
                             **probe),
                        task("partnercenter_auth_info", name="strict, all readable", fail_on_unreadable=True,
                             customer_ids=[full], customer_domains=["byname.onmicrosoft.com"])))
    result = run.result("auth")["result"]
    assert not result["failed"]
    assert result["verdict"] == ("ready for user management in 2 of 5 customers (not found: %s, "
                                 "nobody.onmicrosoft.com; denied: %s)" % (GHOST, licensing))
    by_name = dict((c.get("customer_domain") or c["customer_id"], c) for c in result["customers"])
    assert [c["status"] for c in result["customers"]] == ["ready", "denied", "not found", "ready", "not found"]
    assert by_name[full]["verdict"].startswith("ready for user management")
    assert by_name["byname.onmicrosoft.com"]["customer_id"] == emu.state()["customers"][2]["id"]
    assert by_name["byname.onmicrosoft.com"]["status"] == "ready"
    assert by_name[licensing]["verdict"].startswith(
        "not ready: Partner Center refused (HTTP 403) read_users (Directory Readers, Global Reader, User Administrator)")
    assert "read_directory_roles (" in by_name[licensing]["verdict"]
    ghost = by_name[GHOST]
    assert ghost["errors"] == {} and "HTTP 404" in ghost["verdict"] and "partnercenter_customer_info" in ghost["verdict"]
    nobody = by_name["nobody.onmicrosoft.com"]
    assert nobody["customer_id"] is None and "primary domain of none of this partner's customers" in nobody["verdict"]
    # one probe of the unknown customer, not one per operation
    ghost_reads = [r for r in emu.requests() if GHOST in r.get("path", "")]
    assert len(ghost_reads) == 2, ghost_reads  # once in "auth", once in "strict"

    strict = run.result("strict")
    assert strict["failed"]
    msg = strict["result"]["msg"]
    assert msg.startswith("ready for user management in 2 of 5 customers") and "fail_on_unreadable is true" in msg
    assert "%s: not found" % GHOST in msg and "%s: not ready" % licensing in msg
    assert len(strict["result"]["customers"]) == 5  # every customer's entry kept
    fine = run.result("strict, all readable")["result"]
    assert not fine["failed"] and fine["verdict"] == "ready for user management in 2 of 2 customers"
    assert emu.writes() == []
