# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The customers inventory plugin (issue: every customer, one inventory) and the fleet it builds.

``ansible-inventory`` lists the emulator's customers through the plugin; the request log shows
what each listing cost.  The last test runs playbooks/provision_customers.yml on the plugin's
inventory with examples/fleet's group_vars standard (a break-glass administrator for every
customer) and host_vars, with the csp.partnercenter.report callback on.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math

from fleet import (
    CONVERGE, PLAYBOOK, ansible_inventory, breakglass, fleet_inventory, load_report, logged_writes,
    report_env, reported_writes, role_summaries, said, seed_fleet, write_config,
)
from ci_recipes import Repo
from plays import PASSWORD, play
from secret_scan import assert_no_form_in

LISTING = "list_customers"


def seed_customers(emu, customers):
    seeded = emu.seed(customers)
    emu.clear_requests()
    return dict((c["domain"], c["id"]) for c in seeded)


def routes(emu):
    return [r["route"] for r in emu.requests()]


def secrets_of(emu):
    return {"client secret": emu.client_secret, "refresh token": emu.refresh_token}


def test_lists_1200_customers_over_three_pages(emu, playbook):
    ids = seed_customers(emu, [
        {"companyName": "Customer %04d" % i, "domain": "Cust%04d.onmicrosoft.com" % i,
         "relationshipToPartner": "advisor" if i % 3 == 0 else "reseller"} for i in range(1200)])

    run = ansible_inventory(playbook, {})
    hosts = run.hosts()
    assert len(hosts) == 1200 and hosts[0] == "cust0000.onmicrosoft.com", hosts[:3]
    assert run.hostvars["cust0003.onmicrosoft.com"] == {
        "partnercenter_customer_id": ids["Cust0003.onmicrosoft.com"],
        "partnercenter_customer_domain": "Cust0003.onmicrosoft.com",
        "partnercenter_company_name": "Customer 0003",
        "partnercenter_tenant_id": ids["Cust0003.onmicrosoft.com"],
        "partnercenter_relationship": "advisor",
    }
    # The documented cost: ceil(customers / 500) listings and one token (MSAL reads the
    # authority's OpenID configuration first); nothing else.
    listings = emu.requests(route=LISTING)
    assert len(listings) == math.ceil(1200 / 500) == 3
    assert [r["query"] for r in listings] == [{"size": ["500"]}] + [{"size": ["500"], "seekOperation": ["Next"]}] * 2
    assert sorted(routes(emu)) == sorted(["openid_config", "token"] + [LISTING] * 3)
    assert_no_form_in(secrets_of(emu), {"ansible-inventory output": run.output}, runs=False)

    # Without the inventory cache the customers are listed again, with the token the first run cached.
    emu.clear_requests()
    ansible_inventory(playbook, {})
    assert routes(emu) == [LISTING] * 3


def test_globs_keyed_groups_compose_and_groups(emu, playbook):
    seed_customers(emu, [
        {"companyName": "Contoso Ltd {{ 7 * 6 }}", "domain": "contoso.onmicrosoft.com"},
        {"companyName": "Contoso Labs (test)", "domain": "contosolabs.onmicrosoft.com"},
        {"companyName": "Fabrikam Inc", "domain": "fabrikam.onmicrosoft.com", "relationshipToPartner": "advisor"},
        {"companyName": "Northwind Traders", "domain": "northwind.onmicrosoft.com"},
        {"companyName": "Adatum", "domain": "adatum.example.com"},
    ])
    run = ansible_inventory(playbook, {
        "include_domains": ["CONTOSO*.onmicrosoft.com", "*.example.com"],
        "include_company_names": ["fabrikam *"],
        "exclude_company_names": ["* (test)"],
        "keyed_groups": [{"key": "partnercenter_relationship", "prefix": "partnercenter"}],
        "groups": {"onmicrosoft": "partnercenter_customer_domain.endswith('.onmicrosoft.com')"},
        "compose": {"customer_label": "partnercenter_company_name | upper", "ansible_connection": "'local'"},
    })
    assert run.hosts() == ["adatum.example.com", "contoso.onmicrosoft.com", "fabrikam.onmicrosoft.com"]
    assert run.hosts("partnercenter_reseller") == ["adatum.example.com", "contoso.onmicrosoft.com"]
    assert run.hosts("partnercenter_advisor") == ["fabrikam.onmicrosoft.com"]
    assert run.hosts("onmicrosoft") == ["contoso.onmicrosoft.com", "fabrikam.onmicrosoft.com"]
    fabrikam = run.hostvars["fabrikam.onmicrosoft.com"]
    assert (fabrikam["customer_label"], fabrikam["ansible_connection"]) == ("FABRIKAM INC", "local")
    # What Partner Center says is data, never a template.
    assert run.hostvars["contoso.onmicrosoft.com"]["customer_label"] == "CONTOSO LTD {{ 7 * 6 }}"
    assert routes(emu).count(LISTING) == 1

    # A compose expression that fails: skipped unless strict, then it fails the inventory naming it.
    broken = {"compose": {"label": "partnercenter_no_such_var | upper"}}
    assert "label" not in ansible_inventory(playbook, broken).hostvars["contoso.onmicrosoft.com"]
    run = ansible_inventory(playbook, dict(broken, strict=True), expect_rc=1)
    assert "Could not set label for host" in run.message


def test_hostnames_fall_back_to_a_unique_name(emu, playbook):
    ids = seed_customers(emu, [
        {"companyName": "Contoso", "domain": "contoso.onmicrosoft.com"},
        {"companyName": "Contoso Germany", "domain": "contoso.example.de"},
        {"companyName": "Fabrikam", "domain": "fabrikam.onmicrosoft.com"},
    ])
    run = ansible_inventory(playbook, {"hostnames": ["domain_prefix", "customer_id"]})
    # "contoso" would name two customers, so neither gets it, whatever order Partner Center lists them in.
    assert run.hosts() == sorted(["fabrikam", ids["contoso.onmicrosoft.com"], ids["contoso.example.de"]])

    assert "[WARNING]" not in run.stderr, "the configured fallback says nothing"

    # Without customer_id in the list, the customers the prefix does not tell apart are named by
    # their ids all the same, with a warning naming each.
    run = ansible_inventory(playbook, {"hostnames": ["domain_prefix"]})
    assert run.hosts() == sorted(["fabrikam", ids["contoso.onmicrosoft.com"], ids["contoso.example.de"]])
    for domain in ("contoso.onmicrosoft.com", "contoso.example.de"):
        assert said('customer %s (company "%s", domain "%s") is the host %s: its domain prefix "contoso" is also '
                    'the name of another customer' % (ids[domain], "Contoso Germany" if domain.endswith(".de")
                                                      else "Contoso", domain, ids[domain]), run.stderr)


def test_a_cached_run_makes_no_request(emu, playbook, tmp_path):
    seed_customers(emu, [{"companyName": "Customer %d" % i, "domain": "c%d.onmicrosoft.com" % i}
                         for i in range(30)])
    cache_dir = tmp_path / "inventory-cache"
    config = write_config(tmp_path / "config", {
        "cache": True, "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(cache_dir),
        "cache_timeout": 600})
    assert len(ansible_inventory(playbook, config).hosts()) == 30
    assert routes(emu).count(LISTING) == 1

    emu.clear_requests()
    emu.seed([{"companyName": "Latecomer", "domain": "late.onmicrosoft.com"}])
    emu.clear_requests()
    run = ansible_inventory(playbook, config)
    assert len(run.hosts()) == 30 and "late.onmicrosoft.com" not in run.hosts(), "served from the cache"
    assert emu.requests() == [], "a cached run sends nothing, not even a token request"

    # The cache holds the customers and nothing secret; --flush-cache lists them again.
    cached = "".join(p.read_text(encoding="utf-8") for p in cache_dir.iterdir() if p.is_file())
    assert "c7.onmicrosoft.com" in cached and "Customer 7" in cached
    assert_no_form_in(secrets_of(emu), {"inventory cache": cached}, runs=False)
    assert "emu." not in cached, "no access token in the cache"
    # ansible-playbook --flush-cache (ansible-inventory has it from ansible-core 2.19) lists them again.
    playbook(play({"name": "the latecomer is listed", "ansible.builtin.assert": {
        "that": "'late.onmicrosoft.com' in groups['partnercenter_customers']"}}),
        inventory=str(config), args=["--flush-cache"])
    assert routes(emu).count(LISTING) == 1


def test_errors_name_the_option_and_show_no_secret(emu, playbook):
    seed_customers(emu, [{"companyName": "Contoso", "domain": "contoso.onmicrosoft.com"}])
    secrets = secrets_of(emu)

    run = ansible_inventory(playbook, {}, env={"PARTNERCENTER_REFRESH_TOKEN": None,
                                               "PARTNERCENTER_CLIENT_SECRET": None}, expect_rc=1)
    assert "refresh_token: no credentials" in run.message and "PARTNERCENTER_REFRESH_TOKEN" in run.message

    run = ansible_inventory(playbook, {"include_domain": ["contoso*"]}, expect_rc=1)
    assert "include_domain is not an option of the csp.partnercenter.customers inventory plugin; " \
           "did you mean include_domains?" in run.message

    run = ansible_inventory(playbook, {"hostnames": ["fqdn"]}, expect_rc=1)
    assert "hostnames" in run.message and "fqdn" in run.message

    wrong = "Wrong-Client-Secret-42"
    run = ansible_inventory(playbook, {"client_secret": wrong}, expect_rc=1)
    assert "could not list the partner's customers" in run.message and "invalid_client" in run.message
    # The emulator's secrets are dictionary words: look for them whole, not for their runs of letters.
    assert_no_form_in(dict(secrets, wrong=wrong), {"ansible-inventory output": run.output}, runs=False)

    emu.faults([{"route": LISTING, "kind": "status", "status": 403}])
    emu.clear_requests()
    run = ansible_inventory(playbook, {}, expect_rc=1)
    (refused,) = emu.requests(route=LISTING)
    assert said("HTTP 403", run.stderr) and said("MS-RequestId %s" % refused["request_id"], run.stderr)
    assert_no_form_in(secrets, {"ansible-inventory output": run.output}, runs=False)
    assert emu.writes() == []


def test_with_the_example_ansible_cfg_a_wrong_configuration_prints_only_the_plugins_message(emu, playbook, tmp_path):
    # examples/fleet/ansible.cfg enables only the plugin: ansible-core's fallback parsers stay quiet
    repo = Repo(playbook, tmp_path / "iac")
    config = repo.path / "inventory" / "customers.partnercenter.yml"
    config.write_text(config.read_text(encoding="utf-8") + "exclude_company_name: ['x']\n", encoding="utf-8")
    emu.clear_requests()
    for line in ("ansible-inventory --graph", "ansible-playbook csp.partnercenter.provision_customers --check"):
        run = repo.run(line)
        assert run.rc != 0, run.describe()
        assert said("exclude_company_name is not an option of the csp.partnercenter.customers inventory plugin; "
                    "did you mean exclude_company_names?", run.stderr), run.describe()
        for noise in ("Plugin configuration YAML file, not YAML inventory", "Invalid host pattern",
                      "with 'auto' plugin", "with 'yaml' plugin", "with 'ini' plugin"):
            assert noise not in run.output, run.describe()
    assert emu.requests() == []


def test_fleet_of_50_converges_from_the_plugin_inventory_then_reruns_with_zero_writes(emu, playbook, tmp_path):
    ids = seed_fleet(emu, 50)
    hosts = fleet_inventory(tmp_path)
    reports = tmp_path / "reports"

    run = playbook(str(PLAYBOOK), inventory=str(hosts), forks=10, env=report_env(reports))
    converged = [r for r in run.results if r["task"].endswith(CONVERGE)]
    assert len(converged) == 50 and "partnerlab.onmicrosoft.com" not in [r["host"] for r in converged]
    assert len(emu.requests(route=LISTING)) == 1 and len(emu.requests(route="token")) == 1

    # Every customer has the break-glass admin, a Global Administrator; the customers with host_vars
    # also have their own users (Fabrikam's own entry for the break-glass UPN replaced the standard's).
    state = dict((c["companyProfile"]["domain"], c) for c in emu.state()["customers"])
    for domain, cid in ids.items():
        active = dict((u["userPrincipalName"].lower(), u) for u in state[domain]["users"] if u["state"] == "active")
        if domain == "partnerlab.onmicrosoft.com":
            assert active == {}, "the sandbox is excluded by the example's configuration"
            continue
        admin = active[breakglass(domain)]
        global_admin = [r for r in state[domain]["directoryRoles"] if r["name"] == "Global Administrator"]
        assert admin["id"] in global_admin[0]["members"], domain
        expected = {"contoso.onmicrosoft.com": ["ada.lovelace", "alan.turing"],
                    "fabrikam.onmicrosoft.com": ["grace.hopper"]}.get(domain, [])
        assert sorted(active) == sorted([breakglass(domain)] + ["%s@%s" % (n, domain) for n in expected]), domain
        if domain == "fabrikam.onmicrosoft.com":
            assert (admin["displayName"], admin["usageLocation"]) == ("Notfallzugang", "DE")
        else:
            assert admin["displayName"] == "Break-Glass Administrator"

    # The report lists exactly the writes the emulator logged, and says what the role said.
    report, text = load_report(reports)
    assert report["mode"] == "run" and report["totals"]["customers"] == 50
    assert (report["totals"]["created"], report["totals"]["purged"], report["totals"]["unchanged"]) == (52, 1, 1)
    assert reported_writes(report, ids, emu) == logged_writes(emu)
    said = role_summaries(run)
    assert len(said) == 50
    assert dict((c["host"], c["summary_lines"]) for c in report["customers"]) == said
    assert "| temp.contractor@contoso.onmicrosoft.com | purged |" in text

    emu.clear_requests()
    run = playbook(str(PLAYBOOK), inventory=str(hosts), forks=10, env=report_env(reports))
    assert emu.writes() == []
    assert not any(r["changed"] for r in run.results if r["task"].endswith(CONVERGE))
    report, text = load_report(reports)
    assert report["totals"]["customers_changed"] == 0 and report["totals"]["unchanged"] == 53
    assert "## Customers without changes or failures (50)" in text


def test_a_host_entry_replaces_the_common_entry_of_the_same_upn_entirely(emu, playbook):
    cid = emu.seed([{"companyName": "Contoso", "domain": "contoso.onmicrosoft.com"}])[0]["id"]
    emu.clear_requests()
    common = [
        {"user_principal_name": "breakglass@contoso.onmicrosoft.com", "display_name": "Break Glass",
         "usage_location": "US", "password": PASSWORD, "directory_roles": {"add": ["Global Administrator"]}},
        {"user_principal_name": "auditor@contoso.onmicrosoft.com", "display_name": "Auditor", "usage_location": "US",
         "password": PASSWORD},
    ]
    own = [{"user_principal_name": "BreakGlass@Contoso.onmicrosoft.com", "display_name": "Emergency",
            "usage_location": "GB", "password": PASSWORD}]
    hosts = {"partnercenter_customers": {"hosts": {"contoso": {"partnercenter_customer_id": cid}},
                                         "vars": {"partnercenter_users_common": common}}}

    # A typo in a common entry is refused by the argument specification before any request.
    typo = dict(common[1], usage_locaton="US")
    hosts_typo = {"partnercenter_customers": {"hosts": {"contoso": {"partnercenter_customer_id": cid}},
                                              "vars": {"partnercenter_users_common": [typo]}}}
    run = playbook(str(PLAYBOOK), inventory=hosts_typo, expect_rc=2)
    assert "usage_locaton" in run.stdout and emu.requests() == []

    hosts["partnercenter_customers"]["hosts"]["contoso"]["partnercenter_users"] = own
    run = playbook(str(PLAYBOOK), inventory=hosts)
    (converged,) = [r["result"] for r in run.results if r["task"].endswith(CONVERGE)]
    # The host's own users first, then the common ones it does not declare (UPNs in any case).
    assert [(u["user_principal_name"], u["action"]) for u in converged["users"]] == [
        ("BreakGlass@Contoso.onmicrosoft.com", "created"), ("auditor@contoso.onmicrosoft.com", "created")]
    users = dict((u["userPrincipalName"].lower(), u) for u in emu.users(cid))
    admin = users["breakglass@contoso.onmicrosoft.com"]
    assert (admin["displayName"], admin["usageLocation"], admin["directoryRoles"]) == ("Emergency", "GB", []), \
        "nothing of the common entry is kept, not even its role"
    assert sorted(users) == ["auditor@contoso.onmicrosoft.com", "breakglass@contoso.onmicrosoft.com"]


def test_a_429_while_listing_is_a_hold_for_every_process_of_the_partner(emu, playbook, tmp_path):
    seed_customers(emu, [{"companyName": "Contoso", "domain": "contoso.onmicrosoft.com"}])
    emu.faults([{"route": LISTING, "kind": "status", "status": 429, "retry_after": 1, "times": 1}])

    run = ansible_inventory(playbook, {})
    assert run.hosts() == ["contoso.onmicrosoft.com"]
    first, second = emu.requests(route=LISTING)
    assert (first["status"], second["status"]) == (429, 200)
    assert second["started_at"] >= first["answered_at"] + 1.0, "Retry-After honoured"
    # the hold went to the shared gate file next to the token cache, where the forks of a playbook
    # run (and any other run for this partner) read it before their next request
    (gate_file,) = (tmp_path / "token-cache").glob("throttle-*.json")
    assert gate_file.stat().st_mode & 0o777 == 0o600
